// The function calls exactly the actions the platform's role grants it (PasswordRotationFunction in
// cache-foundation), no more (it would be refused in AWS) and no fewer (the role would be broader
// than needed). The real adapters run a whole rotation on SDK clients whose `send` records each
// command and answers from the in-memory fakes, so the adapters' request shapes are checked too.
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  ROTATION_EXPORT_READ_ACTIONS,
  ROTATION_REPORT_READ_ACTIONS,
  ROTATION_SECRET_ACTIONS,
  ROTATION_USER_READ_ACTIONS,
  ROTATION_USER_WRITE_ACTIONS,
} from '@cache-platform/cache-foundation';
import {
  awsExportsPort,
  awsSecretsPort,
  awsUsersPort,
  createSecret,
  finishSecret,
  reportRotationAge,
  runRotationStep,
  setSecret,
  syncConnection,
  testSecret,
} from '../src';
import { FakeExports, FakeSecrets, FakeUsers, OLD_PASSWORD, serviceSecret } from './fakes';

type Input = Record<string, unknown> & { SecretId: string };
const commandName = (command: object) => command.constructor.name.replace(/Command$/, '');

function recordingSecretsClient(fake: FakeSecrets, actions: Set<string>): SecretsManagerClient {
  const send = async (command: { input: Input }) => {
    const name = commandName(command);
    const i = command.input;
    actions.add(`secretsmanager:${name}`);
    switch (name) {
      case 'DescribeSecret': {
        const state = await fake.describe(i.SecretId);
        return { RotationEnabled: state.rotationEnabled, VersionIdsToStages: state.versions };
      }
      case 'GetSecretValue': {
        const value = await fake.getValue(i.SecretId, {
          stage: i['VersionStage'] as string,
          versionId: i['VersionId'] as string | undefined,
        });
        if (value === undefined)
          throw Object.assign(new Error("Secrets Manager can't find the specified secret value"), { name: 'ResourceNotFoundException' });
        return { SecretString: value };
      }
      case 'PutSecretValue': {
        const stages = i['VersionStages'] as string[];
        expect([['AWSPENDING'], ['AWSCURRENT']]).toContainEqual(stages);
        const put = stages[0] === 'AWSCURRENT' ? fake.putCurrentValue.bind(fake) : fake.putPendingValue.bind(fake);
        await put(i.SecretId, i['ClientRequestToken'] as string, i['SecretString'] as string);
        return {};
      }
      case 'UpdateSecretVersionStage':
        if (i['MoveToVersionId'] === undefined) {
          await fake.removeStage(i.SecretId, i['VersionStage'] as string, i['RemoveFromVersionId'] as string);
          return {};
        }
        await fake.moveStage(i.SecretId, {
          stage: i['VersionStage'] as string,
          toVersionId: i['MoveToVersionId'] as string,
          fromVersionId: i['RemoveFromVersionId'] as string | undefined,
        });
        return {};
      default:
        throw new Error(`unexpected Secrets Manager call ${name}`);
    }
  };
  return { send } as unknown as SecretsManagerClient;
}

function recordingSsmClient(fake: FakeExports, actions: Set<string>): SSMClient {
  const send = async (command: { input: { Names: string[]; Path?: string } }) => {
    const name = commandName(command);
    actions.add(`ssm:${name}`);
    if (name === 'GetParametersByPath') {
      expect(command.input).toMatchObject({ Path: '/cache-platform/dev/keyspaces' });
      return {
        Parameters: [
          {
            Name: '/cache-platform/dev/keyspaces/orders',
            Value: JSON.stringify({ service: 'orders-api', owner: 'team-orders', purpose: 'cache product lookups' }),
          },
        ],
      };
    }
    if (name !== 'GetParameters') throw new Error(`unexpected SSM call ${name}`);
    // the exports of cell b of dev, as the platform writes them
    const endpoint = await fake.cellEndpoint('dev', 'b');
    const values: Record<string, string> = {
      'endpoint-address': endpoint.endpointAddress,
      'endpoint-port': String(endpoint.endpointPort),
      'reader-port': String(endpoint.readerPort),
      'cache-name': endpoint.cacheName,
    };
    for (const n of command.input.Names) expect(n.startsWith('/cache-platform/dev/cells/b/exports/')).toBe(true);
    return { Parameters: command.input.Names.map((n) => ({ Name: n, Value: values[n.slice(n.lastIndexOf('/') + 1)] })) };
  };
  return { send } as unknown as SSMClient;
}

