// A whole rotation while a service is busy: the secret in moto_server (Secrets Manager's staging
// labels), the user on a real TLS redis-server with the platform's ACL rules (ModifyUser applied as
// ACL changes after a `modifying` spell), the AUTH check over verified TLS, and concurrent request
// loops through the runtime library during all four steps. Every request must be answered from
// Redis: none failed, none fell back to the loader.
import { createServiceCache, type SecretSource, type ServiceCache } from '@cache-platform/cache-client';
import { memoryLogger, startRedis, waitFor, type RedisServer } from '@cache-platform/cache-client/testing';
import { AuthCheckError, AWSCURRENT, awsSecretsPort, runRotationStep, tlsAuthCheck, type RotationDeps, type SecretsPort } from '../src';
import { toolPrerequisites, RotationMoto } from './moto-rotation';
import { redisUsersPort, type RedisUsersPort } from './redis-users';

const OLD = 'orders-old-password-0000000001';
const USER = { name: 'orders-api-dev', keyspace: 'orders', passwords: [OLD] };
const CONCURRENCY = 12;
const KEYS = 24;
const MODIFYING_MS = 400;

jest.setTimeout(90_000);

const { describeWithTools } = toolPrerequisites('the rotation integration suite', ['moto_server', 'redis-server', 'redis-cli', 'openssl']);

