// Dropped connections under concurrent load (issue 13, item 0). A failover, a node replacement or the
// 12-hour IAM connection limit closes every connection of a service at once: all commands in flight
// fail together. That is one event, not one failure per command, and must not open the circuit.
import { createServiceCache, staticSecretSource, type ServiceCache, type ServiceCacheOptions } from '../src';
import { memoryLogger, mutableSecretSource, waitFor } from './helpers';
import { startRedis, startRedisCluster, type RedisClusterHandle, type RedisServer } from './redis-harness';

const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const CONCURRENCY = 16;
const KEYS = 20;
const DROPS = 10;
const DROP_INTERVAL_MS = 300;
// generous on purpose: these tests are about what a drop counts as, not about this machine's speed
// (a reconnect is a TLS handshake and an AUTH; a busy 2-core CI machine may take 100+ ms for it)
const DROP_BUDGET_MS = 1000;

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const valueOf = (key: string) => ({ key, payload: 'x'.repeat(200) });

interface Load {
  /** requests answered so far */
  readonly answered: number;
  /** Stops the loops; resolves with what they saw. */
  stop(): Promise<{ answered: number; wrong: number; slowestMs: number }>;
}

// loops still running when a test failed half-way: stopped after each test, or jest never exits
const running = new Set<() => Promise<unknown>>();

/**
 * `CONCURRENCY` request loops back to back over the warm keys of `prefix`: there are always that
 * many commands in flight.
 */
function concurrentLoad(cache: ServiceCache, prefix: string): Load {
  let stopped = false;
  let answered = 0;
  let wrong = 0;
  let slowestMs = 0;
  const loops = Array.from({ length: CONCURRENCY }, async (_, n) => {
    for (let round = 0; !stopped; round++) {
      const key = `${prefix}-${(n + round * CONCURRENCY) % KEYS}`;
      const started = performance.now();
      try {
        const value = await cache.getOrLoad(key, async () => valueOf(key), { ttlSeconds: 600 });
        if (JSON.stringify(value) !== JSON.stringify(valueOf(key))) wrong++;
      } catch {
        wrong++;
      }
      slowestMs = Math.max(slowestMs, performance.now() - started);
      answered++;
      // answers from the loader (open circuit) take no I/O: yield now and then so timers run on time
      if (round % 4 === 0) await new Promise((r) => setImmediate(r));
    }
  });
  const stop = async () => {
    stopped = true;
    await Promise.all(loops);
    running.delete(stop);
    return { answered, wrong, slowestMs };
  };
  running.add(stop);
  return {
    get answered() {
      return answered;
    },
    stop,
  };
}

let prefixes = 0;
/** Loads `KEYS` keys under a new prefix (one per test: the tests share a server) and returns the prefix. */
async function warm(cache: ServiceCache): Promise<string> {
  const prefix = `item${++prefixes}`;
  for (let i = 0; i < KEYS; i++) await cache.getOrLoad(`${prefix}-${i}`, async () => valueOf(`${prefix}-${i}`), { ttlSeconds: 600 });
  expect(cache.metrics()).toMatchObject({ misses: KEYS, loads: KEYS, errors: 0 });
  return prefix;
}

afterEach(async () => {
  await Promise.all([...running].map((stop) => stop()));
});

