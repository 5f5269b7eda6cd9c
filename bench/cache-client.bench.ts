// Runtime client benchmark: hit path against raw @redis/client and cache-manager, plus bundle size
// and cold start of a sample handler. Run: node -r @swc-node/register bench/cache-client.bench.ts
// Writes bench/results.json (raw, raw-tuned, cache-client, cache-manager one request at a time;
// concurrent.*; bundleKb.*; coldStartMs.*); the figures are recorded in docs/benchmarks.md ("Runtime client").
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { Keyv } from 'keyv';
import { createServiceCache, staticSecretSource } from '../libs/cache-client/src';
import { startRedis } from '../libs/cache-client/test/redis-harness';
import { BENCH_USER, connectRawClient } from './raw-client';
import { LAMBDA_MAIN_FIELDS } from '../tools/lambda-bundle/src/bundle';
import { BUNDLED_AUTH_MODE_VARIABLE } from '../libs/cache-contract/src/lambda';
import { startSecretsManagerStub } from '../libs/cache-client/test/secrets-manager-stub';

const ROOT = join(__dirname, '..');
const USER = BENCH_USER;
const KEYS = 100;
// many short interleaved slices, medians per contender: a shared 2-core VM drifts by 30% within seconds
const SLICE_MS = Number(process.env['BENCH_SLICE_MS'] ?? 400);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 12);
const COLD_RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 7);

// a typical cached record: ~1 KB of JSON
const record = (i: number) => ({
  id: `product-${i}`,
  name: `Product number ${i}`,
  price: 1999 + i,
  tags: ['alpha', 'beta', 'gamma', 'delta'],
  description: 'x'.repeat(800),
  updatedAt: '2025-01-01T00:00:00.000Z',
});

interface Figures {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Microseconds of this process's CPU (user + system) per request: what the client itself costs,
 * whatever else runs on the machine. On a shared VM the wall-clock rate of a 200 ms slice swings
 * several-fold with other processes' load; this figure hardly moves (printed, not in results.json).
 */
type Measured = Figures & { cpuUsPerOp: number };

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs `op` from `concurrency` loops for `durationMs`; per-op latency and overall rate. */
async function measure(op: (i: number) => Promise<unknown>, concurrency: number, durationMs: number): Promise<Measured> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  let n = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const i = n++ % KEYS;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    opsPerSec: Math.round((latencies.length / elapsed) * 1000),
    p50Ms: r3(pct(latencies, 50)),
    p99Ms: r3(pct(latencies, 99)),
    cpuUsPerOp: r3((used.user + used.system) / latencies.length),
  };
}

