import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import type { BackgroundWork } from './background';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { planConnection, samePlan, type ConnectionPlan } from './connection-plan';
import { openRedis, type RedisHandle } from './redis-handle';
import {
  assertPositive,
  CacheConnectionDropError,
  CacheTimeoutError,
  CacheUnavailableError,
  describeError,
  describeErrorForHealth,
  isAuthError,
  isConnectionDrop,
} from './errors';
import type { ReportEvent } from './metrics';
import { SecretLoader, secretSourceFromEnv, secretsManagerSource, type SecretSource } from './secret';
import { monotonicMs, replyArrivedMs, SharedTimeout, withTimeout } from './time';
import { defaultAuthTokenProvider } from './auth-mode';
import type { AuthTokenProvider, CacheLogger, HealthReport, ServiceCacheOptions } from './types';

export const remaining = (deadline: number): number => Math.max(0, deadline - monotonicMs());

/** A command that is safe to send twice (a read, a delete): retried once after a dropped connection. */
export const RETRY_ON_DROP = true;

/**
 * How many replaced clients one request follows to the next before it fails: a cell move is one; a
 * second replacement within one request's budget is rare; the bound keeps a request from chasing more.
 */
const MAX_REPLACEMENTS_WAITED = 2;

/** Tries of a safe command after its connection dropped, within the request's deadline (retryAfterDrop). */
const MAX_DROP_RETRIES = 2;

/**
 * How long a replaced client waits for the replies in flight on its connections before it is
 * destroyed. A reply takes milliseconds; a command whose connection dies while the client closes
 * gets no reply at all (node-redis neither answers nor fails it until destroyed), and is retried on
 * the replacement after this.
 */
const RETIRE_GRACE_MS = 200;

/** One try of an operation on a connection, within `deadline`. */
type Attempt<T> = (redis: RedisHandle, deadline: number) => Promise<T>;

/** Races the whole operation (one or more round trips) against the request's deadline. */
const timed =
  <T>(operation: string, fn: (redis: RedisHandle) => Promise<T>): Attempt<T> =>
  (redis, deadline) =>
    withTimeout(fn(redis), remaining(deadline), operation);

/**
 * The connection of one service cache and its time budget: reads the secret, opens the client on
 * first use, replaces it when it died or the secret changed, re-reads the secret after an
 * authentication refusal, counts a dropped connection once and retries what is safe to retry, and
 * keeps the circuit breaker. Every Redis call of the cache goes through {@link read}, {@link run} or
 * {@link bestEffort}; none of them waits longer than the request's budget. It reports what happened
 * as events; it knows nothing of cache-aside behaviours or counters.
 */
export class ManagedConnection {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  private readonly maxQueuedCommands: number;
  private readonly secrets: SecretLoader;
  private readonly breaker: CircuitBreaker;
  private handle: RedisHandle | undefined;
  private opening: Promise<RedisHandle> | undefined;
  private connectedOnce = false;
  private firstUseDeadline: number | undefined;
  private credentialRefresh: Promise<CacheSecretPayload> | undefined;
  /** signs IAM auth tokens: the caller's, or the default signer loaded when the secret first says `iam` */
  private tokenProvider: AuthTokenProvider | undefined;
  /** clients dropped on purpose for one built from a re-read secret; their waiters move on (acquire) */
  private readonly replaced = new WeakSet<RedisHandle>();
  /** the hot path's command timeout: one timer for all reads in flight */
  private readonly readTimeout: SharedTimeout;

  constructor(
    private readonly options: ServiceCacheOptions,
    private readonly logger: CacheLogger,
    private readonly report: ReportEvent,
    private readonly background: BackgroundWork,
  ) {
    this.connectTimeoutMs = assertPositive('connectTimeoutMs', options.connectTimeoutMs ?? 1000);
    this.commandTimeoutMs = assertPositive('commandTimeoutMs', options.commandTimeoutMs ?? 250);
    this.maxQueuedCommands = assertPositive('maxQueuedCommands', options.maxQueuedCommands ?? 1000);
    this.readTimeout = new SharedTimeout(this.commandTimeoutMs, 'read');
    if (options.circuit?.failureThreshold !== undefined) assertPositive('circuit.failureThreshold', options.circuit.failureThreshold);
    if (options.circuit?.cooldownMs !== undefined) assertPositive('circuit.cooldownMs', options.circuit.cooldownMs);
    if (options.secretArn !== undefined && options.secretSource === undefined) secretsManagerSource(options.secretArn); // validates the ARN now
    this.breaker = new CircuitBreaker({ ...options.circuit, probeBudgetMs: this.connectTimeoutMs + this.commandTimeoutMs }, (state) =>
      this.onCircuitChange(state),
    );
    this.secrets = new SecretLoader(() => this.secretSource(), {
      maxPauseMs: assertPositive('secretRefreshIntervalMs', options.secretRefreshIntervalMs ?? 5000, true),
      onFetch: () => this.report('secretFetch'),
    });
  }

