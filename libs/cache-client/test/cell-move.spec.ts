// A cell move under concurrent load. A service moved to another cell joins the new cell's user group,
// its secret is rewritten to name the new cache, and only then does it leave the old group, which
// ends its connections there: the reconnect to the old cache is refused (WRONGPASS: the user is gone)
// and the re-read secret names another host. Every request waiting for the old connection must move
// to the new one: none may answer from the loader, and the circuit must not open. (The day-two
// lifecycle test failed open ~3,800 requests here: the waiters failed together with the replaced
// client, five failures opened the circuit, and its cool-down skipped Redis for 5 s.)
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { createServiceCache, type ServiceCache } from '../src';
import { memoryLogger, mutableSecretSource, waitFor } from './helpers';
import {
  createTestTls,
  startRedis,
  startRedisCluster,
  testServerAccessString,
  type RedisServer,
  type TestServiceUser,
} from './redis-harness';

const USER: TestServiceUser = { name: 'svc-mover', keyspace: 'mover', passwords: ['mover-password-00000000001'] };
const CONCURRENCY = 16;
const MOVES = 8;

jest.setTimeout(120_000);

/** One cell's cache: one server, or every node of a cluster (ACL users are per node). */
interface Cell {
  readonly nodes: readonly RedisServer[];
  readonly caPem: string | undefined;
  secretFor(name: string): CacheSecretPayload;
  stop(): Promise<void>;
}

const everyNode = <T>(cell: Cell, fn: (node: RedisServer) => Promise<T>): Promise<T[]> => Promise.all(cell.nodes.map(fn));

const topologies: ReadonlyArray<[string, () => Promise<[Cell, Cell]>]> = [
  [
    'two TLS redis-servers',
    async () => {
      const tlsMaterial = await createTestTls();
      const servers = await Promise.all([startRedis({ tlsMaterial, users: [USER] }), startRedis({ tlsMaterial, users: [USER] })]);
      const cell = (server: RedisServer): Cell => ({
        nodes: [server],
        caPem: server.caPem,
        secretFor: (name) => server.secretFor(name),
        stop: () => server.stop(),
      });
      return [cell(servers[0]), cell(servers[1])];
    },
  ],
  [
    'two TLS clusters of 3 primaries (ElastiCache Serverless speaks cluster)',
    async () => {
      const tlsMaterial = await createTestTls();
      const [a, b] = await Promise.all([
        startRedisCluster({ tlsMaterial, users: [USER] }),
        startRedisCluster({ tlsMaterial, users: [USER] }),
      ]);
      return [a, b];
    },
  ],
];

describe.each(topologies)('cell moves under concurrent load (%s, one ACL user)', (_name, start) => {
  const cells: Cell[] = [];
  let cache: ServiceCache | undefined;

  beforeAll(async () => {
    cells.push(...(await start()));
  });
  afterAll(async () => {
    await cache?.close();
    await Promise.all(cells.map((cell) => cell.stop()));
  });

  it(`${MOVES} moves back and forth with ${CONCURRENCY} requests in flight: no answer from the loader, no circuit opening`, async () => {
    const [first, second] = cells as [Cell, Cell];
    const source = mutableSecretSource(first.secretFor(USER.name));
    const logger = memoryLogger();
    const c = createServiceCache({
      secretSource: source,
      tls: { ca: first.caPem },
      // generous: this test is about where waiting requests go, not about this machine's speed
      commandTimeoutMs: 2000,
      metrics: { enabled: false },
      logger,
    });
    cache = c;

    let stopped = false;
    let answered = 0;
    let wrong = 0;
    const loops = Array.from({ length: CONCURRENCY }, async (_, n) => {
      for (let round = 0; !stopped; round++) {
        const key = `item-${(n + round * CONCURRENCY) % 32}`;
        try {
          if ((await c.getOrLoad(key, async () => `value-of-${key}`, { ttlSeconds: 600 })) !== `value-of-${key}`) wrong++;
        } catch {
          wrong++;
        }
        answered++;
        if (round % 4 === 0) await new Promise((r) => setImmediate(r));
      }
    });
    const moreAnswers = async (what: string) => {
      const target = answered + 200;
      await waitFor(what, () => answered >= target);
    };

    try {
      await moreAnswers('requests before the first move');
      let from = first;
      let to = second;
      for (let move = 0; move < MOVES; move++) {
        // as ElastiCache applies it: join the new cell's group (the user exists there, same passwords) ...
        const joined = await everyNode(to, (node) =>
          node.admin(
            'ACL',
            'SETUSER',
            USER.name,
            'reset',
            ...testServerAccessString(USER).split(' '),
            ...USER.passwords.map((p) => `>${p}`),
          ),
        );
        expect(joined.every((reply) => reply === 'OK')).toBe(true);
        // ... the sync writes the secret that names the new cache ...
        source.set(to.secretFor(USER.name));
        await moreAnswers(`requests after the secret of move ${move + 1} names the new cell`);
        // ... and leaving the old group ends the user's connections there
        expect(await everyNode(from, (node) => node.admin('ACL', 'DELUSER', USER.name))).toEqual(from.nodes.map(() => '1'));
        await moreAnswers(`requests after move ${move + 1}`);
        [from, to] = [to, from];
      }
    } finally {
      stopped = true;
      await Promise.all(loops);
    }

    expect(wrong).toBe(0);
    const m = c.metrics();
    expect({
      failOpen: m.failOpen,
      errors: m.errors,
      circuitOpens: m.circuitOpens,
      circuitSkips: m.circuitSkips,
      timeouts: m.timeouts,
    }).toEqual({
      failOpen: 0,
      errors: 0,
      circuitOpens: 0,
      circuitSkips: 0,
      timeouts: 0,
    });
    // each move was noticed through a refused handshake and a re-read of the secret
    expect(m.authFailures).toBeGreaterThanOrEqual(MOVES);
    expect(m.secretFetches).toBeGreaterThanOrEqual(MOVES + 1);
    // the service ends on the cell of its last move (an even number of moves: where it started)
    const connectedTo = async (cell: Cell) =>
      (await everyNode(cell, (node) => node.admin('CLIENT', 'LIST')))
        .flatMap((list) => list.split('\n'))
        .filter((line) => line.includes(` user=${USER.name} `)).length;
    expect(await connectedTo(first)).toBeGreaterThanOrEqual(1);
    expect(logger.lines.join('\n')).not.toContain(USER.passwords[0]);
  });
});
