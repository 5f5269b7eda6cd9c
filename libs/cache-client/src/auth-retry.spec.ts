// Command-level authentication failures (NOAUTH/WRONGPASS on an open connection) are hard to
// provoke on a real Redis (changed passwords do not affect authenticated connections; the real
// rotation path, a refused handshake, is covered in test/rotation.spec.ts). Here the connection is faked.
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import type { ConnectionPlan, RedisHandle } from './connection';
import { encodeEnvelope } from './envelope';
import { createServiceCache } from './service-cache';
import { exampleSecret, memoryLogger } from '../test/helpers';

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
      claimDrop: () => true,
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

const secret: CacheSecretPayload = exampleSecret({
  password: 'first-password-00000001',
  cacheName: 'c',
  user_arn: 'arn:aws:elasticache:eu-west-1:1:user:orders-api-dev',
  clusterMode: false,
});

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

it('answers from the loader within the budget while the secret re-read is slow; the re-read finishes in the background', async () => {
  let current = secret;
  let fetches = 0;
  let releaseRefresh!: () => void;
  // held until the test releases it (or 3 s pass, so a request that waits for it fails the time bound)
  const refreshGate = new Promise<void>((resolve) => {
    releaseRefresh = resolve;
    setTimeout(resolve, 3000).unref();
  });
  const cache = createServiceCache({
    secretSource: {
      name: 'test',
      fetch: async (force) => {
        fetches++;
        if (force) await refreshGate; // a Secrets Manager call taking seconds (SDK retries, throttling)
        return JSON.stringify(current);
      },
    },
    commandTimeoutMs: 200,
    metrics: { enabled: false },
    logger: memoryLogger(),
  });
  const first = opened.length;
  replies.push(async () => encodeEnvelope('warm', Date.now() + 60_000));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('warm');

  current = { ...secret, password: 'second-password-0000002' };
  replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
  const started = performance.now();
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('loader');
  const took = performance.now() - started;
  // a second refusal meanwhile shares the re-read in progress: no second Secrets Manager call
  replies.push(() => Promise.reject(new Error('NOAUTH Authentication required.')));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('loader');
  expect(took).toBeLessThan(200 + 800);
  expect(fetches).toBe(2);
  expect(cache.metrics()).toMatchObject({ authFailures: 2, failOpen: 2, timeouts: 2 });

  // the re-read completes after the requests answered; settle() waits for it
  releaseRefresh();
  await cache.settle(5000);
  expect(opened[first]!.dead).toBe(true);
  replies.push(async () => encodeEnvelope('after-refresh', Date.now() + 60_000));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('after-refresh');
  expect(opened.length - first).toBe(2);
  expect(fetches).toBe(2);
  await cache.close();
});
