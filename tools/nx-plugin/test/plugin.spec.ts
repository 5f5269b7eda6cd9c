import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateNodesContext, ProjectConfiguration } from '@nx/devkit';
import { ENVIRONMENTS_ENV_VAR } from '@cache-platform/cache-contract';
import { createNodes, SERVICE_MANIFEST_GLOB } from '../plugin.cjs';

describe('service target inference (createNodes)', () => {
  let workspaceRoot: string;
  beforeAll(() => {
    workspaceRoot = mkdtempSync(join(tmpdir(), 'nx-plugin-'));
    const write = (path: string, text: string) => {
      mkdirSync(join(workspaceRoot, path, '..'), { recursive: true });
      writeFileSync(join(workspaceRoot, path), text);
    };
    write('apps/orders-api/cache-service.json', JSON.stringify({ service: 'orders-api' }));
    write('apps/team-a/billing/cache-service.json', JSON.stringify({ service: 'billing-api' }));
    write('apps/broken/cache-service.json', '{ not json');
    write('services/payments/payments-api/cache-service.json', JSON.stringify({ service: 'payments-api' }));
  });
  afterAll(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  async function infer(paths: string[]): Promise<Record<string, ProjectConfiguration>> {
    const context: CreateNodesContext = { workspaceRoot, nxJsonConfiguration: {} };
    const results = await createNodes[1](paths, undefined, context);
    return Object.assign({}, ...results.map(([, result]) => result.projects)) as Record<string, ProjectConfiguration>;
  }

  it('is keyed on every cache-service.json', () => {
    expect(createNodes[0]).toBe(SERVICE_MANIFEST_GLOB);
    expect(SERVICE_MANIFEST_GLOB).toBe('**/cache-service.json');
  });

  it('gives every service the same targets, with inputs, outputs, cache and order', async () => {
    const projects = await infer(['apps/orders-api/cache-service.json', 'apps/team-a/billing/cache-service.json']);
    const orders = projects['apps/orders-api']!;
    expect(orders.name).toBe('orders-api');
    expect(orders.tags).toEqual(['type:app', 'kind:service']);
    expect(Object.keys(orders.targets!).sort()).toEqual([
      'bundle',
      'deploy',
      'describe',
      'destroy',
      'diff',
      'lint',
      'migration-check',
      'synth',
      'test',
      'typecheck',
      'validate',
    ]);
    const t = orders.targets!;
    expect(t['bundle']).toMatchObject({ cache: true, outputs: ['{projectRoot}/dist/handler'], inputs: ['production', '^production'] });
    expect(t['synth']).toMatchObject({ cache: true, dependsOn: ['bundle'], outputs: ['{projectRoot}/cdktf.out'] });
    // a synth of dev must never be replayed for prod
    // plugin.cjs is plain CommonJS and cannot import the contract: this holds its copy to the contract's name
    expect(t['synth']!.inputs).toContainEqual({ env: ENVIRONMENTS_ENV_VAR });
    expect(t['validate']).toMatchObject({ cache: false, dependsOn: ['synth'] });
    expect(t['deploy']).toMatchObject({
      cache: false,
      dependsOn: ['bundle', 'synth', { projects: ['platform'], target: 'deploy', params: 'forward' }],
    });
    expect(t['diff']!.cache).toBe(false);
    // judges the synthesized stacks: always on a fresh synth
    expect(t['migration-check']).toMatchObject({ cache: false, dependsOn: ['synth'] });
    expect(t['migration-check']!.options.command).toBe('node ../../tools/migration-check/bin/migration-check.cjs');
    expect(t['destroy']!.cache).toBe(false);
    // an opted-out (skipping) test run is never replayed for a full one
    expect(t['test']!.inputs).toContainEqual({ env: 'CACHE_PLATFORM_ALLOW_MISSING_TOOLS' });
    expect(t['test']!.options.command).toBe('node ../../tools/nx-plugin/bin/service-test.cjs');
    // what the service owns, read from a fresh synth
    expect(t['describe']).toMatchObject({ cache: false, dependsOn: ['synth'] });
    expect(t['describe']!.options.command).toBe('node ../../tools/nx-plugin/bin/describe.cjs');
    expect(t['synth']!.options).toEqual({
      cwd: 'apps/orders-api',
      command: 'node ../../tools/terraform/bin/synth.cjs ../../libs/service-access/src/main.ts',
    });
    // what every service's build depends on: a change there affects every service
    expect(orders.implicitDependencies).toEqual(['service-access', 'lambda-bundle', 'terraform-tools', 'guardrails']);

    // --directory=services/payments: every command reaches the workspace from its depth
    const payments = (await infer(['services/payments/payments-api/cache-service.json']))['services/payments/payments-api']!;
    expect(payments.targets!['migration-check']!.options).toEqual({
      cwd: 'services/payments/payments-api',
      command: 'node ../../../tools/migration-check/bin/migration-check.cjs',
    });
    expect(payments.targets!['synth']!.options.command).toBe(
      'node ../../../tools/terraform/bin/synth.cjs ../../../libs/service-access/src/main.ts',
    );

    const billing = projects['apps/team-a/billing']!;
    expect(billing.name).toBe('billing-api');
    expect(billing.targets!['bundle']!.options.command).toBe('node ../../../tools/lambda-bundle/bin/bundle.cjs');
  });

  it('keeps Nx working when one manifest is not valid JSON: the synth reports it, the project keeps its folder name', async () => {
    const projects = await infer(['apps/broken/cache-service.json']);
    expect(projects['apps/broken']!.name).toBe('broken');
  });
});

describe('platform target inference (cdktf-apps.cjs): the services’ rule, with what the platform adds', () => {
  const cdktfApps = require('../cdktf-apps.cjs') as { createNodes: typeof createNodes; CDKTF_APP_GLOB: string };
  const workspace = join(__dirname, '..', '..', '..');
  const nxJson = JSON.parse(readFileSync(join(workspace, 'nx.json'), 'utf8')) as {
    plugins: Array<string | { plugin: string; options?: unknown }>;
  };
  const platformOptions = nxJson.plugins.find((p) => typeof p === 'object' && p.plugin === './tools/nx-plugin/cdktf-apps.cjs') as {
    options: Record<string, unknown>;
  };

  async function inferApps(paths: string[], options: unknown = platformOptions.options) {
    const context: CreateNodesContext = { workspaceRoot: workspace, nxJsonConfiguration: {} };
    const results = await cdktfApps.createNodes[1](paths, options as never, context);
    return Object.assign({}, ...results.map(([, result]) => result.projects)) as Record<string, ProjectConfiguration>;
  }

  it('makes apps/platform a cdktf app with the same synth, validate, diff, deploy, destroy and typecheck as a service', async () => {
    expect(cdktfApps.CDKTF_APP_GLOB).toBe('**/cdktf.json');
    const platform = (await inferApps(['apps/platform/cdktf.json']))['apps/platform']!;
    const t = platform.targets!;
    expect(Object.keys(t).sort()).toEqual(['deploy', 'destroy', 'diff', 'synth', 'typecheck', 'validate']);
    expect(t['synth']).toEqual({
      executor: '@cache-platform/nx-plugin:synth',
      options: { cwd: 'apps/platform', command: 'node ../../tools/terraform/bin/synth.cjs src/main.ts' },
      // the rotation function's bundle (a dependency's `bundle`) is what the platform packages
      dependsOn: ['^bundle'],
      cache: true,
      // the platform's quota check reads every service manifest: a new service re-synthesizes it
      inputs: ['production', '^production', '{workspaceRoot}/**/cache-service.json', { env: 'CACHE_PLATFORM_ENVIRONMENTS' }],
      outputs: ['{projectRoot}/cdktf.out'],
    });
    expect(t['validate']).toEqual({
      executor: '@cache-platform/nx-plugin:validate',
      options: { cwd: '.', command: 'node tools/terraform/bin/validate.cjs apps/platform' },
      dependsOn: ['synth'],
      cache: false,
    });
    expect(t['diff']).toMatchObject({ dependsOn: ['^bundle', 'synth'], cache: false });
    expect(t['deploy']).toMatchObject({ dependsOn: ['^bundle', 'synth'], cache: false });
    expect(t['deploy']!.options).toEqual({
      cwd: 'apps/platform',
      command: "node ../../tools/terraform/bin/cdktf.cjs deploy '*' --auto-approve",
      env: { CHECKPOINT_DISABLE: '1' },
    });
    expect(t['destroy']).toMatchObject({ dependsOn: ['^bundle'], cache: false });
    // exactly a service's targets of the same names, but for the entry, the bundles and the extra input
    const context: CreateNodesContext = { workspaceRoot: workspace, nxJsonConfiguration: {} };
    const [[, catalog]] = await createNodes[1](['apps/catalog-api/cache-service.json'], undefined, context);
    const service = catalog.projects!['apps/catalog-api']!.targets!;
    expect(t['validate']!.executor).toBe(service['validate']!.executor);
    expect(t['synth']!.executor).toBe(service['synth']!.executor);
    expect(t['typecheck']).toEqual({ ...service['typecheck'], options: { command: 'tsc --noEmit -p apps/platform/tsconfig.json' } });
  });

  it('leaves services to plugin.cjs and fixtures without a project.json alone', async () => {
    const projects = await inferApps([
      'apps/catalog-api/cdktf.json',
      'tools/terraform/test/fixtures/failing-synth-app/cdktf.json',
      'apps/platform/cdktf.json',
    ]);
    expect(Object.keys(projects)).toEqual(['apps/platform']);
  });

  it('keeps in apps/platform/project.json only what is the platform’s own: its audit, and the rotation bundle its tests need', () => {
    const own = JSON.parse(readFileSync(join(workspace, 'apps', 'platform', 'project.json'), 'utf8')) as ProjectConfiguration;
    expect(Object.keys(own.targets!).sort()).toEqual(['audit', 'test']);
    expect(own.implicitDependencies).toEqual(['secret-rotation']);
  });

  it('takes its options from nx.json: another entry or other bundles', async () => {
    const app = (await inferApps(['apps/platform/cdktf.json'], { entry: 'src/app.ts', bundles: [] }))['apps/platform']!.targets!;
    expect(app['synth']!.options.command).toBe('node ../../tools/terraform/bin/synth.cjs src/app.ts');
    expect(app['synth']!.dependsOn).toEqual([]);
    expect(app['synth']!.inputs).toEqual(['production', '^production', { env: 'CACHE_PLATFORM_ENVIRONMENTS' }]);
  });
});