function recordingElastiCacheClient(fake: FakeUsers, actions: Set<string>, modifyInputs: object[]): ElastiCacheClient {
  const send = async (command: { input: Record<string, unknown> & { UserId: string } }) => {
    const name = commandName(command);
    actions.add(`elasticache:${name}`);
    const { UserId } = command.input;
    switch (name) {
      case 'DescribeUsers': {
        const user = await fake.describeUser(UserId);
        return { Users: [{ UserId, Status: user.status, Authentication: { Type: 'password', PasswordCount: user.passwordCount } }] };
      }
      case 'ModifyUser':
        modifyInputs.push(command.input);
        await fake.setPasswords(UserId, command.input['Passwords'] as string[]);
        return { UserId, Status: 'modifying' };
      default:
        throw new Error(`unexpected ElastiCache call ${name}`);
    }
  };
  return { send } as unknown as ElastiCacheClient;
}

describe('the AWS calls of a rotation', () => {
  it("are exactly the platform role's actions, and ModifyUser changes nothing but the passwords", async () => {
    const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
    const secrets = new FakeSecrets(SECRET_ID, JSON.stringify(serviceSecret()));
    const users = new FakeUsers();
    users.add('orders-api-dev', [OLD_PASSWORD]);
    const actions = new Set<string>();
    const modifyInputs: object[] = [];
    const deps = {
      secrets: awsSecretsPort(recordingSecretsClient(secrets, actions)),
      users: awsUsersPort(recordingElastiCacheClient(users, actions, modifyInputs)),
      exports: awsExportsPort(recordingSsmClient(new FakeExports(), actions)),
      authCheck: users.authCheck(),
      sleep: async () => undefined,
    };
    const token = secrets.startRotation();
    for (const step of [createSecret, setSecret, testSecret, finishSecret]) await step(deps, { secretId: SECRET_ID, token });
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await runRotationStep(deps, { SecretId: SECRET_ID, ClientRequestToken: token, Step });
    }
    // the connection sync: a cell move, then a stale AWSPENDING cleared
    await syncConnection(deps, { action: 'sync-connection', secretId: SECRET_ID, cell: 'b', keyspace: 'orders', authMode: 'password' });
    secrets.startRotation();
    secrets.rotationEnabled = false;
    expect(
      (await syncConnection(deps, { action: 'sync-connection', secretId: SECRET_ID, cell: 'b', keyspace: 'orders', authMode: 'password' }))
        .clearedPending,
    ).toBeDefined();

    // the daily report: the environment's claims, then DescribeSecret of each service secret
    const report = await reportRotationAge(deps, { action: 'report-rotation-age', environment: 'dev' });
    expect(report.checked).toBe(0); // the fake's secret is a different service's: not found, skipped

    expect([...actions].sort()).toEqual(
      [
        ...ROTATION_SECRET_ACTIONS,
        ...ROTATION_USER_READ_ACTIONS,
        ...ROTATION_USER_WRITE_ACTIONS,
        ...ROTATION_EXPORT_READ_ACTIONS,
        ...ROTATION_REPORT_READ_ACTIONS,
      ].sort(),
    );
    // never the access string, the authentication type or the engine: only the password list
    expect(modifyInputs.map((input) => Object.keys(input).sort())).toEqual([
      ['Passwords', 'UserId'],
      ['Passwords', 'UserId'],
    ]);
    expect(users.users.get('orders-api-dev')?.passwords).toEqual([secrets.documentOf('AWSCURRENT')['password']]);
  });
});
