import { createIdempotencyClient, createServiceCache, staticSecretSource, type ServiceCache, type ServiceCacheOptions } from '../src';
import { memoryLogger, waitFor } from './helpers';
import { startRedis, type RedisServer } from './redis-harness';

const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cache behaviour on a real redis-server', () => {
  let server: RedisServer;
  const caches: ServiceCache[] = [];
  let cache: ServiceCache;
  let keyN = 0;
  const freshKey = () => `key-${++keyN}`;

  const make = (options: Partial<ServiceCacheOptions> = {}) => {
    const c = createServiceCache({
      secretSource: staticSecretSource(server.secretFor(USER.name)),
      tls: { ca: server.caPem },
      metrics: { enabled: false },
      logger: memoryLogger(),
      // generous: a 2-core CI machine running other suites must not turn slowness into fail-open
      commandTimeoutMs: 1000,
      ...options,
    });
    caches.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startRedis({ users: [USER] });
    cache = make();
  });
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await server?.stop();
  });

  it('misses, loads and stores under the keyspace prefix, then hits', async () => {
    const key = freshKey();
    const loader = jest.fn(async () => ({ name: 'widget', price: 3 }));
    expect(await cache.getOrLoad(key, loader, { ttlSeconds: 100, jitterRatio: 0.2 })).toEqual({ name: 'widget', price: 3 });
    expect(await cache.getOrLoad(key, loader, { ttlSeconds: 100 })).toEqual({ name: 'widget', price: 3 });
    expect(loader).toHaveBeenCalledTimes(1);
    const pttl = Number(await server.admin('PTTL', `alpha:${key}`));
    expect(pttl).toBeGreaterThan(79_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
  });

  it('spreads expiries with TTL jitter, never beyond the TTL', async () => {
    const ttls: number[] = [];
    for (let i = 0; i < 20; i++) {
      const key = freshKey();
      await cache.getOrLoad(key, async () => i, { ttlSeconds: 100, jitterRatio: 0.3 });
      ttls.push(Number(await server.admin('PTTL', `alpha:${key}`)));
    }
    for (const t of ttls) {
      expect(t).toBeGreaterThan(69_000);
      expect(t).toBeLessThanOrEqual(100_000);
    }
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(1000);
  });

  it('calls the loader once for 100 concurrent misses on one key (in-process single-flight)', async () => {
    const key = freshKey();
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(50);
      return 'value';
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.getOrLoad(key, loader, { ttlSeconds: 30 })));
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['value']));
  });

  it('passes loader errors to the caller and caches nothing', async () => {
    const key = freshKey();
    const c = make();
    await expect(c.getOrLoad(key, async () => Promise.reject(new Error('database down')), { ttlSeconds: 30 })).rejects.toThrow(
      'database down',
    );
    expect(await server.admin('EXISTS', `alpha:${key}`)).toBe('0');
    expect(await c.getOrLoad(key, async () => 'ok', { ttlSeconds: 30 })).toBe('ok');
    expect(c.metrics()).toMatchObject({ loaderErrors: 1, errors: 0, failOpen: 0 });
  });

  it('caches "not found" only with negativeTtlSeconds, for that long', async () => {
    const key = freshKey();
    const loader = jest.fn(async (): Promise<string | undefined> => undefined);
    await cache.getOrLoad(key, loader, { ttlSeconds: 30 });
    await cache.getOrLoad(key, loader, { ttlSeconds: 30 });
    expect(loader).toHaveBeenCalledTimes(2);

    const c = make();
    const nullLoader = jest.fn(async (): Promise<string | null> => null);
    expect(await c.getOrLoad(key, nullLoader, { ttlSeconds: 30, negativeTtlSeconds: 0.3 })).toBeNull();
    expect(await c.getOrLoad(key, nullLoader, { ttlSeconds: 30, negativeTtlSeconds: 0.3 })).toBeNull();
    expect(nullLoader).toHaveBeenCalledTimes(1);
    expect(c.metrics().negativeHits).toBe(1);
    const pttl = Number(await server.admin('PTTL', `alpha:${key}`));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    await sleep(350);
    await c.getOrLoad(key, nullLoader, { ttlSeconds: 30, negativeTtlSeconds: 0.3 });
    expect(nullLoader).toHaveBeenCalledTimes(2);
  });

  it('serves a stale value while one caller refreshes it (stale-while-revalidate)', async () => {
    const key = freshKey();
    const c = make();
    let version = 0;
    let refreshing = 0;
    let release = () => undefined as void;
    const loader = jest.fn(async () => {
      if (version > 0) {
        // the refresh is held here until the test lets it go (or 5 s pass, so a request that waits for it is caught)
        refreshing++;
        await new Promise<void>((resolve) => {
          release = resolve;
          setTimeout(resolve, 5000).unref();
        });
        refreshing--;
      }
      return `v${++version}`;
    });
    const options = { ttlSeconds: 0.2, jitterRatio: 0, staleWhileRevalidateSeconds: 30 };
    expect(await c.getOrLoad(key, loader, options)).toBe('v1');
    await sleep(250);
    const stale = await Promise.all(Array.from({ length: 10 }, () => c.getOrLoad(key, loader, options)));
    expect(new Set(stale)).toEqual(new Set(['v1']));
    // the answers are in while the refresh is still held: they did not wait for the loader (no clock involved)
    await waitFor('the background refresh to start', () => refreshing === 1);
    expect(version).toBe(1);
    release();
    await waitFor('the background refresh', async () => (await c.getOrLoad(key, loader, options)) === 'v2');
    expect(loader).toHaveBeenCalledTimes(2);
    expect(c.metrics().staleHits).toBeGreaterThanOrEqual(10);
    // the refresh lease is released
    expect(await server.admin('EXISTS', `alpha:_l:${key}`)).toBe('0');
  });

  it('settle() waits for a background refresh, so a Lambda handler can finish it before the environment freezes', async () => {
    const key = freshKey();
    const logger = memoryLogger();
    const c = make({ logger, metrics: { write: () => undefined, flushIntervalMs: 0 } });
    let version = 0;
    let loaderMs = 300;
    const loader = async () => {
      await sleep(loaderMs);
      return `v${++version}`;
    };
    const options = { ttlSeconds: 0.2, jitterRatio: 0, staleWhileRevalidateSeconds: 30 };
    expect(await c.getOrLoad(key, loader, options)).toBe('v1');
    await sleep(250);
    // nothing pending: settle() resolves without waiting for any timer (counted in event-loop turns, not ms)
    let settled = false;
    void c.settle().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(true);

    expect(await c.getOrLoad(key, loader, options)).toBe('v1'); // stale: the refresh runs in the background
    const started = performance.now();
    await c.settle(5000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    // done when settle() returns, no polling: stored, lease released
    expect(JSON.parse(await server.admin('GET', `alpha:${key}`)).v).toBe('v2');
    expect(await server.admin('EXISTS', `alpha:_l:${key}`)).toBe('0');
    // flushMetrics() is unchanged; called after settle() its line has the refresh's load
    expect(JSON.parse(c.flushMetrics()!)).toMatchObject({ CacheStaleHits: 1, CacheLoads: 2 });

    // bounded: a refresh slower than the timeout is left running, with a warning
    loaderMs = 1500;
    await sleep(250);
    expect(await c.getOrLoad(key, loader, options)).toBe('v2');
    await c.settle(200);
    // settle() gave up at its timeout while the 1.5 s refresh was still running (v3 not produced yet)
    expect(version).toBe(2);
    expect(logger.lines.join('\n')).toContain('cache settle: background work still running after the timeout');
    await expect(c.settle(-1)).rejects.toThrow('invalid settle timeoutMs -1: must be a finite number >= 0');
    await c.settle(10_000);
    expect(JSON.parse(await server.admin('GET', `alpha:${key}`)).v).toBe('v3');
  });

  it('retires a whole namespace with one bump, without touching other namespaces', async () => {
    const c = make();
    let n = 0;
    const load = async () => `value-${++n}`;
    expect(await c.getOrLoad('p1', load, { ttlSeconds: 30, namespace: 'products' })).toBe('value-1');
    expect(await c.getOrLoad('p2', load, { ttlSeconds: 30, namespace: 'products' })).toBe('value-2');
    expect(await c.getOrLoad('p1', load, { ttlSeconds: 30, namespace: 'prices' })).toBe('value-3');
    expect(await c.getOrLoad('p1', load, { ttlSeconds: 30, namespace: 'products' })).toBe('value-1');
    await c.bumpNamespace('products');
    const version = await server.admin('GET', 'alpha:_nv:products');
    expect(version).toMatch(/^[0-9a-z]+$/);
    expect(await c.getOrLoad('p1', load, { ttlSeconds: 30, namespace: 'products' })).toBe('value-4');
    expect(await c.getOrLoad('p2', load, { ttlSeconds: 30, namespace: 'products' })).toBe('value-5');
    expect(await c.getOrLoad('p1', load, { ttlSeconds: 30, namespace: 'prices' })).toBe('value-3');
    expect(await server.admin('EXISTS', `alpha:_n:products:${version}:p1`)).toBe('1');
    expect(c.metrics()).toMatchObject({ namespaceBumps: 1, errors: 0 });
  });

  it('invalidates one key, plain or namespaced', async () => {
    const c = make();
    const key = freshKey();
    let n = 0;
    const load = async () => ++n;
    await c.getOrLoad(key, load, { ttlSeconds: 30 });
    await c.getOrLoad(key, load, { ttlSeconds: 30, namespace: 'ns' });
    await c.invalidate(key);
    expect(await c.getOrLoad(key, load, { ttlSeconds: 30 })).toBe(3);
    expect(await c.getOrLoad(key, load, { ttlSeconds: 30, namespace: 'ns' })).toBe(2);
    await c.invalidate(key, { namespace: 'ns' });
    expect(await c.getOrLoad(key, load, { ttlSeconds: 30, namespace: 'ns' })).toBe(4);
  });

  it('with the lock, two instances load once between them and the lock is released', async () => {
    const key = freshKey();
    const [one, two] = [make(), make()];
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(150);
      return 'locked-value';
    };
    const options = { ttlSeconds: 30, lock: { ttlMs: 5000, waitMs: 5000 } };
    const results = await Promise.all([one.getOrLoad(key, loader, options), two.getOrLoad(key, loader, options)]);
    expect(results).toEqual(['locked-value', 'locked-value']);
    expect(calls).toBe(1);
    expect(one.metrics().lockAcquired + two.metrics().lockAcquired).toBe(1);
    expect(one.metrics().lockWaits + two.metrics().lockWaits).toBe(1);
    expect(await server.admin('EXISTS', `alpha:_l:${key}`)).toBe('0');
  });

  it('releases only its own lock: a lock taken over after expiry survives the first holder', async () => {
    const key = freshKey();
    const c = make();
    const loading = c.getOrLoad(
      key,
      async () => {
        await sleep(300);
        return 'slow';
      },
      { ttlSeconds: 30, lock: { ttlMs: 100, waitMs: 1000 } },
    );
    await sleep(200);
    // the first holder's lock expired; another instance took it
    expect(await server.admin('SET', `alpha:_l:${key}`, 'someone-else', 'PX', '10000', 'NX')).toBe('OK');
    expect(await loading).toBe('slow');
    expect(await server.admin('GET', `alpha:_l:${key}`)).toBe('someone-else');
  });

  it('bounds the wait for a lock holder that never delivers, then loads', async () => {
    const key = freshKey();
    const c = make();
    await server.admin('SET', `alpha:_l:${key}`, 'stuck-holder', 'PX', '60000');
    const started = Date.now();
    expect(await c.getOrLoad(key, async () => 'own', { ttlSeconds: 30, lock: { ttlMs: 1000, waitMs: 300 } })).toBe('own');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3000);
    expect(c.metrics()).toMatchObject({ lockWaits: 1, lockWaitTimeouts: 1, loads: 1 });
  });

  it('adapts to the Powertools idempotency client shape inside the keyspace', async () => {
    const idem = createIdempotencyClient(cache);
    expect(await idem.set('fn#abc', '{"status":"INPROGRESS"}', { EX: 60, NX: true })).toBe('OK');
    expect(await idem.set('fn#abc', '{"status":"INPROGRESS"}', { EX: 60, NX: true })).toBeNull();
    expect(await idem.get('fn#abc')).toBe('{"status":"INPROGRESS"}');
    expect(await idem.set('fn#abc', '{"status":"COMPLETED"}', { EX: 60 })).toBe('OK');
    expect(Number(await server.admin('TTL', 'alpha:_i:fn#abc'))).toBeGreaterThan(50);
    await idem.set('fn#def', 'x', { EX: 60 });
    expect(await idem.del(['fn#abc', 'fn#def', 'fn#none'])).toBe(2);
    expect(await idem.get('fn#abc')).toBeNull();
    expect(() => createIdempotencyClient({} as ServiceCache)).toThrow('must be a cache made by createServiceCache');
  });

  it('reports health and writes EMF metrics lines', async () => {
    const lines: string[] = [];
    const c = make({ metrics: { write: (l) => lines.push(l), flushIntervalMs: 0 } });
    const key = freshKey();
    await c.getOrLoad(key, async () => 1, { ttlSeconds: 30 });
    await c.getOrLoad(key, async () => 1, { ttlSeconds: 30 });
    const health = await c.checkHealth();
    expect(health).toMatchObject({ status: 'ok', circuit: 'closed', mode: 'standalone' });
    expect(health.pingMs).toBeGreaterThan(0);
    expect(lines).toHaveLength(0);
    const line = c.flushMetrics()!;
    expect(lines).toEqual([line]);
    expect(JSON.parse(line)).toMatchObject({ Keyspace: 'alpha', CacheHits: 1, CacheMisses: 1, CacheLoads: 1, CacheSecretFetches: 1 });
  });

  it('refuses programming errors instead of hiding them', async () => {
    await expect(cache.getOrLoad('_l:x', async () => 1, { ttlSeconds: 1 })).rejects.toThrow('invalid key "_l:x"');
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: 0 })).rejects.toThrow(
      'invalid getOrLoad options.ttlSeconds 0: must be a finite number > 0',
    );
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: 1, jitterRatio: 1 })).rejects.toThrow('must be below 1');
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: 1, namespace: 'a:b' })).rejects.toThrow(
      'invalid getOrLoad options.namespace "a:b"',
    );
    expect(() => createServiceCache({ commandTimeoutMs: -5 })).toThrow('invalid commandTimeoutMs -5: must be a finite number > 0');
  });

  it('returns values that cannot be stored, without storing them', async () => {
    const logger = memoryLogger();
    const c = make({ logger });
    const key = freshKey();
    expect(await c.getOrLoad(key, async () => ({ big: BigInt(1) }), { ttlSeconds: 30 })).toEqual({ big: BigInt(1) });
    expect(await server.admin('EXISTS', `alpha:${key}`)).toBe('0');
    expect(logger.lines.join('\n')).toContain('cannot be serialized as JSON');
  });
});
