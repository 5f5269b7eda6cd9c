// Dual read during a cutover, on two real TLS redis-servers: the service's new cache (its own ACL
// user and keyspace) and the legacy Redis it used before (one broad user, reached through a URL).
import { createServiceCache, legacyReadFromEnv, staticSecretSource, type LegacyReadOptions, type ServiceCache } from '../src';
import { memoryLogger } from './helpers';
import { startRedis, type RedisServer } from './redis-harness';

const USER = { name: 'svc-products', keyspace: 'products', passwords: ['products-password-000000001'] };

describe('dual read: new cache first, legacy Redis on a miss', () => {
  let fresh: RedisServer;
  let legacy: RedisServer;
  const caches: ServiceCache[] = [];
  let switchOn = true;
  let keyN = 0;
  const key = () => `product:${++keyN}`;

  /** The legacy URL as the old service had it: the broad user's credentials in a rediss:// URL. */
  const legacyUrl = () => `rediss://admin:${encodeURIComponent(legacy.adminPassword)}@127.0.0.1:${legacy.tlsPort}`;
  const make = (legacyRead: Partial<LegacyReadOptions> = {}) => {
    const logger = memoryLogger();
    const cache = createServiceCache({
      secretSource: staticSecretSource(fresh.secretFor(USER.name)),
      tls: { ca: fresh.caPem },
      metrics: { enabled: false },
      logger,
      commandTimeoutMs: 1000,
      legacyRead: { url: legacyUrl(), tls: { ca: legacy.caPem }, enabled: () => switchOn, timeoutMs: 1000, ...legacyRead },
    });
    caches.push(cache);
    return { cache, logger };
  };
  /** GET calls the legacy server has answered so far. */
  const legacyGets = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await legacy.admin('INFO', 'commandstats'))?.[1] ?? 0);

  beforeAll(async () => {
    [fresh, legacy] = await Promise.all([startRedis({ users: [USER] }), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await Promise.all([fresh?.stop(), legacy?.stop()]);
  });
  beforeEach(() => {
    switchOn = true;
  });

  it('serves a key found only in the legacy Redis once from there, then from the new cache', async () => {
    const { cache, logger } = make();
    const k = key();
    await legacy.admin('SET', k, JSON.stringify({ id: k, name: 'from legacy' }));
    const loader = jest.fn(async () => ({ id: k, name: 'from the source' }));

    expect(await cache.getOrLoad(k, loader, { ttlSeconds: 300 })).toEqual({ id: k, name: 'from legacy' });
    expect(loader).not.toHaveBeenCalled();
    expect(cache.metrics()).toMatchObject({ misses: 1, legacyHits: 1, hits: 0, legacyErrors: 0 });
    // written to the new cache under the service's keyspace, with the TTL asked for
    expect(JSON.parse(await fresh.admin('GET', `products:${k}`))).toMatchObject({ v: { id: k, name: 'from legacy' } });
    expect(Number(await fresh.admin('PTTL', `products:${k}`))).toBeGreaterThan(200_000);
    expect(logger.lines.join('\n')).toContain('"servedBy":"legacy"');

    const getsBefore = await legacyGets();
    expect(await cache.getOrLoad(k, loader, { ttlSeconds: 300 })).toEqual({ id: k, name: 'from legacy' });
    expect(cache.metrics()).toMatchObject({ hits: 1, legacyHits: 1 });
    // the second read never reached the legacy Redis
    expect(await legacyGets()).toBe(getsBefore);
    expect(loader).not.toHaveBeenCalled();
  });

  it('writes only to the new cache: a key in neither is loaded and stored in the new one, never in the legacy one', async () => {
    const { cache } = make();
    const k = key();
    expect(await cache.getOrLoad(k, async () => 'loaded', { ttlSeconds: 60 })).toBe('loaded');
    expect(cache.metrics()).toMatchObject({ misses: 1, loads: 1, legacyHits: 0 });
    expect(await fresh.admin('EXISTS', `products:${k}`)).toBe('1');
    expect(await legacy.admin('EXISTS', k)).toBe('0');
    expect(await legacy.admin('EXISTS', `products:${k}`)).toBe('0');
  });

  it('the switch off stops legacy reads: the loader answers and the legacy Redis sees no GET', async () => {
    const { cache } = make();
    const k = key();
    await legacy.admin('SET', k, JSON.stringify('from legacy'));
    switchOn = false;
    const getsBefore = await legacyGets();
    expect(await cache.getOrLoad(k, async () => 'from the source', { ttlSeconds: 60 })).toBe('from the source');
    expect(await legacyGets()).toBe(getsBefore);
    expect(cache.metrics()).toMatchObject({ legacyHits: 0, loads: 1 });
    // and back on for a key the new cache does not hold yet
    switchOn = true;
    const k2 = key();
    await legacy.admin('SET', k2, JSON.stringify('legacy again'));
    expect(await cache.getOrLoad(k2, async () => 'from the source', { ttlSeconds: 60 })).toBe('legacy again');
  });

  it('keeps TLS verified: a legacy server whose certificate is not trusted is never read, the loader answers', async () => {
    // no CA given: Node's root CAs do not trust the test CA, so the handshake must fail
    const { cache, logger } = make({ tls: undefined });
    const k = key();
    await legacy.admin('SET', k, JSON.stringify('must not be served'));
    expect(await cache.getOrLoad(k, async () => 'from the source', { ttlSeconds: 60 })).toBe('from the source');
    expect(cache.metrics()).toMatchObject({ legacyHits: 0, legacyErrors: 1, loads: 1 });
    const warning = logger.lines.find((l) => l.startsWith('legacy redis read failed'))!;
    expect(warning).toMatch(/certificate|self.signed|CERT/i);
    // the URL's password never reaches the logs
    expect(logger.lines.join('\n')).not.toContain(legacy.adminPassword);
  });

  it('a legacy Redis that is down costs one bounded wait per miss, and the loader answers', async () => {
    const { cache } = make({ url: 'rediss://admin:x@127.0.0.1:1', timeoutMs: 200 });
    const started = Date.now();
    expect(await cache.getOrLoad(key(), async () => 'from the source', { ttlSeconds: 60 })).toBe('from the source');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(cache.metrics()).toMatchObject({ legacyErrors: 1, loads: 1 });
  });
});