describe('dropped connections under concurrent load (standalone, TLS, ACL user)', () => {
  let server: RedisServer;
  const caches: ServiceCache[] = [];
  const make = (options: Partial<ServiceCacheOptions> = {}) => {
    const cache = createServiceCache({
      secretSource: staticSecretSource(server.secretFor(USER.name)),
      tls: { ca: server.caPem },
      commandTimeoutMs: DROP_BUDGET_MS,
      metrics: { enabled: false },
      logger: memoryLogger(),
      ...options,
    });
    caches.push(cache);
    return cache;
  };

  beforeAll(async () => {
    server = await startRedis({ users: [USER] });
  });
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await server?.stop();
  });

  it(`${DROPS} drops ${DROP_INTERVAL_MS} ms apart with ${CONCURRENCY} requests in flight: no circuit opening, no answer from the loader`, async () => {
    const cache = make();
    const load = concurrentLoad(cache, await warm(cache));
    await waitFor('requests under load', () => load.answered >= 200);

    const killed: number[] = [];
    for (let drop = 0; drop < DROPS; drop++) {
      const before = load.answered;
      killed.push(Number(await server.admin('CLIENT', 'KILL', 'USER', USER.name)));
      await sleep(DROP_INTERVAL_MS);
      // requests kept being answered between two drops (from Redis: see failOpen below)
      await waitFor('requests after a drop', () => load.answered > before + CONCURRENCY);
    }
    const seen = await load.stop();

    // every drop really closed the service's connection
    expect(killed.every((n) => n >= 1)).toBe(true);
    expect(seen.wrong).toBe(0);
    const m = cache.metrics();
    expect(m).toMatchObject({ circuitOpens: 0, circuitSkips: 0, failOpen: 0, errors: 0, timeouts: 0 });
    // nothing went to the loader after the warm-up: every answer came from Redis
    expect(m.loads).toBe(KEYS);
    // the drops were seen by commands in flight, counted once each, and those reads were retried
    expect(m.connectionDrops).toBeGreaterThanOrEqual(1);
    expect(m.connectionDrops).toBeLessThanOrEqual(DROPS);
    expect(m.dropRetries).toBeGreaterThanOrEqual(m.connectionDrops);
    expect(await cache.checkHealth()).toMatchObject({ status: 'ok', circuit: 'closed' });
  });

  it(`a password rotation ending in a connection kill, with ${CONCURRENCY} requests in flight: no circuit opening, no answer from the loader`, async () => {
    const OLD = USER.passwords[0]!;
    const NEW = 'alpha-password-new-000000002';
    const source = mutableSecretSource(server.secretFor(USER.name));
    const logger = memoryLogger();
    const cache = make({ secretSource: source, logger });
    const load = concurrentLoad(cache, await warm(cache));
    const step = async () => {
      const target = load.answered + 200;
      await waitFor('requests between rotation steps', () => load.answered >= target);
    };
    try {
      await step();
      // the rotation, as the Secrets Manager rotation function does it
      await server.setUserPasswords(USER.name, [OLD, NEW]);
      await step();
      source.set(server.secretFor(USER.name, { password: NEW }));
      await step();
      await server.setUserPasswords(USER.name, [NEW]);
      await step();
      // the end of the rotation as the service sees it: its connection drops and the reconnect's
      // handshake with the old password is refused; the secret is re-read and the next one works
      expect(Number(await server.admin('CLIENT', 'KILL', 'USER', USER.name))).toBeGreaterThanOrEqual(1);
      await step();
      // and a second drop on the new password
      expect(Number(await server.admin('CLIENT', 'KILL', 'USER', USER.name))).toBeGreaterThanOrEqual(1);
      await step();
    } finally {
      await server.setUserPasswords(USER.name, [OLD]).catch(() => undefined);
    }
    const seen = await load.stop();

    expect(seen.wrong).toBe(0);
    const m = cache.metrics();
    expect(m).toMatchObject({ circuitOpens: 0, circuitSkips: 0, failOpen: 0, errors: 0, secretFetches: 2 });
    expect(m.loads).toBe(KEYS);
    expect(m.authFailures).toBeGreaterThanOrEqual(1);
    expect(m.connectionDrops).toBeGreaterThanOrEqual(1);
    expect(logger.lines.join('\n')).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  });

  describe('a real failure still fails open within the budget under the same load', () => {
    // small budget: here the bound is the point; the slack is what a loaded machine adds to a timer
    const BUDGET_MS = 200;
    const SLACK_MS = 300;

    it('a dead server: requests answer from the loader within the budget and the circuit opens', async () => {
      const cache = make({ commandTimeoutMs: BUDGET_MS, connectTimeoutMs: 300, circuit: { failureThreshold: 5, cooldownMs: 60_000 } });
      const load = concurrentLoad(cache, await warm(cache));
      await waitFor('requests under load', () => load.answered >= 200);
      const before = load.answered;
      await server.kill();
      try {
        await waitFor('the circuit to open', () => cache.metrics().circuitOpens >= 1);
        await waitFor('requests answered by the loader', () => load.answered > before + 100);
        const seen = await load.stop();
        expect(seen.wrong).toBe(0);
        // every request, the ones in flight at the kill included, answered within its budget
        expect(seen.slowestMs).toBeLessThan(BUDGET_MS + SLACK_MS);
        const m = cache.metrics();
        expect(m.failOpen).toBeGreaterThan(CONCURRENCY);
        expect(m.circuitSkips).toBeGreaterThan(0);
        expect(m.circuitOpens).toBe(1);
      } finally {
        await server.restart();
      }
    });

    it('a stalled server: requests answer from the loader within the budget and the circuit opens', async () => {
      const cache = make({ commandTimeoutMs: BUDGET_MS, circuit: { failureThreshold: 5, cooldownMs: 60_000 } });
      const load = concurrentLoad(cache, await warm(cache));
      await waitFor('requests under load', () => load.answered >= 200);
      server.freeze();
      try {
        await waitFor('the circuit to open', () => cache.metrics().circuitOpens >= 1);
        const before = load.answered;
        await waitFor('requests answered by the loader', () => load.answered > before + 100);
      } finally {
        server.thaw();
      }
      const seen = await load.stop();
      expect(seen.wrong).toBe(0);
      expect(seen.slowestMs).toBeLessThan(BUDGET_MS + SLACK_MS);
      const m = cache.metrics();
      // the circuit opened at its threshold and dropped the stuck connection: that failed the other
      // commands in flight, on purpose, which is not a drop
      expect(m.timeouts).toBeGreaterThanOrEqual(5);
      expect(m.circuitOpens).toBe(1);
      expect(m.connectionDrops).toBe(0);
    });
  });
});

