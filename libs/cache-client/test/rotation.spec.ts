import { createServiceCache, type ServiceCache } from '../src';
import { memoryLogger, mutableSecretSource, waitFor } from './helpers';
import { startRedis, type RedisServer } from './redis-harness';

const OLD = 'alpha-password-old-000001';
const NEW = 'alpha-password-new-000002';
const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: [OLD] };

describe('password rotation on a real redis-server', () => {
  let server: RedisServer;
  let cache: ServiceCache | undefined;

  beforeAll(async () => {
    server = await startRedis({ users: [USER] });
  });
  afterAll(async () => {
    await cache?.close();
    await server?.stop();
  });

  it('serves every request through add-second-password, switch-secret, remove-old, and reconnects with the new one', async () => {
    const source = mutableSecretSource(server.secretFor(USER.name));
    const logger = memoryLogger();
    cache = createServiceCache({
      secretSource: source,
      tls: { ca: server.caPem },
      commandTimeoutMs: 500,
      metrics: { enabled: false },
      logger,
    });
    const c = cache;

    let failed = 0;
    let served = 0;
    let stopped = false;
    const loop = (async () => {
      for (let i = 0; !stopped; i++) {
        const key = `item-${i % 5}`;
        try {
          if ((await c.getOrLoad(key, async () => `value-of-${key}`, { ttlSeconds: 60 })) !== `value-of-${key}`) failed++;
        } catch {
          failed++;
        }
        served++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const step = async () => {
      const target = served + 10;
      await waitFor('requests between steps', () => served >= target);
    };

    await step();
    // the rotation, as the Secrets Manager rotation function does it
    await server.setUserPasswords(USER.name, [OLD, NEW]);
    await step();
    source.set(server.secretFor(USER.name, { password: NEW }));
    await step();
    await server.setUserPasswords(USER.name, [NEW]);
    await step();
    // nothing so far needed the cache to notice: its connection stayed authenticated
    expect(c.metrics()).toMatchObject({ failOpen: 0, errors: 0, authFailures: 0, secretFetches: 1 });

    // the connection drops (node replaced, idle timeout...): the reconnect must pick up the new password
    expect(Number(await server.admin('CLIENT', 'KILL', 'USER', USER.name))).toBeGreaterThanOrEqual(1);
    const hitsBefore = c.metrics().hits;
    await waitFor('hits on a re-authenticated connection', () => c.metrics().hits > hitsBefore + 10);
    stopped = true;
    await loop;

    expect(failed).toBe(0);
    const m = c.metrics();
    expect(m.authFailures).toBeGreaterThanOrEqual(1);
    expect(m.secretFetches).toBe(2);
    // at most the request in flight when the connection dropped went to the loader
    expect(m.failOpen).toBeLessThanOrEqual(2);
    expect(await c.checkHealth()).toMatchObject({ status: 'ok', circuit: 'closed' });
    // the server only knows the new password now, so the live connection proves it was used
    expect(await server.admin('ACL', 'GETUSER', USER.name)).not.toContain(OLD);
    expect(logger.lines.join('\n')).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  });
});
