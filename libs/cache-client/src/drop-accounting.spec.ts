// How a dropped connection is counted, with a fake connection (the real-Redis behaviour is in
// test/drops.spec.ts): every command in flight fails at once; that is one event for the circuit.
import { ClientOfflineError, SocketClosedUnexpectedlyError } from '@redis/client';
import type { ConnectionPlan } from './connection-plan';
import type { RedisHandle } from './redis-handle';
import { encodeEnvelope } from './envelope';
import { staticSecretSource } from './secret';
import { createServiceCache } from './service-cache';
import { exampleSecret, memoryLogger } from '../test/helpers';

interface FakeHandle extends RedisHandle {
  /** the connection drops: every pending command fails with it, and a new loss begins */
  drop(error?: Error): void;
  sets: number;
}

const handles: FakeHandle[] = [];

// jest hoists this above the imports
jest.mock('./redis-handle', () => ({
  ...jest.requireActual('./redis-handle'),
  openRedis: (plan: ConnectionPlan) => {
    let losses = 0;
    let claimed = 0;
    let pending: Array<(error: Error) => void> = [];
    const hang = <T>() => new Promise<T>((_resolve, reject) => pending.push(reject));
    const handle: FakeHandle = {
      mode: 'standalone',
      plan,
      dead: false,
      sets: 0,
      isReady: () => true,
      waitReady: async () => undefined,
      claimDrop: () => (claimed === losses ? false : ((claimed = losses), true)),
      // reads hang until the drop; after it they answer (the reconnected connection)
      get: (key: string) =>
        losses === 0 ? hang<string | null>() : Promise.resolve(encodeEnvelope(`value of ${key}`, Date.now() + 60_000)),
      set: () => {
        handle.sets++;
        return hang<boolean>();
      },
      del: () => hang<number>(),
      deleteIfEquals: async () => true,
      ping: async () => undefined,
      close: async () => undefined,
      retire: () => undefined,
      destroy: () => undefined,
      drop: (error = new SocketClosedUnexpectedlyError()) => {
        losses++;
        const failing = pending;
        pending = [];
        for (const reject of failing) reject(error);
      },
    };
    handles.push(handle);
    return handle;
  },
}));

const make = () =>
  createServiceCache({
    secretSource: staticSecretSource(exampleSecret({ clusterMode: false })),
    commandTimeoutMs: 5000,
    circuit: { failureThreshold: 3 },
    metrics: { enabled: false },
    logger: memoryLogger(),
  });

it('counts one drop for 16 reads in flight, retries each once, and answers all of them from Redis', async () => {
  const cache = make();
  await cache.checkHealth(); // connects
  const handle = handles.at(-1)!;
  const reads = Array.from({ length: 16 }, (_, i) => cache.getOrLoad(`k${i}`, async () => 'from the loader', { ttlSeconds: 60 }));
  await new Promise((r) => setImmediate(r));
  handle.drop();
  expect(await Promise.all(reads)).toEqual(Array.from({ length: 16 }, (_, i) => `value of k${i}`));
  expect(cache.metrics()).toMatchObject({ connectionDrops: 1, dropRetries: 16, hits: 16, failOpen: 0, errors: 0, circuitOpens: 0 });
});

it('does not retry writes after a drop (they may have been applied), and counts the drop once toward the circuit', async () => {
  const cache = make();
  await cache.checkHealth();
  const handle = handles.at(-1)!;
  // eight namespace bumps (SET) in flight, with a circuit that opens at 3 consecutive failures
  const bumps = Array.from({ length: 8 }, (_, i) => cache.bumpNamespace(`ns${i}`));
  await new Promise((r) => setImmediate(r));
  handle.drop(new ClientOfflineError());
  await Promise.all(bumps);
  expect(handle.sets).toBe(8);
  expect(cache.metrics()).toMatchObject({ connectionDrops: 1, dropRetries: 0, errors: 8, circuitOpens: 0 });
  expect((await cache.checkHealth()).circuit).toBe('closed');
});
