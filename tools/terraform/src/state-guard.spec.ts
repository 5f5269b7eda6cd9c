import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appStacks, assertEnvironmentNetwork, selectEnvironments } from '@cache-platform/platform-environments';
import { resourceProblem } from './cdktf-cli';
import { stateProblem } from './state-guard';

const WORKSPACE = join(__dirname, '..', '..', '..');
const WRAPPER = join(__dirname, '..', 'bin', 'cdktf.cjs');

/** A scratch workspace: nx.json, the platform app folder and the catalog-api sample's manifest. */
function scratchWorkspace(): { root: string; platform: string; service: string } {
  const root = mkdtempSync(join(tmpdir(), 'state-guard-'));
  writeFileSync(join(root, 'nx.json'), '{}');
  const platform = join(root, 'apps', 'platform');
  const service = join(root, 'apps', 'catalog-api');
  mkdirSync(platform, { recursive: true });
  mkdirSync(service, { recursive: true });
  copyFileSync(join(WORKSPACE, 'apps', 'catalog-api', 'cache-service.json'), join(service, 'cache-service.json'));
  return { root, platform, service };
}

function writeState(appDir: string, stackId: string, resources: unknown[]): void {
  mkdirSync(join(appDir, 'state'), { recursive: true });
  writeFileSync(join(appDir, 'state', `${stackId}.tfstate`), JSON.stringify({ version: 4, resources }));
}

