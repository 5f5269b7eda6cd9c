import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type TerraformResource } from 'cdktf';
import {
  assertServiceManifest,
  keyspaceClaimParameterName,
  parseCacheSecret,
  parseKeyspaceClaim,
  platformExportNames,
  serviceResourceNames,
} from '@cache-platform/cache-contract';
import type { Environment } from '@cache-platform/platform-environments';
import { runTerraform, terraformEnv, type TerraformResult } from '@cache-platform/terraform-tools';
import { ServiceStack, serviceStackId, type ServiceCacheAccess } from '../src/index';
import { missingCommands, MOTO_ACCOUNT, MOTO_REGION, MotoServer } from './moto-server';

/*
 * Apply-then-plan against moto_server: proves that the resources moto supports (secret, secret
 * version, password data source, IAM role and policies, keyspace claim, ElastiCache user, Lambda)
 * show "No changes" on a second plan although the random-password data source returns a new value
 * on every read, and that a second stack claiming the same keyspace fails at apply.
 *
 * moto has no serverless caches, user groups or group associations: the platform exports are seeded
 * as plain SSM parameters and the association is left out with -target.
 */

const ENV = 'moto';
const missing = missingCommands(['moto_server', 'terraform']);
// Missing tools fail the suite (a skip would read as a pass, and Nx would cache it as one) unless a
// developer opts out explicitly; the variable is an input of the test target, so the cache never
// replays an opted-out run for a normal one.
const allowMissing = process.env['CACHE_PLATFORM_ALLOW_MISSING_TOOLS'] === '1';
if (missing.length > 0 && allowMissing) {
  console.warn(`skipping the moto_server apply-then-plan test: ${missing.join(', ')} not on PATH (CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1)`);
}
const describeMoto = missing.length > 0 && allowMissing ? describe.skip : describe;

if (missing.length > 0 && !allowMissing) {
  describe('moto_server apply-then-plan prerequisites', () => {
    it('has moto_server and terraform on PATH', () => {
      throw new Error(
        `${missing.join(', ')} not on PATH: install them (pip install 'moto[server]'; Terraform >= 1.11), or set CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1 to skip this suite knowingly`,
      );
    });
  });
}

const PLATFORM_EXPORTS = {
  endpointAddress: 'cache-platform-moto-abc123.serverless.use1.cache.amazonaws.com',
  endpointPort: '6379',
  readerPort: '6380',
  cacheName: 'cache-platform-moto',
  cacheArn: `arn:aws:elasticache:${MOTO_REGION}:${MOTO_ACCOUNT}:serverlesscache:cache-platform-moto`,
  engine: 'valkey',
  userGroupId: 'cache-platform-moto-users',
  clientSecurityGroupId: 'sg-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
} as const;

/** moto's region; the platform settings are never read by a service stack */
const MOTO_ENVIRONMENT: Environment = {
  name: ENV,
  region: MOTO_REGION,
  platform: { owner: 'team-platform', vpcId: 'vpc-00000000', subnetIds: [] },
};

type ManifestFields = { service: string; keyspace: string; owner: string; purpose: string };

const address = (resource: TerraformResource) => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;

interface SynthesizedStack {
  readonly dir: string;
  readonly access: ServiceCacheAccess;
  /** addresses of everything moto supports; the user-group association is the one left out */
  readonly targets: string[];
  /** the local state file (configureAwsStack puts it in `<app>/state/`) */
  readonly statePath: string;
}

