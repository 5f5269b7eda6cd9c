import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateUserCommand, ElastiCacheClient, type Tag } from '@aws-sdk/client-elasticache';
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
import { ENVIRONMENTS, type Environment } from '@cache-platform/platform-environments';
import { MAX_USERS_PER_PAGE, startElastiCacheStub, type ElastiCacheStub } from '../../test/audit/elasticache-stub';
import { PLATFORM_PURPOSE } from '../ownership';
import { main } from './cli';
import { accountClients, AUDIT_RETRY } from './read-account';

/*
 * The audit against moto_server for what moto has (ElastiCache users and their tags, SSM keyspace
 * claims) and a stub in front of it for what moto lacks (user groups, DescribeUsers pages; see
 * test/audit/elasticache-stub.ts). The account holds two environments, dev and prod, as one account
 * may; each has two cells, `main` and `b` (b on Redis OSS 7, its own engine). The workspace is a
 * temporary copy of the two sample manifests with enrollment-api placed in cell b, so services added
 * later to the repository do not change what "in sync" means here.
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
const PASSWORD = 'a-bootstrap-password-of-32-chars';

const [DEV_BASE, PROD_BASE] = ENVIRONMENTS as [Environment, Environment];
// both environments have a second cell b, on Redis OSS 7 (its own engine)
const CELL_B = { name: 'b', cache: { engine: 'redis', majorEngineVersion: '7' } } as const;
const DEV: Environment = { ...DEV_BASE, cells: [CELL_B] };
const PROD: Environment = { ...PROD_BASE, cells: [CELL_B] };
const ENVS = [DEV, PROD];
const MAIN_TARGET = serverlessTarget('valkey', '8');
const B_TARGET = serverlessTarget('redis', '7');
const dev = platformResourceNames('dev');
const devB = platformResourceNames('dev', 'b');
const prod = platformResourceNames('prod');
const prodB = platformResourceNames('prod', 'b');

const SAMPLES = {
  catalog: { service: 'catalog-api', owner: 'team-catalog', purpose: 'cache product catalog reads in front of the catalog database' },
  enrollment: {
    service: 'enrollment-api',
    owner: 'team-enrollment',
    purpose: 'cache course enrollment lookups in front of the registrar API',
  },
  orders: { service: 'orders-api', owner: 'team-orders', purpose: 'cache order lookups' },
};
const PLATFORM = { service: 'platform', owner: 'team-platform', purpose: PLATFORM_PURPOSE };
const tagsOf = (o: { service: string; owner: string; purpose: string }, environment: string): Tag[] =>
  Object.entries(ownershipTags({ ...o, environment })).map(([Key, Value]) => ({ Key, Value }));

describeMoto('platform:audit: one environment, every cell, in an account shared with another (moto_server and a stub)', () => {
  let moto: MotoProcess;
  let stub: ElastiCacheStub;
  let workspace: string;
  let elasticache: ElastiCacheClient;
  let ssm: SSMClient;
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    moto = await startMotoProcess();
    stub = await startElastiCacheStub(moto.endpoint);
    workspace = mkdtempSync(join(tmpdir(), 'audit-workspace-'));
    for (const app of ['catalog-api', 'enrollment-api']) {
      mkdirSync(join(workspace, 'apps', app), { recursive: true });
      copyFileSync(join(repo, 'apps', app, 'cache-service.json'), join(workspace, 'apps', app, 'cache-service.json'));
    }
    const enrollment = join(workspace, 'apps', 'enrollment-api', 'cache-service.json');
    writeFileSync(enrollment, JSON.stringify({ ...JSON.parse(readFileSync(enrollment, 'utf8')), cell: 'b' }, null, 2));
    // the seeding client: one attempt, so a seeding mistake fails at once
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
    stub.reset();
    out = [];
    err = [];
    jest.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    jest.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
  });
  afterEach(() => jest.restoreAllMocks());
  // every test seeds the account through the API first: seconds on a busy machine
  jest.setTimeout(60_000);

  async function createUser(userId: string, accessString: string, tags?: Tag[], userName = userId) {
    await elasticache.send(
      new CreateUserCommand({
        UserId: userId,
        UserName: userName,
        Engine: 'redis',
        AccessString: accessString,
        AuthenticationMode: { Type: 'password', Passwords: [PASSWORD] },
        ...(tags ? { Tags: tags } : {}),
      }),
    );
  }

  /**
   * The account as the platform would leave it with dev (cells main and b) and prod side by side;
   * prod also holds an orphan of its own (orders-api-prod: created by the platform, no manifest any
   * more) and an untagged user whose id says prod. `changes` edits the seed first.
   */
  async function seed(
    changes: { catalogTags?: boolean; enrollmentAccess?: string; enrollmentGroup?: 'main' | 'b'; before?: () => Promise<void> } = {},
  ) {
    await changes.before?.();
    for (const [id, environment] of [
      [prod.disabledDefaultUserId, 'prod'],
      [prodB.disabledDefaultUserId, 'prod'],
      [dev.disabledDefaultUserId, 'dev'],
      [devB.disabledDefaultUserId, 'dev'],
    ] as const) {
      await createUser(id, 'off -@all', tagsOf(PLATFORM, environment), 'default');
    }
    await createUser('catalog-api-prod', buildAccessString('catalog-api', 'readwrite', MAIN_TARGET), tagsOf(SAMPLES.catalog, 'prod'));
    await createUser('enrollment-api-prod', buildAccessString('enrollment-api', 'readwrite', B_TARGET), tagsOf(SAMPLES.enrollment, 'prod'));
    await createUser('orders-api-prod', buildAccessString('orders-api', 'readwrite', MAIN_TARGET), tagsOf(SAMPLES.orders, 'prod'));
    await createUser('reports-prod', 'on ~reports:* -@all +get');
    await createUser(
      'catalog-api-dev',
      // as ElastiCache hands it back: rewritten, which is not drift
      buildAccessString('catalog-api', 'readwrite', MAIN_TARGET).replace('on ', 'on -@all '),
      changes.catalogTags === false ? undefined : tagsOf(SAMPLES.catalog, 'dev'),
    );
    // cell b runs Redis OSS 7: its services' access strings are built for that engine
    await createUser(
      'enrollment-api-dev',
      changes.enrollmentAccess ?? buildAccessString('enrollment-api', 'readwrite', B_TARGET),
      tagsOf(SAMPLES.enrollment, 'dev'),
    );
    for (const environment of ['dev', 'prod']) {
      for (const sample of [SAMPLES.catalog, SAMPLES.enrollment]) {
        await ssm.send(
          new PutParameterCommand({
            Name: keyspaceClaimParameterName(environment, sample.service),
            Type: 'String',
            Value: formatKeyspaceClaim(sample),
          }),
        );
      }
    }
    const inB = (changes.enrollmentGroup ?? 'b') === 'b';
    stub.setGroups({
      [dev.userGroupId]: [dev.disabledDefaultUserId, 'catalog-api-dev', ...(inB ? [] : ['enrollment-api-dev'])],
      [devB.userGroupId]: [devB.disabledDefaultUserId, ...(inB ? ['enrollment-api-dev'] : [])],
      [prod.userGroupId]: [prod.disabledDefaultUserId, 'catalog-api-prod', 'orders-api-prod'],
      [prodB.userGroupId]: [prodB.disabledDefaultUserId, 'enrollment-api-prod'],
    });
  }

  const audit = (...argv: string[]) => main(argv, { workspaceRoot: workspace, clients: { elasticache, ssm }, environments: ENVS });
  const PROD_USERS = [
    prod.disabledDefaultUserId,
    prodB.disabledDefaultUserId,
    'catalog-api-prod',
    'enrollment-api-prod',
    'orders-api-prod',
    'reports-prod',
  ];

  it("--env dev: in sync (twice) with every cell's group read, prod's users left alone, and nothing written", async () => {
    await seed();
    expect(await audit('--env', 'dev')).toBe(0);
    expect(await audit('--env', 'dev')).toBe(0);
    const line =
      'audit dev: in sync (every user, tag and group membership as the workspace says); left alone: 6 user(s) of environment prod';
    expect(out).toEqual([line, line]);
    // both cells' groups were read, prod's never
    const groupsRead = stub.calls.filter((c) => c.action === 'DescribeUserGroups').map((c) => c.params.get('UserGroupId'));
    expect(groupsRead).toEqual([dev.userGroupId, devB.userGroupId, dev.userGroupId, devB.userGroupId]);
    expect(stub.actions().filter((a) => !/^(Describe|List)/.test(a))).toEqual(
      // the seeding above, and nothing from the audit
      Array(10).fill('CreateUser'),
    );
  });

  it('--env dev --json: no action names a prod user or a user of cell b; prod users are listed as left alone', async () => {
    await seed({ enrollmentAccess: 'on ~* +@all' });
    expect(await audit('--env', 'dev', '--json')).toBe(1);
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({ environment: 'dev', cells: ['main', 'b'], inSync: false });
    // the one drift: enrollment's access string, planned against cell b's engine
    expect(report.drift).toEqual([
      expect.objectContaining({
        owner: 'team-enrollment',
        service: 'enrollment-api',
        user: 'enrollment-api-dev',
        action: 'update-access-string',
      }),
    ]);
    expect(report.plan.actions[0].to).toBe(buildAccessString('enrollment-api', 'readwrite', B_TARGET));
    const named = report.plan.actions.map((a: { userId: string; kind: string }) => `${a.kind} ${a.userId}`);
    // enrollment-api-dev sits in cell b's group, as its manifest says: no group action
    expect(named).toEqual(['update-access-string enrollment-api-dev']);
    expect(report.plan.inSync).toEqual([devB.disabledDefaultUserId, dev.disabledDefaultUserId, 'catalog-api-dev']);
    expect(report.otherEnvironments).toEqual([
      { userId: 'cache-platform-prod-b-default-off', environment: 'prod', by: 'tag and id' },
      { userId: 'cache-platform-prod-default-off', environment: 'prod', by: 'tag and id' },
      { userId: 'catalog-api-prod', environment: 'prod', by: 'tag and id' },
      { userId: 'enrollment-api-prod', environment: 'prod', by: 'tag and id' },
      { userId: 'orders-api-prod', environment: 'prod', by: 'tag and id' },
      { userId: 'reports-prod', environment: 'prod', by: 'id' },
    ]);
  });

  it("--env prod, same account: its own orphan is proposed for deletion, dev's users (both cells) are never named", async () => {
    await seed();
    expect(await audit('--env', 'prod')).toBe(1);
    const table = out.join('\n');
    const lines = table.split('\n');
    expect(lines.filter((l) => /orders-api-prod/.test(l))).toEqual([
      expect.stringMatching(
        /^team-orders\s+cache order lookups\s+orders-api\s+orders-api-prod\s+remove-from-group\s+no manifest defines this user any more/,
      ),
      expect.stringMatching(
        /^team-orders\s+.*orders-api-prod\s+delete-orphan\s+created by the platform, and no manifest defines it any more$/,
      ),
    ]);
    // the untagged reports-prod is prod's by its id: asked to be tagged, never deleted
    expect(lines.find((l) => l.includes('reports-prod'))).toMatch(
      /\s+reports-prod\s+tag\s+no manifest defines this user and it lacks ownership tags/,
    );
    for (const user of ['catalog-api-dev', 'enrollment-api-dev', dev.disabledDefaultUserId, devB.disabledDefaultUserId]) {
      expect(table).not.toContain(user);
    }
    expect(lines.at(-1)).toBe(
      'audit prod: 3 drift(s); nothing was changed (the audit is read-only); left alone: 4 user(s) of environment dev',
    );
  });

  it("a service generated with --directory=services/payments is the workspace's: its live user is no orphan", async () => {
    await seed();
    const root = join(workspace, 'services', 'payments', 'orders-api');
    mkdirSync(root, { recursive: true });
    const manifest = {
      ...SAMPLES.orders,
      keyspace: 'orders-api',
      authMode: 'password',
      accessProfile: 'readwrite',
      environments: ['prod'],
    };
    writeFileSync(join(root, 'cache-service.json'), JSON.stringify(manifest));
    try {
      expect(await audit('--env', 'prod', '--json')).toBe(1);
    } finally {
      rmSync(join(workspace, 'services'), { recursive: true, force: true });
    }
    const report = JSON.parse(out.join('\n')) as { drift: Array<{ user: string; action: string }> };
    // orders-api-prod is defined again: nothing about it is drift; only prod's untagged user is left
    expect(report.drift.filter((row) => row.user === 'orders-api-prod')).toEqual([]);
    expect(report.drift.map((row) => `${row.user} ${row.action}`)).toEqual(['reports-prod tag']);
  });

  it("reports a service in the wrong cell's group: add it to cell b's group, remove it from main's", async () => {
    await seed({ enrollmentGroup: 'main' });
    expect(await audit('--env', 'dev')).toBe(1);
    const lines = out.join('\n').split('\n');
    expect(lines.filter((l) => l.includes('enrollment-api-dev'))).toEqual([
      expect.stringMatching(
        /^team-enrollment .* enrollment-api-dev\s+add-to-group\s+user is in cell main's user group \(cache-platform-dev-users\), but its manifest names cell b: add it to cell b's user group \(cache-platform-dev-b-users\)$/,
      ),
      expect.stringMatching(
        /^team-enrollment .* enrollment-api-dev\s+remove-from-group\s+user is in cell main's user group \(cache-platform-dev-users\), but its manifest names cell b \(cache-platform-dev-b-users\): remove it from cache-platform-dev-users$/,
      ),
    ]);
    expect(lines.at(-1)).toMatch(/^audit dev: 2 drift\(s\)/);
  });

  it('exits 1 naming a tag-less service user and a user granting ~*, with owner and purpose', async () => {
    await seed({ catalogTags: false, enrollmentAccess: 'on ~* +@all -@dangerous' });
    expect(await audit('--env', 'dev')).toBe(1);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^OWNER\s+PURPOSE\s+SERVICE\s+USER\s+ACTION\s+WHAT DIFFERS$/);
    expect(lines.find((l) => l.includes('catalog-api-dev'))).toMatch(
      /^team-catalog\s+cache product catalog reads in front of the catalog database\s+catalog-api\s+catalog-api-dev\s+tag\s+missing tag\(s\) cache-platform:service, cache-platform:owner/,
    );
    expect(lines.find((l) => l.includes('enrollment-api-dev'))).toMatch(
      /^team-enrollment\s+cache course enrollment lookups in front of the registrar API\s+enrollment-api\s+enrollment-api-dev\s+update-access-string\s+live also allows keys ~\*; live lacks keys ~enrollment-api:\*/,
    );
    expect(lines.at(-1)).toBe(
      'audit dev: 2 drift(s); nothing was changed (the audit is read-only); left alone: 6 user(s) of environment prod',
    );
  });

  it("users no manifest defines: dev's own are asked to be tagged or reviewed; one nobody can place is reported as unknown, never deleted", async () => {
    await seed({
      before: async () => {
        // untagged, its id says dev
        await createUser('legacy-reporting-dev', 'on ~reports:* -@all +get');
        // tagged dev, grants every key
        await createUser('hand-made-admin', 'on ~* +@all', [
          { Key: 'cache-platform:owner', Value: 'team-data' },
          { Key: 'cache-platform:purpose', Value: 'ad-hoc analysis' },
          { Key: 'cache-platform:environment', Value: 'dev' },
        ]);
        // no environment tag, no -<env> id: could be anyone's
        await createUser('legacy-reporting', 'on ~reports:* -@all +get', [
          { Key: 'cache-platform:managed-by', Value: 'cache-platform/cdktf' },
        ]);
      },
    });
    expect(await audit('--env', 'dev')).toBe(1);
    const lines = out.join('\n').split('\n');
    expect(lines.find((l) => / legacy-reporting-dev /.test(l))).toMatch(
      /^\(unknown\)\s+\(unknown\)\s+\(unknown\)\s+legacy-reporting-dev\s+tag\s+no manifest defines this user and it lacks ownership tags \(missing cache-platform:owner, cache-platform:purpose, cache-platform:environment\)/,
    );
    expect(lines.find((l) => l.includes('hand-made-admin'))).toMatch(
      /^team-data\s+ad-hoc analysis\s+\(unknown\)\s+hand-made-admin\s+review\s+not created by the platform and not in its user groups, but it grants every key \(~\*\) and allows flushall/,
    );
    expect(lines.find((l) => / legacy-reporting /.test(l))).toMatch(
      /\s+legacy-reporting\s+unknown-environment\s+which environment it belongs to is unknown: it has no cache-platform:environment tag and its id does not end in -<environment> \(dev, prod\); the audit never changes or deletes such a user/,
    );
    expect(out.join('\n')).not.toMatch(/delete-orphan/);
    expect(lines.at(-1)).toMatch(/^audit dev: 3 drift\(s\)/);
  });

  it('reads every page of DescribeUsers: 151 users, more than one page', async () => {
    // prod's many users first, so dev's own users land on the second page
    await seed({
      before: async () => {
        for (let i = 0; i < 140; i++) {
          const service = `svc${String(i).padStart(3, '0')}-api`;
          await createUser(`${service}-prod`, `on ~${service}:* -@all +get`, tagsOf({ ...SAMPLES.orders, service }, 'prod'));
        }
      },
    });
    expect(await audit('--env', 'dev')).toBe(0);
    const pages = stub.calls.filter((c) => c.action === 'DescribeUsers');
    // 151 users (AWS's own default among them): two pages, the second from the first's Marker
    expect(pages.map((c) => [c.params.get('MaxRecords'), c.params.get('Marker')])).toEqual([
      [String(MAX_USERS_PER_PAGE), null],
      [String(MAX_USERS_PER_PAGE), String(MAX_USERS_PER_PAGE)],
    ]);
    expect(out).toEqual([
      'audit dev: in sync (every user, tag and group membership as the workspace says); left alone: 146 user(s) of environment prod',
    ]);
  });

  describe('throttling: the SDK backs off with jitter and retries, a bounded number of times', () => {
    const saved = { ...process.env };
    beforeEach(() => {
      // the production clients, pointed at the stub the way the CLI process is
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_ENDPOINT_URL_ELASTICACHE: stub.endpoint,
        AWS_ENDPOINT_URL_SSM: moto.endpoint,
      });
    });
    afterEach(() => {
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_ELASTICACHE', 'AWS_ENDPOINT_URL_SSM']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    it('uses the adaptive retry mode with a bounded number of attempts', async () => {
      const clients = accountClients(REGION);
      expect(await clients.elasticache.config.maxAttempts()).toBe(6);
      expect(await clients.ssm.config.maxAttempts()).toBe(6);
      // the strategy the clients run, not merely the option given
      const mode = async (client: { config: { retryStrategy: () => Promise<unknown> } }) =>
        ((await client.config.retryStrategy()) as { mode?: string }).mode;
      expect(await mode(clients.elasticache)).toBe('adaptive');
      expect(await mode(clients.ssm)).toBe('adaptive');
    });

    it('throttled on DescribeUsers and three times on ListTagsForResource (each throttling code once): waits, retries, in sync', async () => {
      await seed();
      // the codes the SDK counts as throttling (and any 429); ElastiCache's Query protocol answers `Throttling`
      stub.fail('DescribeUsers', 1, { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });
      stub.fail('ListTagsForResource', 1, { status: 400, code: 'Throttling', message: 'Rate exceeded' });
      stub.fail('ListTagsForResource', 1, { status: 400, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' });
      stub.fail('ListTagsForResource', 1, { status: 429, code: 'TooManyRequests', message: 'Too Many Requests' });
      expect(await main(['--env', 'dev'], { workspaceRoot: workspace, environments: ENVS })).toBe(0);
      expect(out).toEqual([expect.stringMatching(/^audit dev: in sync/)]);
      expect(stub.calls.filter((c) => c.action === 'DescribeUsers')).toHaveLength(2);
      // the first user's tags were asked four times: three throttled, then answered
      const tags = stub.calls.filter((c) => c.action === 'ListTagsForResource');
      const first = tags[0]!.params.get('ResourceName');
      const retried = tags.filter((c) => c.params.get('ResourceName') === first);
      expect(retried).toHaveLength(4);
      // backoff: the retries waited (random up to 1 s, 2 s, 4 s, full jitter), not the few ms of an immediate retry
      const waited = retried.slice(1).reduce((sum, c, i) => sum + (c.at - retried[i]!.at), 0);
      expect(waited).toBeGreaterThan(50);
    });

    it('gives up after its attempts, exit 2 naming the call, the error and the attempts', async () => {
      await seed();
      stub.fail('ListTagsForResource', 1000, { status: 400, code: 'Throttling', message: 'Rate exceeded' });
      // the audit's own retry settings with fewer attempts, so the test does not wait out six backoffs
      const quick = {
        elasticache: new ElastiCacheClient({ region: REGION, ...AUDIT_RETRY, maxAttempts: 3 }),
        ssm: new SSMClient({ region: REGION, ...AUDIT_RETRY, maxAttempts: 3 }),
      };
      expect(await main(['--env', 'dev'], { workspaceRoot: workspace, environments: ENVS, clients: quick })).toBe(2);
      const first = stub.calls.find((c) => c.action === 'ListTagsForResource')!.params.get('ResourceName')!;
      expect(stub.calls.filter((c) => c.action === 'ListTagsForResource')).toHaveLength(3);
      expect(err.join('\n')).toBe(
        `audit dev: cannot read the account (eu-west-1): ElastiCache ListTagsForResource (user ${first.split(':user:')[1]}) failed: Throttling: Rate exceeded (after 3 attempts)`,
      );
    });
  });

  it("exits 2 naming the call when a cell's group cannot be read, and on an unknown environment", async () => {
    await seed();
    stub.setGroups({ [dev.userGroupId]: [dev.disabledDefaultUserId, 'catalog-api-dev'] });
    expect(await audit('--env', 'dev')).toBe(2);
    expect(err.join('\n')).toBe(
      `audit dev: cannot read the account (eu-west-1): ElastiCache DescribeUserGroups (${devB.userGroupId}, cell b) failed: UserGroupNotFoundFault: User group ${devB.userGroupId} not found.`,
    );
    expect(await audit('--env', 'qa')).toBe(2);
    expect(err.join('\n')).toContain('unknown environment "qa" (known: dev, prod)');
  });

  it('exits 2 when a manifest names a cell the environment does not have', async () => {
    await seed();
    expect(await main(['--env', 'dev'], { workspaceRoot: workspace, clients: { elasticache, ssm }, environments: [DEV_BASE, PROD] })).toBe(
      2,
    );
    expect(err.join('\n')).toMatch(
      /^audit dev: the workspace is invalid: .*service "enrollment-api" names a cell environment "dev" does not have \(cells: main\)/,
    );
  });

  it('runs as a process with the endpoints from the environment (exit 1 on drift)', async () => {
    await seed({ enrollmentAccess: 'on ~* +@all' });
    // asynchronous: the stub answers from this very process. The process audits the repository's own
    // workspace and environments (dev has one cell there): only what they share is asserted.
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
    expect({
      status,
      enrollment: stdout
        .split('\n')
        .filter((l) => l.includes('enrollment-api-dev'))
        .map((l) => l.split(/\s{2,}/)[4]),
    }).toEqual({
      status: 1,
      enrollment: ['update-access-string', 'add-to-group'],
    });
    for (const user of PROD_USERS) expect(stdout).not.toContain(user);
  }, 60_000);
});
