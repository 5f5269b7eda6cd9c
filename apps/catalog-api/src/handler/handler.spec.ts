import { createServiceCache, staticSecretSource, type ServiceCache } from '@cache-platform/cache-client';
import { startRedis, type RedisServer } from '@cache-platform/cache-client/testing';
import manifestJson from '../../cache-service.json';
import { createHandler, type HandlerEvent } from './index';

// A real redis-server (TLS from a test CA, the same ACL rules ElastiCache gets for this service),
// reached through the same secret -> verified-TLS client path the Lambda uses.
describe('catalog-api handler', () => {
  const user = 'catalog-api-test';
  let redis: RedisServer;
  let cache: ServiceCache;
  let loads = 0;
  const handler = () =>
    createHandler(cache, async (id) => {
      loads++;
      return { id, loadedAt: 'source' };
    });

  beforeAll(async () => {
    redis = await startRedis({
      users: [{ name: user, keyspace: manifestJson.keyspace, passwords: ['catalog-api-test-password-0123456789'] }],
    });
    cache = createServiceCache({
      secretSource: staticSecretSource(redis.secretFor(user, { clusterMode: false })),
      tls: { ca: redis.caPem },
      metrics: { enabled: false },
    });
  }, 30_000);
  afterAll(async () => {
    await cache?.close();
    await redis?.stop();
  });

  const call = (event: HandlerEvent) => handler()(event);

  it('reports the cache on the health path', async () => {
    const response = await call({ rawPath: '/health' });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body.cache.status).toBe('ok');
    expect(body.cache.pingMs).toBeGreaterThanOrEqual(0);
  });

  it('loads once, then serves from the cache under the service keyspace', async () => {
    loads = 0;
    const first = await call({ rawPath: '/', queryStringParameters: { id: '42' } });
    const second = await call({ rawPath: '/', queryStringParameters: { id: '42' } });
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(second.body)).toEqual(JSON.parse(first.body));
    expect(loads).toBe(1);
    const keys = await redis.admin('--scan', '--pattern', '*');
    expect(
      keys
        .trim()
        .split('\n')
        .filter(Boolean)
        .every((key) => key.startsWith('catalog:')),
    ).toBe(true);
  });

  it('refuses a request without an id', async () => {
    expect((await call({ rawPath: '/' })).statusCode).toBe(400);
  });
});
