// The Nx 23 exit-code fix of tools/ci/patch-nx.cjs: a run whose dependency failed exits 1, an
// interrupted one still 130, on the Nx this workspace installs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const { MARK, patchRunCommand, runCommandPath } = require('./patch-nx.cjs') as {
  MARK: string;
  patchRunCommand(source: string): string | undefined;
  runCommandPath(): string;
};

const workspace = resolve(__dirname, '..', '..');

describe('nx exit code after a failed dependency', () => {
  // inside the workspace (git-ignored tmp/) so node_modules/nx resolves as it does for the real one
  const dir = join(workspace, 'tmp', `nx-exit-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is patched into the installed nx by postinstall, once', () => {
    const installed = readFileSync(runCommandPath(), 'utf8');
    expect(installed.split(MARK)).toHaveLength(2);
    expect(patchRunCommand(installed)).toBeUndefined();
  });

  it('exits 1, not 130, when a task fails and the task depending on it is skipped', () => {
    mkdirSync(join(dir, 'base'), { recursive: true });
    mkdirSync(join(dir, 'top'), { recursive: true });
    writeFileSync(join(dir, 'nx.json'), JSON.stringify({ neverConnectToCloud: true, plugins: [] }));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    const project = (name: string, command: string, dependsOn: unknown[] = []) =>
      writeFileSync(
        join(dir, name, 'project.json'),
        JSON.stringify({ name, targets: { deploy: { executor: 'nx:run-commands', options: { command }, dependsOn, cache: false } } }),
      );
    project('base', 'node -e "process.exit(1)"');
    project('top', 'echo top', [{ projects: ['base'], target: 'deploy' }]);
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true', NX_SKIP_NX_CACHE: 'true' };
    const nx = join(workspace, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
    const run = spawnSync(process.execPath, [nx, 'run', 'top:deploy', '--output-style=static'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(`${run.stdout}${run.stderr}`).toContain('base:deploy');
    expect(run.status).toBe(1);
  }, 120_000);

  it('leaves a missing result without any failure an interruption (130)', () => {
    const fn = (patched: string) => {
      const body = /function didCommandComplete[\s\S]*?\n}\n/.exec(patched)?.[0];
      return new Function(`${body}; return didCommandComplete;`)() as (tasks: unknown[], results: Record<string, unknown>) => boolean;
    };
    const didCommandComplete = fn(readFileSync(runCommandPath(), 'utf8'));
    const tasks = [{ id: 'a' }, { id: 'b' }];
    expect(didCommandComplete(tasks, { a: { status: 'failure' } })).toBe(true);
    expect(didCommandComplete(tasks, { a: { status: 'success' } })).toBe(false);
    expect(didCommandComplete(tasks, { a: { status: 'success' }, b: { status: 'success' } })).toBe(true);
  });
});
