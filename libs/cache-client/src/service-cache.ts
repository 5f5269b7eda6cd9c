import { randomBytes } from 'node:crypto';
import { cacheMetricDimensions } from '@cache-platform/cache-contract';
import { BackgroundWork } from './background';
import { ManagedConnection, RETRY_ON_DROP } from './managed-connection';
import type { RedisHandle } from './redis-handle';
import { decodeEnvelope, encodeEnvelope } from './envelope';
import { assertPositive, CacheUsageError, describeError } from './errors';
import { LegacyReader } from './legacy-read';
import { assertKey, assertNamespace, lockKey, namespacedKey, namespaceVersionKey, newNamespaceVersion } from './keys';
import { Metrics, type CacheMetricsSnapshot } from './metrics';
import { monotonicMs, sleep, wallMsAt } from './time';
import type { CacheLogger, GetOrLoadOptions, HealthReport, InvalidateOptions, ServiceCache, ServiceCacheOptions } from './types';

/** TTL used when `getOrLoad` is called without options. */
export const DEFAULT_TTL_SECONDS = 60;
const DEFAULT_LOCK_LEASE_MS = 10_000;
const DEFAULT_SETTLE_TIMEOUT_MS = 1000;

/**
 * Creates the cache of one service. Nothing happens until first use: the secret is read, the
 * client created and connected on the first call, then reused for the life of the environment.
 * Throws only for invalid options (a programming error).
 */
export function createServiceCache(options: ServiceCacheOptions = {}): ServiceCache {
  return new ServiceCacheImpl(options);
}

interface ResolvedGetOptions {
  readonly ttlMs: number;
  readonly jitterRatio: number;
  readonly namespace: string | undefined;
  readonly negativeTtlMs: number;
  readonly staleMs: number;
  readonly lock: { readonly ttlMs: number; readonly waitMs: number } | undefined;
}

const positive = assertPositive;

function resolveGetOptions(options: GetOrLoadOptions | undefined): ResolvedGetOptions {
  const o = options ?? { ttlSeconds: DEFAULT_TTL_SECONDS };
  const jitterRatio = o.jitterRatio === undefined ? 0.1 : positive('getOrLoad options.jitterRatio', o.jitterRatio, true);
  if (jitterRatio >= 1) throw new CacheUsageError('getOrLoad options.jitterRatio', jitterRatio, 'must be below 1');
  let lock: ResolvedGetOptions['lock'];
  if (o.lock) {
    lock = {
      ttlMs: positive('getOrLoad options.lock.ttlMs', o.lock.ttlMs),
      waitMs: positive('getOrLoad options.lock.waitMs', o.lock.waitMs, true),
    };
  }
  return {
    ttlMs: positive('getOrLoad options.ttlSeconds', o.ttlSeconds) * 1000,
    jitterRatio,
    namespace: o.namespace === undefined ? undefined : assertNamespace(o.namespace, 'getOrLoad options.namespace'),
    negativeTtlMs: positive('getOrLoad options.negativeTtlSeconds', o.negativeTtlSeconds ?? 0, true) * 1000,
    staleMs: positive('getOrLoad options.staleWhileRevalidateSeconds', o.staleWhileRevalidateSeconds ?? 0, true) * 1000,
    lock,
  };
}

/** Default logger: one JSON line on stderr per distinct message per minute, so an outage does not flood the logs. */
function throttledStderrLogger(): CacheLogger {
  const last = new Map<string, number>();
  return {
    warn(message, fields) {
      const now = Date.now();
      if ((last.get(message) ?? -Infinity) > now - 60_000) return;
      if (last.size > 100) last.clear();
      last.set(message, now);
      process.stderr.write(JSON.stringify({ level: 'WARN', source: 'cache-client', message, ...fields }) + '\n');
    },
  };
}

/** Internal surface for adapters in this package (idempotency); not exported from the index. */
export interface CacheInternals {
  /**
   * Runs a command without fail-open: the circuit, the time budget and auth retry apply; errors are
   * thrown. `retryOnDrop`: the command is safe to send twice (a read, a delete) and is retried once
   * on the reconnected client after a dropped connection.
   */
  run<T>(operation: string, fn: (redis: RedisHandle) => Promise<T>, retryOnDrop?: boolean): Promise<T>;
}

