// Weeks of a platform's life, offline, in one run: Terraform applies of two service stacks (one
// password, one IAM), rotations by the bundled rotation function, Secrets Manager deleting the
// versions that lost their labels, a second plan, a cell move, a raised document version, a
// rotation cancelled halfway and a schedule change applied over it. Parts: terraform with the real
// AWS provider; moto_server for SSM and STS; a fake for what moto lacks or models differently
// (fake-aws.ts: Secrets Manager's labels and rotation, ElastiCache users and groups applied to one
// real TLS redis-server per cell, Lambda Invoke of the bundled function). Throughout, request loops
// through createServiceCache must see no failed request: no error, no wrong value, and nothing
// served by the loader because the cache refused the credentials (the client's failOpen count).
// The cell move once failed open ~3,800 requests in some full runs: the requests waiting for the
// old cell's client failed with it when the re-read secret replaced it, and five failures opened the
// circuit (libs/cache-client/test/cell-move.spec.ts reproduces that every time, and holds the fix). A
// step that fails open prints the client's timeline (its warnings and every secret read).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { assertServiceManifest, parseCacheSecret, platformExportNames, serviceResourceNames } from '@cache-platform/cache-contract';
import { createServiceCache, type ServiceCache } from '@cache-platform/cache-client';
import {
  createTestTls,
  missingCommands,
  startMotoProcess,
  startRedis,
  testServerAccessString,
  type MotoProcess,
  type RedisServer,
  type TestTls,
} from '@cache-platform/cache-client/testing';
import type { Environment } from '@cache-platform/platform-environments';
import { bundleHandler } from '@cache-platform/lambda-bundle';
import { runTerraform, terraformEnv, type TerraformResult } from '@cache-platform/terraform-tools';
import { ServiceStack, serviceStackId, type ServiceCacheAccess } from '../../src/index';
import { ACCOUNT, AWSCURRENT, AWSPENDING, FakeAws, REGION, type FunctionRunner } from './fake-aws';

jest.setTimeout(900_000);

const ENV = 'life';
const TOOLS = ['moto_server', 'terraform', 'redis-server', 'openssl'];
const missing = missingCommands(TOOLS);
const allowMissing = process.env['CACHE_PLATFORM_ALLOW_MISSING_TOOLS'] === '1';
const describeLifecycle = missing.length > 0 && allowMissing ? describe.skip : describe;
if (missing.length > 0 && !allowMissing) {
  describe('day-two lifecycle prerequisites', () => {
    it(`has ${TOOLS.join(', ')}`, () => {
      throw new Error(
        `${missing.join(', ')} missing (.ci/run installs redis-server; pip install 'moto[server]'), or set CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1 to skip knowingly`,
      );
    });
  });
}

