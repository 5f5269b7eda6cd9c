// "Bring your own client": connection options for services that already use node-redis or ioredis
// directly. Plain data from the same plan createServiceCache connects with (verified TLS, the
// service's ACL user, the `<keyspace>:` prefix). Also an entry point of its own
// (`@cache-platform/cache-client/client-config`) that reaches no Redis client: a service on ioredis
// that imports it from there does not bundle @redis/client (connection-plan.spec checks the imports).
import { parseCacheSecret, type CacheSecretPayload } from '@cache-platform/cache-contract';
import { planConnection, type ConnectionPlan } from './connection-plan';
import { CacheUsageError } from './usage-error';
import type { AuthTokenProvider, TlsOptions } from './types';

const DEFAULT_CONNECT_TIMEOUT_MS = 1000;

export interface ConnectionConfigOptions {
  /**
   * What certificates to trust and which name to verify (never whether to verify).
   * @default Node's root CAs, the secret's host
   */
  readonly tls?: TlsOptions;
  /**
   * Milliseconds to open a connection (TCP, TLS).
   * @default 1000
   */
  readonly connectTimeoutMs?: number;
}

export interface NodeRedisConfigOptions extends ConnectionConfigOptions {
  /**
   * Signs IAM auth tokens; required when the secret's `authMode` is `iam` (import
   * `iamAuthTokenProvider` from `@cache-platform/cache-client/iam-auth`). node-redis calls it at every
   * (re)connect, so a reconnect after the token's 15 minutes gets a fresh one.
   * @default none (password auth)
   */
  readonly authTokenProvider?: AuthTokenProvider;
}

type Ca = string | Buffer | Array<string | Buffer>;

/** `socket` of a node-redis client: TLS verified against `servername` with Node's defaults. */
export type NodeRedisSocketConfig =
  | { host: string; port: number; connectTimeout: number; tls: true; servername?: string; ca?: Ca }
  | { host: string; port: number; connectTimeout: number; tls?: false };

type NodeRedisTlsConfig = { tls: true; servername?: string; ca?: Ca; connectTimeout: number } | { tls?: false; connectTimeout: number };

type NodeRedisCredentials =
  | { username: string; password: string }
  | { credentialsProvider: { type: 'async-credentials-provider'; credentials: () => Promise<{ username: string; password: string }> } };

/**
 * Options for node-redis (`@redis/client` / `redis` >= 5): both `createClient(config)` and, for a
 * cluster (ElastiCache Serverless), `createCluster(config)` take this object as it is; each ignores
 * the other's keys (`socket` and the credentials are the client's; `rootNodes`, `defaults`,
 * `useReplicas` the cluster's, whose node connections all get `defaults`).
 */
export type NodeRedisConnectionConfig = NodeRedisCredentials & {
  socket: NodeRedisSocketConfig;
  /** `<keyspace>:`: node-redis puts it in front of every key (the ACL allows nothing else) */
  keyPrefix: string;
  RESP: 2;
  /** no CLIENT SETINFO in the handshake: the connection set-up the platform's ACL rules are tested with */
  disableClientInfo: true;
  /** no maintenance handshake (Redis Enterprise only; it would also resolve DNS names on its own) */
  maintNotifications: 'disabled';
  rootNodes: Array<{ socket: { host: string; port: number } }>;
  defaults: NodeRedisCredentials & {
    socket: NodeRedisTlsConfig;
    RESP: 2;
    disableClientInfo: true;
    maintNotifications: 'disabled';
  };
  /** reads go to primaries: a read right after a write or an invalidation must see it */
  useReplicas: false;
};

/**
 * Options for ioredis 5: `new Redis(options)`, or for a cluster
 * `new Redis.Cluster([{ host: secret.host, port: secret.port }], options)`; each ignores the other's
 * keys (`host`, `port`, `username`, `password`, `tls` are the client's; `redisOptions`, `dnsLookup`
 * the cluster's).
 */
export interface IoredisConnectionOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** TLS verified against `servername` with Node's defaults; absent when the secret says `tls: false` */
  tls?: { servername?: string; ca?: Ca };
  /** `<keyspace>:`: ioredis puts it in front of every key (the ACL allows nothing else) */
  keyPrefix: string;
  connectTimeout: number;
  /** ioredis' ready check sends INFO, which the service's ACL user may not run (`-@dangerous`) */
  enableReadyCheck: false;
  /** for `Redis.Cluster`: every node connection */
  redisOptions: {
    username: string;
    password: string;
    tls?: { servername?: string; ca?: Ca };
    connectTimeout: number;
    enableReadyCheck: false;
  };
  /**
   * For `Redis.Cluster`: node addresses are used as they are, not resolved by ioredis first, so TLS
   * checks the certificate against the name (AWS's advice for ElastiCache with TLS).
   */
  dnsLookup: (address: string, callback: (error: Error | null, address: string) => void) => void;
}

