// A service's `test` target (bin/service-test.cjs), run as Nx runs it: in the app folder. An app with
// no tests yet passes with a notice; an app with tests runs them with the workspace's jest preset, and
// fails when they fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
    for (const [path, text] of Object.entries({ 'cache-service.json': JSON.stringify({ service: name }), ...files })) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  // no colours (Nx sets FORCE_COLOR for the tasks it runs): the summary lines are matched as text
  const run = (cwd: string) => spawnSync(process.execPath, [script], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });

  it('passes an app with no tests yet, with a notice naming the app and what to add', () => {
    const dir = app('legacy-api', {
      'src/handler/index.ts': 'export const handler = async () => ({ statusCode: 200 });\n',
      // tests jest never reads here: build output and installs
      'dist/handler/index.spec.ts': '',
      'node_modules/x/y.test.ts': '',
    });
    const result = run(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^notice: legacy-api has no tests yet \(no \*\.spec\.ts or \*\.test\.ts in tmp\/service-test-\w+\/legacy-api\), so its test target passes\. Add a first handler test, e\.g\. src\/handler\/handler\.spec\.ts/,
    );
    expect(result.stderr).toBe('');
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
});
