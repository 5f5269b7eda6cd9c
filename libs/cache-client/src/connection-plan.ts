// The connection plan: plain data from the secret and the options, with no Redis client imported,
// so that the connection-config entry point (own-client-config.ts) can use it without bundling one.
import { isIP } from 'node:net';
import { keyPrefix, type CacheSecretPayload } from '@cache-platform/cache-contract';
import type { TlsOptions } from './types';

/** Everything the client is built from: plain data, so tests can assert the security-relevant parts. */
export interface ConnectionPlan {
  readonly mode: 'cluster' | 'standalone';
  readonly host: string;
  readonly port: number;
  /** false only when the secret says `tls: false` (a local Redis) */
  readonly tls:
    | false
    | {
        /** SNI and the name verified; undefined when connecting to an IP (verified against the IP) */
        readonly servername: string | undefined;
        readonly ca: string | Buffer | Array<string | Buffer> | undefined;
      };
  readonly username: string;
  /** password or IAM token at each handshake */
  readonly authMode: CacheSecretPayload['authMode'];
  /** `<keyspace>:` from the contract; the connection puts it in front of every key it sends */
  readonly keyPrefix: string;
  readonly connectTimeoutMs: number;
  readonly maxQueuedCommands: number;
}

export interface PlanSettings {
  readonly clusterMode?: boolean;
  readonly tls?: TlsOptions;
  readonly connectTimeoutMs: number;
  readonly maxQueuedCommands: number;
}

export function planConnection(secret: CacheSecretPayload, settings: PlanSettings): ConnectionPlan {
  const servername = settings.tls?.servername ?? (isIP(secret.host) ? undefined : secret.host);
  const ca = settings.tls?.ca;
  return {
    mode: (settings.clusterMode ?? secret.clusterMode) ? 'cluster' : 'standalone',
    host: secret.host,
    port: secret.port,
    tls: secret.tls ? { servername, ca: Array.isArray(ca) ? [...ca] : (ca as string | Buffer | undefined) } : false,
    username: secret.username,
    authMode: secret.authMode,
    keyPrefix: keyPrefix(secret.keyspace),
    connectTimeoutMs: settings.connectTimeoutMs,
    maxQueuedCommands: settings.maxQueuedCommands,
  };
}

const sameCa = (a: ConnectionPlan['tls'], b: ConnectionPlan['tls']) => {
  const list = (t: ConnectionPlan['tls']) => (t === false || t.ca === undefined ? [] : Array.isArray(t.ca) ? t.ca : [t.ca]);
  const [x, y] = [list(a), list(b)];
  return (
    x.length === y.length && x.every((ca, i) => (Buffer.isBuffer(ca) && Buffer.isBuffer(y[i]) ? ca.equals(y[i] as Buffer) : ca === y[i]))
  );
};

/**
 * True when a client built from `a` is the client `b` asks for: same endpoint, TLS identity, user,
 * auth mode, key prefix, mode and limits. The password is not part of a plan: a new one is used by
 * the next handshake without a new client.
 */
export function samePlan(a: ConnectionPlan, b: ConnectionPlan): boolean {
  return (
    a.mode === b.mode &&
    a.host === b.host &&
    a.port === b.port &&
    (a.tls === false || b.tls === false ? a.tls === b.tls : a.tls.servername === b.tls.servername && sameCa(a.tls, b.tls)) &&
    a.username === b.username &&
    a.authMode === b.authMode &&
    a.keyPrefix === b.keyPrefix &&
    a.connectTimeoutMs === b.connectTimeoutMs &&
    a.maxQueuedCommands === b.maxQueuedCommands
  );
}
