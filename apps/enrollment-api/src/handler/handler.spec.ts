import { createServiceCache, staticSecretSource, type ServiceCache } from '@cache-platform/cache-client';
import { startRedis, type RedisServer } from '@cache-platform/cache-client/testing';
import manifestJson from '../../cache-service.json';
import { createHandler, type HandlerEvent, type Item } from './index';

// A real redis-server (TLS from a test CA, the same ACL rules ElastiCache gets for this service),
// reached through the same secret -> verified-TLS client path the Lambda uses.
describe('enrollment-api handler', () => {
  const user = 'enrollment-api-test';
  let redis: RedisServer;
  let cache: ServiceCache;
  const loads: string[] = [];
  const source = new Map<string, Item>();
  let handler: (event: HandlerEvent) => Promise<{ statusCode: number; body: string }>;

  beforeAll(async () => {
    redis = await startRedis({
      users: [{ name: user, keyspace: manifestJson.keyspace, passwords: ['enrollment-api-test-password-0123456789'] }],
    });
    cache = createServiceCache({
      secretSource: staticSecretSource(redis.secretFor(user, { clusterMode: false })),
      tls: { ca: redis.caPem },
      metrics: { enabled: false },
    });
    handler = createHandler(cache, async (id) => {
      loads.push(id);
      return source.get(id);
    });
  }, 30_000);
  afterAll(async () => {
    await cache?.close();
    await redis?.stop();
  });

  const get = (id?: string) => handler({ rawPath: '/', queryStringParameters: id ? { id } : null });

  it('reports the cache on the health path', async () => {
    const response = await handler({ rawPath: '/health' });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body.cache.status).toBe('ok');
    expect(body.cache.pingMs).toBeGreaterThanOrEqual(0);
  });

  it('loads once, then serves from the cache, keeping every key in the service keyspace', async () => {
    source.set('42', { id: '42', loadedAt: 'v1' });
    loads.length = 0;
    const first = await get('42');
    const second = await get('42');
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(second.body)).toEqual({ id: '42', loadedAt: 'v1' });
    expect(loads).toEqual(['42']);
    const keys = (await redis.admin('--scan', '--pattern', '*')).trim().split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith('enrollment-api:'))).toBe(true);
  });

  it('caches "not found" briefly instead of asking the source again', async () => {
    loads.length = 0;
    expect((await get('missing')).statusCode).toBe(404);
    expect((await get('missing')).statusCode).toBe(404);
    expect(loads).toEqual(['missing']);
  });

  it('reloads after an invalidation', async () => {
    source.set('7', { id: '7', loadedAt: 'v1' });
    await get('7');
    source.set('7', { id: '7', loadedAt: 'v2' });
    const deleted = await handler({ rawPath: '/', httpMethod: 'DELETE', queryStringParameters: { id: '7' } });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(JSON.parse((await get('7')).body).loadedAt).toBe('v2');
  });

  it('refuses a request without an id', async () => {
    expect((await get()).statusCode).toBe(400);
  });
});
