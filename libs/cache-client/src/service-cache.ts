import { randomBytes } from 'node:crypto';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { openRedis, planConnection, type RedisHandle } from './connection';
import { decodeEnvelope, encodeEnvelope } from './envelope';
import {
  CacheConnectionDropError,
  CacheTimeoutError,
  CacheUnavailableError,
  CacheUsageError,
  describeError,
  describeErrorForHealth,
  isAuthError,
  isConnectionDrop,
} from './errors';
import { assertKey, assertNamespace, lockKey, namespacedKey, namespaceVersionKey, newNamespaceVersion } from './keys';
import { Metrics, type CacheMetricsSnapshot } from './metrics';
import { connectionShapeChanged, SecretLoader, secretSourceFromEnv, secretsManagerSource, type SecretSource } from './secret';
import { monotonicMs, sleep, withTimeout } from './time';
import type { CacheLogger, GetOrLoadOptions, HealthReport, InvalidateOptions, ServiceCache, ServiceCacheOptions } from './types';

/** for run/attempt/bestEffort: the command is safe to send twice, so it is retried once after a dropped connection */
const RETRY_ON_DROP = true;

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

function positive(field: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new CacheUsageError(field, value, allowZero ? 'must be a finite number >= 0' : 'must be a finite number > 0');
  }
  return value;
}

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

const remaining = (deadline: number) => Math.max(0, deadline - monotonicMs());

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

