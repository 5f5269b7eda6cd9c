import { createClient } from '@redis/client';
import { describeError } from './errors';
import type { CacheEvent } from './metrics';
import { CacheUsageError } from './usage-error';
import type { CacheLogger, TlsOptions } from './types';

/**
 * Dual read during a cutover (docs/migration.md, step 4): the service's new cache is read first; on
 * a miss, the Redis the service used before is read with the configuration it had (its `REDIS_URL`),
 * and a value found there is served and written to the new cache only. The old Redis is never
 * written, so it only drains; a switch stops the legacy reads once the new cache is warm.
 */

/** Set to `off` on the Lambda to stop legacy reads (the switch {@link legacyReadFromEnv} reads). */
export const LEGACY_READ_SWITCH_ENV = 'CACHE_LEGACY_READ';
/** Milliseconds a legacy read may take before the loader answers instead. */
export const DEFAULT_LEGACY_READ_TIMEOUT_MS = 250;

export interface LegacyReadOptions {
  /**
   * The old Redis, as the service had it: `redis://` or `rediss://` (TLS, verified), with the
   * old user and password in it, e.g. the value of its `REDIS_URL`.
   */
  readonly url: string;
  /**
   * The switch: false (or a function returning false, asked on every read) stops legacy reads.
   * @default true
   */
  readonly enabled?: boolean | (() => boolean);
  /**
   * Prefix the old service put in front of its keys: the legacy key of `getOrLoad(key)` is
   * `keyPrefix + key` (the new cache adds `<keyspace>:` itself).
   * @default '' (the key as given)
   */
  readonly keyPrefix?: string;
  /**
   * Certificates to trust and the name to verify for a `rediss://` URL (never turned off).
   * @default Node's root CAs, the URL's host
   */
  readonly tls?: TlsOptions;
  /**
   * Most milliseconds a legacy read takes before the loader answers instead.
   * @default 250
   */
  readonly timeoutMs?: number;
  /**
   * Turns a legacy value into what `getOrLoad` returns.
   * @default JSON.parse (a value that is not JSON is a miss)
   */
  readonly decode?: (raw: string) => unknown;
}

/**
 * The legacy read configured the way the old service was: `REDIS_URL`, or `REDIS_HOST` with
 * `REDIS_PORT`, `REDIS_USERNAME`, `REDIS_PASSWORD` (TLS unless `REDIS_TLS=false`). Undefined when
 * none is set (no dual read). `CACHE_LEGACY_READ=off` is the switch, read on every read.
 */
export function legacyReadFromEnv(env: NodeJS.ProcessEnv = process.env): LegacyReadOptions | undefined {
  let url = env['REDIS_URL'];
  const host = env['REDIS_HOST'];
  if (!url && host) {
    const scheme = env['REDIS_TLS'] === 'false' ? 'redis' : 'rediss';
    const user = env['REDIS_USERNAME'] ?? env['REDIS_USER'];
    const password = env['REDIS_PASSWORD'] ?? env['REDIS_AUTH_TOKEN'];
    const auth = password ? `${encodeURIComponent(user ?? 'default')}:${encodeURIComponent(password)}@` : '';
    url = `${scheme}://${auth}${host}:${env['REDIS_PORT'] ?? '6379'}`;
  }
  if (!url) return undefined;
  return { url, enabled: () => (env[LEGACY_READ_SWITCH_ENV] ?? '').trim().toLowerCase() !== 'off' };
}

type LegacyEvent = Extract<CacheEvent, 'legacyHit' | 'legacyError'>;
/** What the reader uses of a node-redis client. */
interface LegacyClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  get(key: string): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}

/** The URL without its credentials, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Reads the old Redis on a miss of the new cache. One lazily made connection; never throws on a read. */
export class LegacyReader {
  private client: LegacyClient | undefined;
  private connecting: Promise<LegacyClient> | undefined;
  private readonly timeoutMs: number;
  private readonly decode: (raw: string) => unknown;

  constructor(
    private readonly options: LegacyReadOptions,
    private readonly logger: CacheLogger,
    private readonly report: (event: LegacyEvent) => void,
  ) {
    let protocol: string;
    try {
      protocol = new URL(options.url).protocol;
    } catch {
      throw new CacheUsageError('legacyRead.url', redacted(options.url), 'must be a redis:// or rediss:// URL');
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      throw new CacheUsageError('legacyRead.url', redacted(options.url), 'must be a redis:// or rediss:// URL');
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LEGACY_READ_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new CacheUsageError('legacyRead.timeoutMs', this.timeoutMs, 'must be a positive number');
    this.decode = options.decode ?? ((raw) => JSON.parse(raw));
  }

  /** Whether the switch is on, now. */
  enabled(): boolean {
    const { enabled } = this.options;
    return typeof enabled === 'function' ? enabled() : enabled !== false;
  }

  /** The loader `getOrLoad` runs on a miss: the legacy value when there is one, else the real loader. */
  fallback<T>(key: string, loader: () => Promise<T>): () => Promise<T> {
    return async () => {
      if (!this.enabled()) return loader();
      const found = await this.read(key);
      if (!found) return loader();
      this.report('legacyHit');
      // which Redis served, as a log field: the cutover is done when these stop
      this.logger.warn('cache read served by the legacy redis (dual read)', { servedBy: 'legacy', key });
      return found.value as T;
    };
  }

  /** The legacy value of a key, or undefined (absent, not decodable, or the legacy Redis failed). */
  private async read(key: string): Promise<{ value: unknown } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const raw = await Promise.race([
        this.connect().then((client) => client.get((this.options.keyPrefix ?? '') + key)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`legacy read timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      if (raw === null || raw === undefined) return undefined;
      try {
        return { value: this.decode(String(raw)) };
      } catch {
        return undefined;
      }
    } catch (error) {
      this.report('legacyError');
      this.logger.warn('legacy redis read failed; the loader answers', { legacy: redacted(this.options.url), error: describeError(error) });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private connect(): Promise<LegacyClient> {
    if (this.client?.isReady) return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    // a connection that dropped is not repaired in place (no reconnect strategy): the next read makes a new one
    if (this.client?.isOpen) this.client.destroy();
    const tls = new URL(this.options.url).protocol === 'rediss:';
    const made = createClient({
      url: this.options.url,
      socket: {
        connectTimeout: this.timeoutMs * 4,
        reconnectStrategy: false,
        // certificate chain and host name verified by Node's defaults; nothing here turns that off
        ...(tls
          ? {
              tls: true as const,
              ca: this.options.tls?.ca as string | Buffer | Array<string | Buffer>,
              servername: this.options.tls?.servername,
            }
          : {}),
      },
      disableOfflineQueue: true,
      disableClientInfo: true,
      commandOptions: { timeout: 0 },
    });
    // failures surface through reads (counted there); an unhandled 'error' event would crash the process
    made.on('error', () => undefined);
    const client = made as unknown as LegacyClient;
    this.client = client;
    this.connecting = made.connect().then(
      () => {
        this.connecting = undefined;
        return client;
      },
      (error: unknown) => {
        this.connecting = undefined;
        this.client = undefined;
        if (client.isOpen) client.destroy();
        throw error;
      },
    );
    return this.connecting;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isOpen) await client.close().catch(() => client.destroy());
  }
}
