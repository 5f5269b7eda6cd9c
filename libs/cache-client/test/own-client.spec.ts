// "Bring your own client": real ioredis and node-redis clients built only from
// createRedisConnectionConfig / ioredisOptions, against TLS redis-servers with the platform's ACL users.
import { createClient, createCluster } from '@redis/client';
import Redis, { Cluster } from 'ioredis';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { createRedisConnectionConfig, ioredisOptions } from '../src';
import { startRedis, startRedisCluster, type RedisClusterHandle, type RedisServer } from './redis-harness';

const A = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const B = { name: 'svc-beta', keyspace: 'beta', passwords: ['beta-password-00000000001'] };

// every client a test opened, closed after it even when it failed half-way
const opened: Array<() => void> = [];
afterEach(() => {
  for (const close of opened.splice(0)) close();
});

function nodeRedis(secret: CacheSecretPayload, ca: string | undefined, servername?: string, options: { retry?: boolean } = {}) {
  const config = createRedisConnectionConfig(secret, { tls: { ca, servername } });
  // the test's own choice on top (no reconnect loop after a refused handshake), as a service adds its own
  const client = createClient(options.retry === false ? { ...config, socket: { ...config.socket, reconnectStrategy: false } } : config);
  client.on('error', () => undefined);
  opened.push(() => client.isOpen && client.destroy());
  return client;
}

function nodeRedisCluster(secret: CacheSecretPayload, ca: string | undefined) {
  const cluster = createCluster(createRedisConnectionConfig(secret, { tls: { ca } }));
  cluster.on('error', () => undefined);
  opened.push(() => cluster.isOpen && cluster.destroy());
  return cluster;
}

function ioredis(secret: CacheSecretPayload, ca: string | undefined, servername?: string) {
  // the test's own choices on top (no reconnect loop after a refused handshake), as a service adds its own
  const client = new Redis({
    ...ioredisOptions(secret, { tls: { ca, servername } }),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => undefined);
  opened.push(() => client.disconnect());
  return client;
}

/** ioredis reports a refused handshake through its 'error' event (connect() only says the connection closed). */
async function ioredisConnectError(client: Redis): Promise<Error> {
  const failure = new Promise<Error>((resolve) => client.once('error', resolve));
  await client.connect().catch(() => undefined);
  return failure;
}

function ioredisCluster(secret: CacheSecretPayload, ca: string | undefined) {
  const cluster = new Cluster([{ host: secret.host, port: secret.port }], ioredisOptions(secret, { tls: { ca } }));
  cluster.on('error', () => undefined);
  opened.push(() => cluster.disconnect());
  return cluster;
}

describe('own clients on a standalone TLS redis-server (ACL users from the contract)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ users: [A, B] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('node-redis createClient(createRedisConnectionConfig(secret)): reads and writes under <keyspace>:, refused outside it', async () => {
    const client = nodeRedis(server.secretFor(A.name), server.caPem);
    await client.connect();
    expect(await client.set('node-redis:k', 'v1')).toBe('OK');
    expect(await client.get('node-redis:k')).toBe('v1');
    expect(await server.admin('GET', 'alpha:node-redis:k')).toBe('v1');
    // raw arguments are not prefixed: the ACL itself refuses another keyspace and unprefixed keys
    await expect(client.sendCommand(['GET', 'beta:k'])).rejects.toThrow(/^NOPERM/);
    await expect(client.sendCommand(['SET', 'k', 'x'])).rejects.toThrow(/^NOPERM/);

    // a secret naming another service's keyspace with this user's credentials: the prefix changes, the ACL does not
    const tampered = nodeRedis(server.secretFor(A.name, { keyspace: B.keyspace }), server.caPem);
    await tampered.connect();
    await expect(tampered.get('k')).rejects.toThrow(/^NOPERM/);
  });

  it('ioredis new Redis(ioredisOptions(secret)): reads and writes under <keyspace>:, refused outside it, no ready-check warning', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const client = ioredis(server.secretFor(A.name), server.caPem);
      await client.connect();
      expect(await client.set('ioredis:k', 'v2', 'PX', 60_000)).toBe('OK');
      expect(await client.get('ioredis:k')).toBe('v2');
      expect(await server.admin('GET', 'alpha:ioredis:k')).toBe('v2');
      expect(Number(await server.admin('PTTL', 'alpha:ioredis:k'))).toBeGreaterThan(0);
      const tampered = ioredis(server.secretFor(A.name, { keyspace: B.keyspace }), server.caPem);
      await tampered.connect();
      await expect(tampered.get('k')).rejects.toThrow(/^NOPERM/);
      expect(await server.admin('EXISTS', 'beta:k')).toBe('0');
      // INFO (ioredis' default ready check) is not allowed to service users: the options turn it off
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('both verify the certificate chain and the host name', async () => {
    const untrusted = server.tlsMaterial!.untrustedCaPem;
    await expect(nodeRedis(server.secretFor(A.name), untrusted, undefined, { retry: false }).connect()).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)/i,
    );
    expect((await ioredisConnectError(ioredis(server.secretFor(A.name), untrusted))).message).toMatch(
      /self[- ]signed|unable to (get|verify)/i,
    );
    // the secret's host is an IP the certificate covers, but the name asked for is another one
    const byIp = server.secretFor(A.name, { host: '127.0.0.1' });
    await expect(nodeRedis(byIp, server.caPem, 'cache.other.example', { retry: false }).connect()).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(await ioredisConnectError(ioredis(byIp, server.caPem, 'cache.other.example'))).toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('authenticate as the secret user: a wrong password is refused', async () => {
    const wrong = server.secretFor(A.name, { password: 'wrong-password-0000000000' });
    await expect(nodeRedis(wrong, server.caPem, undefined, { retry: false }).connect()).rejects.toThrow(/^WRONGPASS/);
    const client = ioredis(wrong, server.caPem);
    expect((await ioredisConnectError(client)).message).toMatch(/^WRONGPASS/);
    // and nothing runs unauthenticated (the default user is disabled)
    await expect(client.get('k')).rejects.toThrow();
    expect(await server.admin('EXISTS', 'alpha:k')).toBe('0');
  });
});

