import { RedisClient, RedisCluster } from '@redis/client';
import { CacheClientError, CacheTimeoutError, describeError, isAuthError } from './errors';
import type { ConnectionPlan } from './connection-plan';

export interface ConnectionHooks {
  /** Current credentials; called at every (re)connect, so a refreshed secret is used by the next handshake. */
  credentials(): Promise<{ username: string; password: string }>;
  /** A handshake was refused (WRONGPASS/NOAUTH): re-read the secret before the next attempt. */
  onAuthFailure(error: Error): void;
  onError(error: Error): void;
}

/**
 * The few operations the cache helpers need, over a standalone or a cluster client. All of them
 * touch exactly one key (or none), so none can fail with CROSSSLOT.
 */
export interface RedisHandle {
  readonly mode: 'cluster' | 'standalone';
  readonly plan: ConnectionPlan;
  /** the client gave up reconnecting: replace it */
  readonly dead: boolean;
  isReady(): boolean;
  /**
   * Resolves when every connection is up (a cluster: every node connection, so a command for any
   * slot can be sent); rejects when the client dies or after `ms`.
   */
  waitReady(ms: number): Promise<void>;
  /**
   * Called by a command that failed because its connection dropped: true for the first such report
   * since the connections were last all up, false for the others, which saw the same drop. A drop
   * fails every command in flight at once: it is one event for the circuit breaker, not one each.
   */
  claimDrop(): boolean;
  get(key: string): Promise<string | null>;
  /** SET with a PX expiry (none when `ttlMs` is undefined); with `onlyIfAbsent`, NX. True when written. */
  set(key: string, value: string, ttlMs: number | undefined, onlyIfAbsent?: boolean): Promise<boolean>;
  del(key: string): Promise<number>;
  /** Deletes `key` only while it still holds `token` (lock release by its owner). */
  deleteIfEquals(key: string, token: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Replaced by a client for another cache, user or auth mode: takes no more work (it reports
   * itself dead, so waiters move on and the next request opens the replacement) but lets replies in
   * flight arrive, then closes; destroyed after `graceMs` at the latest. On a cluster, commands on
   * the nodes still up would otherwise fail with the client they did nothing wrong on.
   */
  retire(graceMs: number): void;
  destroy(): void;
}

// one key in, one key touched: the owner check and the delete are atomic on the server
const DELETE_IF_EQUALS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const STANDALONE = 'standalone';
/** what the cluster client tells about a node in its node-* events */
interface NodeInfo {
  readonly host: string;
  readonly port: number;
}
const nodeKey = (node: NodeInfo) => `${node.host}:${node.port}`;

/** Reconnect attempts after a connection drops before the client gives up and is replaced on demand. */
const RECONNECT_ATTEMPTS = 4;

class DeadClientError extends CacheClientError {
  override readonly name = 'DeadClientError';
  constructor(cause: Error | undefined) {
    // the cause explains it in health reports (by class and code only)
    super(
      `the Redis connection gave up (${cause ? describeError(cause) : 'closed'}); a new one is opened on the next request`,
      cause ? { cause } : undefined,
    );
  }
}

/** A command that was still waiting when its client was destroyed (closed by this library, on purpose). */
class DestroyedClientError extends CacheClientError {
  override readonly name = 'DestroyedClientError';
  constructor() {
    super('the Redis client was closed while this command waited for its reply');
  }
}

// a certificate that failed verification will fail again a few milliseconds later: do not retry
const isCertificateError = (error: Error) =>
  /^ERR_TLS_|CERT|^UNABLE_TO_|^SELF_SIGNED|^DEPTH_ZERO/.test(String((error as NodeJS.ErrnoException).code ?? '')) ||
  /certificate|self[- ]signed/i.test(error.message);

/** One command on the wire, routed by its (prefixed) key on a cluster; the raw reply. */
type Send = (routingKey: string | undefined, args: string[]) => Promise<unknown>;

export function openRedis(plan: ConnectionPlan, hooks: ConnectionHooks): RedisHandle {
  return new Handle(plan, hooks);
}

class Handle implements RedisHandle {
  readonly mode: 'cluster' | 'standalone';
  dead = false;
  private closing = false;
  private lastError: Error | undefined;
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no modules, functions or scripts, RESP2
  private readonly client: RedisClient<{}, {}, {}, 2, {}> | undefined;
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  private readonly cluster: RedisCluster<{}, {}, {}, 2, {}> | undefined;
  /** every command goes through here (see {@link get}) */
  private readonly send: Send;
  private readonly connected: Promise<void>;
  /** connections (node addresses) lost and not back yet; a standalone client has one */
  private readonly down = new Set<string>();
  /** connection losses so far: one more each time a connection goes down while all were up */
  private losses = 0;
  /** the loss a command last reported (claimDrop) */
  private claimedLoss = 0;
  /** nodes whose client gave up: the cluster makes a new one on demand; removed when it is ready */
  private readonly remade = new Set<string>();
  /** rejecters of cluster commands in flight (settledOnDestroy) */
  private readonly pending = new Set<(error: Error) => void>();
  /** waitReady() callers, re-checked on every connection event */
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly plan: ConnectionPlan,
    private readonly hooks: ConnectionHooks,
  ) {
    this.mode = plan.mode;
    const socket = {
      connectTimeout: plan.connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => this.reconnectDelay(retries, cause),
      ...(plan.tls
        ? // Certificate chain and host name are verified by Node's defaults; nothing here turns that off.
          { tls: true as const, servername: plan.tls.servername, ca: plan.tls.ca }
        : {}),
    };
    const common = {
      credentialsProvider: { type: 'async-credentials-provider' as const, credentials: () => hooks.credentials() },
      // rejected at once while disconnected (answered from the loader) instead of queued without bound
      disableOfflineQueue: true,
      commandsQueueMaxLength: plan.maxQueuedCommands,
      // no CLIENT SETINFO / maintenance handshake: fewer round trips and no Redis Enterprise DNS lookup
      disableClientInfo: true,
      maintNotifications: 'disabled' as const,
      // node-redis 6 arms a 5 s AbortSignal per command by default; it only covers the time before
      // the command is written (not a silent server) and cuts concurrent throughput 2.7x
      // (docs/benchmarks.md). withTimeout() bounds the whole round trip instead.
      commandOptions: { timeout: 0 },
    };
    // Built with node-redis' public constructors, not createClient()/createCluster(): those attach
    // ~1,500 typed command methods to a new class (and again for MULTI) on every call, which was the
    // largest single cost of a cold start (docs/benchmarks.md). Every command here goes through
    // sendCommand, the public raw-command API, with the key prefix added by prefixed().
    if (plan.mode === 'standalone') {
      // eslint-disable-next-line @typescript-eslint/no-empty-object-type
      const client = new RedisClient<{}, {}, {}, 2, {}>({
        ...common,
        RESP: 2,
        // not used by sendCommand (prefixed() adds it); kept so that a typed command, should one
        // ever be sent, lands in the keyspace too
        keyPrefix: plan.keyPrefix,
        socket: { host: plan.host, port: plan.port, ...socket },
      });
      client.on('error', (error: Error) => this.onError(error));
      // node-redis emits these before it fails the commands in flight, so a failed command finds
      // its loss already recorded
      client.on('reconnecting', () => this.lost(STANDALONE));
      client.on('ready', () => this.back(STANDALONE));
      client.on('terminated', () => {
        this.lost(STANDALONE);
        this.dead = true;
        this.notify();
      });
      this.client = client;
      this.send = (_routingKey, args) => client.sendCommand(args);
      this.connected = client.connect().then(() => undefined);
    } else {
      // eslint-disable-next-line @typescript-eslint/no-empty-object-type
      const cluster = new RedisCluster<{}, {}, {}, 2, {}>({
        rootNodes: [{ socket: { host: plan.host, port: plan.port } }],
        // every node connection (the discovered ones too) gets TLS, credentials and timeouts from here
        defaults: { ...common, socket },
        // not used by sendCommand (prefixed() adds it); kept so that a typed command, should one
        // ever be sent, lands in the keyspace too
        keyPrefix: plan.keyPrefix,
        RESP: 2,
        commandOptions: { timeout: 0 },
        // Replicas are not used: reads right after a write or an invalidation must see it, and lock
        // polling must read the primary. ElastiCache Serverless' reader port stays an opt-in for later.
        useReplicas: false,
        maxCommandRedirections: 4,
      });
      cluster.on('error', (error: Error) => this.onError(error));
      // every node client reconnects by itself and reports it here (same order as standalone)
      cluster.on('node-reconnecting', (node: NodeInfo) => this.lost(nodeKey(node)));
      cluster.on('node-ready', (node: NodeInfo) => {
        this.remade.delete(nodeKey(node));
        this.back(nodeKey(node));
      });
      // a node client that gave up is removed; the cluster makes a new one on the next command for it
      cluster.on('node-disconnect', (node: NodeInfo) => {
        // the cluster makes a new client for it on the next command for it; until that one is ready,
        // commands may wait for its connection (settledOnDestroy)
        this.remade.add(nodeKey(node));
        this.back(nodeKey(node));
      });
      this.cluster = cluster;
      // routed by the prefixed key (MOVED/ASK handled by the cluster); readonly-ness from node-redis'
      // command table, as for its typed methods
      this.send = (routingKey, args) => {
        const reply = cluster.sendCommand(routingKey, undefined, args);
        // every node connection up: a command is on a connected node client, whose destroy fails it
        return this.down.size === 0 && this.remade.size === 0 ? reply : this.settledOnDestroy(reply);
      };
      this.connected = cluster.connect().then(() => undefined);
    }
    this.connected.then(
      () => this.notify(),
      () => {
        // connect() rejects once the reconnect strategy gives up (errors were reported through 'error')
        this.dead = true;
        this.notify();
      },
    );
  }

