// Command-level authentication failures (NOAUTH/WRONGPASS on an open connection) are hard to
// provoke on a real Redis (changed passwords do not affect authenticated connections; the real
// rotation path, a refused handshake, is covered in test/rotation.spec.ts). Here the connection is faked.
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { memoryLogger } from '../test/helpers';
import type { ConnectionPlan, RedisHandle } from './connection';
import { encodeEnvelope } from './envelope';
import { createServiceCache } from './service-cache';

const opened: Array<RedisHandle & { gets: string[] }> = [];
const replies: Array<() => Promise<string | null>> = [];

// jest hoists this above the imports
jest.mock('./connection', () => ({
  ...jest.requireActual('./connection'),
  openRedis: (plan: ConnectionPlan) => {
    const handle = {
      mode: 'standalone' as const,
      plan,
      dead: false,
      gets: [] as string[],
      isReady: () => !handle.dead,
      waitReady: async () => undefined,
      get: (key: string) => {
        handle.gets.push(key);
        return replies.shift()!();
      },
      set: async () => true,
      del: async () => 1,
      deleteIfEquals: async () => true,
      ping: async () => undefined,
      close: async () => undefined,
      destroy: () => void (handle.dead = true),
    };
    opened.push(handle);
    return handle;
  },
}));

const secret: CacheSecretPayload = {
  schemaVersion: 1,
  host: 'cache.example.internal',
  port: 6379,
  username: 'orders-api-dev',
  password: 'first-password-00000001',
  keyspace: 'orders',
  tls: true,
  authMode: 'password',
  cacheName: 'c',
  user_arn: 'arn:aws:elasticache:eu-west-1:1:user:orders-api-dev',
  clusterMode: false,
};

it('re-reads the secret, reconnects and retries once when a command is refused for authentication', async () => {
  let current = secret;
  let fetches = 0;
  const cache = createServiceCache({
    secretSource: { name: 'test', fetch: async () => (fetches++, JSON.stringify(current)) },
    metrics: { enabled: false },
    logger: memoryLogger(),
  });
  replies.push(async () => encodeEnvelope('warm', Date.now() + 60_000));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('warm');

  current = { ...secret, password: 'second-password-0000002' };
  replies.push(() => Promise.reject(new Error('NOAUTH Authentication required.')));
  replies.push(async () => encodeEnvelope('after-retry', Date.now() + 60_000));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('after-retry');

  expect(fetches).toBe(2);
  expect(opened).toHaveLength(2);
  expect(opened[0]!.dead).toBe(true);
  expect(opened[1]!.gets).toEqual(['k']);
  expect(cache.metrics()).toMatchObject({ authFailures: 1, failOpen: 0, errors: 0, hits: 2 });

  // a second refusal right away: the retry happens once, then the loader answers
  replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
  replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('loader');
  expect(cache.metrics()).toMatchObject({ authFailures: 2, failOpen: 1 });
  await cache.close();
});
