// The bundled Lambda (what the platform deploys) run as Lambda runs it: a fresh Node process imports
// index.mjs and calls `handler` with Secrets Manager's event, the AWS SDK clients configured only by
// the environment. moto_server answers Secrets Manager and ElastiCache's DescribeUsers; it does not
// implement ModifyUser, so setSecret's failure there shows how an upstream error reaches the logs.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CreateUserCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { bundleHandler } from '@cache-platform/lambda-bundle';
import { AWSCURRENT, AWSPENDING, awsSecretsPort } from '../src';
import { OLD_PASSWORD, serviceSecret } from './fakes';
import { MOTO_REGION, RotationMoto, toolPrerequisites } from './moto-rotation';

const run = promisify(execFile);
const { describeWithTools } = toolPrerequisites('the bundled handler suite');

describeWithTools('the bundled handler against moto_server', () => {
  let moto: RotationMoto;
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'secret-rotation-bundle-'));
    const [started, built] = await Promise.all([
      RotationMoto.start(),
      bundleHandler({ entry: join(__dirname, '../src/handler.ts'), outdir: dir }),
    ]);
    moto = started;
    bundle = built.file;
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Invokes the bundle in a child process; its last stdout line is the result or the error message. */
  async function invoke(event: Record<string, string>): Promise<{ result?: unknown; error?: string; logs: string[] }> {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const out = await m.handler(JSON.parse(process.argv[1]), { getRemainingTimeInMillis: () => 60000 }).then((result) => ({ result }), (e) => ({ error: e.message }));
      console.log(JSON.stringify(out));`;
    const { stdout } = await run(process.execPath, ['--no-warnings', '--input-type=module', '-e', script, JSON.stringify(event)], {
      env: {
        PATH: process.env['PATH'],
        AWS_REGION: MOTO_REGION,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
        AWS_ENDPOINT_URL_ELASTICACHE: moto.endpoint,
        AWS_MAX_ATTEMPTS: '1',
        ROTATION_AUTH_TEST: 'skip',
        ROTATION_USER_ACTIVE_TIMEOUT_SECONDS: '5',
      },
    });
    const lines = stdout.trim().split('\n');
    return { ...(JSON.parse(lines.pop() as string) as { result?: unknown; error?: string }), logs: lines };
  }

  it('createSecret stores the pending version; setSecret reaches ElastiCache and fails there without a password in the error', async () => {
    const arn = await moto.createSecret(
      'cache-platform/dev/orders-api/redis',
      JSON.stringify(serviceSecret({ user_arn: `arn:aws:elasticache:${MOTO_REGION}:123456789012:user:orders-api-dev` })),
    );
    const elasticache = new ElastiCacheClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await elasticache.send(
      new CreateUserCommand({
        UserId: 'orders-api-dev',
        UserName: 'orders-api-dev',
        Engine: 'redis',
        AccessString: 'on ~orders:* +@all',
        Passwords: [OLD_PASSWORD],
      }),
    );
    elasticache.destroy();
    const token = await moto.startRotation(arn);

    const created = await invoke({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    expect(created.result).toEqual({ step: 'createSecret', outcome: 'applied' });
    const secrets = awsSecretsPort(moto.client);
    const pending = JSON.parse((await secrets.getValue(arn, { stage: AWSPENDING, versionId: token })) as string) as Record<string, unknown>;
    expect({ ...pending, password: 'x' }).toEqual({
      ...JSON.parse((await secrets.getValue(arn, { stage: AWSCURRENT })) as string),
      password: 'x',
    });
    expect(await invoke({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' })).toMatchObject({
      result: { outcome: 'already-done' },
    });

    const set = await invoke({ SecretId: arn, ClientRequestToken: token, Step: 'setSecret' });
    expect(set.error).toMatch(new RegExp(`^rotation of secret ${arn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(setSecret\\): `));
    const everything = [set.error, ...set.logs, ...created.logs].join('\n');
    expect(everything).not.toContain(OLD_PASSWORD);
    expect(everything).not.toContain(pending['password'] as string);
    // DescribeUsers answered (the user is active), then ModifyUser, which moto does not implement, failed
    const records = set.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({ step: 'setSecret', message: 'setting the pending and the current password', userId: 'orders-api-dev' }),
    );
    // the logs are JSON lines with the step and the secret
    expect(records).toContainEqual(expect.objectContaining({ level: 'error', step: 'setSecret', secretId: arn }));
  });
});