const internals = new WeakMap<ServiceCache, CacheInternals>();

export function cacheInternals(cache: ServiceCache): CacheInternals {
  const found = internals.get(cache);
  if (!found) throw new CacheUsageError('cache', cache, 'must be a cache made by createServiceCache');
  return found;
}

/**
 * The cache-aside behaviours of one service cache: read, envelope, single-flight, lock,
 * stale-while-revalidate, negative caching, namespaces. Every Redis call goes through the
 * {@link ManagedConnection} (circuit, budget, retries); what happens is reported as events to the
 * {@link Metrics}.
 */
class ServiceCacheImpl implements ServiceCache {
  private readonly logger: CacheLogger;
  private readonly stats: Metrics;
  private readonly background: BackgroundWork;
  private readonly connection: ManagedConnection;
  private readonly flights = new Map<string, Promise<unknown>>();
  private readonly refreshing = new Set<string>();
  /** the dual read of a cutover (legacyRead), when configured */
  private readonly legacy: LegacyReader | undefined;

  constructor(options: ServiceCacheOptions) {
    this.logger = options.logger ?? throttledStderrLogger();
    this.stats = new Metrics(options.metrics, () => cacheMetricDimensions(this.connection.keyspace ?? 'unknown'));
    this.background = new BackgroundWork(this.logger);
    this.connection = new ManagedConnection(options, this.logger, (event) => this.stats.record(event), this.background);
    this.legacy = options.legacyRead ? new LegacyReader(options.legacyRead, this.logger, (event) => this.stats.record(event)) : undefined;
    const connection = this.connection;
    internals.set(this, { run: (operation, fn, retryOnDrop) => connection.run(operation, fn, retryOnDrop) });
  }

  // ---------------------------------------------------------------- public API