  /** The keyspace of the secret in hand, if it was read already (no I/O). */
  get keyspace(): string | undefined {
    return this.secrets.peek()?.keyspace;
  }

  /**
   * GET of one key under the circuit and the budget (auth and drop retries included), handed to
   * `onValue` with the read's duration; a failure (counted and logged here) goes to `onFailure`
   * instead. The hot path: with a ready connection it is one GET raced against the command timeout,
   * and the read and what the caller makes of it settle one promise, as a bare
   * `JSON.parse(await client.get(key))` does (a promise per layer is a measurable part of a hit at 32
   * concurrent reads: docs/benchmarks.md). What `onValue` throws or rejects with reaches the caller as
   * it is, never `onFailure`.
   */
  read<R>(
    key: string,
    onValue: (raw: string | null, elapsedMs: number, atMs: number) => R | PromiseLike<R>,
    onFailure: (error: unknown) => R | PromiseLike<R>,
  ): Promise<R> {
    const ready = this.handle;
    if (ready === undefined || !ready.isReady()) {
      const started = monotonicMs();
      return this.run('read', (redis) => redis.get(key), RETRY_ON_DROP).then((raw) => {
        const now = monotonicMs();
        return onValue(raw, now - started, now);
      }, onFailure);
    }
    if (!this.breaker.allow()) return this.skipped('read').catch(onFailure);
    return new Promise<R>((resolve, reject) => {
      // resolve() adopts what the callbacks return: a value, or on a miss the loader's promise; what
      // they throw rejects (try/catch inline, not a helper: this is the hit path)
      const deadline = this.readTimeout.start((timeout) => {
        try {
          resolve(onFailure(this.failedWith('read', timeout)));
        } catch (error) {
          reject(error);
        }
      });
      ready.get(key).then(
        (raw) => {
          if (!this.readTimeout.finish(deadline)) return;
          this.breaker.success();
          const now = replyArrivedMs();
          try {
            resolve(onValue(raw, this.readTimeout.elapsed(deadline, now), now));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          if (!this.readTimeout.finish(deadline)) return;
          const retry = timed('read', (redis) => redis.get(key));
          resolve(
            this.recover('read', error, ready, retry, deadline.at, RETRY_ON_DROP).then(
              (raw) => {
                const now = monotonicMs();
                return onValue(this.succeeded(raw), this.readTimeout.elapsed(deadline, now), now);
              },
              (failure: unknown) => onFailure(this.failedWith('read', failure)),
            ),
          );
        },
      );
    });
  }

  /**
   * A command (or a few, raced together against the budget) under the circuit, the budget, the auth
   * retry and, with `retryOnDrop` (only for commands that are safe to send twice), the drop retry.
   * Failures are counted once and thrown; an open circuit throws {@link CacheUnavailableError}.
   */
  run<T>(operation: string, fn: (redis: RedisHandle) => Promise<T>, retryOnDrop = false): Promise<T> {
    if (!this.breaker.allow()) return this.skipped(operation);
    return this.attempt(operation, timed(operation, fn), retryOnDrop).then(this.succeeded, (error: unknown) =>
      this.failed(operation, error),
    );
  }

  /** Like {@link run} for writes and deletes whose failure the caller does not need: counted and logged, never thrown. */
  async bestEffort(operation: string, fn: (redis: RedisHandle) => Promise<unknown>, retryOnDrop = false): Promise<void> {
    if (!this.breaker.allow()) {
      this.report('circuitSkip');
      this.logger.warn(`cache ${operation} skipped: circuit open`, {});
      return;
    }
    await this.attempt(operation, timed(operation, fn), retryOnDrop).then(this.succeeded, (error: unknown) =>
      this.failure(operation, error),
    );
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

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const handle = this.handle ?? (await opening?.catch(() => undefined));
    this.handle = undefined;
    if (handle) await withTimeout(handle.close(), this.commandTimeoutMs, 'close').catch(() => handle.destroy());
  }

  // ---------------------------------------------------------------- outcome of one call

  private readonly succeeded = <T>(result: T): T => {
    this.breaker.success();
    return result;
  };

  private readonly failed = (operation: string, error: unknown): never => {
    this.failure(operation, error);
    throw error;
  };

  /** {@link failed} for a rejection handed over rather than thrown: counts it, returns it. */
  private failedWith(operation: string, error: unknown): unknown {
    this.failure(operation, error);
    return error;
  }

  private skipped(operation: string): Promise<never> {
    this.report('circuitSkip');
    return Promise.reject(new CacheUnavailableError(`circuit open after repeated failures; ${operation} skipped`));
  }

  private failure(operation: string, error: unknown): void {
    this.report(error instanceof CacheTimeoutError ? 'timeout' : 'failure');
    // a drop counted toward the circuit when it was seen (recover), once for all the commands it failed
    if (!(error instanceof CacheConnectionDropError)) this.breaker.failure();
    this.logger.warn(`cache ${operation} failed; answering from the source`, { error: describeError(error), circuit: this.breaker.state });
  }

  private onCircuitChange(state: CircuitState): void {
    if (state !== 'open') return;
    this.report('circuitOpen');
    // a connection that kept failing may be stuck (a stalled server never closes it): the probe after
    // the cool-down starts afresh. One still being established (by a probe, or reconnecting) is kept:
    // each attempt is bounded by connectTimeoutMs anyway, and destroying it would make a handshake
    // slower than the budget start over forever; the next probe finds it ready.
    const current = this.handle;
    if (current?.isReady()) this.dropHandle(current);
  }

  // ---------------------------------------------------------------- budget, retries

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

  /** Acquire + operation within the read budget; failures go through {@link recover}. */
  private async attempt<T>(operation: string, fn: Attempt<T>, retryOnDrop: boolean): Promise<T> {
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
    fn: Attempt<T>,
    deadline: number,
    retryOnDrop: boolean,
  ): Promise<T> {
    if (isAuthError(error)) return this.retryAfterAuthFailure(operation, error, fn, deadline);
    if (redis !== undefined && this.replaced.has(redis)) {
      // in flight on a client this connection replaced (retire: its reply did not arrive in the
      // grace, or its node went down meanwhile): not the cache's failure, and the replacement is
      // there. Safe commands go again on it; a write may have been applied, so it is not resent.
      if (retryOnDrop) return this.retryAfterDrop(fn, deadline);
      return Promise.reject(new CacheConnectionDropError(operation, error));
    }
    if (redis === undefined || !isConnectionDrop(error)) return Promise.reject(error);
    if (redis.claimDrop()) {
      this.report('connectionDrop');
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
   * and this failure counts toward the circuit like any other. One more try, still within the
   * deadline, when the retry itself was dropped (a cluster's nodes going down one after another, as
   * when a cell move ends the old cache's connections) or ran on a client that was replaced or
   * given up meanwhile (waiting first for a secret re-read under way, which may replace it).
   */
  private async retryAfterDrop<T>(fn: Attempt<T>, deadline: number): Promise<T> {
    for (let retry = 1; ; retry++) {
      this.report('dropRetry');
      // a cluster stays "ready" while one node reconnects: wait for that node too
      const redis = await this.acquire(deadline, true);
      try {
        return await fn(redis, deadline);
      } catch (error) {
        const refresh = this.credentialRefresh;
        if (refresh) await withTimeout(refresh, remaining(deadline), 'secret re-read').catch(() => undefined);
        const droppedAgain = isConnectionDrop(error);
        if (retry >= MAX_DROP_RETRIES || remaining(deadline) <= 0 || !(droppedAgain || this.handle !== redis)) throw error;
        if (droppedAgain && redis.claimDrop()) {
          this.report('connectionDrop');
          this.breaker.failure();
        }
      }
    }
  }

  /**
   * Re-reads the secret, reconnects and retries once, within the request's own `deadline`: a
   * Secrets Manager call may take seconds, and a cache problem must not add more than the budget to
   * a request. What does not fit times out (the request answers from the loader) and carries on in
   * the background, shared by refreshCredentials and paced by the SecretLoader; the next request finds it done.
   */
  private async retryAfterAuthFailure<T>(operation: string, error: unknown, fn: Attempt<T>, deadline: number): Promise<T> {
    this.logger.warn(`cache ${operation}: authentication refused, re-reading the secret and retrying once`, {
      error: describeError(error),
    });
    await withTimeout(this.refreshCredentials(true), remaining(deadline), `${operation} (secret re-read)`);
    return fn(await this.acquire(deadline), deadline);
  }

  // ---------------------------------------------------------------- secret, client

  private secretSource(): SecretSource {
    if (this.options.secretSource) return this.options.secretSource;
    if (this.options.secretArn) return secretsManagerSource(this.options.secretArn);
    return secretSourceFromEnv();
  }

  private planFor(secret: CacheSecretPayload): ConnectionPlan {
    return planConnection(secret, {
      clusterMode: this.options.clusterMode,
      tls: this.options.tls,
      connectTimeoutMs: this.connectTimeoutMs,
      maxQueuedCommands: this.maxQueuedCommands,
    });
  }

  /**
   * The client, ready (with `everyNode`, every node connection of a cluster up too), within
   * `deadline`. A request waiting for a client that is replaced meanwhile
   * (the re-read secret names another cache: a cell move) moves to the replacement. Failing them with
   * the old client instead would count every waiting request toward the circuit at once, and a
   * planned move would open it (the day-two lifecycle test saw 5 s of skipped Redis).
   */
  private async acquire(deadline: number, everyNode = false): Promise<RedisHandle> {
    for (let moved = 0; ; moved++) {
      let redis = this.handle;
      if (redis?.dead) {
        this.dropHandle(redis);
        redis = undefined;
      }
      if (!redis) redis = await withTimeout((this.opening ??= this.open()), remaining(deadline), 'connect');
      if (everyNode || !redis.isReady()) {
        try {
          await redis.waitReady(remaining(deadline));
        } catch (error) {
          // replaced on purpose: its replacement is opened next. One that died on its own (server gone,
          // certificate refused, a password that really is wrong) fails the request and counts as before.
          if (moved < MAX_REPLACEMENTS_WAITED && this.replaced.has(redis) && remaining(deadline) > 0) continue;
          throw error;
        }
      }
      this.connectedOnce = true;
      return redis;
    }
  }

  private open(): Promise<RedisHandle> {
    const opening = (async () => {
      const secret = await this.secrets.get();
      // the secret says how to authenticate: before the first handshake of an iam secret, its token signer
      if (secret.authMode === 'iam') await this.iamTokenProvider();
      const handle = openRedis(this.planFor(secret), {
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

  /** The caller's token provider, else the default signer, loaded once (a bundle built for password auth refuses here). */
  private async iamTokenProvider(): Promise<AuthTokenProvider> {
    this.tokenProvider ??= this.options.authTokenProvider ?? (await defaultAuthTokenProvider());
    return this.tokenProvider;
  }

  private async credentials(): Promise<{ username: string; password: string }> {
    const secret = await this.secrets.get();
    const password = secret.authMode === 'iam' ? await (await this.iamTokenProvider())(secret) : secret.password;
    return { username: secret.username, password };
  }

  /**
   * After an authentication failure: re-read the secret (shared by concurrent callers; at once when
   * the last re-read found a new version, else after a growing pause: SecretLoader). A client built
   * from another plan (host, user, auth mode, keyspace...) is replaced; so is the client after a
   * command-level failure (`dropConnection`), whose connection will not re-authenticate by itself. A
   * new password alone is used by the next handshake: the reconnect in progress asks for the
   * credentials again, waits for this re-read, and is not torn down (requests waiting for it would
   * fail with it).
   */
  private refreshCredentials(dropConnection: boolean): Promise<CacheSecretPayload> {
    this.report('authFailure');
    if (!this.credentialRefresh) {
      this.credentialRefresh = (async () => {
        try {
          const secret = await this.secrets.refresh();
          const current = this.handle;
          if (current && (dropConnection || !samePlan(current.plan, this.planFor(secret)))) this.replaceHandle(current);
          return secret;
        } finally {
          this.credentialRefresh = undefined;
        }
      })();
      // requests do not wait for it beyond their budget: it may finish after they answered
      this.background.track(this.credentialRefresh);
    }
    return this.credentialRefresh;
  }

  /**
   * Retires a client built from a secret that no longer holds: requests waiting for it move to the
   * one that replaces it (acquire), and replies in flight on its connections still up arrive.
   */
  private replaceHandle(handle: RedisHandle): void {
    this.replaced.add(handle);
    if (this.handle === handle) this.handle = undefined;
    handle.retire(Math.min(this.commandTimeoutMs, RETIRE_GRACE_MS));
  }

  private dropHandle(handle: RedisHandle): void {
    if (this.handle === handle) this.handle = undefined;
    handle.destroy();
  }
}
