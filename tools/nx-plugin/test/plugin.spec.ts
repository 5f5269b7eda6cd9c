import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