/** Validates the secret (the contract's parser: errors name the field, never a value of the password). */
function readSecret(secret: CacheSecretPayload | string, caller: string): CacheSecretPayload {
  if (typeof secret !== 'string' && (typeof secret !== 'object' || secret === null)) {
    throw new CacheUsageError(`${caller} secret`, secret, 'must be the cache secret (its JSON text or the parsed object)');
  }
  return parseCacheSecret(typeof secret === 'string' ? secret : JSON.stringify(secret), `${caller}(secret)`);
}

function plan(secret: CacheSecretPayload, options: ConnectionConfigOptions, caller: string): ConnectionPlan {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (typeof connectTimeoutMs !== 'number' || !Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new CacheUsageError(`${caller} options.connectTimeoutMs`, connectTimeoutMs, 'must be a finite number > 0');
  }
  return planConnection(secret, { tls: options.tls, connectTimeoutMs, maxQueuedCommands: 0 });
}

/**
 * Connection options for node-redis from the service's cache secret: verified TLS with the right
 * server name, the service's ACL user, the `<keyspace>:` key prefix. Pass them to `createClient()`,
 * or to `createCluster()` when `secret.clusterMode` is true (ElastiCache Serverless).
 *
 * Only the connection: timeouts per command, fail-open and the circuit breaker are the caller's.
 * Throws for a missing or invalid secret field, naming the field (never the password).
 */
export function createRedisConnectionConfig(
  secret: CacheSecretPayload | string,
  options: NodeRedisConfigOptions = {},
): NodeRedisConnectionConfig {
  const s = readSecret(secret, 'createRedisConnectionConfig');
  const p = plan(s, options, 'createRedisConnectionConfig');
  let credentials: NodeRedisCredentials;
  if (s.authMode === 'iam') {
    const provider = options.authTokenProvider;
    if (typeof provider !== 'function') {
      throw new CacheUsageError(
        'createRedisConnectionConfig options.authTokenProvider',
        provider,
        `the secret says authMode "iam": pass authTokenProvider: iamAuthTokenProvider() from '@cache-platform/cache-client/iam-auth'`,
      );
    }
    credentials = {
      credentialsProvider: {
        type: 'async-credentials-provider',
        credentials: async () => ({ username: s.username, password: await provider(s) }),
      },
    };
  } else {
    credentials = { username: s.username, password: s.password };
  }
  // Certificate chain and host name are verified by Node's defaults; nothing here turns that off.
  const tls: NodeRedisTlsConfig = p.tls
    ? { tls: true, servername: p.tls.servername, ca: p.tls.ca, connectTimeout: p.connectTimeoutMs }
    : { connectTimeout: p.connectTimeoutMs };
  const common = { RESP: 2, disableClientInfo: true, maintNotifications: 'disabled' } as const;
  return {
    ...credentials,
    ...common,
    socket: { host: p.host, port: p.port, ...tls },
    keyPrefix: p.keyPrefix,
    rootNodes: [{ socket: { host: p.host, port: p.port } }],
    defaults: { ...credentials, ...common, socket: tls },
    useReplicas: false,
  };
}

/**
 * Connection options for ioredis 5 from the service's cache secret: verified TLS with the right
 * server name, the service's ACL user, the `<keyspace>:` key prefix. `new Redis(options)`, or
 * `new Redis.Cluster([{ host: secret.host, port: secret.port }], options)` when `secret.clusterMode`.
 *
 * Password authentication only: ioredis takes a fixed password, and an IAM token expires after
 * 15 minutes (reconnects would fail); use node-redis with `createRedisConnectionConfig` for IAM.
 * Throws for a missing or invalid secret field, naming the field (never the password).
 */
export function ioredisOptions(secret: CacheSecretPayload | string, options: ConnectionConfigOptions = {}): IoredisConnectionOptions {
  const s = readSecret(secret, 'ioredisOptions');
  if (s.authMode !== 'password') {
    throw new CacheUsageError(
      'ioredisOptions secret authMode',
      s.authMode,
      'ioredis takes a fixed password and IAM tokens expire after 15 minutes: use createRedisConnectionConfig (node-redis) for IAM auth',
    );
  }
  const p = plan(s, options, 'ioredisOptions');
  // Certificate chain and host name are verified by Node's defaults; nothing here turns that off.
  const tls = p.tls ? { tls: { servername: p.tls.servername, ca: p.tls.ca } } : {};
  const connection = {
    username: s.username,
    password: s.password,
    connectTimeout: p.connectTimeoutMs,
    enableReadyCheck: false as const,
    ...tls,
  };
  return {
    host: p.host,
    port: p.port,
    keyPrefix: p.keyPrefix,
    ...connection,
    redisOptions: connection,
    dnsLookup: (address, callback) => callback(null, address),
  };
}
