import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateUserCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  buildAccessString,
  formatKeyspaceClaim,
  keyspaceClaimParameterName,
  ownershipTags,
  platformResourceNames,
  serverlessTarget,
} from '@cache-platform/cache-contract';
import { missingCommands, startMotoProcess, type MotoProcess } from '@cache-platform/cache-client/testing';
import { PLATFORM_PURPOSE } from '../ownership';
import { main } from './cli';
import { recordedUserGroupNotFound, recordedUserGroupResponse, startUserGroupsStub, type UserGroupsStub } from './user-groups-stub';

/*
 * The audit against moto_server for what moto has (ElastiCache users and their tags, SSM keyspace
 * claims) and a recorded DescribeUserGroups response for the user group, which moto lacks. The
 * workspace is a temporary copy holding the two sample manifests, so services added later to the
 * repository do not change what "in sync" means here.
 */

const missing = missingCommands(['moto_server']);
const allowMissing = process.env['CACHE_PLATFORM_ALLOW_MISSING_TOOLS'] === '1';
if (missing.length > 0 && allowMissing)
  console.warn(`skipping the audit moto_server suite: ${missing.join(', ')} missing (CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1)`);
const describeMoto = missing.length > 0 ? describe.skip : describe;
if (missing.length > 0 && !allowMissing) {
  describe('audit moto_server prerequisites', () => {
    it('has moto_server', () => {
      throw new Error(
        `${missing.join(', ')} not on PATH: pip install 'moto[server]', or set CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1 to skip this suite knowingly`,
      );
    });
  });
}

const REGION = 'eu-west-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const repo = join(__dirname, '..', '..', '..', '..');
const GROUP = platformResourceNames('dev').userGroupId;
const TARGET = serverlessTarget('valkey', '8');
const PASSWORD = 'a-bootstrap-password-of-32-chars';

const SAMPLES = {
  catalog: { service: 'catalog-api', owner: 'team-catalog', purpose: 'cache product catalog reads in front of the catalog database' },
  enrollment: {
    service: 'enrollment-api',
    owner: 'team-enrollment',
    purpose: 'cache course enrollment lookups in front of the registrar API',
  },
};
const tagsOf = (o: { service: string; owner: string; purpose: string }) =>
  Object.entries(ownershipTags({ ...o, environment: 'dev' })).map(([Key, Value]) => ({ Key, Value }));

