// End to end: generate a service in a scratch copy of this workspace with the real `nx g`, then run the
// generated project's own test, synth and validate targets. Slow (tens of seconds) but it is the only
// test that proves "generates a service that passes with no manual edits".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const workspace = resolve(__dirname, '..', '..', '..');
const SKIP = new Set(['node_modules', '.git', '.nx', 'tmp', 'cdktf.out', 'dist', 'state', '.terraform', 'coverage']);

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'service-cache-e2e-'));
  cpSync(workspace, dir, {
    recursive: true,
    filter: (src) => {
      const rel = relative(workspace, src);
      return !rel.split('/').some((part) => SKIP.has(part));
    },
  });
  // a link, not a copy: the dependencies are ~1 GB
  symlinkSync(join(workspace, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(cwd: string, args: string[]): string {
  try {
    return execFileSync('npx', args, {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        NX_NO_CLOUD: 'true',
        NX_DAEMON: 'false',
        NX_TUI: 'false',
        CI: 'true',
        CACHE_PLATFORM_ENVIRONMENTS: 'dev',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`npx ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe('nx g service-cache, end to end', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchCopy();
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates a service whose test, synth and validate targets pass with no edits', () => {
    const out = run(dir, [
      'nx',
      'g',
      'service-cache',
      'e2e-probe',
      '--owner=team-e2e',
      '--purpose=prove the generator end to end',
      '--no-interactive',
    ]);
    expect(out).toContain('CREATE apps/e2e-probe/cache-service.json');
    expect(out).not.toContain('project.json');
    // no formatter noise: the workspace formats with prettier
    expect(out).not.toMatch(/oxfmt|Could not format/);
    // the targets are inferred from the manifest
    const project = JSON.parse(run(dir, ['nx', 'show', 'project', 'e2e-probe', '--json']));
    expect(Object.keys(project.targets).sort()).toEqual([
      'bundle',
      'deploy',
      'destroy',
      'diff',
      'lint',
      'synth',
      'test',
      'typecheck',
      'validate',
    ]);

    expect(run(dir, ['nx', 'run', 'e2e-probe:test', '--skip-nx-cache'])).toMatch(/Successfully ran target test/);
    expect(run(dir, ['nx', 'run', 'e2e-probe:synth', '--skip-nx-cache'])).toMatch(/Successfully ran target synth/);
    const stack = join(dir, 'apps', 'e2e-probe', 'cdktf.out', 'stacks', 'e2e-probe-dev', 'cdk.tf.json');
    expect(existsSync(stack)).toBe(true);
    const json = readFileSync(stack, 'utf8');
    expect(json).toContain('~e2e-probe:*');
    expect(json).toContain('REDIS_SECRET_ARN');
    expect(run(dir, ['nx', 'run', 'e2e-probe:validate', '--skip-nx-cache'])).toMatch(/1\/1 stack\(s\) valid/);
    expect(run(dir, ['nx', 'run', 'e2e-probe:lint', '--skip-nx-cache'])).toMatch(/Successfully ran target lint/);
    expect(run(dir, ['nx', 'run', 'e2e-probe:typecheck', '--skip-nx-cache'])).toMatch(/Successfully ran target typecheck/);
    // a change inside the new service affects that service alone: CI tests only it
    const affected = run(dir, ['nx', 'show', 'projects', '--affected', '--files=apps/e2e-probe/src/handler/index.ts']);
    expect(affected.trim().split('\n')).toEqual(['e2e-probe']);
  }, 300_000);

  it('refuses a second service with the same keyspace and writes nothing', () => {
    expect(() =>
      run(dir, [
        'nx',
        'g',
        'service-cache',
        'e2e-other',
        '--keyspace=e2e-probe',
        '--owner=team-e2e',
        '--purpose=collide',
        '--no-interactive',
      ]),
    ).toThrow('invalid keyspace "e2e-probe": is already claimed by service "e2e-probe"');
    expect(existsSync(join(dir, 'apps', 'e2e-other'))).toBe(false);
  }, 60_000);
});