describe('dropped connections under concurrent load (cluster of 3 primaries, TLS, ACL user)', () => {
  let cluster: RedisClusterHandle;
  let cache: ServiceCache | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster({ users: [USER] });
  });
  afterAll(async () => {
    await cache?.close();
    await cluster?.stop();
  });

  it(`${DROPS} drops of every node connection, ${CONCURRENCY} requests in flight: no circuit opening, no answer from the loader`, async () => {
    cache = createServiceCache({
      secretSource: staticSecretSource(cluster.secretFor(USER.name)),
      tls: { ca: cluster.caPem },
      commandTimeoutMs: DROP_BUDGET_MS,
      metrics: { enabled: false },
      logger: memoryLogger(),
    });
    const c = cache;
    const load = concurrentLoad(c, await warm(c));
    await waitFor('requests under load', () => load.answered >= 200);

    for (let drop = 0; drop < DROPS; drop++) {
      const before = load.answered;
      const killed = await Promise.all(cluster.nodes.map((node) => node.admin('CLIENT', 'KILL', 'USER', USER.name)));
      expect(killed.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      await sleep(DROP_INTERVAL_MS);
      await waitFor('requests after a drop', () => load.answered > before + CONCURRENCY);
    }
    const seen = await load.stop();

    expect(seen.wrong).toBe(0);
    const m = c.metrics();
    expect(m).toMatchObject({ circuitOpens: 0, circuitSkips: 0, failOpen: 0, errors: 0, timeouts: 0 });
    expect(m.loads).toBe(KEYS);
    expect(m.connectionDrops).toBeGreaterThanOrEqual(1);
    expect(await c.checkHealth()).toMatchObject({ status: 'ok', circuit: 'closed', mode: 'cluster' });
  });
});
