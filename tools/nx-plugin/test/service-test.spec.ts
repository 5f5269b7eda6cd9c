// A service's `test` target (bin/service-test.cjs), run as Nx runs it: in the app folder. An app with
// no tests yet passes with a notice naming the project (the name Nx hands the task, never a second
// read of cache-service.json); an app with tests runs them with the workspace's jest preset, and fails
// when they fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceManifest, workspaceFixture } from '@cache-platform/cache-contract/testing';
import { SERVICE_IMPLICIT_DEPENDENCIES } from '../plugin.cjs';
import { nx } from './scratch';

const workspace = resolve(__dirname, '..', '..', '..');
const script = join(workspace, 'tools', 'nx-plugin', 'bin', 'service-test.cjs');

describe("a service's test target", () => {
  let scratch: string;
  beforeAll(() => {
    // inside the workspace, at the depth of apps/<app>, as a service app sits
    mkdirSync(join(workspace, 'tmp'), { recursive: true });
    scratch = mkdtempSync(join(workspace, 'tmp', 'service-test-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const app = (name: string, files: Record<string, string>) => {
    const dir = join(scratch, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  // no colours (Nx sets FORCE_COLOR for the tasks it runs): the summary lines are matched as text.
  // Run by hand unless `project` is given: this spec's own Nx task (nx-plugin:test) hands its
  // NX_TASK_TARGET_PROJECT down to every process it starts, so it is dropped here
  const run = (cwd: string, project?: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
    delete env['NX_TASK_TARGET_PROJECT'];
    if (project !== undefined) env['NX_TASK_TARGET_PROJECT'] = project;
    return spawnSync(process.execPath, [script], { cwd, encoding: 'utf8', env });
  };
  const untested = {
    'src/handler/index.ts': 'export const handler = async () => ({ statusCode: 200 });\n',
    // tests jest never reads here: build output and installs
    'dist/handler/index.spec.ts': '',
    'node_modules/x/y.test.ts': '',
  };
  const notice = (name: string, folder: string) =>
    new RegExp(
      `^notice: ${name} has no tests yet \\(no \\*\\.spec\\.ts or \\*\\.test\\.ts in tmp/service-test-\\w+/${folder}\\), so its test target passes\\. ` +
        'Add a first handler test, e\\.g\\. src/handler/handler\\.spec\\.ts',
    );

  it('passes an app with no tests yet, with a notice naming the project Nx runs the task for and what to add', () => {
    // the project name comes from Nx, not from a manifest: this app has none, and its folder says otherwise
    const dir = app('legacy-folder', untested);
    const result = run(dir, 'legacy-api');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(notice('legacy-api', 'legacy-folder'));
    expect(result.stderr).toBe('');
  });

  it('run by hand (no Nx task), names the app by its folder and never reads its manifest', () => {
    const dir = app('by-hand-api', { ...untested, 'cache-service.json': JSON.stringify({ service: 'manifest-name' }) });
    const result = run(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(notice('by-hand-api', 'by-hand-api'));
    expect(result.stdout).not.toContain('manifest-name');
  });

  it('runs the tests of an app that has them, and fails when one fails', () => {
    const passing = app('tested-api', { 'src/handler/handler.spec.ts': "it('adds', () => expect(1 + 1).toBe(2));\n" });
    const ok = run(passing);
    expect(ok.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(ok.status).toBe(0);
    const failing = app('failing-api', { 'src/handler.test.ts': "it('adds', () => expect(1 + 1).toBe(3));\n" });
    const failed = run(failing);
    expect(failed.stderr).toMatch(/Tests:\s+1 failed, 1 total/);
    expect(failed.status).toBe(1);
  }, 60_000);

  it('gets the project name from the real Nx: the plugin names the project from the manifest, Nx hands the name to the task', () => {
    // a scratch workspace with the plugin and this script where the repository keeps them; the app's
    // folder and its service name differ, so only the name Nx passes can produce the notice below
    const nxJson = { namedInputs: { default: ['{projectRoot}/**/*'], production: ['default'] }, plugins: ['./tools/nx-plugin/plugin.cjs'] };
    const { root, write, remove } = workspaceFixture('service-test-nx-', JSON.stringify(nxJson));
    try {
      symlinkSync(join(workspace, 'node_modules'), join(root, 'node_modules'));
      for (const file of ['plugin.cjs', 'bin/service-test.cjs'])
        write(`tools/nx-plugin/${file}`, readFileSync(join(workspace, 'tools', 'nx-plugin', file), 'utf8'));
      write('package.json', JSON.stringify({ name: 'scratch', private: true }));
      for (const name of SERVICE_IMPLICIT_DEPENDENCIES) write(`libs/${name}/project.json`, JSON.stringify({ name }));
      write('apps/team-a/legacy-folder/cache-service.json', JSON.stringify(serviceManifest('legacy-api')));
      write('apps/team-a/legacy-folder/src/handler/index.ts', untested['src/handler/index.ts']);
      const out = nx(root, ['run', 'legacy-api:test', '--skip-nx-cache']);
      expect(out).toMatch(
        /notice: legacy-api has no tests yet \(no \*\.spec\.ts or \*\.test\.ts in apps\/team-a\/legacy-folder\), so its test target passes\./,
      );
    } finally {
      remove();
    }
  }, 120_000);
});
