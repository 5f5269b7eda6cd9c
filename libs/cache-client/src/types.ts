import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import type { CircuitOptions, CircuitState } from './circuit-breaker';
import type { CacheMetricsSnapshot, MetricsOptions } from './metrics';
import type { LegacyReadOptions } from './legacy-read';
import type { SecretSource } from './secret';

/**
 * Returns the password to authenticate with when the secret's `authMode` is `iam` (a SigV4-signed
 * token). Lives behind `@cache-platform/cache-client/iam-auth` so password services do not bundle it.
 */
export type AuthTokenProvider = (secret: CacheSecretPayload) => Promise<string>;

/** TLS settings. Certificates and host names are always verified; these only say against what. */
export interface TlsOptions {
  /**
   * Extra CA certificates (PEM) to trust, e.g. a local test CA.
   * @default Node's bundled root CAs (which include the Amazon roots ElastiCache certificates chain to)
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * The name the server certificate must be valid for (also sent as SNI), e.g. the real endpoint
   * name when connecting through a local tunnel.
   * @default the secret's `host`
   */
  readonly servername?: string;
}

/** Receives the client's warnings (cache failures, secret problems). Never given a password. */
export interface CacheLogger {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface ServiceCacheOptions {
  /**
   * ARN of the service's cache secret in Secrets Manager.
   * @default process.env.REDIS_SECRET_ARN, read at first use (a `file:` URL there selects a local JSON file)
   */
  readonly secretArn?: string;
  /**
   * Where the secret comes from, instead of Secrets Manager (local runs and tests). Takes precedence over `secretArn`.
   * @default Secrets Manager, at `secretArn`
   */
  readonly secretSource?: SecretSource;
  /**
   * Milliseconds to open a connection (TCP and TLS). The first request of an execution environment
   * may wait this long plus `commandTimeoutMs` (secret fetch included) before it answers from the loader;
   * so may the one probe after a circuit cool-down when no connection is ready. Other requests never wait
   * for a connection being made.
   * @default 1000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Milliseconds a request waits for Redis before it answers from the loader: the most a slow or
   * unreachable cache adds to a request.
   * @default 250
   */
  readonly commandTimeoutMs?: number;
  /**
   * Cluster client (ElastiCache Serverless) or a single-node client (local Redis).
   * @default the secret's `clusterMode`
   */
  readonly clusterMode?: boolean;
  /**
   * What certificates to trust and which name to verify.
   * @default Node's root CAs, the secret's host
   */
  readonly tls?: TlsOptions;
  /**
   * CloudWatch EMF output.
   * @default EMF lines on stdout, namespace `CachePlatform`, dimension `Keyspace`, at most one a minute plus `flushMetrics()`
   */
  readonly metrics?: MetricsOptions;
  /**
   * Circuit breaker.
   * @default 5 consecutive failures open it for 5000 ms
   */
  readonly circuit?: CircuitOptions;
  /**
   * Longest pause between two secret re-reads after authentication failures that found no new
   * version (a wrong password, or a rotation that has not moved `AWSCURRENT` yet): the pause starts
   * at 100 ms and doubles up to this. A re-read that found a new version leaves the next one free to
   * happen at once. 0: no pause.
   * @default 5000
   */
  readonly secretRefreshIntervalMs?: number;
  /**
   * Signs IAM auth tokens when the secret's `authMode` is `iam` (a password secret never calls it).
   * @default `iamAuthTokenProvider()` from `@cache-platform/cache-client/iam-auth`, loaded when the
   *   secret first says `iam`
   */
  readonly authTokenProvider?: AuthTokenProvider;
  /**
   * Most commands waiting for a reply per connection; more are refused at once (and answered
   * from the loader) instead of piling up behind a stalled server.
   * @default 1000
   */
  readonly maxQueuedCommands?: number;
  /**
   * Dual read during a cutover: on a miss, read the Redis the service used before (new first,
   * legacy as fallback, writes to the new cache only). `legacyReadFromEnv()` builds it from the old
   * `REDIS_URL`; `CACHE_LEGACY_READ=off` (or `enabled: false`) is the switch.
   * @default none
   */
  readonly legacyRead?: LegacyReadOptions;
  /**
   * Where warnings go.
   * @default one JSON line on stderr per distinct message per minute
   */
  readonly logger?: CacheLogger;
}

export interface GetOrLoadOptions {
  /** Seconds a loaded value is served as fresh. Required, > 0. */
  readonly ttlSeconds: number;
  /**
   * Fraction of `ttlSeconds` taken off at random per write, so keys loaded together do not expire together.
   * @default 0.1
   */
  readonly jitterRatio?: number;
  /**
   * Versioned namespace of the key: `bumpNamespace(namespace)` retires every key in it at once.
   * @default none
   */
  readonly namespace?: string;
  /**
   * Seconds to cache a `null` or `undefined` loader result ("not found"). 0: such results are not cached.
   * @default 0
   */
  readonly negativeTtlSeconds?: number;
  /**
   * Seconds after `ttlSeconds` during which the old value is still served while one caller (across
   * instances) reloads it in the background. 0: expired values are reloaded in the request.
   * @default 0
   */
  readonly staleWhileRevalidateSeconds?: number;
  /**
   * Cross-instance lock around the loader on a miss (`SET NX PX` with a token, released by its
   * owner only). Others wait up to `waitMs` for the holder's value, then load themselves.
   * @default false (in-process single-flight only)
   */
  readonly lock?: { readonly ttlMs: number; readonly waitMs: number } | false;
}

export interface InvalidateOptions {
  /**
   * Namespace the key was cached under.
   * @default none
   */
  readonly namespace?: string;
}

export interface HealthReport {
  /** ok: PING answered and the circuit is closed; degraded: answered but the circuit is not closed; down: no answer */
  readonly status: 'ok' | 'degraded' | 'down';
  /** PING round trip, when it answered */
  readonly pingMs?: number;
  readonly circuit: CircuitState;
  /** cluster or standalone client, once connected */
  readonly mode?: 'cluster' | 'standalone';
  /**
   * Why the cache is down, safe for a public health path: the error class with a Node or Redis
   * error code, or this library's rule (e.g. the missing env var, the certificate problem). No
   * credentials, ARNs, host names or upstream text: those are in the logs.
   */
  readonly error?: string;
}

/** The cache of one service, bound to its keyspace. Create one per execution environment, at module scope. */
export interface ServiceCache {
  /**
   * Cache-aside read: the cached value, or the loader's (stored for next time). Never fails because
   * of the cache: when Redis is slow, down or refusing, the loader answers within `commandTimeoutMs`.
   * Loader errors reach the caller and are not cached.
   * @param options TTL and behaviour; @default { ttlSeconds: 60 }
   */
  getOrLoad<T>(key: string, loader: () => Promise<T>, options?: GetOrLoadOptions): Promise<T>;
  /** Deletes one key. Failures are counted and logged, never thrown: the TTL bounds staleness. */
  invalidate(key: string, options?: InvalidateOptions): Promise<void>;
  /** Retires every key of a namespace at once (new version), without SCAN or KEYS. Never throws. */
  bumpNamespace(namespace: string): Promise<void>;
  /** PING with latency and the circuit state, for the service's health path. Never throws. */
  checkHealth(): Promise<HealthReport>;
  /** Counters since creation and recent read latency. */
  metrics(): CacheMetricsSnapshot;
  /** Writes the counters since the last flush as one EMF line and returns it (undefined when there was nothing). */
  flushMetrics(): string | undefined;
  /**
   * Waits for work left running after a request answered: stale-while-revalidate refreshes, and a
   * secret re-read that outlasted its request. Lambda freezes the environment once the handler
   * returns, so such work may never finish while its refresh lease keeps other instances from
   * refreshing: `await cache.settle()` before returning (and before `flushMetrics()`, so its
   * counters are in that line). Resolves at once when nothing is pending, after `timeoutMs` at the
   * latest (the work carries on, a warning is logged). Never rejects because of the cache.
   * @param timeoutMs most milliseconds to wait; @default 1000
   */
  settle(timeoutMs?: number): Promise<void>;
  /** Flushes metrics and closes the connection; a later call reconnects lazily. */
  close(): Promise<void>;
}
