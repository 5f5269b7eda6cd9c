// The platform's destroy with remote state reads the services' keyspace claims: against moto_server.
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startMotoProcess, type MotoProcess } from '@cache-platform/cache-client/testing';
import { formatKeyspaceClaim, keyspaceClaimsPath } from '@cache-platform/cache-contract';
import { appStacks, type Environment } from '@cache-platform/platform-environments';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeyspaceClaims, remoteDependentsProblem } from './claims-guard';

const REGION = 'us-east-1';
const prod: Environment = {
  name: 'prod',
  region: REGION,
  stateBucket: { bucket: 'team-state' },
  platform: { owner: 'team-platform', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'] },
};
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('platform destroy with remote state: keyspace claims', () => {
  let moto: MotoProcess;
  let ssm: SSMClient;
  let root: string;
  const platformApp = () => appStacks(join(root, 'apps', 'platform'), { env: {}, environments: [prod] });
  const read = (environment: { name: string; region?: string }) => readKeyspaceClaims(environment, ssm);

  beforeAll(async () => {
    moto = await startMotoProcess();
    ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint, credentials });
    root = mkdtempSync(join(tmpdir(), 'claims-guard-'));
    writeFileSync(join(root, 'nx.json'), '{}');
    mkdirSync(join(root, 'apps', 'platform'), { recursive: true });
  }, 30_000);
  afterAll(async () => {
    ssm?.destroy();
    await moto?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const claim = (keyspace: string, value: string) =>
    ssm.send(new PutParameterCommand({ Name: `${keyspaceClaimsPath('prod')}/${keyspace}`, Value: value, Type: 'String', Overwrite: true }));

  it('refuses while services claim keyspaces, naming each service and the command that destroys it', async () => {
    await claim('orders', formatKeyspaceClaim({ service: 'orders-api', owner: 'team-orders', purpose: 'cache product lookups' }));
    // more than one page of GetParametersByPath (10 a page)
    for (let i = 0; i < 11; i++) await claim(`svc${i}`, formatKeyspaceClaim({ service: `svc-${i}`, owner: 't', purpose: 'scale claims' }));
    await claim('broken', 'not json');
    const claims = await read(prod);
    expect(claims).toHaveLength(13);
    expect(claims).toContainEqual({ keyspace: 'orders', service: 'orders-api' });
    expect(claims).toContainEqual({ keyspace: 'broken', service: undefined });
    const problem = await remoteDependentsProblem(platformApp(), read);
    expect(problem).toMatch(/^refusing to destroy platform-prod: services still claim keyspaces under \/cache-platform\/prod\/keyspaces: /);
    expect(problem).toContain('orders-api (keyspace orders)');
    expect(problem).toContain('an unreadable claim (keyspace broken)');
    expect(problem).toContain('CACHE_PLATFORM_ENVIRONMENTS=prod npx nx run ');
    expect(problem).toContain('npx nx run orders-api:destroy');
    expect(problem?.split('\n')).toHaveLength(1);
  }, 30_000);

  it('lets the platform go once every claim is gone', async () => {
    for (const { keyspace } of await read(prod)) {
      await ssm.send(new DeleteParameterCommand({ Name: `${keyspaceClaimsPath('prod')}/${keyspace}` }));
    }
    expect(await remoteDependentsProblem(platformApp(), read)).toBeUndefined();
  }, 30_000);

  it('refuses in one line when the claims cannot be read (no credentials, no network)', async () => {
    const unreachable = new SSMClient({ region: REGION, endpoint: 'http://127.0.0.1:9', credentials, maxAttempts: 1 });
    const problem = await remoteDependentsProblem(platformApp(), (e) => readKeyspaceClaims(e, unreachable));
    unreachable.destroy();
    expect(problem).toMatch(
      /^refusing to destroy platform-prod: cannot read the keyspace claims under \/cache-platform\/prod\/keyspaces in SSM .*\(.+\)$/,
    );
  }, 30_000);

  it('leaves local-state environments and service apps to the state-file check', async () => {
    const dev: Environment = { ...prod, name: 'dev', stateBucket: undefined };
    const local = appStacks(join(root, 'apps', 'platform'), { env: {}, environments: [dev] });
    const never = () => Promise.reject(new Error('must not be called'));
    expect(await remoteDependentsProblem(local, never)).toBeUndefined();
    expect(await remoteDependentsProblem({ ...platformApp(), kind: 'service' }, never)).toBeUndefined();
  });
});