  /**
   * A cluster command that still waits when the client is destroyed fails then. node-redis leaves a
   * command waiting for a node connection being (re)made unsettled forever once the cluster is
   * destroyed (seen in cell-move.spec: reads hung until their timeout on a replaced client). Only
   * while a node connection is down or being remade: the extra promise costs ~1 µs per command
   * (docs/benchmarks.md), and with every node connected a destroy fails the commands itself, as a
   * standalone client does.
   */
  private settledOnDestroy<T>(reply: Promise<T>): Promise<T> {
    if (this.dead) return reply;
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      reply.then(
        (value) => {
          this.pending.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(reject);
          reject(error);
        },
      );
    });
  }

  private lost(node: string): void {
    if (this.down.size === 0) this.losses++;
    this.down.add(node);
  }

  private back(node: string): void {
    this.down.delete(node);
    this.notify();
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  claimDrop(): boolean {
    if (this.claimedLoss === this.losses) return false;
    this.claimedLoss = this.losses;
    return true;
  }

  private onError(error: Error): void {
    this.lastError = error;
    this.hooks.onError(error);
  }

  private reconnectDelay(retries: number, cause: Error): number | false {
    this.lastError = cause;
    // a client being closed (retired for a new secret, the circuit, close()) asks for no re-read: one
    // that found the secret unchanged would hold the next real change back (SecretLoader's pause)
    if (this.closing) return false;
    if (isAuthError(cause)) this.hooks.onAuthFailure(cause);
    if (retries >= RECONNECT_ATTEMPTS || isCertificateError(cause)) return false;
    return Math.min(1000, 25 * 2 ** retries) + Math.floor(Math.random() * 25);
  }

  isReady(): boolean {
    return !this.dead && (this.client?.isReady ?? this.cluster?.isReady ?? false);
  }

  waitReady(ms: number): Promise<void> {
    const up = () => this.isReady() && this.down.size === 0;
    if (up()) return Promise.resolve();
    if (this.dead) return Promise.reject(new DeadClientError(this.lastError));
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.dead) done(new DeadClientError(this.lastError));
        else if (up()) done();
      };
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => done(new CacheTimeoutError('connect', ms)), Math.max(0, ms));
      this.waiters.add(check);
    });
  }

  /** `<keyspace>:<key>`: what node-redis' keyPrefix option adds to the keys of its typed commands */
  private prefixed(key: string): string {
    return this.plan.keyPrefix + key;
  }

  get(key: string): Promise<string | null> {
    // the hit path: one raw command, no async wrapper (sendCommand skips node-redis' typed-command
    // layer, two nested async functions and a parser object per call: ~10 % of a hit at 32 concurrent
    // reads, docs/benchmarks.md). RESP2 replies a string or null.
    const k = this.prefixed(key);
    return this.send(k, ['GET', k]) as Promise<string | null>;
  }

  async set(key: string, value: string, ttlMs: number | undefined, onlyIfAbsent = false): Promise<boolean> {
    const k = this.prefixed(key);
    const args = ['SET', k, value];
    if (ttlMs !== undefined) args.push('PX', String(Math.max(1, Math.round(ttlMs))));
    if (onlyIfAbsent) args.push('NX');
    return (await this.send(k, args)) === 'OK';
  }

  async del(key: string): Promise<number> {
    const k = this.prefixed(key);
    return Number(await this.send(k, ['DEL', k]));
  }

  async deleteIfEquals(key: string, token: string): Promise<boolean> {
    const k = this.prefixed(key);
    return Number(await this.send(k, ['EVAL', DELETE_IF_EQUALS, '1', k, token])) === 1;
  }

  async ping(): Promise<void> {
    // keyless: any node answers for a cluster (ElastiCache Serverless has one endpoint anyway)
    if (this.cluster) await this.cluster.sendCommand(undefined, true, ['PING']);
    else await this.send(undefined, ['PING']);
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      // a graceful close waits for replies: only worth it on a working connection
      if (!this.isReady()) this.destroy();
      else if (this.client) await this.client.close();
      else await this.cluster?.close();
    } catch {
      this.destroy();
    }
  }

  retire(graceMs: number): void {
    const up = this.client?.isReady ?? this.cluster?.isReady ?? false;
    this.closing = true;
    this.dead = true;
    this.notify();
    if (!up) {
      this.destroy();
      return;
    }
    const timer = setTimeout(() => this.destroy(), graceMs);
    // after a close too: a cluster command waiting for a node connection outlives the close
    const done = () => {
      clearTimeout(timer);
      this.destroy();
    };
    void Promise.resolve(this.client ? this.client.close() : this.cluster?.close()).then(done, done);
  }

  destroy(): void {
    this.closing = true;
    this.dead = true;
    this.notify();
    if (this.pending.size > 0) {
      const gone = new DestroyedClientError();
      for (const reject of this.pending) reject(gone);
      this.pending.clear();
    }
    try {
      if (this.client?.isOpen) this.client.destroy();
      if (this.cluster?.isOpen) this.cluster.destroy();
    } catch {
      // already gone
    }
  }
}
