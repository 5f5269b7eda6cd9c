// Public entry point. IAM auth token signing is not re-exported here: the client loads it itself when
// the secret says `iam` (auth-mode.ts), and a password service's bundle leaves it out. Import it from
// '@cache-platform/cache-client/iam-auth' only to pass your own options (iamAuthTokenProvider({...})).
export { createServiceCache, DEFAULT_TTL_SECONDS } from './service-cache';
export { withServiceCache } from './lambda-handler';
export type {
  AuthTokenProvider,
  CacheLogger,
  GetOrLoadOptions,
  HealthReport,
  InvalidateOptions,
  ServiceCache,
  ServiceCacheOptions,
  TlsOptions,
} from './types';
export {
  fileSecretSource,
  secretsManagerSource,
  secretSourceFromEnv,
  staticSecretSource,
  type SecretSource,
  type SecretValue,
  type SecretsManagerSourceOptions,
} from './secret';
export type { CircuitOptions, CircuitState } from './circuit-breaker';
export type { CacheCounters, CacheMetricsSnapshot, LatencySummary, MetricsOptions } from './metrics';
export { DEFAULT_LEGACY_READ_TIMEOUT_MS, LEGACY_READ_SWITCH_ENV, legacyReadFromEnv, type LegacyReadOptions } from './legacy-read';
export { createIdempotencyClient, type IdempotencyCacheClient } from './idempotency';
export { planConnection, type ConnectionPlan } from './connection-plan';
export {
  createRedisConnectionConfig,
  ioredisOptions,
  type ConnectionConfigOptions,
  type IoredisConnectionOptions,
  type NodeRedisConfigOptions,
  type NodeRedisConnectionConfig,
  type NodeRedisSocketConfig,
} from './own-client-config';
export { CacheClientError, CacheTimeoutError, CacheUnavailableError, CacheUsageError, isAuthError } from './errors';