/** Runs the wrapper as `nx run <app>:<command>` does (its preflight refuses before cdktf starts). */
function runWrapper(cwd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CACHE_PLATFORM_ENVIRONMENTS: 'dev', NO_COLOR: '1' };
  delete env['NX_VERBOSE_LOGGING'];
  // Nx sets FORCE_COLOR for its tasks; with NO_COLOR too, Node prints a warning on stderr
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [WRAPPER, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cdktf wrapper: local state', () => {
  let ws: ReturnType<typeof scratchWorkspace>;
  beforeEach(() => (ws = scratchWorkspace()));
  afterEach(() => rmSync(ws.root, { recursive: true, force: true }));

  it('refuses to destroy a stack whose local state file is missing, naming the file, in one line and exit 1', () => {
    const { status, stdout, stderr } = runWrapper(ws.service, ['destroy', '*']);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'refusing to destroy catalog-api-dev: its state file apps/catalog-api/state/catalog-api-dev.tfstate does not exist, so Terraform ' +
        'would destroy nothing and report success while the resources live on; run destroy in the clone that deployed dev, ' +
        'or copy its apps/catalog-api/state/catalog-api-dev.tfstate here first',
    ]);
    // --first-deploy is no way around it: a destroy without state is never right
    expect(runWrapper(ws.service, ['destroy', '*', '--first-deploy']).status).toBe(1);
  }, 60_000);

  it('refuses to deploy without the state file unless told this is the first deploy', () => {
    const app = appStacks(ws.platform, { env: { CACHE_PLATFORM_ENVIRONMENTS: 'dev' } });
    expect(stateProblem('deploy', app, { root: ws.root })).toBe(
      'refusing to deploy platform-dev: its state file apps/platform/state/platform-dev.tfstate does not exist; if platform-dev was ' +
        'never deployed, run again with --first-deploy (npx nx run platform:deploy -- --first-deploy); if it was deployed from ' +
        "another clone, copy that clone's apps/platform/state/platform-dev.tfstate here first (a deploy without it would create every resource again)",
    );
    expect(stateProblem('deploy', app, { firstDeploy: true })).toBeUndefined();
    writeState(ws.platform, 'platform-dev', []);
    expect(stateProblem('deploy', app)).toBeUndefined();
    // diff only reads: a missing state shows as "everything to create", which is the truth from here
    rmSync(join(ws.platform, 'state'), { recursive: true });
    expect(stateProblem('diff', app)).toBeUndefined();
  });

  it('refuses to deploy onto the sample VPC and subnet ids, naming the file and fields, before the state check', () => {
    const { status, stdout, stderr } = runWrapper(ws.platform, ['deploy', '*', '--auto-approve', '--first-deploy']);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'libs/platform-environments/src/environments.ts (environment dev): invalid platform.vpcId, platform.subnetIds[0], platform.subnetIds[1] ' +
        '["vpc-0a1b2c3d4e5f60718","subnet-0a1b2c3d4e5f60711","subnet-0a1b2c3d4e5f60722"]: these are the sample ids environments.ts ships ' +
        'with, not your network: set platform.vpcId to your VPC and platform.subnetIds to its private subnets (one per Availability Zone) ' +
        'before deploying (README, "Deploy")',
    ]);
    // a diff only reads: it may show the plan for the sample network
    const checks = {
      select: (env: NodeJS.ProcessEnv) => selectEnvironments({ env }),
      assertDeployable: (e: Parameters<typeof assertEnvironmentNetwork>[0]) => assertEnvironmentNetwork(e, { deploy: true }),
      appStacks: (env: NodeJS.ProcessEnv) => appStacks(ws.platform, { env }),
    };
    expect(resourceProblem('diff', { CACHE_PLATFORM_ENVIRONMENTS: 'dev' }, checks)).toBeUndefined();
    expect(resourceProblem('deploy', { CACHE_PLATFORM_ENVIRONMENTS: 'dev' }, checks)).toContain('these are the sample ids');
  }, 60_000);

  it("refuses to destroy the platform while a service stack's state still holds resources, and names them", () => {
    writeState(ws.platform, 'platform-dev', [{ type: 'aws_elasticache_serverless_cache' }]);
    writeState(ws.service, 'catalog-api-dev', [{ type: 'aws_secretsmanager_secret' }, { type: 'aws_lambda_function' }]);
    const { status, stderr } = runWrapper(ws.platform, ['destroy', '*']);
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      'refusing to destroy the platform: service stacks still read its exports: catalog-api-dev ' +
        '(apps/catalog-api/state/catalog-api-dev.tfstate: 2 resources); destroy them first ' +
        '(CACHE_PLATFORM_ENVIRONMENTS=dev npx nx run catalog-api:destroy; README "Tear down the platform")',
    );
    // once the service is destroyed (its state emptied), the platform may go
    writeState(ws.service, 'catalog-api-dev', []);
    const app = appStacks(ws.platform, { env: { CACHE_PLATFORM_ENVIRONMENTS: 'dev' } });
    expect(stateProblem('destroy', app)).toBeUndefined();
    // a retired service (its folder removed, with its state) no longer holds the platform
    rmSync(ws.service, { recursive: true });
    expect(stateProblem('destroy', appStacks(ws.platform, { env: { CACHE_PLATFORM_ENVIRONMENTS: 'dev' } }))).toBeUndefined();
  }, 60_000);

  it('leaves environments with remote state alone: every clone sees the same state', () => {
    const app = appStacks(ws.service, {
      env: {},
      environments: [
        {
          name: 'dev',
          region: 'eu-west-1',
          stateBucket: { bucket: 'team-state' },
          platform: { owner: 't', vpcId: 'vpc-00000000', subnetIds: [] },
        },
      ],
    });
    expect(app.stacks).toEqual([expect.objectContaining({ stackId: 'catalog-api-dev', localState: undefined })]);
    expect(stateProblem('destroy', app)).toBeUndefined();
  });

  it('checks the very paths the synthesized local backend writes', () => {
    const app = appStacks(join(WORKSPACE, 'apps', 'catalog-api'), { env: { CACHE_PLATFORM_ENVIRONMENTS: 'dev' } });
    // libs/stack-base: LocalBackend path `../../../state/<stack>.tfstate` from cdktf.out/stacks/<stack>
    const fromStackDir = join(
      WORKSPACE,
      'apps',
      'catalog-api',
      'cdktf.out',
      'stacks',
      'catalog-api-dev',
      '../../../state/catalog-api-dev.tfstate',
    );
    expect(app.stacks.map((s) => s.localState)).toEqual([fromStackDir]);
  });
});
