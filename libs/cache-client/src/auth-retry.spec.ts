// Command-level authentication failures (NOAUTH/WRONGPASS on an open connection) are hard to
// provoke on a real Redis (changed passwords do not affect authenticated connections; the real
// rotation path, a refused handshake, is covered in test/rotation.spec.ts). Here the connection is faked.
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import type { ConnectionPlan } from './connection-plan';
import type { ConnectionHooks, RedisHandle } from './redis-handle';
import { encodeEnvelope } from './envelope';
import { createServiceCache } from './service-cache';
import { exampleSecret, memoryLogger } from '../test/helpers';

type FakeHandle = RedisHandle & { dead: boolean; gets: string[]; hooks: ConnectionHooks };
const opened: FakeHandle[] = [];
const replies: Array<(handle: FakeHandle) => Promise<string | null>> = [];

// jest hoists this above the imports
jest.mock('./redis-handle', () => ({
  ...jest.requireActual('./redis-handle'),
  openRedis: (plan: ConnectionPlan, hooks: ConnectionHooks) => {
    const handle: FakeHandle = {
      mode: 'standalone' as const,
      plan,
      hooks,
      dead: false,
      gets: [] as string[],
      isReady: () => !handle.dead,
      waitReady: async () => undefined,
      claimDrop: () => true,
      get: (key: string) => {
        handle.gets.push(key);
        return replies.shift()!(handle);
      },
      set: async () => true,
      del: async () => 1,
      deleteIfEquals: async () => true,
      ping: async () => undefined,
      close: async () => undefined,
      retire: () => void (handle.dead = true),
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
  // that re-read found the version in hand (3 reads so far); the password really changes now, a
  // moment after the last change: the next refusal is held back only by the first short pause
  expect(fetches).toBe(3);
  await new Promise((r) => setTimeout(r, 150));
  current = { ...secret, password: 'third-password-00000003' };
  replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
  replies.push(async (handle) => {
    if ((await handle.hooks.credentials()).password !== current.password) throw new Error('WRONGPASS invalid username-password pair');
    return encodeEnvelope('after-third', Date.now() + 60_000);
  });
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('after-third');
  expect(fetches).toBe(4);
  expect(cache.metrics()).toMatchObject({ authFailures: 3, failOpen: 1 });
  await cache.close();
});

// issue 18, item 9: the re-read used to be allowed at most every 5 s, so a second rotation inside
// that window was answered from the loader until the window ended
it('picks up a second rotation right after a first one: the re-read that found a new version does not hold the next back', async () => {
  let current = secret;
  let fetches = 0;
  const cache = createServiceCache({
    secretSource: { name: 'test', fetch: async () => (fetches++, JSON.stringify(current)) },
    metrics: { enabled: false },
    logger: memoryLogger(),
  });
  replies.push(async () => encodeEnvelope('warm', Date.now() + 60_000));
  expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('warm');
  for (const [n, password] of ['second-password-0000002', 'third-password-00000003', 'fourth-password-0000004'].entries()) {
    current = { ...secret, password };
    replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
    // the retry is answered only on a connection that authenticates with the password now current
    replies.push(async (handle) => {
      if ((await handle.hooks.credentials()).password !== password) throw new Error('WRONGPASS invalid username-password pair');
      return encodeEnvelope(`after rotation ${n + 1}`, Date.now() + 60_000);
    });
    expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe(`after rotation ${n + 1}`);
  }
  expect(fetches).toBe(4);
  expect(cache.metrics()).toMatchObject({ authFailures: 3, secretFetches: 4, failOpen: 0, errors: 0 });
  await cache.close();
});

it('shares one secret re-read among concurrent requests refused at once (no stampede on Secrets Manager)', async () => {
  let current = secret;
  let fetches = 0;
  const cache = createServiceCache({
    secretSource: {
      name: 'test',
      fetch: async () => {
        fetches++;
        await new Promise((r) => setTimeout(r, 30)); // a real call takes a while: every refusal arrives meanwhile
        return JSON.stringify(current);
      },
    },
    metrics: { enabled: false },
    logger: memoryLogger(),
  });
  const first = opened.length;
  await cache.checkHealth(); // connects
  current = { ...secret, password: 'second-password-0000002' };
  for (let i = 0; i < 20; i++)
    replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
  for (let i = 0; i < 20; i++)
    replies.push(async (handle) => {
      if ((await handle.hooks.credentials()).password !== current.password) throw new Error('WRONGPASS invalid username-password pair');
      return encodeEnvelope('after-retry', Date.now() + 60_000);
    });
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) => cache.getOrLoad(`k${i}`, async () => 'loader', { ttlSeconds: 60 })),
  );
  expect(answers).toEqual(Array.from({ length: 20 }, () => 'after-retry'));
  // the first read and one re-read for all 20 refusals; one new connection for all their retries
  expect(fetches).toBe(2);
  expect(opened.length - first).toBe(2);
  expect(cache.metrics()).toMatchObject({ authFailures: 20, secretFetches: 2, failOpen: 0, hits: 20 });
  await cache.close();
});

it('keeps re-reads of an unchanged secret few while every command is refused (a password that really is wrong)', async () => {
  let fetches = 0;
  const cache = createServiceCache({
    secretSource: { name: 'test', fetch: async () => (fetches++, JSON.stringify(secret)) },
    // a circuit that never opens: only the re-read pacing holds Secrets Manager calls back here
    circuit: { failureThreshold: 1_000_000 },
    metrics: { enabled: false },
    logger: memoryLogger(),
  });
  await cache.checkHealth();
  const started = performance.now();
  let requests = 0;
  while (performance.now() - started < 1000) {
    replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
    replies.push(() => Promise.reject(new Error('WRONGPASS invalid username-password pair or user is disabled.')));
    expect(await cache.getOrLoad('k', async () => 'loader', { ttlSeconds: 60 })).toBe('loader');
    requests++;
    await new Promise((r) => setTimeout(r, 2));
  }
  replies.length = 0;
  // re-reads 100, 200, 400 ms apart from the first: at most 5 in a second (plus the first read), for
  // hundreds of refused requests
  expect(requests).toBeGreaterThan(100);
  expect(fetches).toBeGreaterThanOrEqual(4);
  expect(fetches).toBeLessThanOrEqual(6);
  expect(cache.metrics().authFailures).toBe(requests);
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
