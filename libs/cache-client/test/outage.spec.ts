import { connect, createServer, type Socket } from 'node:net';
import { createServiceCache, staticSecretSource, type ServiceCache } from '../src';
import { memoryLogger, waitFor } from './helpers';
import { startRedis, type RedisServer } from './redis-harness';

const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const COMMAND_TIMEOUT_MS = 150;
const CONNECT_TIMEOUT_MS = 500;
// what a loaded 2-core machine may add on top of the command timeout (event loop, TLS, jest)
const SLACK_MS = 250;

interface Sample {
  readonly ms: number;
  readonly ok: boolean;
}

/**
 * Every request answers within the command timeout, except the probe after a cool-down when no
 * connection is ready: it may also wait to connect, like the first request (one per circuit opening).
 */
function expectWithinBudget(samples: readonly Sample[], circuitOpens: number, connectTimeoutMs = CONNECT_TIMEOUT_MS): void {
  const slow = samples.filter((s) => s.ms >= COMMAND_TIMEOUT_MS + SLACK_MS);
  expect(slow.length).toBeLessThanOrEqual(circuitOpens);
  expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(connectTimeoutMs + COMMAND_TIMEOUT_MS + SLACK_MS);
}

/** A TCP relay to the server that can hold new connections back (a slow handshake) and cut live ones. */
interface Relay {
  readonly port: number;
  /** milliseconds a new connection waits before it reaches the server */
  delayMs: number;
  /** connections accepted so far */
  readonly accepted: number;
  /** cuts every live connection, as a replaced node or a network blip does */
  dropAll(): void;
  close(): Promise<void>;
}

async function startRelay(targetPort: number): Promise<Relay> {
  const live = new Set<Socket>();
  let accepted = 0;
  const track = (socket: Socket) => {
    live.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => live.delete(socket));
  };
  const server = createServer((client) => {
    accepted++;
    track(client);
    // the client's TLS hello waits in the socket's buffer meanwhile
    setTimeout(() => {
      if (client.destroyed) return;
      const upstream = connect(targetPort, '127.0.0.1');
      track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    }, relay.delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const relay: Relay = {
    port: (server.address() as { port: number }).port,
    delayMs: 0,
    get accepted() {
      return accepted;
    },
    dropAll: () => live.forEach((s) => s.destroy()),
    close: () => {
      relay.dropAll();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  return relay;
}

// loops still running when a test failed half-way: stopped after each test, or jest never exits
const runningLoops = new Set<() => Promise<unknown>>();

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
  const stop = async () => {
    stopped = true;
    await done;
    runningLoops.delete(stop);
    return samples;
  };
  runningLoops.add(stop);
  return { samples, stop };
}

describe('outage on a real redis-server', () => {
  let server: RedisServer;
  const caches: ServiceCache[] = [];
  const make = () => {
    const cache = createServiceCache({
      secretSource: staticSecretSource(server.secretFor(USER.name)),
      tls: { ca: server.caPem },
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
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
  afterEach(async () => {
    await Promise.all([...runningLoops].map((stop) => stop()));
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
    const m = cache.metrics();
    expectWithinBudget(samples, m.circuitOpens);
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
    expectWithinBudget(samples, cache.metrics().circuitOpens);
    expect(cache.metrics().timeouts).toBeGreaterThanOrEqual(3);
  });

  it('recovers through a handshake slower than the command timeout: the probe may connect, a connection being made is kept', async () => {
    const relay = await startRelay(server.tlsPort!);
    const connectTimeoutMs = 3000;
    try {
      const cache = createServiceCache({
        secretSource: staticSecretSource(server.secretFor(USER.name, { host: '127.0.0.1', port: relay.port })),
        tls: { ca: server.caPem },
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        connectTimeoutMs,
        circuit: { failureThreshold: 3, cooldownMs: 300 },
        metrics: { enabled: false },
        logger: memoryLogger(),
      });
      caches.push(cache);
      expect((await cache.checkHealth()).status).toBe('ok');
      const loop = requestLoop(cache);
      await waitFor('hits while healthy', () => cache.metrics().hits >= 10);

      // from now on a handshake takes over 6x the command timeout (TLS + AUTH behind a slow path);
      // the connection drops and the client reconnects while requests keep coming
      relay.delayMs = 1000;
      relay.dropAll();
      await waitFor('the circuit to open', () => cache.metrics().circuitOpens >= 1);
      const hitsBefore = cache.metrics().hits;
      await waitFor('hits again over the slow path', () => cache.metrics().hits > hitsBefore + 5, 10_000);
      const samples = await loop.stop();

      expect(samples.filter((s) => !s.ok)).toEqual([]);
      const m = cache.metrics();
      // the first probe waited for the connection (it had the connect budget) and closed the circuit
      expect(m.circuitOpens).toBe(1);
      // the reconnect in progress when the circuit opened was not destroyed and started over
      expect(relay.accepted).toBe(2);
      // requests meanwhile answered from the loader within the command timeout; only the probe waited
      expectWithinBudget(samples, m.circuitOpens, relay.delayMs);
      expect(await cache.checkHealth()).toMatchObject({ status: 'ok', circuit: 'closed' });
    } finally {
      await relay.close();
    }
  });
});
