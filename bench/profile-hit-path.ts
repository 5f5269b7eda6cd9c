// Profiles the 32-concurrent hit path (docs/benchmarks.md, "where the time goes"): cache-client
// getOrLoad or the tuned raw client for a fixed time against a local TLS redis-server.
// Modes: cache-client | raw (a fixed-time run, for the profiler), ab (median ratio), layers (CPU per
// request layer by layer).
// Run: node --cpu-prof --cpu-prof-dir=/tmp/prof -r @swc-node/register bench/profile-hit-path.ts cache-client|raw
// then summarise the .cpuprofile by self time (bench/profile-summary.mjs).
import { createServiceCache, staticSecretSource } from '../libs/cache-client/src';
import { startRedis } from '../libs/cache-client/test/redis-harness';
import { decodeEnvelope } from '../libs/cache-client/src/envelope';
import { BENCH_USER, connectRawClient } from './raw-client';

/** what the `layers` mode calls below getOrLoad (CacheConnection's handle and read) */
interface InternalConnection {
  handle: { get(key: string): Promise<string | null> };
  read<R>(key: string, onValue: (raw: string | null) => R, onFailure: (error: unknown) => R | Promise<R>): Promise<R>;
}

const USER = BENCH_USER;
const KEYS = 100;
const CONCURRENCY = 32;
const DURATION_MS = Number(process.env['PROFILE_MS'] ?? 5000);
const record = (i: number) => ({ id: `product-${i}`, name: `Product number ${i}`, price: 1999 + i, description: 'x'.repeat(800) });

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'cache-client';
  const server = await startRedis({ users: [USER] });
  try {
    const raw = await connectRawClient(server, true);
    const cache = createServiceCache({
      secretSource: staticSecretSource(server.secretFor(USER.name)),
      tls: { ca: server.caPem },
      metrics: { enabled: false },
    });
    for (let i = 0; i < KEYS; i++) {
      await raw.set(`raw:${i}`, JSON.stringify(record(i)));
      await cache.getOrLoad(`cc:${i}`, async () => record(i), { ttlSeconds: 3600 });
    }
    const never = async (): Promise<never> => {
      throw new Error('missed');
    };
    const rawOp = async (i: number) => JSON.parse((await raw.get(`raw:${i}`)) ?? 'null');
    const ccOp = (i: number) => cache.getOrLoad(`cc:${i}`, never, { ttlSeconds: 3600 });
    /** `fn` from CONCURRENCY loops for `ms`: requests done, wall time, and this process's CPU time */
    const slice = async (fn: (i: number) => Promise<unknown>, ms: number) => {
      let n = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      const end = started + ms;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < end) await fn(n++ % KEYS);
        }),
      );
      const used = process.cpuUsage(cpu);
      return { n, ms: performance.now() - started, cpuUs: used.user + used.system };
    };
    const rate = async (fn: (i: number) => Promise<unknown>, ms: number) => {
      const done = await slice(fn, ms);
      return (done.n / done.ms) * 1000;
    };
    if (which === 'ab') {
      // interleaved 200 ms slices of both, median ratio: the quick side-by-side check while changing the hot path
      await rate(rawOp, 300);
      await rate(ccOp, 300);
      const ratios: number[] = [];
      for (let round = 0; round < Number(process.env['AB_ROUNDS'] ?? 20); round++) {
        // who goes first alternates, so drift within a round does not favour one side
        const first = round % 2 === 0;
        const c1 = first ? await rate(ccOp, 200) : 0;
        const r = await rate(rawOp, 200);
        const c = first ? c1 : await rate(ccOp, 200);
        ratios.push(c / r);
      }
      ratios.sort((a, b) => a - b);
      console.log(
        `cache-client / tuned raw at ${CONCURRENCY} concurrent: median ${ratios[ratios.length >> 1]!.toFixed(3)} (min ${ratios[0]!.toFixed(3)}, max ${ratios[ratios.length - 1]!.toFixed(3)})`,
      );
    } else if (which === 'layers') {
      // the hit path layer by layer, CPU per request of this process summed over interleaved slices:
      // the bare handle (sendCommand + envelope decode), + the connection's read (circuit, budget, retries),
      // + getOrLoad (options, metrics, freshness). Reaches into the cache's internals: a measuring tool only.
      const connection = (cache as unknown as { connection: InternalConnection }).connection;
      const layers: Record<string, (i: number) => Promise<unknown>> = {
        'raw-tuned': rawOp,
        handle: (i) => connection.handle.get(`cc:${i}`).then((r) => decodeEnvelope(r)?.value),
        'connection.read': (i) => connection.read(`cc:${i}`, (r) => decodeEnvelope(r)?.value, never),
        getOrLoad: ccOp,
      };
      const totals = Object.fromEntries(Object.keys(layers).map((k) => [k, { n: 0, ms: 0, cpuUs: 0 }]));
      for (const fn of Object.values(layers)) await slice(fn, 300); // JIT warm-up, not counted
      for (let round = 0; round < Number(process.env['AB_ROUNDS'] ?? 20); round++) {
        const names = Object.keys(layers);
        for (const name of round % 2 === 0 ? names : names.reverse()) {
          const done = await slice(layers[name]!, 200);
          const t = totals[name]!;
          t.n += done.n;
          t.ms += done.ms;
          t.cpuUs += done.cpuUs;
        }
      }
      console.table(
        Object.fromEntries(
          Object.entries(totals).map(([k, t]) => [
            k,
            { opsPerSec: Math.round((t.n / t.ms) * 1000), cpuUsPerOp: Math.round((t.cpuUs / t.n) * 1000) / 1000 },
          ]),
        ),
      );
    } else {
      console.log(`${which}: ${Math.round(await rate(which === 'raw' ? rawOp : ccOp, DURATION_MS))} ops/s`);
    }
    await raw.close();
    await cache.close();
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