async function hitPath(server: Awaited<ReturnType<typeof startRedis>>) {
  const secret = server.secretFor(USER.name);
  const socket = { host: 'localhost', port: server.tlsPort, tls: true as const, ca: server.caPem };

  // raw: GET + JSON.parse on a plain @redis/client connection (library defaults) with the same TLS and user
  const raw = await connectRawClient(server, false);
  // the same, without node-redis 6's per-command AbortSignal (as cache-client configures it): our helpers' own cost
  const rawTuned = await connectRawClient(server, true);

  const cache = createServiceCache({ secretSource: staticSecretSource(secret), tls: { ca: server.caPem }, metrics: { enabled: false } });

  // cache-manager 7 over Keyv + @keyv/redis (its own @redis/client 5), keys under the same prefix
  const keyvRedis = new KeyvRedis({ username: USER.name, password: USER.passwords[0], socket, disableClientInfo: true } as never, {
    namespace: 'bench',
    keyPrefixSeparator: ':',
    throwOnErrors: true,
  });
  const keyv = new Keyv({ store: keyvRedis, namespace: 'bench', useKeyPrefix: false });
  const manager = createCache({ stores: [keyv] });

  // warm every key for all three (misses are not what is measured)
  for (let i = 0; i < KEYS; i++) {
    await raw.set(`raw:${i}`, JSON.stringify(record(i)));
    await cache.getOrLoad(`cc:${i}`, async () => record(i), { ttlSeconds: 3600 });
    await manager.wrap(`cm:${i}`, async () => record(i), 3_600_000);
  }
  const never = async (): Promise<never> => {
    throw new Error('benchmark key missed: the hit path was not measured');
  };
  const contenders: Record<string, (i: number) => Promise<unknown>> = {
    raw: async (i) => JSON.parse((await raw.get(`raw:${i}`)) ?? 'null'),
    'raw (no per-command AbortSignal)': async (i) => JSON.parse((await rawTuned.get(`raw:${i}`)) ?? 'null'),
    'cache-client': (i) => cache.getOrLoad(`cc:${i}`, never, { ttlSeconds: 3600 }),
    'cache-manager': (i) => manager.wrap(`cm:${i}`, never, 3_600_000),
  };
  for (const op of Object.values(contenders)) await measure(op, 1, 300); // JIT warm-up

  const results: Record<string, { sequential: Measured[]; concurrent: Measured[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    // interleaved, so that machine noise spreads over all contenders
    for (const [name, op] of Object.entries(contenders)) {
      results[name] ??= { sequential: [], concurrent: [] };
      results[name].sequential.push(await measure(op, 1, SLICE_MS));
      results[name].concurrent.push(await measure(op, 32, SLICE_MS / 2));
    }
  }
  const summarize = (runs: Measured[]): Measured => ({
    opsPerSec: median(runs.map((r) => r.opsPerSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    cpuUsPerOp: median(runs.map((r) => r.cpuUsPerOp)),
  });
  const summary = Object.fromEntries(
    Object.entries(results).map(([k, v]) => [k, { sequential: summarize(v.sequential), concurrent: summarize(v.concurrent) }]),
  );
  const m = cache.metrics();
  if (m.misses !== KEYS || m.failOpen !== 0 || m.errors !== 0)
    throw new Error(`cache-client was not on its hit path: ${JSON.stringify(m)}`);

  await raw.close();
  await rawTuned.close();
  await cache.close();
  await keyvRedis.disconnect();
  return summary;
}

/** The settings of tools/lambda-bundle before issue 13 (esbuild's default `mainFields` for node: `main` first). */
const LAMBDA_BUILD_BEFORE: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  tsconfig: join(ROOT, 'tsconfig.base.json'),
  legalComments: 'none',
  metafile: true,
  logLevel: 'error',
  // optional native peer of @redis/client, reached only by its digest() helper
  external: ['@node-rs/xxhash'],
  banner: {
    js: "import { createRequire as __cp_createRequire } from 'node:module'; const require = __cp_createRequire(import.meta.url);",
  },
};

/** The same settings as tools/lambda-bundle today: ESM for nodejs22.x, minified, createRequire banner, ES module builds first. */
const LAMBDA_BUILD: BuildOptions = { ...LAMBDA_BUILD_BEFORE, mainFields: [...LAMBDA_MAIN_FIELDS] };
/** A password service's bundle: cache-client's IAM token signer is dead code (libs/cache-client/src/auth-mode.ts). */
const PASSWORD_BUNDLE = { [`process.env.${BUNDLED_AUTH_MODE_VARIABLE}`]: JSON.stringify('password') };

/**
 * The build before issue 13, for a side-by-side measurement in the same run: secret.ts's
 * `import('./secrets-manager')` resolves to bench/baseline/secrets-manager-sdk.ts (the SDK v3 client),
 * and `./redis-handle` (then `./connection`) to bench/baseline/connection-create-client.ts (createClient, typed commands).
 */
const sdkBaseline: Plugin = {
  name: 'secrets-manager-sdk-baseline',
  setup(b) {
    b.onResolve({ filter: /^\.\/secrets-manager$/ }, (args) =>
      args.importer.endsWith(join('cache-client', 'src', 'secret.ts'))
        ? { path: join(__dirname, 'baseline', 'secrets-manager-sdk.ts') }
        : undefined,
    );
    // and the Redis connection as it was: createClient()/createCluster() with their typed commands
    b.onResolve({ filter: /^\.\/redis-handle$/ }, (args) =>
      args.importer.includes(join('cache-client', 'src'))
        ? { path: join(__dirname, 'baseline', 'connection-create-client.ts') }
        : undefined,
    );
  },
};

/**
 * Bundle names: `password` and `iam` are today's build; `password-before` is the build before issue 13
 * (SDK v3 client, `main` fields first); `password-main-first` is today's code with the old `mainFields`
 * (sizes only: it separates the two changes).
 */
const BEFORE = 'password-before';

async function bundleSizes(outdir: string) {
  const variants: Record<string, { entry: string; options: BuildOptions }> = {
    // the auth mode as tools/lambda-bundle compiles it in from the manifest
    password: { entry: 'bench/sample-handler.ts', options: { ...LAMBDA_BUILD, define: PASSWORD_BUNDLE } },
    iam: { entry: 'bench/sample-handler-iam.ts', options: LAMBDA_BUILD },
    [BEFORE]: { entry: 'bench/sample-handler.ts', options: { ...LAMBDA_BUILD_BEFORE, plugins: [sdkBaseline] } },
    'password-main-first': { entry: 'bench/sample-handler.ts', options: { ...LAMBDA_BUILD_BEFORE, define: PASSWORD_BUNDLE } },
  };
  const out: Record<
    string,
    {
      file: string;
      bytes: number;
      sigv4Presign: boolean;
      iamModule: boolean;
      secretsManager: boolean;
      oldConnection: boolean;
      redisClientBytes: number;
      secretsManagerBytes: number;
    }
  > = {};
  for (const [name, { entry, options }] of Object.entries(variants)) {
    const outfile = join(outdir, `${name}.mjs`);
    const result = await build({ ...options, entryPoints: [join(ROOT, entry)], outfile, metafile: true });
    const inputs = Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs));
    const bytesOf = (re: RegExp) => inputs.filter(([p]) => re.test(p)).reduce((s, [, i]) => s + i.bytesInOutput, 0);
    const text = readFileSync(outfile, 'utf8');
    out[name] = {
      file: relative(ROOT, outfile),
      bytes: readFileSync(outfile).length,
      // our token signer (iam-auth.ts): its query parameters appear nowhere else
      iamModule: inputs.some(([p]) => p.endsWith('cache-client/src/iam-auth.ts')),
      sigv4Presign: text.includes('ServerlessCache'),
      // the SDK v3 Secrets Manager client
      secretsManager: inputs.some(([p]) => p.includes('client-secrets-manager')),
      // the connection module before the cold-start work (createClient, typed commands)
      oldConnection: inputs.some(([p]) => p.endsWith('connection-create-client.ts')),
      redisClientBytes: bytesOf(/@redis\/client/),
      // everything that reads the secret from AWS: SDK, signer, hash, and our request module
      secretsManagerBytes: bytesOf(/@aws-sdk|@smithy|@aws-crypto|secrets-manager(-sdk)?\.ts$/),
    };
  }
  return out;
}