describeWithTools('a rotation against redis-server and moto_server while the service serves requests', () => {
  let redis: RedisServer;
  let moto: RotationMoto;
  let cache: ServiceCache | undefined;

  beforeAll(async () => {
    [redis, moto] = await Promise.all([startRedis({ users: [USER] }), RotationMoto.start()]);
  }, 60_000);
  afterAll(async () => {
    await cache?.close();
    await Promise.all([redis?.stop(), moto?.stop()]);
  });

  it(`${CONCURRENCY} request loops through all four steps: zero failed, zero fail-open; old password refused, new one current and working`, async () => {
    const secrets: SecretsPort = awsSecretsPort(moto.client);
    const arn = await moto.createSecret('cache-platform/dev/orders-api/redis', JSON.stringify(redis.secretFor(USER.name)));
    const users: RedisUsersPort = redisUsersPort(redis, { modifyingMs: MODIFYING_MS });
    const authCheck = tlsAuthCheck({ tls: { ca: redis.caPem } });
    const deps: RotationDeps = { secrets, users, authCheck, wait: { timeoutMs: 20_000, firstDelayMs: 50, maxDelayMs: 400 } };

    // The service reads AWSCURRENT from moto. (It asks for the stage by name: moto 5.2 keeps serving
    // the version RotateSecret created to a GetSecretValue without one, where AWS serves AWSCURRENT.)
    const source: SecretSource = {
      name: arn,
      fetch: async () => (await secrets.getValue(arn, { stage: AWSCURRENT })) ?? '',
    };
    const logger = memoryLogger();
    // a generous budget: the forced secret re-read after the rotation goes through the SDK to moto
    // (Python) on a shared 2-core machine; the point here is what a rotation does, not this machine's speed
    cache = createServiceCache({
      secretSource: source,
      tls: { ca: redis.caPem },
      commandTimeoutMs: 2500,
      metrics: { enabled: false },
      logger,
    });
    const c = cache;
    const valueOf = (key: string) => ({ key, payload: 'x'.repeat(100) });
    for (let i = 0; i < KEYS; i++) await c.getOrLoad(`item-${i}`, async () => valueOf(`item-${i}`), { ttlSeconds: 600 });

    let stopped = false;
    let answered = 0;
    let wrong = 0;
    const loops = Array.from({ length: CONCURRENCY }, async (_, n) => {
      for (let round = 0; !stopped; round++) {
        const key = `item-${(n + round * CONCURRENCY) % KEYS}`;
        try {
          const value = await c.getOrLoad(key, async () => valueOf(key), { ttlSeconds: 600 });
          if (JSON.stringify(value) !== JSON.stringify(valueOf(key))) wrong++;
        } catch {
          wrong++;
        }
        answered++;
        if (round % 4 === 0) await new Promise((r) => setImmediate(r));
      }
    });
    const requests = async (count = 200) => {
      const target = answered + count;
      await waitFor(`${count} requests`, () => answered >= target, 20_000);
    };

    let token = '';
    try {
      await requests();
      token = await moto.startRotation(arn);
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        expect(await runRotationStep(deps, { SecretId: arn, ClientRequestToken: token, Step })).toEqual({ step: Step, outcome: 'applied' });
        await requests();
        // the service's connection drops after each step (node replaced, idle timeout ...) and the
        // service reconnects with the password it has: the old one, which works until finishSecret
        // (the overlap); after it, the handshake is refused, the secret re-read, the new one used
        expect(Number(await redis.admin('CLIENT', 'KILL', 'USER', USER.name))).toBeGreaterThanOrEqual(1);
        await requests();
      }
    } finally {
      stopped = true;
      await Promise.all(loops);
    }

    expect(wrong).toBe(0);
    const m = c.metrics();
    expect(m).toMatchObject({ failOpen: 0, errors: 0, circuitOpens: 0, circuitSkips: 0 });
    expect(m.loads).toBe(KEYS);
    expect(m.secretFetches).toBe(2);
    expect(answered).toBeGreaterThan(9 * 200);
    // one refused handshake, after finishSecret: the reconnects during the overlap used the old password
    expect(m.authFailures).toBeGreaterThanOrEqual(1);
    expect(m.connectionDrops).toBeGreaterThanOrEqual(4);

    // ModifyUser twice: [pending, current], then [new]
    expect(users.modifications).toEqual([2, 1]);
    const current = JSON.parse((await secrets.getValue(arn, { stage: AWSCURRENT })) as string) as Record<string, unknown>;
    const NEW = current['password'] as string;
    expect(NEW).toHaveLength(64);
    expect({ ...current, password: OLD }).toEqual(redis.secretFor(USER.name, { password: OLD }));
    expect((await secrets.describe(arn)).versions[token]).toContain(AWSCURRENT);
    // the new password works over verified TLS, the old one is refused
    await expect(authCheck({ ...redis.secretFor(USER.name), password: NEW })).resolves.toBeUndefined();
    const refused = await authCheck({ ...redis.secretFor(USER.name), password: OLD }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(AuthCheckError);
    expect((refused as Error).message).toMatch(/AUTH refused: WRONGPASS/);
    expect((refused as Error).message).not.toContain(OLD);
    expect(await users.describeUser(USER.name)).toEqual({ status: 'active', passwordCount: 1 });
    expect(logger.lines.join('\n')).not.toMatch(new RegExp(`${OLD}|${NEW.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('the AUTH check verifies the server certificate: a server signed by another CA is refused before AUTH', async () => {
    const strict = tlsAuthCheck({ tls: { ca: redis.tlsMaterial?.untrustedCaPem } });
    const error = (await strict({ ...redis.secretFor(USER.name), password: OLD }).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(AuthCheckError);
    expect(error.message).toMatch(
      /^auth check of user orders-api-dev at localhost:\d+: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
    // and the host name: the certificate is for localhost, not for this name
    const wrongName = tlsAuthCheck({ tls: { ca: redis.caPem, servername: 'cache.example.com' } });
    const altname = (await wrongName({ ...redis.secretFor(USER.name), password: OLD }).catch((e: Error) => e)) as Error;
    expect(altname.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    // never in clear
    const plain = (await tlsAuthCheck()({ ...redis.secretFor(USER.name), tls: false }).catch((e: Error) => e)) as Error;
    expect(plain.message).toMatch(/the secret says tls: false; the check sends the password over TLS only$/);
  });
});
