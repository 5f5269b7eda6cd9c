// The Secrets Manager adapter against moto_server: the staging labels as Secrets Manager keeps them
// (RotateSecret's value-less AWSPENDING version, PutSecretValue, moving AWSCURRENT with AWSPREVIOUS
// following), then a whole rotation through the real adapter (users still in memory: nothing
// offline implements ModifyUser; the redis-server integration test covers that side).
import {
  AWSCURRENT,
  AWSPENDING,
  awsSecretsPort,
  createSecret,
  finishSecret,
  runRotationStep,
  setSecret,
  testSecret,
  type SecretsPort,
} from '../src';
import { FakeUsers, OLD_PASSWORD, serviceSecret } from './fakes';
import { toolPrerequisites, RotationMoto } from './moto-rotation';

const { describeWithTools } = toolPrerequisites('the moto_server Secrets Manager adapter suite');

describeWithTools('awsSecretsPort against moto_server', () => {
  let moto: RotationMoto;
  let port: SecretsPort;
  let n = 0;
  const newSecret = async (value: string) => moto.createSecret(`cache-platform/dev/svc-${++n}/redis`, value);

  beforeAll(async () => {
    moto = await RotationMoto.start();
    port = awsSecretsPort(moto.client);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('describes versions, reads by stage, and sees RotateSecret’s pending version as having no value yet', async () => {
    const arn = await newSecret('{"v":1}');
    const [first] = Object.keys((await port.describe(arn)).versions);
    expect((await port.describe(arn)).versions).toEqual({ [first as string]: [AWSCURRENT] });
    expect(await port.getValue(arn, { stage: AWSCURRENT })).toBe('{"v":1}');

    const token = await moto.startRotation(arn);
    expect((await port.describe(arn)).versions).toEqual({ [first as string]: [AWSCURRENT], [token]: [AWSPENDING] });
    expect(await port.getValue(arn, { stage: AWSPENDING, versionId: token })).toBeUndefined();
    expect(await port.getValue(arn, { stage: AWSCURRENT })).toBe('{"v":1}');
  });

  it('puts the pending value (again with the same value: no error), then moves AWSCURRENT and AWSPREVIOUS follows', async () => {
    const arn = await newSecret('{"v":1}');
    const [old] = Object.keys((await port.describe(arn)).versions);
    const token = await moto.startRotation(arn);
    await port.putPendingValue(arn, token, '{"v":2}');
    await port.putPendingValue(arn, token, '{"v":2}');
    expect(await port.getValue(arn, { stage: AWSPENDING, versionId: token })).toBe('{"v":2}');
    expect(await port.getValue(arn, { stage: AWSCURRENT })).toBe('{"v":1}');

    await port.moveStage(arn, { stage: AWSCURRENT, toVersionId: token, fromVersionId: old });
    const versions = (await port.describe(arn)).versions;
    expect([...(versions[token] ?? [])].sort()).toEqual([AWSCURRENT, AWSPENDING]);
    expect(versions[old as string]).toEqual(['AWSPREVIOUS']);
    expect(await port.getValue(arn, { stage: AWSCURRENT })).toBe('{"v":2}');
  });

  it('passes on errors other than a missing value, naming the API error', async () => {
    const arn = await newSecret('{"v":1}');
    const token = await moto.startRotation(arn);
    await port.putPendingValue(arn, token, '{"v":2}');
    // AWSCURRENT must be removed from the version holding it: Secrets Manager refuses otherwise
    await expect(port.moveStage(arn, { stage: AWSCURRENT, toVersionId: token })).rejects.toThrow(/RemoveFromVersionId can't be empty/);
    await expect(port.describe('cache-platform/dev/no-such/redis')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('carries a whole rotation, each step retried once, with moto keeping the labels', async () => {
    const arn = await moto.createSecret('cache-platform/dev/orders-api/redis', JSON.stringify(serviceSecret()));
    const users = new FakeUsers();
    users.add('orders-api-dev', [OLD_PASSWORD]);
    users.modifyingPolls = 1;
    const deps = { secrets: port, users, authCheck: users.authCheck(), sleep: async () => undefined };
    const token = await moto.startRotation(arn);
    for (const step of [createSecret, setSecret, testSecret, finishSecret]) {
      expect((await step(deps, { secretId: arn, token })).outcome).toBe('applied');
    }
    // the retries Secrets Manager may send after each step: nothing left to do
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(await runRotationStep(deps, { SecretId: arn, ClientRequestToken: token, Step })).toEqual({
        step: Step,
        outcome: 'already-done',
      });
    }
    const current = JSON.parse((await port.getValue(arn, { stage: AWSCURRENT })) as string) as Record<string, unknown>;
    expect({ ...current, password: 'x' }).toEqual({ ...serviceSecret(), password: 'x' });
    expect(users.users.get('orders-api-dev')?.passwords).toEqual([current['password']]);
    expect(current['password']).not.toBe(OLD_PASSWORD);
  });
});
