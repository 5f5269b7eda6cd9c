// End to end: generate a service in a scratch copy of this workspace with the real `nx g`, then run the
// generated project's own test, synth and validate targets. Slow (tens of seconds) but it is the only
// test that proves "generates a service that passes with no manual edits".
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceTargets } from '../plugin.cjs';
import { nx, scratchWorkspace } from './scratch';

/** nx in the scratch workspace, one environment selected (as a developer would deploy) */
const nxDev = (cwd: string, args: string[]) => nx(cwd, args, { CACHE_PLATFORM_ENVIRONMENTS: 'dev' });

describe('nx g service-cache, end to end', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchWorkspace('service-cache-e2e-');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates a service whose test, synth and validate targets pass with no edits', () => {
    const out = nxDev(dir, [
      'g',
      'service-cache',
      'e2e-probe',
      '--owner=team-e2e',
      '--purpose=prove the generator end to end',
      '--no-interactive',
    ]);
    expect(out).toContain('CREATE apps/e2e-probe/cache-service.json');
    expect(out).not.toContain('project.json');
    // the next steps, once the files are written
    expect(out).toContain('next steps for e2e-probe (apps/e2e-probe):');
    expect(out).toContain('npx nx run e2e-probe:describe');
    // no formatter noise: the workspace formats with prettier
    expect(out).not.toMatch(/oxfmt|Could not format/);
    // the targets are inferred from the manifest
    const project = JSON.parse(nxDev(dir, ['show', 'project', 'e2e-probe', '--json']));
    expect(Object.keys(project.targets).sort()).toEqual(Object.keys(serviceTargets('apps/e2e-probe')).sort());

    expect(nxDev(dir, ['run', 'e2e-probe:test', '--skip-nx-cache'])).toMatch(/Successfully ran target test/);
    expect(nxDev(dir, ['run', 'e2e-probe:synth', '--skip-nx-cache'])).toMatch(/Successfully ran target synth/);
    const stack = join(dir, 'apps', 'e2e-probe', 'cdktf.out', 'stacks', 'e2e-probe-dev', 'cdk.tf.json');
    expect(existsSync(stack)).toBe(true);
    const json = readFileSync(stack, 'utf8');
    expect(json).toContain('~e2e-probe:*');
    expect(json).toContain('REDIS_SECRET_ARN');
    expect(nxDev(dir, ['run', 'e2e-probe:validate', '--skip-nx-cache'])).toMatch(/1\/1 stack\(s\) valid/);
    expect(nxDev(dir, ['run', 'e2e-probe:describe'])).toContain('redis user  e2e-probe-dev (auth password)');
    expect(nxDev(dir, ['run', 'e2e-probe:lint', '--skip-nx-cache'])).toMatch(/Successfully ran target lint/);
    expect(nxDev(dir, ['run', 'e2e-probe:typecheck', '--skip-nx-cache'])).toMatch(/Successfully ran target typecheck/);
    // a generated service starts with every migration step done
    expect(nxDev(dir, ['run', 'e2e-probe:migration-check'])).toMatch(/6\/6 steps done/);
    // a change inside the new service affects that service alone: CI tests only it
    const affected = nxDev(dir, ['show', 'projects', '--affected', '--files=apps/e2e-probe/src/handler/index.ts']);
    expect(affected.trim().split('\n')).toEqual(['e2e-probe']);
  }, 300_000);

  it('adopts an existing app with --existing, leaving its handler alone, and the check names what is left', () => {
    const app = join(dir, 'apps', 'legacy-probe');
    mkdirSync(join(app, 'src', 'handler'), { recursive: true });
    const fixture = join(dir, 'tools', 'migration-check', 'test', 'fixtures', 'legacy-api', 'src', 'handler');
    for (const file of ['index.ts', 'products.ts']) copyFileSync(join(fixture, file), join(app, 'src', 'handler', file));
    writeFileSync(
      join(app, 'project.json'),
      JSON.stringify({ name: 'legacy-probe', projectType: 'application', sourceRoot: 'apps/legacy-probe/src' }),
    );
    const handler = readFileSync(join(app, 'src', 'handler', 'index.ts'), 'utf8');
    const out = nxDev(dir, [
      'g',
      'service-cache',
      'legacy-probe',
      '--existing',
      '--owner=team-e2e',
      '--purpose=adopt a hand-wired app',
      '--no-interactive',
    ]);
    expect(out).toContain('CREATE apps/legacy-probe/cache-service.json');
    expect(out).not.toContain('apps/legacy-probe/src/handler');
    expect(readFileSync(join(app, 'src', 'handler', 'index.ts'), 'utf8')).toBe(handler);
    // the app has no tests yet: its test target (and so `npm test`) passes, with a notice
    const tested = nxDev(dir, ['run', 'legacy-probe:test', '--skip-nx-cache']);
    expect(tested).toContain('notice: legacy-probe has no tests yet');
    expect(tested).toMatch(/Successfully ran target test/);
    // steps 1-3 come with the service stack; the handler still builds its own client from REDIS_URL
    expect(() => nxDev(dir, ['run', 'legacy-probe:migration-check'])).toThrow(/3\/6 steps done; missing: 4, 5, 6/);
    // a second adoption is refused
    expect(() =>
      nxDev(dir, [
        'g',
        'service-cache',
        'legacy-probe',
        '--existing',
        '--owner=team-e2e',
        '--purpose=adopt it once more',
        '--no-interactive',
      ]),
    ).toThrow('invalid --existing "legacy-probe": is already wired to the shared cache: apps/legacy-probe/cache-service.json exists');
  }, 300_000);

  it("prints a description in --help, and its own message for a missing name (not Nx's)", () => {
    const help = nxDev(dir, ['g', 'service-cache', '--help']);
    expect(help).toContain('Scaffold a service onto the shared cache');
    expect(help).not.toContain('undefined');
    expect(() => nxDev(dir, ['g', 'service-cache', '--no-interactive'])).toThrow(
      /service name is required: pass the service name first, e\.g\. nx g service-cache orders-api [^]*--owner is required[^]*--purpose is required/,
    );
  }, 60_000);

  it('refuses a second service with the same keyspace and writes nothing', () => {
    expect(() =>
      nxDev(dir, [
        'g',
        'service-cache',
        'e2e-other',
        '--keyspace=e2e-probe',
        '--owner=team-e2e',
        '--purpose=collide with e2e-probe',
        '--no-interactive',
      ]),
    ).toThrow('invalid keyspace "e2e-probe": is already claimed by service "e2e-probe"');
    expect(existsSync(join(dir, 'apps', 'e2e-other'))).toBe(false);
  }, 60_000);
});
