import { build, type BuildOptions, type Metafile } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BUNDLED_AUTH_MODE_VARIABLE, bundleTargetOf, LAMBDA_RUNTIME, type AuthMode } from '@cache-platform/cache-contract';

export interface BundleHandlerOptions {
  /** handler entry point, e.g. `src/handler/index.ts` */
  readonly entry: string;
  /** output folder; emptied first so stale files never reach the zip */
  readonly outdir: string;
  /**
   * Minify the output.
   * @default true
   */
  readonly minify?: boolean;
  /**
   * The service's `authMode` (its manifest's). Compiled in as `process.env.CACHE_PLATFORM_BUNDLED_AUTH_MODE`,
   * so cache-client's IAM token signer is dead code, and left out, in a password service's bundle;
   * the client still reads the mode from the secret.
   * @default unset: the client can load either
   */
  readonly authMode?: AuthMode;
}

export interface BundleResult {
  readonly file: string;
  readonly bytes: number;
  /** every input module, relative to the working folder (esbuild's names) */
  readonly inputs: readonly string[];
  /** input modules by size, largest first: tells where bundle weight comes from */
  readonly largestInputs: ReadonlyArray<{ path: string; bytes: number }>;
}

/** Packages left out of every bundle: optional native addons nothing on our request path loads. */
export const OPTIONAL_NATIVE_MODULES = ['@node-rs/xxhash'];

/**
 * Package entry fields in order of preference: the ES module build first. Packages published as both
 * (the `@smithy` / `@aws-sdk` packages among them) then tree-shake: `@smithy/signature-v4`'s CommonJS
 * build requires all of `@smithy/core`'s serde and protocol code (~130 KB minified), its ES build
 * ~5 KB of it. Packages with an `exports` map are resolved by their conditions, as before. This is
 * what AWS CDK's NodejsFunction documents for ESM output; measured in docs/benchmarks.md.
 */
export const LAMBDA_MAIN_FIELDS = ['module', 'main'] as const;

/** The Node.js version of the platform's Lambda runtime (the contract's `LAMBDA_RUNTIME`), as esbuild names it. */
export const LAMBDA_NODE_TARGET = bundleTargetOf(LAMBDA_RUNTIME);

/**
 * Bundles one handler as ESM (`index.mjs`, handler `index.handler`). Everything is bundled, including
 * the AWS SDK client: a pinned, tree-shaken client starts faster than the runtime-provided SDK.
 */
export async function bundleHandler(options: BundleHandlerOptions): Promise<BundleResult> {
  const outdir = resolve(options.outdir);
  rmSync(outdir, { recursive: true, force: true });
  const file = join(outdir, 'index.mjs');
  const result = await build({ ...lambdaBuildOptions(options), entryPoints: [resolve(options.entry)], outfile: file });
  return summarize(file, result.metafile);
}

/**
 * Bundles many handlers in one esbuild call (the Nx batch of `bundle` targets): each entry still gets
 * its own `<outdir>/index.mjs`, built with the same options as `bundleHandler`, and no code is shared
 * between outputs (no splitting). When the call fails, each handler is bundled alone, so a broken
 * handler fails only its own result (an Error), with esbuild's message naming its file.
 */
export async function bundleHandlers(handlers: readonly BundleHandlerOptions[]): Promise<Array<BundleResult | Error>> {
  const jobs = handlers.map((h) => ({ ...h, entry: resolve(h.entry), outdir: resolve(h.outdir), minify: h.minify ?? true }));
  const results: Array<BundleResult | Error> = new Array(jobs.length);
  // one esbuild call builds with one set of options: handlers that differ (minify, the compiled-in
  // auth mode) go in separate calls
  const groups = new Map<string, number[]>();
  jobs.forEach((j, index) => {
    const key = `${j.minify}/${j.authMode ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  for (const indexes of groups.values()) {
    const group = indexes.map((i) => jobs[i] as (typeof jobs)[number]);
    const built = await bundleGroup(group);
    indexes.forEach((i, k) => (results[i] = built[k] as BundleResult | Error));
  }
  return results;
}

async function bundleGroup(
  jobs: ReadonlyArray<BundleHandlerOptions & { entry: string; outdir: string }>,
): Promise<Array<BundleResult | Error>> {
  const alone = () =>
    Promise.all(jobs.map((j) => bundleHandler(j).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
  const first = jobs[0];
  if (!first || jobs.length < 2) return alone();
  for (const j of jobs) rmSync(j.outdir, { recursive: true, force: true });
  // esbuild writes every output of one call under one folder
  const base = commonDir(jobs.map((j) => j.outdir));
  let result;
  try {
    result = await build({
      ...lambdaBuildOptions(first),
      entryPoints: jobs.map((j) => ({ in: j.entry, out: relative(base, join(j.outdir, 'index')) })),
      outdir: base,
      outExtension: { '.js': '.mjs' },
      // a failed batch is rebuilt one by one, which prints each handler's own errors
      logLevel: 'silent',
    });
  } catch {
    return alone();
  }
  const metafile = result.metafile;
  return jobs.map((j) => {
    const file = join(j.outdir, 'index.mjs');
    const output = Object.entries(metafile.outputs).find(([out]) => resolve(out) === file);
    return summarize(file, { inputs: metafile.inputs, outputs: output ? Object.fromEntries([output]) : {} });
  });
}

function commonDir(dirs: readonly string[]): string {
  let base = dirs[0] ?? sep;
  while (!dirs.every((d) => d === base || d.startsWith(base.endsWith(sep) ? base : base + sep))) base = dirname(base);
  return base;
}

/** The esbuild options every Lambda handler is built with, alone or in a batch. */
function lambdaBuildOptions(options: Pick<BundleHandlerOptions, 'minify' | 'authMode'>) {
  const define: Record<string, string> = {};
  if (options.authMode) define[`process.env.${BUNDLED_AUTH_MODE_VARIABLE}`] = JSON.stringify(options.authMode);
  return {
    bundle: true,
    platform: 'node',
    target: LAMBDA_NODE_TARGET,
    format: 'esm',
    mainFields: [...LAMBDA_MAIN_FIELDS],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    // optional native addon that @redis/client loads lazily only for its `digest` helper (unused here);
    // bundling it would fail, and an x64 build of it would not load on arm64 anyway
    external: OPTIONAL_NATIVE_MODULES,
    define,
    logLevel: 'warning',
    // CommonJS dependencies call require('node:crypto') etc.; ESM output has no require without this
    banner: {
      js: "import { createRequire as __cp_createRequire } from 'node:module'; const require = __cp_createRequire(import.meta.url);",
    },
  } satisfies BuildOptions;
}

function summarize(file: string, metafile: Metafile): BundleResult {
  const output = Object.values(metafile.outputs)[0];
  if (!output) throw new Error(`esbuild reported no output file for ${file}`);
  const largestInputs = Object.entries(output.inputs)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
  return { file, bytes: output.bytes, inputs: Object.keys(output.inputs), largestInputs };
}