describeMoto('service access against moto_server (apply, then plan shows no changes)', () => {
  let moto: MotoServer;
  let work: string;
  let bundleDir: string;
  const env = terraformEnv();
  const started = Date.now();

  /**
   * Synthesizes the library's own service stack (as every service app gets it) from a manifest into
   * `<work>/<name>/cdktf.out`; state lands in `<work>/<name>/state`.
   */
  function synthStack(name: string, fields: ManifestFields, withFunction: boolean): SynthesizedStack {
    const outdir = join(work, name, 'cdktf.out');
    mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir, skipValidation: false });
    const manifest = assertServiceManifest({ authMode: 'password', accessProfile: 'readwrite', ...fields }, `${name}/cache-service.json`);
    const stackId = serviceStackId(manifest.service, ENV);
    const stack = new ServiceStack(app, stackId, {
      manifest,
      environment: MOTO_ENVIRONMENT,
      bundleDir,
      providerOverrides: moto.providerOverrides(),
    });
    const { access } = stack;
    const targets = [access.keyspaceClaim, access.user, access.secret, access.secretVersion].map(address);
    if (withFunction) {
      const fn = stack.handler;
      // the function itself waits for the user-group association, which moto cannot create: its role,
      // grants and log group are applied here, the function is covered by synth tests and validate
      targets.push(address(fn.role), address(fn.logGroup), ...fn.grants.map((g) => address(g.policy)));
    }
    app.synth();
    return { dir: join(outdir, 'stacks', stackId), access, targets, statePath: join(work, name, 'state', `${stackId}.tfstate`) };
  }

  async function terraform(args: string[], dir: string): Promise<TerraformResult> {
    return runTerraform([...args, '-no-color'], dir, env);
  }

  const explain = (result: TerraformResult) =>
    `exit ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}\nmoto: ${moto.log().slice(-1500)}`;

  async function init(dir: string): Promise<void> {
    const result = await terraform(['init', '-input=false'], dir);
    if (result.code !== 0) throw new Error(`terraform init failed: ${explain(result)}`);
  }

  const targetArgs = (targets: string[]) => targets.map((t) => `-target=${t}`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'service-access-moto-'));
    bundleDir = join(work, 'bundle');
    mkdirSync(bundleDir);
    writeFileSync(join(bundleDir, 'index.mjs'), 'export const handler = async () => ({ ok: true });\n');
    moto = await MotoServer.start();
    await moto.reset();
    const names = platformExportNames(ENV);
    for (const [key, value] of Object.entries(PLATFORM_EXPORTS) as [keyof typeof PLATFORM_EXPORTS, string][]) {
      await moto.putParameter(names[key], value, key === 'subnetIds' ? 'StringList' : 'String');
    }
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    console.info(`moto apply-then-plan suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 30_000);

  const owner: ManifestFields = { service: 'orders-api', keyspace: 'orders-api', owner: 'team-orders', purpose: 'cache product lookups' };

  it('applies the supported resources, then plans no changes although the password source re-reads', async () => {
    const stack = synthStack('orders-api', owner, true);
    await init(stack.dir);

    const apply = await terraform(['apply', '-auto-approve', '-input=false', ...targetArgs(stack.targets)], stack.dir);
    if (apply.code !== 0) throw new Error(`apply failed: ${explain(apply)}`);

    const plan = await terraform(['plan', '-detailed-exitcode', '-input=false', ...targetArgs(stack.targets)], stack.dir);
    if (plan.code !== 0) throw new Error(`second plan is not empty: ${explain(plan)}`);
    expect(plan.stdout).toContain('No changes.');

    // what was applied matches the contract
    const names = serviceResourceNames('orders-api', ENV);
    const secretString = await moto.getSecretString(names.secretName);
    const payload = parseCacheSecret(secretString, names.secretName);
    expect(payload).toMatchObject({
      host: PLATFORM_EXPORTS.endpointAddress,
      port: 6379,
      readerPort: 6380,
      username: names.userName,
      keyspace: 'orders-api',
      tls: true,
      authMode: 'password',
      cacheName: PLATFORM_EXPORTS.cacheName,
      user_arn: `arn:aws:elasticache:${MOTO_REGION}:${MOTO_ACCOUNT}:user:${names.userId}`,
      clusterMode: true,
    });
    expect(payload.password).toMatch(/^[A-Za-z0-9]{64}$/);
    const claim = await moto.getParameter(keyspaceClaimParameterName(ENV, 'orders-api'));
    expect(parseKeyspaceClaim('orders-api', claim)).toEqual({
      service: 'orders-api',
      owner: 'team-orders',
      purpose: 'cache product lookups',
    });

    // the user and the secret got the same generated password (one read of the data source); the
    // local state file is read directly, `terraform show -json` would cost another provider start
    const state = JSON.parse(readFileSync(stack.statePath, 'utf8')) as {
      resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const user = state.resources.find((r) => `${r.type}.${r.name}` === address(stack.access.user))!;
    expect((user.instances[0].attributes['authentication_mode'] as { passwords: string[] }[])[0].passwords).toEqual([payload.password]);
    // the synthesized configuration never held it
    expect(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')).not.toContain(payload.password);
  }, 240_000);

  it('refuses a second stack claiming the same keyspace at apply, creating no user or secret for it', async () => {
    const intruder = synthStack(
      'orders-worker',
      { service: 'orders-worker', keyspace: 'orders-api', owner: 'team-other', purpose: 'reuse the orders cache' },
      false,
    );
    await init(intruder.dir);
    // the whole stack as far as moto supports it, not just the claim
    const apply = await terraform(['apply', '-auto-approve', '-input=false', ...targetArgs(intruder.targets)], intruder.dir);
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain('ParameterAlreadyExists');
    // nothing that could reach the keyspace was created
    const created = existsSync(intruder.statePath)
      ? (JSON.parse(readFileSync(intruder.statePath, 'utf8')) as { resources: { mode: string; type: string }[] }).resources
          .filter((r) => r.mode === 'managed')
          .map((r) => r.type)
      : [];
    expect(created).not.toContain('aws_elasticache_user');
    expect(created).not.toContain('aws_secretsmanager_secret');
    expect(created).not.toContain('aws_secretsmanager_secret_version');
    await expect(moto.getSecretString(serviceResourceNames('orders-worker', ENV).secretName)).rejects.toThrow();
    // the first owner keeps its claim
    const claim = parseKeyspaceClaim('orders-api', await moto.getParameter(keyspaceClaimParameterName(ENV, 'orders-api')));
    expect(claim.service).toBe('orders-api');
  }, 120_000);

  it('still updates its own claim in place when owner or purpose change', async () => {
    // synthesizing into the same folder reuses the first test's init and state
    const stack = synthStack('orders-api', { ...owner, owner: 'team-orders-platform', purpose: 'cache product and price lookups' }, false);
    const claimTarget = `-target=${address(stack.access.keyspaceClaim)}`;
    const apply = await terraform(['apply', '-auto-approve', '-input=false', claimTarget], stack.dir);
    if (apply.code !== 0) throw new Error(`updating the claim failed: ${explain(apply)}`);
    expect(apply.stdout).toMatch(/0 added, 1 changed, 0 destroyed/);
    const claim = parseKeyspaceClaim('orders-api', await moto.getParameter(keyspaceClaimParameterName(ENV, 'orders-api')));
    expect(claim).toEqual({ service: 'orders-api', owner: 'team-orders-platform', purpose: 'cache product and price lookups' });
  }, 120_000);
});
