import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..');
const SYNTH = join(__dirname, '..', 'bin', 'synth.cjs');
// a Node stack frame, as printed for an uncaught error
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

/** Runs synth.cjs as `nx run <app>:synth` does, in a scratch folder (it empties ./cdktf.out). */
function runSynth(entry: string, environments: string, extra: string[] = [], withManifest = false) {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-cli-'));
  if (withManifest) {
    // the catalog-api sample: its manifest and the extension it names
    copyFileSync(join(WORKSPACE, 'apps', 'catalog-api', 'cache-service.json'), join(cwd, 'cache-service.json'));
    mkdirSync(join(cwd, 'src'));
    copyFileSync(join(WORKSPACE, 'apps', 'catalog-api', 'src', 'stack.ts'), join(cwd, 'src', 'stack.ts'));
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CACHE_PLATFORM_ENVIRONMENTS: environments };
  delete env['NX_VERBOSE_LOGGING'];
  const result = spawnSync(process.execPath, [SYNTH, entry, ...extra], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  rmSync(cwd, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const UNKNOWN =
  'synth failed: invalid CACHE_PLATFORM_ENVIRONMENTS "staging": unknown environment(s) staging; the platform defines dev, prod (--verbose shows the stack trace)';

describe('synth.cjs: a refused synth', () => {
  it('reports an unknown environment of the platform in one line, without a stack trace, exit 1', () => {
    const { status, stdout, stderr } = runSynth(join(WORKSPACE, 'apps', 'platform', 'src', 'main.ts'), 'staging');
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([UNKNOWN]);
  }, 120_000);

  it('reports an unknown environment of a service in one line, without a stack trace, exit 1', () => {
    const { status, stderr } = runSynth(join(WORKSPACE, 'libs', 'service-access', 'src', 'main.ts'), 'staging', [], true);
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([UNKNOWN]);
  }, 120_000);

  it('shows the stack trace with --verbose', () => {
    const { status, stderr } = runSynth(join(WORKSPACE, 'apps', 'platform', 'src', 'main.ts'), 'staging', ['--verbose']);
    expect(status).toBe(1);
    expect(stderr).toContain('unknown environment(s) staging');
    expect(stderr).toMatch(STACK_FRAME);
  }, 120_000);
});
