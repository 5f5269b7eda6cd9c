// The sample services are what the generator writes: each must pass all six steps. Each is copied
// into the workspace's tmp/ (same depth as apps/, so its relative paths hold), bundled and
// synthesized for real with the same commands as its Nx targets, then checked.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { checkMigration } from '../src';

const workspace = resolve(__dirname, '..', '..', '..');
const samples = readdirSync(join(workspace, 'apps')).filter((name) => existsSync(join(workspace, 'apps', name, 'cache-service.json')));

describe('the sample services pass every migration step', () => {
  let scratch: string;
  beforeAll(() => {
    mkdirSync(join(workspace, 'tmp'), { recursive: true });
    scratch = mkdtempSync(join(workspace, 'tmp', 'migration-samples-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has samples to check', () => expect(samples.length).toBeGreaterThanOrEqual(2));

  it.each(samples)('%s: 6/6', (name) => {
    const app = join(scratch, name);
    cpSync(join(workspace, 'apps', name), app, {
      recursive: true,
      filter: (path) => !/[/\\](cdktf\.out|dist|state|node_modules)$/.test(path),
    });
    const run = (script: string, ...args: string[]) =>
      execFileSync(process.execPath, [join(workspace, script), ...args], { cwd: app, stdio: 'pipe' });
    run('tools/lambda-bundle/bin/bundle.cjs');
    run('tools/terraform/bin/synth.cjs', join(workspace, 'libs/service-access/src/main.ts'));
    const report = checkMigration(app);
    expect(report.service).toBe(name);
    expect(report.stacks.length).toBeGreaterThan(0);
    expect(report.steps.filter((s) => !s.done)).toEqual([]);
    expect(`${report.done}/${report.total}`).toBe('6/6');
  });

  it('checks a service under services/payments (--directory) from its own folder, as its Nx target runs it', () => {
    const app = join(scratch, 'services', 'payments', 'catalog-api');
    cpSync(join(workspace, 'apps', 'catalog-api'), app, {
      recursive: true,
      filter: (path) => !/[/\\](cdktf\.out|dist|state|node_modules)$/.test(path),
    });
    // the generator writes the tsconfig's relative path for the folder's depth: so does the copy
    const tsconfig = join(app, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      readFileSync(tsconfig, 'utf8').replace('../../tsconfig.base.json', relative(app, join(workspace, 'tsconfig.base.json'))),
    );
    const run = (script: string, ...args: string[]) =>
      execFileSync(process.execPath, [join(workspace, script), ...args], { cwd: app, stdio: 'pipe', encoding: 'utf8' });
    run('tools/lambda-bundle/bin/bundle.cjs');
    run('tools/terraform/bin/synth.cjs', join(workspace, 'libs/service-access/src/main.ts'));
    // under tmp/ (which tsconfig.base.json excludes) the TypeScript loader prints a note first
    const out = run('tools/migration-check/bin/migration-check.cjs', '--json');
    const report = JSON.parse(out.slice(out.indexOf('{\n')));
    expect([report.service, report.keyspace, report.stacks]).toEqual([
      'catalog-api',
      'catalog-api',
      ['catalog-api-dev', 'catalog-api-prod'],
    ]);
    expect(`${report.done}/${report.total}`).toBe('6/6');
  });
});
