import { createClient } from '@redis/client';
import { serverlessTarget } from '@cache-platform/cache-contract';
import { createServiceCache, staticSecretSource, type ServiceCache } from '../src';
import { memoryLogger } from './helpers';
import { startRedis, type RedisServer } from './redis-harness';

const A = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const B = { name: 'svc-beta', keyspace: 'beta', passwords: ['beta-password-00000000001'] };

describe('isolation on a real redis-server (ACL users from the contract, verified TLS)', () => {
  let server: RedisServer;
  const clients: Array<{ destroy(): void; isOpen: boolean }> = [];
  const caches: ServiceCache[] = [];

  beforeAll(async () => {
    server = await startRedis({ users: [A, B] });
  });
  afterAll(async () => {
    for (const c of clients) if (c.isOpen) c.destroy();
    await Promise.all(caches.map((c) => c.close()));
    await server?.stop();
  });

  // a bare @redis/client connection: what a service could do with its credentials, not only via our helpers
  async function connectAs(
    user: { name: string; passwords: string[] } | undefined,
    tls: { ca?: string; servername?: string; host?: string } = {},
  ) {
    const client = createClient({
      RESP: 2,
      disableClientInfo: true,
      socket: {
        host: tls.host ?? 'localhost',
        port: server.tlsPort!,
        tls: true,
        ca: tls.ca ?? server.caPem,
        servername: tls.servername,
        reconnectStrategy: false,
      },
      ...(user ? { username: user.name, password: user.passwords[0] } : {}),
    });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  }

  it('lets a service read and write its own keyspace only', async () => {
    const a = await connectAs(A);
    expect(await a.set('alpha:k', 'v')).toBe('OK');
    expect(await a.get('alpha:k')).toBe('v');
    await expect(a.get('beta:k')).rejects.toThrow(/^NOPERM/);
    await expect(a.set('beta:k', 'x')).rejects.toThrow(/^NOPERM/);
    await expect(a.get('k')).rejects.toThrow(/^NOPERM/);
    // a script runs with the caller's key permissions
    await expect(a.eval("return redis.call('get', KEYS[1])", { keys: ['beta:k'], arguments: [] })).rejects.toThrow(/NOPERM|No permissions/);
  });

  it.each([
    ['KEYS', ['KEYS', '*']],
    ['FLUSHALL', ['FLUSHALL']],
    ['FLUSHDB', ['FLUSHDB']],
    ['CONFIG', ['CONFIG', 'GET', 'maxmemory']],
    ['SCAN', ['SCAN', '0']],
    ['CLIENT LIST', ['CLIENT', 'LIST']],
    // not key-pattern checked: they would list, count or push other services' key names
    ['RANDOMKEY', ['RANDOMKEY']],
    ['DBSIZE', ['DBSIZE']],
    ['CLUSTER GETKEYSINSLOT', ['CLUSTER', 'GETKEYSINSLOT', '0', '10']],
    ['CLUSTER COUNTKEYSINSLOT', ['CLUSTER', 'COUNTKEYSINSLOT', '0']],
    ['CLIENT TRACKING BCAST', ['CLIENT', 'TRACKING', 'ON', 'BCAST']],
    ['MOVE', ['MOVE', 'alpha:k', '1']],
  ])('refuses %s with NOPERM', async (_name, args) => {
    const a = await connectAs(A);
    await expect(a.sendCommand(args)).rejects.toThrow(/^NOPERM/);
    expect(await server.admin('EXISTS', 'alpha:k')).toBe('1');
  });

  it('refuses unauthenticated connections (the default user is disabled)', async () => {
    const anonymous = await connectAs(undefined);
    await expect(anonymous.get('alpha:k')).rejects.toThrow(/^NOAUTH/);
    await expect(connectAs({ name: A.name, passwords: ['wrong-password-0000000000'] })).rejects.toThrow(/^WRONGPASS/);
  });

  it('refuses a server whose certificate does not chain to a trusted CA', async () => {
    await expect(connectAs(A, { ca: server.tlsMaterial!.untrustedCaPem })).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });

  it('refuses a server certificate that is not valid for the name connected to', async () => {
    await expect(connectAs(A, { host: '127.0.0.1', servername: 'cache.other.example' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  describe('for every cache the platform can deploy', () => {
    // one user per serverless target; each must stay in its keyspace with the rules built for it
    const variants = [
      { target: serverlessTarget('valkey', '8'), name: 'svc-valkey8', keyspace: 'valkey8' },
      { target: serverlessTarget('valkey', '7'), name: 'svc-valkey7', keyspace: 'valkey7' },
      { target: serverlessTarget('redis', '7'), name: 'svc-redis7', keyspace: 'redis7' },
    ].map((v) => ({ ...v, passwords: [`${v.keyspace}-password-000000000001`] }));
    let variantServer: RedisServer;

    beforeAll(async () => {
      variantServer = await startRedis({ users: [...variants, A] });
    });
    afterAll(async () => variantServer?.stop());

    it.each(variants.map((v) => [`${v.target.engine} ${v.target.majorEngineVersion}`, v] as const))(
      'keeps a %s serverless user in its keyspace and away from key-listing commands',
      async (_name, variant) => {
        const client = createClient({
          RESP: 2,
          disableClientInfo: true,
          socket: { host: 'localhost', port: variantServer.tlsPort!, tls: true, ca: variantServer.caPem, reconnectStrategy: false },
          username: variant.name,
          password: variant.passwords[0],
        });
        client.on('error', () => undefined);
        clients.push(client);
        await client.connect();
        expect(await client.set(`${variant.keyspace}:k`, 'v')).toBe('OK');
        expect(await client.get(`${variant.keyspace}:k`)).toBe('v');
        await expect(client.get('alpha:k')).rejects.toThrow(/^NOPERM/);
        for (const args of [
          ['KEYS', '*'],
          ['SCAN', '0'],
          ['FLUSHALL'],
          ['RANDOMKEY'],
          ['DBSIZE'],
          ['CLIENT', 'LIST'],
          ['CLUSTER', 'GETKEYSINSLOT', '0', '10'],
          ['PUBLISH', 'c', 'm'],
        ]) {
          await expect(client.sendCommand(args)).rejects.toThrow(/^NOPERM/);
        }
        // CLIENT TRACKING and MOVE are not offered by ElastiCache Serverless, so its access string does not name them
        // (a test server still has them; the node-based variant above removes them)
      },
    );
  });

  describe('through createServiceCache', () => {
    const make = (secret: ReturnType<RedisServer['secretFor']>, tls: { ca?: string; servername?: string } = { ca: server.caPem }) => {
      const logger = memoryLogger();
      const cache = createServiceCache({
        secretSource: staticSecretSource(secret),
        tls,
        metrics: { enabled: false },
        logger,
        commandTimeoutMs: 1000,
      });
      caches.push(cache);
      return { cache, logger };
    };

    it('keeps every key under <keyspace>:', async () => {
      const { cache } = make(server.secretFor(A.name));
      expect(await cache.getOrLoad('user:1', async () => ({ id: 1 }), { ttlSeconds: 30 })).toEqual({ id: 1 });
      expect(JSON.parse(await server.admin('GET', 'alpha:user:1')).v).toEqual({ id: 1 });
      expect(await cache.checkHealth()).toMatchObject({ status: 'ok', circuit: 'closed', mode: 'standalone' });
    });

    it('cannot leave its keyspace even with a tampered secret: NOPERM, answered from the loader', async () => {
      const { cache, logger } = make(server.secretFor(A.name, { keyspace: 'beta' }));
      expect(await cache.getOrLoad('k', async () => 'from-source', { ttlSeconds: 30 })).toBe('from-source');
      expect(cache.metrics()).toMatchObject({ errors: 1, failOpen: 1 });
      expect(logger.lines.join('\n')).toMatch(/NOPERM/);
      expect(await server.admin('EXISTS', 'beta:k')).toBe('0');
    });

    it('reports untrusted CA and wrong host name as down, serving from the loader, never leaking the password', async () => {
      const cases = [
        // health may be public: the certificate problem by its code, not the TLS error's text (host names)
        { tls: { ca: server.tlsMaterial!.untrustedCaPem }, reason: /SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)/ },
        { tls: { ca: server.caPem, servername: 'cache.other.example' }, reason: /ERR_TLS_CERT_ALTNAME_INVALID/ },
      ];
      for (const { tls, reason } of cases) {
        const { cache, logger } = make(server.secretFor(A.name), tls);
        expect(await cache.getOrLoad('k2', async () => 'from-source', { ttlSeconds: 30 })).toBe('from-source');
        const health = await cache.checkHealth();
        expect(health.status).toBe('down');
        expect(health.error).toMatch(reason);
        expect(health.error).not.toMatch(/127\.0\.0\.1|cache\.other\.example|altnames/);
        expect(JSON.stringify(health) + logger.lines.join('\n')).not.toContain(A.passwords[0]);
      }
    });
  });
});