class ServiceCacheImpl implements ServiceCache {
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly maxQueuedCommands: number;
  private readonly secrets: SecretLoader;
  private readonly breaker: CircuitBreaker;
  private readonly stats: Metrics;
  private readonly logger: CacheLogger;
  private handle: RedisHandle | undefined;
  private opening: Promise<RedisHandle> | undefined;
  private connectedOnce = false;
  private firstUseDeadline: number | undefined;
  private credentialRefresh: Promise<CacheSecretPayload> | undefined;
  private readonly flights = new Map<string, Promise<unknown>>();
  private readonly refreshing = new Set<string>();
  /** work left running after its request answered (refreshes, secret re-reads), for settle() */
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly options: ServiceCacheOptions) {
    this.connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 1000);
    this.commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs ?? 250);
    this.maxQueuedCommands = positive('maxQueuedCommands', options.maxQueuedCommands ?? 1000);
    if (options.circuit?.failureThreshold !== undefined) positive('circuit.failureThreshold', options.circuit.failureThreshold);
    if (options.circuit?.cooldownMs !== undefined) positive('circuit.cooldownMs', options.circuit.cooldownMs);
    if (options.secretArn !== undefined && options.secretSource === undefined) secretsManagerSource(options.secretArn); // validates the ARN now
    this.logger = options.logger ?? throttledStderrLogger();
    this.stats = new Metrics(options.metrics, () => ({ Keyspace: this.secrets.peek()?.keyspace ?? 'unknown' }));
    this.breaker = new CircuitBreaker({ ...options.circuit, probeBudgetMs: this.connectTimeoutMs + this.commandTimeoutMs }, (state) =>
      this.onCircuitChange(state),
    );
    this.secrets = new SecretLoader(() => this.secretSource(), {
      minRefreshIntervalMs: positive('secretRefreshIntervalMs', options.secretRefreshIntervalMs ?? 5000, true),
      onFetch: () => this.stats.count('secretFetches'),
    });
    internals.set(this, { run: (operation, fn, retryOnDrop) => this.run(operation, fn, retryOnDrop) });
  }

  // ---------------------------------------------------------------- public API

  async getOrLoad<T>(key: string, loader: () => Promise<T>, options?: GetOrLoadOptions): Promise<T> {
    assertKey(key);
    if (typeof loader !== 'function') throw new CacheUsageError('loader', loader, 'must be a function returning a promise');
    const o = resolveGetOptions(options);
    this.stats.maybeFlush();
    const logicalKey = o.namespace === undefined ? key : `${o.namespace}\u0000${key}`;

    if (!this.breaker.allow()) {
      this.stats.count('circuitSkips');
      this.stats.count('failOpen');
      return this.flight(`direct\u0000${logicalKey}`, () => this.callLoader(loader));
    }

    let dataKey = key;
    let raw: string | null;
    const started = monotonicMs();
    try {
      const ready = this.handle;
      if (ready !== undefined && o.namespace === undefined && ready.isReady()) {
        // hot path: connected, plain key; one GET under the command timeout
        raw = await withTimeout(ready.get(key), this.commandTimeoutMs, 'read').catch((error: unknown) =>
          this.recover(
            'read',
            error,
            ready,
            (redis, deadline) => withTimeout(redis.get(key), remaining(deadline), 'read'),
            started + this.commandTimeoutMs,
            RETRY_ON_DROP,
          ),
        );
      } else {
        ({ dataKey, raw } = await this.attempt(
          'read',
          (redis, deadline) => this.readOnce(redis, key, o.namespace, deadline),
          RETRY_ON_DROP,
        ));
      }
      this.breaker.success();
      this.stats.latency(monotonicMs() - started);
    } catch (error) {
      this.cacheFailure('read', error);
      this.stats.count('failOpen');
      // the read failed: writing would most likely fail too and add a second wait
      return this.flight(`direct\u0000${logicalKey}`, () => this.callLoader(loader));
    }

    const entry = decodeEnvelope(raw);
    if (entry) {
      const fresh = Date.now() < entry.freshUntil;
      if (entry.negative || fresh) {
        this.stats.count(entry.negative ? 'negativeHits' : 'hits');
        return entry.value as T;
      }
      if (o.staleMs > 0) {
        this.stats.count('staleHits');
        this.refreshInBackground(dataKey, loader, o);
        return entry.value as T;
      }
    }
    this.stats.count('misses');
    return this.flight(dataKey, () => (o.lock ? this.loadWithLock(dataKey, loader, o, o.lock) : this.loadAndStore(dataKey, loader, o)));
  }

  async invalidate(key: string, options: InvalidateOptions = {}): Promise<void> {
    assertKey(key);
    const namespace = options.namespace === undefined ? undefined : assertNamespace(options.namespace, 'invalidate options.namespace');
    this.stats.count('invalidations');
    // GET (the namespace version) and DEL are safe to send twice: retried after a drop
    await this.bestEffort(
      'invalidate',
      async (redis, deadline) => {
        const dataKey = namespace === undefined ? key : await this.namespacedDataKey(redis, namespace, key, deadline);
        await withTimeout(redis.del(dataKey), remaining(deadline), 'invalidate');
      },
      RETRY_ON_DROP,
    );
  }

  async bumpNamespace(namespace: string): Promise<void> {
    assertNamespace(namespace);
    this.stats.count('namespaceBumps');
    await this.bestEffort('namespace bump', async (redis, deadline) => {
      // no expiry: a version key is tiny and losing it would revive the namespace's first version
      await withTimeout(redis.set(namespaceVersionKey(namespace), newNamespaceVersion(), undefined), remaining(deadline), 'namespace bump');
    });
  }

  async checkHealth(): Promise<HealthReport> {
    try {
      const deadline = monotonicMs() + this.readBudgetMs();
      const redis = await this.acquire(deadline);
      const t0 = monotonicMs();
      await withTimeout(redis.ping(), remaining(deadline), 'ping');
      const pingMs = Math.round((monotonicMs() - t0) * 1000) / 1000;
      const circuit = this.breaker.state;
      return { status: circuit === 'closed' ? 'ok' : 'degraded', pingMs, circuit, mode: redis.mode };
    } catch (error) {
      if (isAuthError(error)) void this.refreshCredentials(true).catch(() => undefined);
      // services return this on a public health path: class and rule only, the details go to the logs
      return { status: 'down', circuit: this.breaker.state, error: describeErrorForHealth(error) };
    }
  }

  metrics(): CacheMetricsSnapshot {
    return this.stats.snapshot();
  }

  flushMetrics(): string | undefined {
    return this.stats.flush();
  }

  async settle(timeoutMs: number = DEFAULT_SETTLE_TIMEOUT_MS): Promise<void> {
    positive('settle timeoutMs', timeoutMs, true);
    const deadline = monotonicMs() + timeoutMs;
    // work started while waiting (a refresh started by a concurrent request) is waited for too
    while (this.background.size > 0) {
      if (remaining(deadline) <= 0) {
        this.logger.warn(
          'cache settle: background work still running after the timeout; it may not finish before the environment is frozen',
          {
            pending: this.background.size,
            timeoutMs,
          },
        );
        return;
      }
      await withTimeout(Promise.all(this.background), remaining(deadline), 'settle').catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.stats.flush();
    const opening = this.opening;
    this.opening = undefined;
    const handle = this.handle ?? (await opening?.catch(() => undefined));
    this.handle = undefined;
    if (handle) await withTimeout(handle.close(), this.commandTimeoutMs, 'close').catch(() => handle.destroy());
  }

  // ---------------------------------------------------------------- read, load, store

  private async readOnce(redis: RedisHandle, key: string, namespace: string | undefined, deadline: number) {
    const dataKey = namespace === undefined ? key : await this.namespacedDataKey(redis, namespace, key, deadline);
    const raw = await withTimeout(redis.get(dataKey), remaining(deadline), 'read');
    return { dataKey, raw };
  }

  // two round trips (version, then value): one script over both keys would be a cross-slot command
  private async namespacedDataKey(redis: RedisHandle, namespace: string, key: string, deadline: number): Promise<string> {
    const version = await withTimeout(redis.get(namespaceVersionKey(namespace)), remaining(deadline), 'namespace read');
    return namespacedKey(namespace, version ?? '0', key);
  }

  private async callLoader<T>(loader: () => Promise<T>): Promise<T> {
    this.stats.count('loads');
    try {
      return await loader();
    } catch (error) {
      this.stats.count('loaderErrors');
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
    await this.bestEffort('write', (redis, deadline) => withTimeout(redis.set(dataKey, text, keepMs), remaining(deadline), 'write'));
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
      // a failed release is harmless: the lock expires after its ttl (run counted the failure)
      await this.run('unlock', (redis) => redis.deleteIfEquals(lk, token), RETRY_ON_DROP).catch(() => undefined);
    }
  }

  /**
   * Takes the lock, or waits (bounded) for its holder's value. `load`: load without the lock (the
   * wait ran out, or the cache failed, which `run` counted). Never throws.
   */
  private async takeLockOrWait(
    dataKey: string,
    lk: string,
    token: string,
    lock: { ttlMs: number; waitMs: number },
  ): Promise<{ kind: 'acquired' } | { kind: 'load' } | { kind: 'value'; value: unknown }> {
    const tryLock = () => this.run('lock', (redis) => redis.set(lk, token, lock.ttlMs, true));
    const waitUntil = monotonicMs() + lock.waitMs;
    let pause = 10;
    try {
      if (await tryLock()) {
        this.stats.count('lockAcquired');
        return { kind: 'acquired' };
      }
      this.stats.count('lockWaits');
      while (monotonicMs() < waitUntil) {
        await sleep(Math.min(pause, remaining(waitUntil)));
        pause = Math.min(pause * 2, 100);
        const entry = decodeEnvelope(await this.run('lock wait', (redis) => redis.get(dataKey), RETRY_ON_DROP));
        if (entry && (entry.negative || Date.now() < entry.freshUntil)) {
          this.stats.count(entry.negative ? 'negativeHits' : 'hits');
          return { kind: 'value', value: entry.value };
        }
        // still no value: the holder may have failed or vanished; whoever takes the lock now loads
        if (await tryLock()) {
          this.stats.count('lockAcquired');
          return { kind: 'acquired' };
        }
      }
      this.stats.count('lockWaitTimeouts');
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
    this.track(
      (async () => {
        try {
          const leased = await this.run('refresh lease', (redis) =>
            redis.set(lk, token, o.lock ? o.lock.ttlMs : DEFAULT_LOCK_LEASE_MS, true),
          );
          if (!leased) return;
          try {
            await this.loadAndStore(dataKey, loader, o);
          } finally {
            await this.run('unlock', (redis) => redis.deleteIfEquals(lk, token), RETRY_ON_DROP).catch(() => undefined);
          }
        } catch {
          // counted already (loader errors by callLoader, cache errors by run); the stale value stays until its TTL
        } finally {
          this.refreshing.delete(dataKey);
        }
      })(),
    );
  }

  /**
   * Runs work that outlives the request that started it. Lambda freezes the environment once the
   * handler returns, so such work only finishes if the handler awaits settle().
   */
  private track(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.background.add(done);
    void done.then(() => this.background.delete(done));
  }

  // ---------------------------------------------------------------- connection, budget, failures

  private secretSource(): SecretSource {
    if (this.options.secretSource) return this.options.secretSource;
    if (this.options.secretArn) return secretsManagerSource(this.options.secretArn);
    return secretSourceFromEnv();
  }

  /**
   * The first request of an environment (and those arriving while it waits) may also wait for the
   * secret and the connection; after that window every request gets the command timeout, so a
   * cache that is down from the start costs each request no more than that.
   */
  private readBudgetMs(): number {
    if (this.connectedOnce) {
      // The probe after a cool-down (the only request let through): the circuit dropped the stuck
      // connection when it opened, so the probe has to connect (DNS, TLS, AUTH, cluster discovery)
      // like a first request. With only the command timeout it would fail on every slow handshake
      // and the circuit would never close. Everyone else skips Redis meanwhile.
      if (this.breaker.state === 'half-open' && !this.handle?.isReady()) return this.connectTimeoutMs + this.commandTimeoutMs;
      return this.commandTimeoutMs;
    }
    const now = monotonicMs();
    this.firstUseDeadline ??= now + this.connectTimeoutMs + this.commandTimeoutMs;
    return Math.max(this.commandTimeoutMs, this.firstUseDeadline - now);
  }

  private async acquire(deadline: number): Promise<RedisHandle> {
    let redis = this.handle;
    if (redis?.dead) {
      this.dropHandle(redis);
      redis = undefined;
    }
    if (!redis) redis = await withTimeout((this.opening ??= this.open()), remaining(deadline), 'connect');
    if (!redis.isReady()) await redis.waitReady(remaining(deadline));
    this.connectedOnce = true;
    return redis;
  }

  private open(): Promise<RedisHandle> {
    const opening = (async () => {
      const secret = await this.secrets.get();
      if (secret.authMode === 'iam' && !this.options.authTokenProvider) {
        throw new CacheUsageError(
          'authTokenProvider',
          undefined,
          `the secret says authMode "iam": pass authTokenProvider: iamAuthTokenProvider() from '@cache-platform/cache-client/iam-auth'`,
        );
      }
      const plan = planConnection(secret, {
        clusterMode: this.options.clusterMode,
        tls: this.options.tls,
        connectTimeoutMs: this.connectTimeoutMs,
        maxQueuedCommands: this.maxQueuedCommands,
      });
      const handle = openRedis(plan, {
        credentials: () => this.credentials(),
        onAuthFailure: () => void this.refreshCredentials(false).catch(() => undefined),
        onError: (error) => this.logger.warn('cache connection error', { error: describeError(error) }),
      });
      this.handle = handle;
      return handle;
    })();
    const settle = () => {
      if (this.opening === opening) this.opening = undefined;
    };
    opening.then(settle, settle);
    return opening;
  }

  private async credentials(): Promise<{ username: string; password: string }> {
    const secret = await this.secrets.get();
    const provider = this.options.authTokenProvider;
    // open() refused an iam secret without a provider before any connection was made
    const password = secret.authMode === 'iam' && provider ? await provider(secret) : secret.password;
    return { username: secret.username, password };
  }

  /**
   * After an authentication failure: re-read the secret (rate-limited, shared by concurrent
   * callers). A new host or user needs a new client; so does a command-level failure (`dropConnection`),
   * whose connection will not re-authenticate by itself.
   */
  private refreshCredentials(dropConnection: boolean): Promise<CacheSecretPayload> {
    this.stats.count('authFailures');
    if (!this.credentialRefresh) {
      this.credentialRefresh = (async () => {
        try {
          const { secret } = await this.secrets.refresh();
          const current = this.handle;
          if (current && (dropConnection || connectionShapeChanged(secretOfPlan(current, secret), secret))) this.dropHandle(current);
          return secret;
        } finally {
          this.credentialRefresh = undefined;
        }
      })();
      // requests do not wait for it beyond their budget: it may finish after they answered
      this.track(this.credentialRefresh);
    }
    return this.credentialRefresh;
  }

  private dropHandle(handle: RedisHandle): void {
    if (this.handle === handle) this.handle = undefined;
    handle.destroy();
  }

  /** Acquire + operation within the read budget; failures go through {@link recover}. */
  private async attempt<T>(operation: string, fn: (redis: RedisHandle, deadline: number) => Promise<T>, retryOnDrop: boolean): Promise<T> {
    const deadline = monotonicMs() + this.readBudgetMs();
    let redis: RedisHandle | undefined;
    try {
      redis = await this.acquire(deadline);
      return await fn(redis, deadline);
    } catch (error) {
      return this.recover(operation, error, redis, fn, deadline, retryOnDrop);
    }
  }

  /**
   * After a failed command, within the request's `deadline`: an authentication refusal re-reads the
   * secret and retries once; a dropped connection is counted once toward the circuit (every command
   * in flight fails with it: one event, not one failure each) and a command that is safe to send
   * twice (`retryOnDrop`: reads, deletes) is retried once on the reconnected client. Anything else
   * is thrown for the caller to count.
   */
  private recover<T>(
    operation: string,
    error: unknown,
    redis: RedisHandle | undefined,
    fn: (redis: RedisHandle, deadline: number) => Promise<T>,
    deadline: number,
    retryOnDrop: boolean,
  ): Promise<T> {
    if (isAuthError(error)) return this.retryAfterAuthFailure(operation, error, fn, deadline);
    if (redis === undefined || !isConnectionDrop(error)) return Promise.reject(error);
    if (redis.claimDrop()) {
      this.stats.count('connectionDrops');
      this.breaker.failure();
    }
    // a write is not retried: it may have been applied before the drop, and a late second copy could
    // undo what happened in between (an invalidation, another instance's lock)
    if (!retryOnDrop) return Promise.reject(new CacheConnectionDropError(operation, error));
    return this.retryAfterDrop(fn, deadline);
  }

  /**
   * Waits for the reconnect (the client starts it at once) and sends the command again. A server
   * that is really gone does not come back within the deadline: the request answers from the loader
   * and this failure counts toward the circuit like any other.
   */
  private async retryAfterDrop<T>(fn: (redis: RedisHandle, deadline: number) => Promise<T>, deadline: number): Promise<T> {
    this.stats.count('dropRetries');
    const redis = await this.acquire(deadline);
    // a cluster stays "ready" while one node reconnects: wait for that node too
    await redis.waitReady(remaining(deadline));
    return fn(redis, deadline);
  }

  /**
   * Re-reads the secret, reconnects and retries once, within the request's own `deadline`: a
   * Secrets Manager call may take seconds, and a cache problem must not add more than the budget to
   * a request. What does not fit times out (the request answers from the loader) and carries on in
   * the background, shared and rate-limited by refreshCredentials; the next request finds it done.
   */
  private async retryAfterAuthFailure<T>(
    operation: string,
    error: unknown,
    fn: (redis: RedisHandle, deadline: number) => Promise<T>,
    deadline: number,
  ): Promise<T> {
    this.logger.warn(`cache ${operation}: authentication refused, re-reading the secret and retrying once`, {
      error: describeError(error),
    });
    await withTimeout(this.refreshCredentials(true), remaining(deadline), `${operation} (secret re-read)`);
    return fn(await this.acquire(deadline), deadline);
  }

  /**
   * A command with the circuit, budget, auth retry and (with `retryOnDrop`, for commands that are
   * safe to send twice) drop retry applied; failures are thrown (and counted once).
   */
  private async run<T>(operation: string, fn: (redis: RedisHandle) => Promise<T>, retryOnDrop = false): Promise<T> {
    if (!this.breaker.allow()) {
      this.stats.count('circuitSkips');
      throw new CacheUnavailableError(`circuit open after repeated failures; ${operation} skipped`);
    }
    try {
      const result = await this.attempt(
        operation,
        (redis, deadline) => withTimeout(fn(redis), remaining(deadline), operation),
        retryOnDrop,
      );
      this.breaker.success();
      return result;
    } catch (error) {
      this.cacheFailure(operation, error);
      throw error;
    }
  }

  /** Runs a cache write or delete; a failure is counted and logged, never thrown. */
  private async bestEffort(
    operation: string,
    fn: (redis: RedisHandle, deadline: number) => Promise<unknown>,
    retryOnDrop = false,
  ): Promise<void> {
    if (!this.breaker.allow()) {
      this.stats.count('circuitSkips');
      this.logger.warn(`cache ${operation} skipped: circuit open`, {});
      return;
    }
    try {
      await this.attempt(operation, fn, retryOnDrop);
      this.breaker.success();
    } catch (error) {
      this.cacheFailure(operation, error);
    }
  }

  private cacheFailure(operation: string, error: unknown): void {
    this.stats.count('errors');
    if (error instanceof CacheTimeoutError) this.stats.count('timeouts');
    // a drop counted toward the circuit when it was seen (recover), once for all the commands it failed
    if (!(error instanceof CacheConnectionDropError)) this.breaker.failure();
    this.logger.warn(`cache ${operation} failed; answering from the source`, { error: describeError(error), circuit: this.breaker.state });
  }

  private onCircuitChange(state: CircuitState): void {
    if (state !== 'open') return;
    this.stats.count('circuitOpens');
    // a connection that kept failing may be stuck (a stalled server never closes it): the probe after
    // the cool-down starts afresh. One still being established (by a probe, or reconnecting) is kept:
    // each attempt is bounded by connectTimeoutMs anyway, and destroying it would make a handshake
    // slower than the budget start over forever; the next probe finds it ready.
    const current = this.handle;
    if (current?.isReady()) this.dropHandle(current);
  }
}

/** The secret fields a handle was built from, for comparison with a re-read secret. */
function secretOfPlan(handle: RedisHandle, fresh: CacheSecretPayload): CacheSecretPayload {
  const plan = handle.plan;
  return {
    ...fresh,
    host: plan.host,
    port: plan.port,
    tls: plan.tls !== false,
    username: plan.username,
    keyspace: plan.keyPrefix.slice(0, -1),
    clusterMode: plan.mode === 'cluster',
  };
}