async function coldStart(server: Awaited<ReturnType<typeof startRedis>>, bundles: Record<string, string>, dir: string) {
  const arn = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:cache-platform/local/bench/redis-AbCdEf';
  const secret = JSON.stringify(server.secretFor(USER.name));
  const stub = await startSecretsManagerStub({ [arn]: secret });
  const secretFile = join(dir, 'secret.json');
  writeFileSync(secretFile, secret);
  const caFile = server.tlsMaterial?.caFile ?? '';
  // measured inside the child: from just before importing the bundle to the handler's first PING answer
  const script = `
    const t0 = performance.now();
    const m = await import(process.env.BENCH_BUNDLE_URL);
    const loaded = performance.now();
    const r = await m.handler({ id: '1' });
    const done = performance.now();
    if (r.health.status !== 'ok') { console.error(JSON.stringify(r.health)); process.exit(1); }
    console.log(JSON.stringify({ loadMs: loaded - t0, toPingMs: r.pingAnsweredAt - t0, totalMs: done - t0 }));
    // the open connection would keep this process alive (Lambda freezes it instead)
    process.exit(0);`;
  const run = async (bundle: string, env: Record<string, string>) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
      // the test CA, trusted the way a local run would: Node's own mechanism, nothing in the code
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_EXTRA_CA_CERTS: caFile,
        AWS_REGION: 'eu-west-1',
        BENCH_BUNDLE_URL: pathToFileURL(bundle).href,
        // the SDK baseline announces its Node 22 requirement on Node 20 (the Lambdas run nodejs22.x)
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { loadMs: number; toPingMs: number; totalMs: number };
  };
  const sources = {
    'secrets-manager-stand-in': {
      REDIS_SECRET_ARN: arn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    },
    'local-file': { REDIS_SECRET_ARN: pathToFileURL(secretFile).href },
  };
  // A cold start that overran the first request's budget (connectTimeoutMs + commandTimeoutMs) on an
  // overloaded machine answers "down": measured again, at most twice, and counted (both bundles alike).
  let standInAttempts = 0;
  const failed: Record<string, number> = {};
  const retried = async (bundle: string, source: string, env: Record<string, string>) => {
    for (let attempt = 1; ; attempt++) {
      if (source === 'secrets-manager-stand-in') standInAttempts++;
      try {
        return await run(bundle, env);
      } catch (error) {
        failed[bundle] = (failed[bundle] ?? 0) + 1;
        if (attempt === 3) throw error;
      }
    }
  };
  const out: Record<
    string,
    { loadMs: number; toFirstPingMs: number; pingMin: number; pingMax: number; toFirstItemMs: number; runs: number }
  > = {};
  try {
    const runs: Record<string, Array<{ loadMs: number; toPingMs: number; totalMs: number }>> = {};
    for (let i = 0; i < COLD_RUNS; i++) {
      // interleaved: before and after, each secret source, one run each per round (machine drift spreads over all)
      for (const [bundleName, bundle] of Object.entries(bundles)) {
        for (const [source, env] of Object.entries(sources))
          (runs[`${bundleName}: ${source}`] ??= []).push(await retried(bundle, source, env));
      }
    }
    for (const [name, list] of Object.entries(runs)) {
      const pings = list.map((r) => r.toPingMs);
      out[name] = {
        loadMs: r3(median(list.map((r) => r.loadMs))),
        toFirstPingMs: r3(median(pings)),
        pingMin: r3(Math.min(...pings)),
        pingMax: r3(Math.max(...pings)),
        // plus one getOrLoad miss: GET, loader, SET
        toFirstItemMs: r3(median(list.map((r) => r.totalMs))),
        runs: list.length,
      };
    }
    if (Object.keys(failed).length > 0) console.log(`cold starts measured again after a "down" answer: ${JSON.stringify(failed)}`);
    const expectedCalls = standInAttempts;
    if (stub.calls[arn] !== expectedCalls)
      throw new Error(`expected one GetSecretValue per cold start, got ${stub.calls[arn]} for ${expectedCalls}`);
  } finally {
    await stub.stop();
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cache-client-bench-'));
  const server = await startRedis({ users: [USER] });
  // Ctrl-C must not leave the server and its files behind
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      rmSync(dir, { recursive: true, force: true });
      void server.stop().finally(() => process.exit(130));
    });
  }
  try {
    console.log(
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${ROUNDS} interleaved rounds of ${SLICE_MS} ms (sequential) + ${SLICE_MS / 2} ms (32 concurrent) per contender, medians`,
    );
    const hits = await hitPath(server);
    const results = Object.fromEntries(Object.entries(hits).map(([k, v]) => [k, v.sequential]));
    console.log('\nhit path, one request at a time (as in one Lambda environment):');
    console.table(results);
    console.log('hit path, 32 concurrent requests on one connection:');
    console.table(Object.fromEntries(Object.entries(hits).map(([k, v]) => [k, v.concurrent])));
    const ratio = (a: string, b: string, mode: 'sequential' | 'concurrent') =>
      `${(((hits[a]?.[mode].opsPerSec ?? NaN) / (hits[b]?.[mode].opsPerSec ?? NaN)) * 100).toFixed(1)}%`;
    // the same ratios from CPU time per request (inverse: less CPU per request = faster)
    const cpuRatio = (a: string, b: string, mode: 'sequential' | 'concurrent') =>
      `${(((hits[b]?.[mode].cpuUsPerOp ?? NaN) / (hits[a]?.[mode].cpuUsPerOp ?? NaN)) * 100).toFixed(1)}%`;
    for (const base of ['raw', 'raw (no per-command AbortSignal)', 'cache-manager']) {
      console.log(
        `cache-client / ${base}: ${ratio('cache-client', base, 'sequential')} sequential, ${ratio('cache-client', base, 'concurrent')} concurrent` +
          ` (by CPU per request: ${cpuRatio('cache-client', base, 'sequential')}, ${cpuRatio('cache-client', base, 'concurrent')})`,
      );
    }

    const sizes = await bundleSizes(dir);
    console.log('\nbundles (esbuild, minified, ESM, node22):');
    console.table(
      Object.fromEntries(
        Object.entries(sizes).map(([k, v]) => [
          k,
          {
            kB: r3(v.bytes / 1024),
            iamModule: v.iamModule,
            sigv4Presign: v.sigv4Presign,
            secretsManager: v.secretsManager,
            redisClientBytes: v.redisClientBytes,
            secretsManagerBytes: v.secretsManagerBytes,
          },
        ]),
      ),
    );
    // what each bundle must (not) carry: checked, not only printed
    if (sizes['password']?.secretsManager || sizes['password']?.iamModule || sizes['password']?.sigv4Presign)
      throw new Error('the password bundle carries the SDK v3 Secrets Manager client or the IAM token signer');
    if (!sizes[BEFORE]?.secretsManager || !sizes[BEFORE]?.oldConnection)
      throw new Error(`the ${BEFORE} bundle does not carry the SDK v3 client and the old connection module: not the baseline`);
    if (sizes['password']?.oldConnection) throw new Error('the password bundle carries the baseline connection module');
    const cold = await coldStart(server, { password: join(dir, 'password.mjs'), [BEFORE]: join(dir, `${BEFORE}.mjs`) }, dir);
    console.log(`cold start of the password bundle in a fresh node process, from import() (median of runs; ${BEFORE}: the SDK v3 client):`);
    console.table(cold);
    for (const source of ['secrets-manager-stand-in', 'local-file']) {
      const after = cold[`password: ${source}`]?.toFirstPingMs ?? NaN;
      const before = cold[`${BEFORE}: ${source}`]?.toFirstPingMs ?? NaN;
      console.log(`time to first PING, ${source}: ${(after / before).toFixed(2)}x before (${after} vs ${before} ms)`);
    }
    const kb = (name: string) => r3((sizes[name]?.bytes ?? NaN) / 1024);
    console.log(`password bundle: ${kb('password')} KB (before: ${kb(BEFORE)} KB)`);

    // bench/results.json: the keys other tools read. Top level: one request at a time (raw,
    // cache-client, cache-manager as before, plus raw-tuned); "concurrent": 32 on one connection.
    const tuned = 'raw (no per-command AbortSignal)';
    const key = (name: string) => (name === tuned ? 'raw-tuned' : name);
    const figures = (m: Measured | undefined): Figures | undefined => m && { opsPerSec: m.opsPerSec, p50Ms: m.p50Ms, p99Ms: m.p99Ms };
    const pick = (mode: 'sequential' | 'concurrent') =>
      Object.fromEntries(['raw', tuned, 'cache-client', 'cache-manager'].map((name) => [key(name), figures(hits[name]?.[mode])]));
    const written = {
      ...pick('sequential'),
      concurrent: pick('concurrent'),
      bundleKb: Object.fromEntries(Object.entries(sizes).map(([name, v]) => [name, r3(v.bytes / 1024)])),
      // "<source>" for today's build (as before), "password-before: <source>" for the SDK baseline
      coldStartMs: Object.fromEntries(
        Object.entries(cold).map(([name, v]) => [name.startsWith('password: ') ? name.slice('password: '.length) : name, v.toFirstPingMs]),
      ),
    };
    writeFileSync(join(__dirname, 'results.json'), JSON.stringify(written, null, 2) + '\n');
    console.log('-> bench/results.json');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
