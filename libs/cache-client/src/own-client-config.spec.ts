import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { createRedisConnectionConfig, ioredisOptions } from './own-client-config';
import { EXAMPLE_PASSWORD, exampleSecret } from '../test/helpers';

const HOST = 'cache-platform-dev-abc123.serverless.euw1.cache.amazonaws.com';
const secret: CacheSecretPayload = exampleSecret({ host: HOST });
const both = [
  ['createRedisConnectionConfig', (s: unknown) => createRedisConnectionConfig(s as CacheSecretPayload)],
  ['ioredisOptions', (s: unknown) => ioredisOptions(s as CacheSecretPayload)],
] as const;

/** The error `fn` throws, for assertions on its message. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('createRedisConnectionConfig (node-redis)', () => {
  it('connects to the secret host with verified TLS for its name, as the service user, under <keyspace>:', () => {
    const config = createRedisConnectionConfig(secret);
    expect(config).toMatchObject({
      socket: { host: HOST, port: 6379, tls: true, servername: HOST, connectTimeout: 1000 },
      username: 'orders-api-dev',
      password: EXAMPLE_PASSWORD,
      keyPrefix: 'orders:',
      RESP: 2,
      // the cluster part: every node connection gets the same TLS name and credentials
      rootNodes: [{ socket: { host: HOST, port: 6379 } }],
      defaults: { socket: { tls: true, servername: HOST }, username: 'orders-api-dev', password: EXAMPLE_PASSWORD },
      useReplicas: false,
    });
    // the JSON text of the secret (what Secrets Manager returns) works the same
    expect(createRedisConnectionConfig(JSON.stringify(secret))).toEqual(config);
  });

  it('trusts an extra CA and checks another name when told to; goes without TLS only when the secret says so', () => {
    expect(createRedisConnectionConfig({ ...secret, host: '10.0.0.5' }).socket).toMatchObject({ tls: true, servername: undefined });
    expect(createRedisConnectionConfig(secret, { tls: { ca: 'PEM', servername: 'local.test' } }).defaults.socket).toMatchObject({
      ca: 'PEM',
      servername: 'local.test',
    });
    const plain = createRedisConnectionConfig({ ...secret, tls: false });
    expect(plain.socket).not.toHaveProperty('tls');
    expect(plain.defaults.socket).not.toHaveProperty('tls');
  });

  it('gets IAM tokens from the provider at every connect, and asks for one when the secret says iam', async () => {
    const iam = { ...secret, authMode: 'iam' as const, password: '' };
    expect(thrown(() => createRedisConnectionConfig(iam)).message).toContain(
      "authTokenProvider: iamAuthTokenProvider() from '@cache-platform/cache-client/iam-auth'",
    );
    let n = 0;
    const config = createRedisConnectionConfig(iam, { authTokenProvider: async () => `token-${++n}` });
    expect(config).not.toHaveProperty('password');
    if (!('credentialsProvider' in config)) throw new Error('expected a credentials provider');
    expect(await config.credentialsProvider.credentials()).toEqual({ username: 'orders-api-dev', password: 'token-1' });
    expect(await config.credentialsProvider.credentials()).toEqual({ username: 'orders-api-dev', password: 'token-2' });
  });
});

describe('ioredisOptions', () => {
  it('connects to the secret host with verified TLS for its name, as the service user, under <keyspace>:', () => {
    const options = ioredisOptions(secret);
    expect(options).toMatchObject({
      host: HOST,
      port: 6379,
      username: 'orders-api-dev',
      password: EXAMPLE_PASSWORD,
      tls: { servername: HOST },
      keyPrefix: 'orders:',
      enableReadyCheck: false,
      redisOptions: { username: 'orders-api-dev', password: EXAMPLE_PASSWORD, tls: { servername: HOST }, enableReadyCheck: false },
    });
    // cluster node addresses are used as they are (TLS checks the name, not an address ioredis resolved)
    const looked: string[] = [];
    options.dnsLookup(HOST, (_error, address) => looked.push(address));
    expect(looked).toEqual([HOST]);
    expect(ioredisOptions({ ...secret, tls: false })).not.toHaveProperty('tls');
  });

  it('refuses IAM secrets: ioredis takes a fixed password and tokens expire', () => {
    expect(thrown(() => ioredisOptions({ ...secret, authMode: 'iam', password: '' })).message).toMatch(
      /^invalid ioredisOptions secret authMode "iam": .*createRedisConnectionConfig/,
    );
  });
});

describe.each(both)('%s refuses a bad secret, naming the field and never the password', (name, build) => {
  it.each(['host', 'port', 'username', 'password', 'keyspace', 'tls', 'clusterMode', 'authMode'])('missing %s', (field) => {
    const doc: Record<string, unknown> = { ...secret };
    delete doc[field];
    const error = thrown(() => build(doc));
    expect(error.message).toContain(`field "${field}" is missing`);
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(EXAMPLE_PASSWORD);
  });

  it.each([
    ['port', 'x', 'must be an integer port'],
    ['keyspace', 'orders:v2', 'keyspace'],
    ['tls', 'yes', 'boolean'],
    ['host', '', 'must not be empty'],
    // a password of the wrong type is described by its type, not shown
    ['password', 1234567890123, 'string'],
  ])('invalid %s', (field, value, rule) => {
    const error = thrown(() => build({ ...secret, [field]: value }));
    expect(error.message).toContain(`field "${field}"`);
    expect(error.message).toContain(rule);
    expect(error.message).not.toContain(EXAMPLE_PASSWORD);
    expect(error.message).not.toContain('1234567890');
  });

  it('not a secret at all, or broken JSON text holding the password', () => {
    expect(thrown(() => build(undefined)).message).toContain('must be the cache secret');
    const broken = JSON.stringify(secret).slice(0, -5);
    const error = thrown(() => build(broken));
    expect(error.message).toContain('is not valid JSON');
    expect(error.message).not.toContain(EXAMPLE_PASSWORD);
  });
});

it('refuses an invalid connectTimeoutMs by name', () => {
  expect(thrown(() => createRedisConnectionConfig(secret, { connectTimeoutMs: 0 })).message).toBe(
    'invalid createRedisConnectionConfig options.connectTimeoutMs 0: must be a finite number > 0',
  );
  expect(thrown(() => ioredisOptions(secret, { connectTimeoutMs: -1 })).message).toContain('ioredisOptions options.connectTimeoutMs');
});
