// Profiles the 32-concurrent hit path (docs/benchmarks.md, "where the time goes"): cache-client
// getOrLoad or the tuned raw client for a fixed time against a local TLS redis-server.
// Run: node --cpu-prof --cpu-prof-dir=/tmp/prof -r @swc-node/register bench/profile-hit-path.ts cache-client|raw
// then summarise the .cpuprofile by self time (bench/profile-summary.mjs).
import { createServiceCache, staticSecretSource } from '../libs/cache-client/src';
import { startRedis } from '../libs/cache-client/test/redis-harness';
import { BENCH_USER, connectRawClient } from './raw-client';

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
    const op =
      which === 'raw'
        ? async (i: number) => JSON.parse((await raw.get(`raw:${i}`)) ?? 'null')
        : (i: number) => cache.getOrLoad(`cc:${i}`, never, { ttlSeconds: 3600 });
    const rate = async (fn: (i: number) => Promise<unknown>, ms: number) => {
      let n = 0;
      const end = performance.now() + ms;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < end) await fn(n++ % KEYS);
        }),
      );
      return (n / ms) * 1000;
    };
    if (which === 'ab') {
      // interleaved 200 ms slices of both, median ratio: the quick side-by-side check while changing the hot path
      const rawOp = async (i: number) => JSON.parse((await raw.get(`raw:${i}`)) ?? 'null');
      const ccOp = (i: number) => cache.getOrLoad(`cc:${i}`, never, { ttlSeconds: 3600 });
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
    } else {
      console.log(`${which}: ${Math.round(await rate(op, DURATION_MS))} ops/s`);
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