const ROTATION_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cache-platform-${ENV}-rotation`;
const CELL_GROUPS = { main: `cache-platform-${ENV}-users`, b: `cache-platform-${ENV}-b-users` } as const;

const environment = (schedule: string): Environment => ({
  name: ENV,
  region: REGION,
  platform: { owner: 'team-platform', vpcId: 'vpc-00000000', subnetIds: [] },
  cells: [{ name: 'main' }, { name: 'b' }],
  passwordRotationSchedule: schedule,
});

interface ServiceUnderTest {
  readonly name: string;
  readonly authMode: 'password' | 'iam';
  readonly dir: string;
  readonly targets: string[];
  readonly secretName: string;
  readonly userId: string;
}

describeLifecycle('day two: months of rotations, applies, a cell move and a cancelled rotation', () => {
  let work: string;
  let tls: TestTls;
  const redis: Record<'main' | 'b', RedisServer> = {} as never;
  let moto: MotoProcess;
  let aws: FakeAws;
  let fn: ChildProcess;
  let rotationBundle: string;
  const env = terraformEnv();
  const story: string[] = [];
  let rotations = 0;

  // ------------------------------------------------------------------ the request loops
  let cache: ServiceCache | undefined;
  let looping = false;
  let loops: Promise<void>[] = [];
  const loopStats = { requests: 0, wrong: 0, errors: [] as string[] };

  /** what the client did and read, with times: printed for a step that failed open, so its cause shows */
  const timeline: string[] = [];
  const note = (line: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(3)} s ${line}`);

  async function startLoops(secretName: string): Promise<void> {
    cache = createServiceCache({
      secretSource: {
        name: secretName,
        fetch: async (force) => {
          const { versionId, value } = aws.valueOf(secretName);
          // the only field the test changes: a serverless cache is a cluster, the test server one node
          const doc: Record<string, unknown> = { ...(JSON.parse(value) as Record<string, unknown>), clusterMode: false };
          note(`secret read${force ? ' (forced)' : ''}: version ${versionId}, port ${String(doc['port'])}`);
          return { secretString: JSON.stringify(doc), versionId };
        },
      },
      tls: { ca: tls.caPem },
      commandTimeoutMs: 3000,
      metrics: { enabled: false },
      logger: { warn: (message, fields) => note(`client: ${message} ${JSON.stringify(fields ?? {})}`) },
    });
    looping = true;
    const c = cache;
    loops = Array.from({ length: 4 }, (_, loop) =>
      (async () => {
        for (let i = 0; looping; i++) {
          const key = `item-${(i * 7 + loop) % 16}`;
          try {
            const value = await c.getOrLoad(key, async () => ({ key, n: 42 }), { ttlSeconds: 3600 });
            loopStats.requests++;
            if (value?.key !== key) loopStats.wrong++;
          } catch (error) {
            loopStats.errors.push((error as Error).message);
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })(),
    );
  }

  /** failOpen and errors per step of the story, so a failure names the step that caused it */
  const steps: { step: string; failOpen: number; errors: number }[] = [];
  let last = { failOpen: 0, errors: 0 };
  const started = Date.now();
  function checkpoint(step: string): void {
    const m = cache!.metrics() as unknown as { failOpen: number; errors: number };
    steps.push({ step, failOpen: m.failOpen - last.failOpen, errors: m.errors - last.errors });
    const lines = timeline.splice(0);
    if (m.failOpen > last.failOpen || m.errors > last.errors) {
      // the first lines of what went wrong in this step (a storm repeats itself)
      process.stderr.write(`  day-two lifecycle: ${step} failed open; client timeline:\n    ${lines.slice(0, 60).join('\n    ')}\n`);
    }
    note(`---- ${step}`);
    last = { failOpen: m.failOpen, errors: m.errors };
    // progress while the story runs (minutes): a direct write shows at once, console output only at the file's end
    process.stderr.write(`  day-two lifecycle: ${step} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  async function stopLoops(): Promise<{ failOpen: number; errors: number; requests: number }> {
    looping = false;
    await Promise.all(loops);
    const m = cache!.metrics() as unknown as { failOpen: number; errors: number };
    await cache!.close();
    return { failOpen: m.failOpen, errors: m.errors, requests: loopStats.requests };
  }

  // ------------------------------------------------------------------ terraform
  function synth(
    name: string,
    authMode: 'password' | 'iam',
    options: { cell?: string; schedule?: string; documentVersion?: number } = {},
  ): ServiceUnderTest {
    const outdir = join(work, name, 'cdktf.out');
    mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir, skipValidation: false });
    const manifest = assertServiceManifest(
      {
        service: name,
        keyspace: name,
        owner: 'team-life',
        purpose: 'prove the day-two lifecycle',
        accessProfile: 'readwrite',
        authMode,
        ...(options.cell ? { cell: options.cell } : {}),
      },
      `${name}/cache-service.json`,
    );
    const stackId = serviceStackId(name, ENV);
    const stack = new ServiceStack(app, stackId, {
      manifest,
      environment: environment(options.schedule ?? 'rate(7 days)'),
      bundleDir: join(work, 'handler'),
      providerOverrides: {
        accessKey: 'testing',
        secretKey: 'testing',
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: 'true',
        maxRetries: 1,
        endpoints: [Object.fromEntries(['ssm', 'secretsmanager', 'iam', 'sts', 'elasticache', 'lambda'].map((s) => [s, aws.endpoint]))],
      },
      accessOverrides: options.documentVersion ? { secretDocumentVersion: options.documentVersion } : undefined,
    });
    const a: ServiceCacheAccess = stack.access;
    const address = (r: { terraformResourceType: string; friendlyUniqueId: string }) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
    // the cache-side resources; the service's own Lambda and alarms are covered by synth tests and validate
    const targets = [
      a.keyspaceClaim,
      a.user,
      a.userGroupAssociation,
      a.secret,
      a.secretVersion,
      a.connectionSync,
      ...(a.secretRotation ? [a.secretRotation] : []),
    ].map(address);
    app.synth();
    const names = serviceResourceNames(name, ENV);
    return { name, authMode, dir: join(outdir, 'stacks', stackId), targets, secretName: names.secretName, userId: names.userId };
  }

  const explain = (r: TerraformResult) =>
    `exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}\nfake calls: ${aws.calls.slice(-30).join(' ')}`;

  async function terraform(service: ServiceUnderTest, args: string[]): Promise<TerraformResult> {
    return runTerraform([...args, '-no-color', '-input=false', ...service.targets.map((t) => `-target=${t}`)], service.dir, env);
  }

  async function apply(service: ServiceUnderTest): Promise<string> {
    const init = await runTerraform(['init', '-input=false', '-no-color'], service.dir, env);
    if (init.code !== 0) throw new Error(`init failed: ${explain(init)}`);
    const result = await terraform(service, ['apply', '-auto-approve']);
    if (result.code !== 0) throw new Error(`apply of ${service.name} failed: ${explain(result)}`);
    await aws.idle(); // a rotation RotateSecret started runs to its end
    return result.stdout;
  }

  async function planIsEmpty(service: ServiceUnderTest): Promise<void> {
    const plan = await terraform(service, ['plan', '-detailed-exitcode']);
    if (plan.code !== 0) throw new Error(`plan of ${service.name} is not empty: ${explain(plan)}`);
  }

  /** AUTH as the service's user with AWSCURRENT, on the host AWSCURRENT names. */
  async function authenticates(service: ServiceUnderTest): Promise<{ cell: 'main' | 'b' }> {
    const doc = parseCacheSecret(aws.valueOf(service.secretName).value, service.secretName);
    const cell = doc.port === redis.b.tlsPort ? 'b' : 'main';
    const reply = await redis[cell].admin('ACL', 'DRYRUN', doc.username, 'GET', `${doc.keyspace}:probe`).catch((e: Error) => e.message);
    expect(reply).toBe('OK');
    const passwords = aws.userPasswords(service.userId);
    expect(passwords).toContain(doc.password);
    // the user's ACL entry on that cell holds exactly the passwords ElastiCache holds
    const acl = await redis[cell].admin('ACL', 'GETUSER', doc.username);
    expect(acl.split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l))).toHaveLength(passwords.length);
    return { cell };
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'day-two-'));
    tls = await createTestTls();
    [redis.main, redis.b, moto] = await Promise.all([
      startRedis({ tlsMaterial: tls }),
      startRedis({ tlsMaterial: tls }),
      startMotoProcess(),
    ]);
    const rulesFor = (accessString: string) => testServerAccessString({ keyspace: /~([^:]+):\*/.exec(accessString)![1]! });
    aws = new FakeAws(moto.endpoint, [
      { userGroupId: CELL_GROUPS.main, redis: redis.main, rulesFor },
      { userGroupId: CELL_GROUPS.b, redis: redis.b, rulesFor },
    ]);
    await aws.start();

    // the rotation function, bundled exactly as for Lambda, in a warm child process talking to the fake
    const bundled = await bundleHandler({
      entry: resolve(__dirname, '../../../secret-rotation/src/handler.ts'),
      outdir: join(work, 'rotation'),
    });
    rotationBundle = bundled.file;
    fn = fork(resolve(__dirname, 'function-runner.mjs'), [rotationBundle], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        NODE_EXTRA_CA_CERTS: tls.caFile,
        ROTATION_USER_ACTIVE_TIMEOUT_SECONDS: '30',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const logs: string[] = [];
    fn.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    fn.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    await new Promise<void>((ok, fail) => {
      fn.once('message', () => ok());
      fn.once('exit', (code) => fail(new Error(`the function runner exited (${code}): ${logs.join('')}`)));
    });
    let next = 0;
    const waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
    fn.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error !== undefined) w?.fail(new Error(m.error));
      else w?.ok(m.result);
    });
    const runner: FunctionRunner = {
      invoke: (event) =>
        new Promise((ok, fail) => {
          const id = next++;
          waiting.set(id, { ok, fail });
          fn.send({ id, event });
        }),
    };
    aws.runner = runner;

    // step 1's platform side: both cells' exports, as the platform stack writes them
    const ssm = new SSMClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    for (const cell of ['main', 'b'] as const) {
      const names = platformExportNames(ENV, cell);
      const cacheName = cell === 'main' ? `cache-platform-${ENV}` : `cache-platform-${ENV}-b`;
      const values: Record<keyof typeof names, string> = {
        endpointAddress: 'localhost',
        endpointPort: String(redis[cell].tlsPort),
        readerPort: String(redis[cell].tlsPort),
        cacheName,
        cacheArn: `arn:aws:elasticache:${REGION}:${ACCOUNT}:serverlesscache:${cacheName}`,
        engine: 'valkey',
        userGroupId: CELL_GROUPS[cell],
        clientSecurityGroupId: 'sg-0123456789abcdef0',
        subnetIds: 'subnet-0123456789abcdef0',
        rotationFunctionArn: ROTATION_FUNCTION_ARN,
      };
      for (const [key, value] of Object.entries(values))
        await ssm.send(
          new PutParameterCommand({
            Name: names[key as keyof typeof names],
            Value: value,
            Type: key === 'subnetIds' ? 'StringList' : 'String',
          }),
        );
    }
    ssm.destroy();
    mkdirSync(join(work, 'handler'));
    require('node:fs').writeFileSync(join(work, 'handler', 'index.mjs'), 'export const handler = async () => ({});\n');
  }, 180_000);

  afterAll(async () => {
    looping = false;
    await Promise.allSettled(loops);
    await cache?.close().catch(() => undefined);
    fn?.kill();
    await aws?.stop().catch(() => undefined);
    await Promise.all([redis.main?.stop(), redis.b?.stop(), moto?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
    console.info(
      `day-two lifecycle: ${story.join(', ')}; ${loopStats.requests} requests, ${loopStats.wrong} wrong, ${loopStats.errors.length} errors`,
    );
  }, 60_000);

  it('lives through rotations, a GC of deprecated versions, re-plans, a cell move, a document version bump and a cancelled rotation with 0 failed requests', async () => {
    // 1. first deploy: a password service and an IAM service in cell main; rotation runs at once
    const orders = synth('orders-api', 'password');
    const enroll = synth('enroll-api', 'iam');
    await apply(orders);
    await apply(enroll);
    rotations++;
    expect(aws.secret(orders.secretName).rotationEnabled).toBe(true);
    const bootstrap = Object.entries(aws.stagesOf(orders.secretName)).find(([, stages]) => stages.includes('cache-platform-bootstrap'))![0];
    expect(await authenticates(orders)).toEqual({ cell: 'main' });
    expect(parseCacheSecret(aws.valueOf(enroll.secretName).value, enroll.secretName)).toMatchObject({
      authMode: 'iam',
      password: '',
      cacheName: `cache-platform-${ENV}`,
    });

    await startLoops(orders.secretName);
    await new Promise((r) => setTimeout(r, 500));

    // 2. three rotations (each step twice); after the second, Secrets Manager deletes unlabelled versions
    for (let i = 0; i < 3; i++) {
      await aws.rotate(orders.secretName);
      rotations++;
      checkpoint(`rotation ${i + 1}`);
      if (i === 1) {
        story.push(`${aws.collectDeprecatedVersions()} deprecated version(s) deleted`);
        // the version Terraform wrote kept its own label: it is still there, so its resource stays in state
        expect(aws.stagesOf(orders.secretName)[bootstrap]).toEqual(['cache-platform-bootstrap']);
      }
      expect(await authenticates(orders)).toEqual({ cell: 'main' });
    }

    // 3. a plan shows nothing; an apply leaves AWSCURRENT and the user's password as rotation left them
    const current = aws.valueOf(orders.secretName);
    const passwords = aws.userPasswords(orders.userId);
    await planIsEmpty(orders);
    await planIsEmpty(enroll);
    await apply(orders);
    checkpoint('re-plan and apply');
    expect(aws.valueOf(orders.secretName)).toEqual(current);
    expect(aws.userPasswords(orders.userId)).toEqual(passwords);

    // 4. move the password service to cell b: joins b's group, the secret follows, then it leaves main's
    const moved = synth('orders-api', 'password', { cell: 'b' });
    const moveLog = await apply(moved);
    checkpoint('cell move');
    // the order that makes the move gapless: join b, sync the secret to b, and only then leave main
    const joined = moveLog.search(/aws_elasticache_user_group_association\.[^:]+: Creation complete/);
    const synced = moveLog.search(/aws_lambda_invocation\.[^:]+: Creation complete/);
    const left = moveLog.search(/aws_elasticache_user_group_association\.[^:]+ \(deposed object [^)]+\): Destroying/);
    expect({ joined: joined >= 0, synced: synced > joined, left: left > synced }).toEqual({ joined: true, synced: true, left: true });
    expect(await authenticates(moved)).toEqual({ cell: 'b' });
    expect(parseCacheSecret(aws.valueOf(moved.secretName).value, moved.secretName).cacheName).toBe(`cache-platform-${ENV}-b`);
    expect([...aws.groups.get(CELL_GROUPS.main)!]).not.toContain(moved.userId);
    await aws.rotate(moved.secretName);
    rotations++;
    checkpoint('rotation in cell b');
    expect(await authenticates(moved)).toEqual({ cell: 'b' });
    await planIsEmpty(moved);
    story.push('1 cell move');

    // 5. raise the document version: Terraform writes a new bootstrap version that does not become current
    const beforeBump = aws.valueOf(moved.secretName);
    const bumped = synth('orders-api', 'password', { cell: 'b', documentVersion: 2 });
    await apply(bumped);
    checkpoint('document version bump');
    expect(aws.valueOf(bumped.secretName)).toEqual(beforeBump);
    expect(await authenticates(bumped)).toEqual({ cell: 'b' });
    await planIsEmpty(bumped);
    story.push('1 document version bump');

    // 6. a rotation cancelled halfway leaves AWSPENDING; a schedule change is applied over it
    const stranded = await aws.rotate(bumped.secretName, { stopAfter: 'setSecret' });
    await (async () => {
      // CancelRotateSecret, as an operator would run it
      const r = await fetch(aws.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'secretsmanager.CancelRotateSecret', 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ SecretId: bumped.secretName }),
      });
      expect(r.status).toBe(200);
    })();
    expect(aws.stagesOf(bumped.secretName)[stranded]).toEqual([AWSPENDING]);
    // a late step of the cancelled rotation changes nothing
    await expect(
      aws.runner!.invoke({ SecretId: aws.secret(bumped.secretName).arn, ClientRequestToken: stranded, Step: 'finishSecret' }),
    ).rejects.toThrow(/rotation is not enabled for this secret/);
    const rescheduled = synth('orders-api', 'password', { cell: 'b', documentVersion: 2, schedule: 'rate(8 days)' });
    checkpoint('rotation cancelled halfway');
    await apply(rescheduled);
    checkpoint('schedule change over the cancelled rotation');
    rotations++;
    expect(aws.stagesOf(rescheduled.secretName)[stranded] ?? []).not.toContain(AWSPENDING);
    expect(aws.secret(rescheduled.secretName)).toMatchObject({
      rotationEnabled: true,
      rotationRules: { ScheduleExpression: 'rate(8 days)' },
    });
    expect(await authenticates(rescheduled)).toEqual({ cell: 'b' });
    await planIsEmpty(rescheduled);
    story.push('1 cancelled rotation recovered');

    const result = await stopLoops();
    expect(steps.filter((s) => s.failOpen > 0 || s.errors > 0)).toEqual([]);
    story.unshift(`${rotations} rotations`);
    story.push(`${result.failOpen}/${result.requests} requests failed open`);
    expect({ failOpen: result.failOpen, errors: result.errors, wrong: loopStats.wrong, thrown: loopStats.errors }).toEqual({
      failOpen: 0,
      errors: 0,
      wrong: 0,
      thrown: [],
    });
    expect(result.requests).toBeGreaterThan(100);
    expect(readFileSync(join(rescheduled.dir, 'cdk.tf.json'), 'utf8')).not.toContain(aws.valueOf(rescheduled.secretName).value);
    void AWSCURRENT;
  });
});
