// Scratch copies of this workspace for the tests that run the real `nx` on it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const workspace = resolve(__dirname, '..', '..', '..');
/** Build outputs and caches: never copied, never part of a digest. */
export const BUILD_OUTPUTS = new Set(['node_modules', '.git', '.nx', 'tmp', 'cdktf.out', 'dist', 'state', '.terraform', 'coverage']);

/**
 * A scratch copy of the workspace whose own packages resolve to the copy: node_modules is a folder
 * of links to the real dependencies (~1 GB, not copied), except the workspace packages, whose
 * relative links are recreated so they point into the copy.
 */
export function scratchWorkspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(workspace, dir, {
    recursive: true,
    filter: (src) =>
      !relative(workspace, src)
        .split('/')
        .some((part) => BUILD_OUTPUTS.has(part)),
  });
  const modules = join(workspace, 'node_modules');
  mkdirSync(join(dir, 'node_modules'));
  for (const entry of readdirSync(modules)) {
    if (entry === '@cache-platform') continue;
    symlinkSync(join(modules, entry), join(dir, 'node_modules', entry));
  }
  mkdirSync(join(dir, 'node_modules', '@cache-platform'));
  for (const entry of readdirSync(join(modules, '@cache-platform'))) {
    symlinkSync(readlinkSync(join(modules, '@cache-platform', entry)), join(dir, 'node_modules', '@cache-platform', entry));
  }
  return dir;
}

/**
 * Runs `npx nx ...` as CI does (no daemon, no cloud, plain output); the error carries both streams.
 * Each run is reported on stderr when it ends, with its duration (jest shows console output only
 * after a file's tests; a direct write shows at once), so minutes of real `nx` runs are not silent.
 */
/**
 * The environment of an `nx` run in a scratch workspace: no cloud, no daemon, no colours. The outer
 * run's cache switches are dropped (`npm test -- --skip-nx-cache` hands its tasks NX_SKIP_NX_CACHE),
 * so a scratch run uses its own cache unless its arguments say otherwise.
 */
export function scratchNxEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const outer = { ...process.env };
  for (const name of ['NX_SKIP_NX_CACHE', 'NX_DISABLE_NX_CACHE']) delete outer[name];
  return { ...outer, FORCE_COLOR: '0', NO_COLOR: '1', NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', CI: 'true', ...env };
}

export function nx(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const started = Date.now();
  const announce = (outcome: string) =>
    process.stderr.write(`  nx ${args.join(' ')}: ${outcome} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  try {
    const out = execFileSync('npx', ['nx', ...args], {
      cwd,
      encoding: 'utf8',
      env: scratchNxEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    announce('done');
    return out;
  } catch (error) {
    // a refusal may be what the test expects: say that it exited non-zero, not that it failed
    announce('exited non-zero');
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`nx ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}