describe('own clients on a TLS Redis Cluster (3 primaries)', () => {
  let cluster: RedisClusterHandle;
  const keys = Array.from({ length: 30 }, (_, i) => `product:${i}`);

  beforeAll(async () => {
    cluster = await startRedisCluster({ users: [A, B] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Which nodes hold keys, and that every key is under `alpha:`. */
  async function storedKeys(pattern: string): Promise<{ nodes: number; keys: string[] }> {
    const perNode = await Promise.all(cluster.nodes.map((n) => n.admin('--raw', 'KEYS', pattern)));
    return { nodes: perNode.filter((out) => out.trim() !== '').length, keys: perNode.flatMap((out) => out.split('\n').filter(Boolean)) };
  }

  it('node-redis createCluster(createRedisConnectionConfig(secret)): keys spread over the nodes under <keyspace>:, refused outside it', async () => {
    const client = nodeRedisCluster(cluster.secretFor(A.name), cluster.caPem);
    await client.connect();
    for (const key of keys) expect(await client.set(`nr:${key}`, key)).toBe('OK');
    for (const key of keys) expect(await client.get(`nr:${key}`)).toBe(key);
    const stored = await storedKeys('*nr:*');
    expect(stored.nodes).toBeGreaterThanOrEqual(2);
    expect(stored.keys.sort()).toEqual(keys.map((k) => `alpha:nr:${k}`).sort());

    const tampered = nodeRedisCluster(cluster.secretFor(A.name, { keyspace: B.keyspace }), cluster.caPem);
    await tampered.connect();
    await expect(tampered.get('k')).rejects.toThrow(/^NOPERM/);
  });

  it('ioredis new Redis.Cluster(nodes, ioredisOptions(secret)): keys spread over the nodes under <keyspace>:, refused outside it', async () => {
    const client = ioredisCluster(cluster.secretFor(A.name), cluster.caPem);
    for (const key of keys) expect(await client.set(`io:${key}`, key)).toBe('OK');
    for (const key of keys) expect(await client.get(`io:${key}`)).toBe(key);
    const stored = await storedKeys('*io:*');
    expect(stored.nodes).toBeGreaterThanOrEqual(2);
    expect(stored.keys.sort()).toEqual(keys.map((k) => `alpha:io:${k}`).sort());

    const tampered = ioredisCluster(cluster.secretFor(A.name, { keyspace: B.keyspace }), cluster.caPem);
    await expect(tampered.get('k')).rejects.toThrow(/^NOPERM/);
  });
});