  getOrLoad<T>(key: string, loader: () => Promise<T>, options?: GetOrLoadOptions): Promise<T> {
    let o: ResolvedGetOptions;
    try {
      assertKey(key);
      if (typeof loader !== 'function') throw new CacheUsageError('loader', loader, 'must be a function returning a promise');
      o = resolveGetOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    // not an async function, and one callback for the read's outcome: on a hit the read and the answer
    // settle one promise, as a bare `await client.get()` does (docs/benchmarks.md, concurrent hit path)
    const failOpen = () => this.failOpen(key, loader, o);
    const namespace = o.namespace;
    if (namespace === undefined)
      return this.connection.read(key, (raw, elapsedMs, atMs) => this.answer(key, key, raw, elapsedMs, atMs, loader, o), failOpen);
    const started = monotonicMs();
    return this.connection
      .run('read', (redis) => this.namespacedRead(redis, namespace, key), RETRY_ON_DROP)
      .then(({ dataKey, raw }) => {
        const now = monotonicMs();
        return this.answer(key, dataKey, raw, now - started, now, loader, o);
      }, failOpen);
  }

  /**
   * After a read: the cached value when fresh (or stale, while one caller refreshes it), else a load.
   * `key` is the caller's key (what a legacy Redis knew it as), `dataKey` where it lives here.
   */
  private answer<T>(
    key: string,
    dataKey: string,
    raw: string | null,
    elapsedMs: number,
    /** monotonic time the reply arrived */
    atMs: number,
    loader: () => Promise<T>,
    o: ResolvedGetOptions,
  ): T | Promise<T> {
    this.stats.latency(elapsedMs);
    // the wall clock from the reply's monotonic time: no clock read of its own (docs/benchmarks.md)
    const now = wallMsAt(atMs);
    this.stats.maybeFlush(now);
    const entry = decodeEnvelope(raw);
    if (entry) {
      if (entry.negative || now < entry.freshUntil) {
        if (entry.negative) this.stats.record('negativeHit');
        else this.stats.hit();
        return entry.value as T;
      }
      if (o.staleMs > 0) {
        this.stats.record('staleHit');
        this.refreshInBackground(dataKey, loader, o);
        return entry.value as T;
      }
    }
    this.stats.record('miss');
    // during a cutover the old Redis answers a miss before the loader; its value is written here only
    const load = this.legacy ? this.legacy.fallback(key, loader) : loader;
    return this.flight(dataKey, () => (o.lock ? this.loadWithLock(dataKey, load, o, o.lock) : this.loadAndStore(dataKey, load, o)));
  }

  /**
   * The read failed (counted and logged by the connection, or skipped while the circuit is open):
   * answer from the loader. Not written back: the read failed, so a write would most likely fail too
   * and add a second wait.
   */
  private failOpen<T>(key: string, loader: () => Promise<T>, o: ResolvedGetOptions): Promise<T> {
    this.stats.record('failOpen');
    this.stats.maybeFlush();
    const logicalKey = o.namespace === undefined ? key : `${o.namespace}\u0000${key}`;
    return this.flight(`direct\u0000${logicalKey}`, () => this.callLoader(loader));
  }

  async invalidate(key: string, options: InvalidateOptions = {}): Promise<void> {
    assertKey(key);
    const namespace = options.namespace === undefined ? undefined : assertNamespace(options.namespace, 'invalidate options.namespace');
    this.stats.record('invalidation');
    // GET (the namespace version) and DEL are safe to send twice: retried after a drop
    await this.connection.bestEffort(
      'invalidate',
      async (redis) => redis.del(namespace === undefined ? key : (await this.namespacedRead(redis, namespace, key, false)).dataKey),
      RETRY_ON_DROP,
    );
  }

  async bumpNamespace(namespace: string): Promise<void> {
    assertNamespace(namespace);
    this.stats.record('namespaceBump');
    // no expiry: a version key is tiny and losing it would revive the namespace's first version
    await this.connection.bestEffort('namespace bump', (redis) =>
      redis.set(namespaceVersionKey(namespace), newNamespaceVersion(), undefined),
    );
  }

  checkHealth(): Promise<HealthReport> {
    return this.connection.checkHealth();
  }

  metrics(): CacheMetricsSnapshot {
    return this.stats.snapshot();
  }

  flushMetrics(): string | undefined {
    return this.stats.flush();
  }

  async settle(timeoutMs: number = DEFAULT_SETTLE_TIMEOUT_MS): Promise<void> {
    positive('settle timeoutMs', timeoutMs, true);
    await this.background.settle(timeoutMs);
  }

  async close(): Promise<void> {
    this.stats.flush();
    await this.legacy?.close();
    await this.connection.close();
  }

  // ---------------------------------------------------------------- read, load, store

  /**
   * The data key of a namespaced key (the namespace's current version), and its value when `withValue`.
   * Two round trips (version, then value): one script over both keys would be a cross-slot command.
   */
  private async namespacedRead(redis: RedisHandle, namespace: string, key: string, withValue = true) {
    const version = await redis.get(namespaceVersionKey(namespace));
    const dataKey = namespacedKey(namespace, version ?? '0', key);
    return { dataKey, raw: withValue ? await redis.get(dataKey) : null };
  }

  private async callLoader<T>(loader: () => Promise<T>): Promise<T> {
    this.stats.record('load');
    try {
      return await loader();
    } catch (error) {
      this.stats.record('loaderError');
      throw error;
    }
  }

  /** In-process single-flight: concurrent callers of one key share one load. */
  private flight<T>(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running as Promise<T>;
    const promise = load();
    this.flights.set(key, promise);
    const clear = () => {
      if (this.flights.get(key) === promise) this.flights.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  private async loadAndStore<T>(dataKey: string, loader: () => Promise<T>, o: ResolvedGetOptions): Promise<T> {
    const value = await this.callLoader(loader);
    await this.store(dataKey, value, o);
    return value;
  }

  /** Writes a loaded value with TTL and jitter; null/undefined only with negative caching. Never throws. */
  private async store(dataKey: string, value: unknown, o: ResolvedGetOptions): Promise<void> {
    const absent = value === null || value === undefined;
    if (absent && o.negativeTtlMs === 0) return;
    const freshMs = absent ? o.negativeTtlMs : o.ttlMs * (1 - o.jitterRatio * Math.random());
    const keepMs = absent ? freshMs : freshMs + o.staleMs;
    let text: string;
    try {
      text = encodeEnvelope(value, Math.round(Date.now() + freshMs));
    } catch (error) {
      this.logger.warn('cache value not stored: it cannot be serialized as JSON', { key: dataKey, error: describeError(error) });
      return;
    }
    await this.connection.bestEffort('write', (redis) => redis.set(dataKey, text, keepMs));
  }

  private async loadWithLock<T>(
    dataKey: string,
    loader: () => Promise<T>,
    o: ResolvedGetOptions,
    lock: { ttlMs: number; waitMs: number },
  ): Promise<T> {
    const lk = lockKey(dataKey);
    const token = randomBytes(12).toString('base64url');
    const outcome = await this.takeLockOrWait(dataKey, lk, token, lock);
    if (outcome.kind === 'value') return outcome.value as T;
    if (outcome.kind === 'load') return this.loadAndStore(dataKey, loader, o);
    try {
      return await this.loadAndStore(dataKey, loader, o);
    } finally {
      // a failed release is harmless: the lock expires after its ttl (the connection counted the failure)
      await this.unlock(lk, token);
    }
  }

  private unlock(lk: string, token: string): Promise<unknown> {
    return this.connection.run('unlock', (redis) => redis.deleteIfEquals(lk, token), RETRY_ON_DROP).catch(() => undefined);
  }

  /**
   * Takes the lock, or waits (bounded) for its holder's value. `load`: load without the lock (the
   * wait ran out, or the cache failed, which the connection counted). Never throws.
   */
  private async takeLockOrWait(
    dataKey: string,
    lk: string,
    token: string,
    lock: { ttlMs: number; waitMs: number },
  ): Promise<{ kind: 'acquired' } | { kind: 'load' } | { kind: 'value'; value: unknown }> {
    // SET NX is not retried after a drop: a first copy may have taken the lock already
    const tryLock = () => this.connection.run('lock', (redis) => redis.set(lk, token, lock.ttlMs, true));
    const waitUntil = monotonicMs() + lock.waitMs;
    let pause = 10;
    try {
      if (await tryLock()) {
        this.stats.record('lockAcquired');
        return { kind: 'acquired' };
      }
      this.stats.record('lockWait');
      while (monotonicMs() < waitUntil) {
        await sleep(Math.min(pause, Math.max(0, waitUntil - monotonicMs())));
        pause = Math.min(pause * 2, 100);
        const entry = decodeEnvelope(await this.connection.run('lock wait', (redis) => redis.get(dataKey), RETRY_ON_DROP));
        if (entry && (entry.negative || Date.now() < entry.freshUntil)) {
          this.stats.record(entry.negative ? 'negativeHit' : 'hit');
          return { kind: 'value', value: entry.value };
        }
        // still no value: the holder may have failed or vanished; whoever takes the lock now loads
        if (await tryLock()) {
          this.stats.record('lockAcquired');
          return { kind: 'acquired' };
        }
      }
      this.stats.record('lockWaitTimeout');
      return { kind: 'load' };
    } catch {
      return { kind: 'load' };
    }
  }

  /** Reloads a stale value once across instances (a lease on the lock key); the request already got the stale value. */
  private refreshInBackground<T>(dataKey: string, loader: () => Promise<T>, o: ResolvedGetOptions): void {
    if (this.refreshing.has(dataKey)) return;
    this.refreshing.add(dataKey);
    const lk = lockKey(dataKey);
    const token = randomBytes(12).toString('base64url');
    this.background.track(
      (async () => {
        try {
          const leaseMs = o.lock ? o.lock.ttlMs : DEFAULT_LOCK_LEASE_MS;
          const leased = await this.connection.run('refresh lease', (redis) => redis.set(lk, token, leaseMs, true));
          if (!leased) return;
          try {
            await this.loadAndStore(dataKey, loader, o);
          } finally {
            await this.unlock(lk, token);
          }
        } catch {
          // counted already (loader errors by callLoader, cache errors by the connection); the stale value stays until its TTL
        } finally {
          this.refreshing.delete(dataKey);
        }
      })(),
    );
  }
}
