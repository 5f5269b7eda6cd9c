import { createClient } from '@redis/client';
import { createIdempotencyClient, createServiceCache, staticSecretSource, type ServiceCache } from '../src';
import { memoryLogger, waitFor } from './helpers';
import { startRedisCluster, type RedisClusterHandle } from './redis-harness';

const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
// commands that carry no key (connection set-up, discovery, health)
const KEYLESS = new Set(['AUTH', 'HELLO', 'PING', 'CLUSTER', 'CLIENT', 'READONLY', 'SELECT', 'INFO', 'COMMAND', 'QUIT']);

/** Splits a MONITOR line (`<ts> [<db> <addr>] "CMD" "arg" ...`) into its unescaped arguments. */
function parseMonitorLine(line: string): string[] {
  const args: string[] = [];
  for (const [, quoted] of line.matchAll(/"((?:\\.|[^"\\])*)"/g)) {
    args.push(
      quoted!.replace(/\\x([0-9a-f]{2})|\\(.)/gi, (_m, hex: string | undefined, ch: string | undefined) =>
        hex ? String.fromCharCode(parseInt(hex, 16)) : ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch === 't' ? '\t' : ch!,
      ),
    );
  }
  return args;
}

describe('cluster mode on a local Redis Cluster (3 primaries, TLS, ACL users from the contract)', () => {
  let cluster: RedisClusterHandle;
  let cache: ServiceCache | undefined;
  const admins: Array<{ isOpen: boolean; destroy(): void }> = [];

  beforeAll(async () => {
    cluster = await startRedisCluster({ users: [USER] });
  });
  afterAll(async () => {
    for (const a of admins) if (a.isOpen) a.destroy();
    await cache?.close();
    await cluster?.stop();
  });

  it('reads and writes through the keyspace prefix, and no helper sends a multi-key command', async () => {
    // watch every command every node receives
    const seen: string[][] = [];
    for (const node of cluster.nodes) {
      const admin = createClient({
        RESP: 2,
        disableClientInfo: true,
        socket: { host: '127.0.0.1', port: node.port },
        username: 'admin',
        password: node.adminPassword,
      });
      admin.on('error', () => undefined);
      admins.push(admin);
      await admin.connect();
      await admin.monitor((line: string) => seen.push(parseMonitorLine(line)));
    }

    cache = createServiceCache({
      secretSource: staticSecretSource(cluster.secretFor(USER.name)),
      tls: { ca: cluster.caPem },
      commandTimeoutMs: 1000,
      metrics: { enabled: false },
      logger: memoryLogger(),
    });
    const c = cache;
    expect(await c.checkHealth()).toMatchObject({ status: 'ok', mode: 'cluster' });

    // every helper, over keys that land on different slots and nodes
    const keys = Array.from({ length: 30 }, (_, i) => `product:${i}`);
    for (const key of keys) expect(await c.getOrLoad(key, async () => ({ key }), { ttlSeconds: 60 })).toEqual({ key });
    for (const key of keys) expect(await c.getOrLoad(key, async () => ({ key: 'reloaded' }), { ttlSeconds: 60 })).toEqual({ key });
    for (const key of keys.slice(0, 5)) {
      await c.getOrLoad(key, async () => 'ns', { ttlSeconds: 60, namespace: 'catalog', lock: { ttlMs: 1000, waitMs: 500 } });
    }
    await c.bumpNamespace('catalog');
    await c.getOrLoad('product:0', async () => 'ns2', { ttlSeconds: 60, namespace: 'catalog' });
    await c.invalidate('product:1');
    await c.invalidate('product:2', { namespace: 'catalog' });
    await c.getOrLoad('swr', async () => 'v1', { ttlSeconds: 0.05, staleWhileRevalidateSeconds: 30, jitterRatio: 0 });
    await new Promise((r) => setTimeout(r, 100));
    await c.getOrLoad('swr', async () => 'v2', { ttlSeconds: 0.05, staleWhileRevalidateSeconds: 30, jitterRatio: 0 });
    await waitFor('the background refresh', () => c.metrics().loads >= 30 + 5 + 1 + 2);
    const idem = createIdempotencyClient(c);
    for (const k of ['a', 'b', 'c']) await idem.set(`fn#${k}`, '{}', { EX: 60, NX: true });
    expect(await idem.del(['fn#a', 'fn#b', 'fn#c'])).toBe(3);
    expect(c.metrics()).toMatchObject({ errors: 0, failOpen: 0, hits: 30 });
    // stop watching before the test's own admin commands
    await new Promise((r) => setTimeout(r, 100));
    for (const a of admins) a.destroy();

    // the data is spread over the nodes, all of it under the prefix
    const perNode = await Promise.all(cluster.nodes.map((n) => n.admin('--raw', 'KEYS', '*')));
    const stored = perNode.flatMap((out) => out.split('\n').filter(Boolean));
    expect(perNode.filter((out) => out.trim() !== '').length).toBeGreaterThanOrEqual(2);
    expect(stored.length).toBeGreaterThan(30);
    for (const key of stored) expect(key.startsWith('alpha:')).toBe(true);

    const commands = seen.filter((args) => args.length > 0 && !KEYLESS.has(args[0]!.toUpperCase()));
    expect(commands.length).toBeGreaterThan(60);
    const probe = createClient({
      RESP: 2,
      disableClientInfo: true,
      socket: { host: '127.0.0.1', port: cluster.nodes[0]!.port },
      username: 'admin',
      password: cluster.nodes[0]!.adminPassword,
    });
    admins.push(probe);
    await probe.connect();
    const names = new Set<string>();
    for (const args of commands) {
      names.add(args[0]!.toUpperCase());
      const commandKeys = (await probe
        .commandGetKeys(args)
        .catch((e: Error) => [`${e.message}: ${JSON.stringify(args.slice(0, 3))}`])) as string[];
      expect({ command: args.slice(0, 3), keys: commandKeys.length }).toEqual({ command: args.slice(0, 3), keys: 1 });
      expect(commandKeys[0]).toMatch(/^alpha:/);
    }
    expect([...names].sort()).toEqual(['DEL', 'EVAL', 'GET', 'SET']);

    // the control: the same cluster does refuse a cross-slot command
    expect(await cluster.nodes[0]!.admin('MGET', 'alpha:product:0', 'alpha:product:1')).toMatch(/CROSSSLOT/);
  });
});