describeMoto('platform:audit against moto_server (users, tags, SSM) and a recorded user-group response', () => {
  let moto: MotoProcess;
  let stub: UserGroupsStub;
  let workspace: string;
  let elasticache: ElastiCacheClient;
  let ssm: SSMClient;
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    moto = await startMotoProcess();
    stub = await startUserGroupsStub(moto.endpoint);
    workspace = mkdtempSync(join(tmpdir(), 'audit-workspace-'));
    for (const app of ['catalog-api', 'enrollment-api']) {
      mkdirSync(join(workspace, 'apps', app), { recursive: true });
      copyFileSync(join(repo, 'apps', app, 'cache-service.json'), join(workspace, 'apps', app, 'cache-service.json'));
    }
    elasticache = new ElastiCacheClient({ region: REGION, endpoint: stub.endpoint, credentials, maxAttempts: 1 });
    ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint, credentials, maxAttempts: 1 });
  }, 60_000);
  afterAll(async () => {
    await stub?.stop();
    await moto?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    stub.actions.length = 0;
    out = [];
    err = [];
    jest.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    jest.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
  });
  afterEach(() => jest.restoreAllMocks());
  // every test seeds the account through the API first: seconds on a busy machine
  jest.setTimeout(30_000);

  /** The account as the platform would leave it; `changes` edits one user's seed first. */
  async function seed(changes: { catalogTags?: boolean; enrollmentAccess?: string } = {}) {
    const platform = platformResourceNames('dev').disabledDefaultUserId;
    await elasticache.send(
      new CreateUserCommand({
        UserId: platform,
        UserName: 'default',
        Engine: 'redis',
        AccessString: 'off -@all',
        AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
        Tags: tagsOf({ service: 'platform', owner: 'team-platform', purpose: PLATFORM_PURPOSE }),
      }),
    );
    await elasticache.send(
      new CreateUserCommand({
        UserId: 'catalog-api-dev',
        UserName: 'catalog-api-dev',
        Engine: 'redis',
        // as ElastiCache hands it back: rewritten, which is not drift
        AccessString: buildAccessString('catalog-api', 'readwrite', TARGET).replace('on ', 'on -@all '),
        AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
        ...(changes.catalogTags === false ? {} : { Tags: tagsOf(SAMPLES.catalog) }),
      }),
    );
    await elasticache.send(
      new CreateUserCommand({
        UserId: 'enrollment-api-dev',
        UserName: 'enrollment-api-dev',
        Engine: 'redis',
        AccessString: changes.enrollmentAccess ?? buildAccessString('enrollment-api', 'readwrite', TARGET),
        AuthenticationMode: { Type: 'iam' },
        Tags: tagsOf(SAMPLES.enrollment),
      }),
    );
    for (const sample of Object.values(SAMPLES)) {
      await ssm.send(
        new PutParameterCommand({
          Name: keyspaceClaimParameterName('dev', sample.service),
          Type: 'String',
          Value: formatKeyspaceClaim(sample),
        }),
      );
    }
    stub.respond(200, recordedUserGroupResponse(GROUP, [platform, 'catalog-api-dev', 'enrollment-api-dev']));
  }

  const audit = (...argv: string[]) => main(argv, { workspaceRoot: workspace, clients: { elasticache, ssm } });

  it('exits 0 on an account in sync (twice), and never writes', async () => {
    await seed();
    expect(await audit('--env', 'dev')).toBe(0);
    expect(await audit('--env', 'dev')).toBe(0);
    expect(out).toEqual([
      'audit dev: in sync (every user, tag and group membership as the workspace says)',
      'audit dev: in sync (every user, tag and group membership as the workspace says)',
    ]);
    expect(stub.actions.filter((a) => !/^(Describe|List)/.test(a))).toEqual(
      // the seeding above, and nothing from the audit
      ['CreateUser', 'CreateUser', 'CreateUser'],
    );
  });

  it('exits 1 naming a tag-less user and a user granting ~*, with owner and purpose', async () => {
    await seed({ catalogTags: false, enrollmentAccess: 'on ~* +@all -@dangerous' });
    expect(await audit('--env', 'dev')).toBe(1);
    const table = out.join('\n');
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^OWNER\s+PURPOSE\s+SERVICE\s+USER\s+ACTION\s+WHAT DIFFERS$/);
    const catalog = lines.find((l) => l.includes('catalog-api-dev'))!;
    expect(catalog).toMatch(
      /^team-catalog\s+cache product catalog reads in front of the catalog database\s+catalog-api\s+catalog-api-dev\s+tag\s+missing tag\(s\) cache-platform:service, cache-platform:owner/,
    );
    const enrollment = lines.find((l) => l.includes('enrollment-api-dev'))!;
    expect(enrollment).toMatch(
      /^team-enrollment\s+cache course enrollment lookups in front of the registrar API\s+enrollment-api\s+enrollment-api-dev\s+update-access-string\s+live also allows keys ~\*; live lacks keys ~enrollment-api:\*/,
    );
    expect(lines.at(-1)).toBe('audit dev: 2 drift(s); nothing was changed (the audit is read-only)');
  });

  it('exits 1 naming users no manifest defines: a tag-less one and one granting ~* (its owner and purpose from its tags)', async () => {
    await seed();
    await elasticache.send(
      new CreateUserCommand({
        UserId: 'legacy-reporting',
        UserName: 'legacy-reporting',
        Engine: 'redis',
        AccessString: 'on ~reports:* -@all +get',
        AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
      }),
    );
    await elasticache.send(
      new CreateUserCommand({
        UserId: 'hand-made-admin',
        UserName: 'hand-made-admin',
        Engine: 'redis',
        AccessString: 'on ~* +@all',
        AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
        Tags: [
          { Key: 'cache-platform:owner', Value: 'team-data' },
          { Key: 'cache-platform:purpose', Value: 'ad-hoc analysis' },
        ],
      }),
    );
    expect(await audit('--env', 'dev')).toBe(1);
    const lines = out.join('\n').split('\n');
    expect(lines.find((l) => l.includes('legacy-reporting'))).toMatch(
      /^\(unknown\)\s+\(unknown\)\s+\(unknown\)\s+legacy-reporting\s+tag\s+no manifest defines this user and it has no ownership tags/,
    );
    expect(lines.find((l) => l.includes('hand-made-admin'))).toMatch(
      /^team-data\s+ad-hoc analysis\s+\(unknown\)\s+hand-made-admin\s+review\s+not created by the platform and not in its user group, but it grants every key \(~\*\) and allows flushall/,
    );
    expect(lines.at(-1)).toBe('audit dev: 2 drift(s); nothing was changed (the audit is read-only)');
  });

  it('prints the drift as JSON with --json', async () => {
    await seed({ enrollmentAccess: 'on ~* +@all' });
    expect(await audit('--env', 'dev', '--json')).toBe(1);
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({ environment: 'dev', inSync: false });
    expect(report.drift).toEqual([
      expect.objectContaining({
        owner: 'team-enrollment',
        service: 'enrollment-api',
        user: 'enrollment-api-dev',
        action: 'update-access-string',
      }),
    ]);
    expect(report.drift[0].differs).toContain('live also allows commands ');
  });

  it('reports a missing group membership from the recorded group', async () => {
    await seed();
    stub.respond(200, recordedUserGroupResponse(GROUP, [platformResourceNames('dev').disabledDefaultUserId, 'catalog-api-dev']));
    expect(await audit('--env', 'dev')).toBe(1);
    expect(out.join('\n')).toMatch(/team-enrollment .* enrollment-api-dev\s+add-to-group\s+user is not in the platform user group/);
  });

  it('exits 2 naming the call when the account cannot be read', async () => {
    await seed();
    stub.respond(404, recordedUserGroupNotFound(GROUP));
    expect(await audit('--env', 'dev')).toBe(2);
    expect(err.join('\n')).toBe(
      `audit dev: cannot read the account (eu-west-1): ElastiCache DescribeUserGroups (${GROUP}) failed: UserGroupNotFoundFault: User group ${GROUP} not found.`,
    );
    expect(await audit('--env', 'qa')).toBe(2);
    expect(err.join('\n')).toContain('unknown environment "qa" (known: dev, prod)');
  });

  it('runs as a process with the endpoints from the environment (exit 1 on drift)', async () => {
    await seed({ enrollmentAccess: 'on ~* +@all' });
    // asynchronous: the user-group stub answers from this very process
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'cli.ts'), '--env', 'dev'], {
      cwd: repo,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_ENDPOINT_URL_ELASTICACHE: stub.endpoint,
        AWS_ENDPOINT_URL_SSM: moto.endpoint,
      },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const run = { status, stdout };
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('enrollment-api-dev');
    expect(run.stdout).toContain('update-access-string');
  }, 30_000);
});
