import { createServiceCache, staticSecretSource, type ServiceCache } from '../src';
import { memoryLogger, waitFor } from './helpers';
import { startRedis, type RedisServer } from './redis-harness';

const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const COMMAND_TIMEOUT_MS = 150;
// what a loaded 2-core machine may add on top of the command timeout (event loop, TLS, jest)
const SLACK_MS = 250;

interface Sample {
  readonly ms: number;
  readonly ok: boolean;
}

/**
 * Runs requests back to back until stopped: each must answer (from Redis or, failing that, from
 * the loader) with the right value. Returns the samples.
 */
function requestLoop(cache: ServiceCache) {
  const samples: Sample[] = [];
  let stopped = false;
  let i = 0;
  const done = (async () => {
    while (!stopped) {
      const key = `item-${i++ % 5}`;
      const started = performance.now();
      let ok = false;
      try {
        ok = (await cache.getOrLoad(key, async () => `value-of-${key}`, { ttlSeconds: 60 })) === `value-of-${key}`;
      } catch {
        ok = false;
      }
      samples.push({ ms: performance.now() - started, ok });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await done;
      return samples;
    },
  };
}

describe('outage on a real redis-server', () => {
  let server: RedisServer;
  const caches: ServiceCache[] = [];
  const make = () => {
    const cache = createServiceCache({
      secretSource: staticSecretSource(server.secretFor(USER.name)),
      tls: { ca: server.caPem },
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 500,
      circuit: { failureThreshold: 3, cooldownMs: 300 },
      metrics: { enabled: false },
      logger: memoryLogger(),
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

  it('keeps answering from the loader when the server is killed, opens the circuit, recovers after restart', async () => {
    const cache = make();
    expect((await cache.checkHealth()).status).toBe('ok');
    const loop = requestLoop(cache);
    await waitFor('hits while healthy', () => cache.metrics().hits >= 10);

    await server.kill();
    await waitFor('the circuit to open', () => cache.metrics().circuitOpens >= 1);
    expect((await cache.checkHealth()).status).toBe('down');
    const duringOutage = loop.samples.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(loop.samples.length - duringOutage).toBeGreaterThan(20);

    await server.restart();
    const hitsBefore = cache.metrics().hits;
    await waitFor('hits again after the restart', () => cache.metrics().hits > hitsBefore + 5, 10_000);
    const samples = await loop.stop();

    expect(samples.filter((s) => !s.ok)).toEqual([]);
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
    const m = cache.metrics();
    expect(m.failOpen).toBeGreaterThan(0);
    expect(m.circuitSkips).toBeGreaterThan(0);
    expect(m.circuitOpens).toBeGreaterThanOrEqual(1);
    expect(await cache.checkHealth()).toMatchObject({ status: 'ok', circuit: 'closed' });
  });

  it('times out on a stalled server within the command timeout, and recovers when it answers again', async () => {
    const cache = make();
    expect((await cache.checkHealth()).status).toBe('ok');
    const loop = requestLoop(cache);
    await waitFor('hits while healthy', () => cache.metrics().hits >= 10);

    server.freeze();
    try {
      await waitFor('the circuit to open', () => cache.metrics().circuitOpens >= 1);
      await new Promise((r) => setTimeout(r, 700));
    } finally {
      server.thaw();
    }
    const hitsBefore = cache.metrics().hits;
    await waitFor('hits again after the stall', () => cache.metrics().hits > hitsBefore + 5, 10_000);
    const samples = await loop.stop();

    expect(samples.filter((s) => !s.ok)).toEqual([]);
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
    expect(cache.metrics().timeouts).toBeGreaterThanOrEqual(3);
  });
});