describe('legacyReadFromEnv', () => {
  it('reads the old configuration: REDIS_URL, or host, port, user and password', () => {
    expect(legacyReadFromEnv({})).toBeUndefined();
    expect(legacyReadFromEnv({ REDIS_URL: 'rediss://u:p@old.example:6379' })!.url).toBe('rediss://u:p@old.example:6379');
    expect(legacyReadFromEnv({ REDIS_HOST: 'old.example', REDIS_PASSWORD: 'p@ss', REDIS_USERNAME: 'app' })!.url).toBe(
      'rediss://app:p%40ss@old.example:6379',
    );
    expect(legacyReadFromEnv({ REDIS_HOST: 'old.example', REDIS_PORT: '6380', REDIS_TLS: 'false' })!.url).toBe('redis://old.example:6380');
  });

  it('CACHE_LEGACY_READ=off is the switch, read on every read', () => {
    const env: NodeJS.ProcessEnv = { REDIS_URL: 'rediss://old.example:6379' };
    const options = legacyReadFromEnv(env)!;
    const enabled = options.enabled as () => boolean;
    expect(enabled()).toBe(true);
    env['CACHE_LEGACY_READ'] = 'off';
    expect(enabled()).toBe(false);
  });

  it('refuses a URL that is not redis:// or rediss://, without showing its password', () => {
    expect(() => createServiceCache({ legacyRead: { url: 'http://u:secret@old.example' } })).toThrow(
      'invalid legacyRead.url "http://old.example": must be a redis:// or rediss:// URL',
    );
  });
});
