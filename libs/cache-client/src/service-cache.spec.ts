import { createServer, type Server, type Socket } from 'node:net';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { CacheSecretError } from './errors';
import { staticSecretSource, type SecretSource } from './secret';
import { createServiceCache } from './service-cache';
import { EXAMPLE_PASSWORD, exampleSecret, memoryLogger } from '../test/helpers';

const PASSWORD = EXAMPLE_PASSWORD;
const secret: CacheSecretPayload = exampleSecret({ host: '127.0.0.1', port: 1, clusterMode: false });
const quiet = { metrics: { enabled: false }, commandTimeoutMs: 100, connectTimeoutMs: 200 };

describe('createServiceCache without a usable Redis (no server needed)', () => {
  it('is lazy: nothing is read or opened until first use', async () => {
    const fetch = jest.fn(async () => JSON.stringify(secret));
    const source: SecretSource = { name: 'lazy', fetch };
    const cache = createServiceCache({ ...quiet, secretSource: source, logger: memoryLogger() });
    expect(fetch).not.toHaveBeenCalled();
    await cache.getOrLoad('k', async () => 1, { ttlSeconds: 1 });
    expect(fetch).toHaveBeenCalledTimes(1);
    await cache.close();
  });

  it('answers from the loader and reports the missing REDIS_SECRET_ARN by name', async () => {
    const saved = process.env['REDIS_SECRET_ARN'];
    delete process.env['REDIS_SECRET_ARN'];
    try {
      const cache = createServiceCache({ ...quiet, logger: memoryLogger() });
      expect(await cache.getOrLoad('k', async () => 'from-source', { ttlSeconds: 10 })).toBe('from-source');
      const health = await cache.checkHealth();
      expect(health).toMatchObject({ status: 'down', circuit: 'closed' });
      expect(health.error).toContain('REDIS_SECRET_ARN');
      expect(cache.metrics()).toMatchObject({ failOpen: 1, errors: 1 });
    } finally {
      if (saved !== undefined) process.env['REDIS_SECRET_ARN'] = saved;
    }
  });

  it('names the bad field of a broken secret in health (without the ARN) and logs (with it), never the password', async () => {
    const logger = memoryLogger();
    const cache = createServiceCache({
      ...quiet,
      secretSource: staticSecretSource({ ...secret, port: 'x' as never }, 'arn:aws:secretsmanager:eu-west-1:1:secret:s'),
      logger,
    });
    expect(await cache.getOrLoad('k', async () => 'from-source', { ttlSeconds: 10 })).toBe('from-source');
    const health = await cache.checkHealth();
    expect(health.error).toBe('SecretPayloadError: field "port" must be an integer port 1-65535 (got string)');
    expect(logger.lines.join('\n')).toContain(
      'cache secret arn:aws:secretsmanager:eu-west-1:1:secret:s: field \\"port\\" must be an integer port',
    );
    expect(JSON.stringify(health) + logger.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('keeps health errors to class and rule: no ARN, no upstream text, no pasted secret', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
    const upstream = `User: arn:aws:sts::123456789012:assumed-role/orders-api-role/fn is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn}`;
    const cases: Array<[SecretSource, string]> = [
      // what getSecretValue throws for an SDK AccessDenied: the SDK text stays in the logs
      [
        {
          name: arn,
          fetch: async () =>
            Promise.reject(new CacheSecretError(arn, 'Secrets Manager GetSecretValue failed: AccessDeniedException', upstream)),
        },
        'CacheSecretError: Secrets Manager GetSecretValue failed: AccessDeniedException',
      ],
      [{ name: arn, fetch: async () => Promise.reject(new Error(`something upstream about ${arn}`)) }, 'Error'],
    ];
    for (const [source, expected] of cases) {
      const cache = createServiceCache({ ...quiet, secretSource: source, logger: memoryLogger() });
      const health = await cache.checkHealth();
      expect(health).toMatchObject({ status: 'down', error: expected });
      expect(health.error).not.toMatch(/arn:|123456789012/);
    }

    const saved = process.env['REDIS_SECRET_ARN'];
    process.env['REDIS_SECRET_ARN'] = JSON.stringify(secret);
    try {
      const logger = memoryLogger();
      const cache = createServiceCache({ ...quiet, logger });
      expect(await cache.getOrLoad('k', async () => 'from-source', { ttlSeconds: 10 })).toBe('from-source');
      const health = await cache.checkHealth();
      expect(health.error).toBe(
        'CacheUsageError: invalid environment variable REDIS_SECRET_ARN: must be a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or, for a local run, a file: URL (file:///path/to/secret.json)',
      );
      expect(logger.lines.join('\n')).toContain('(not shown; it looks like a JSON document, not a name)');
      expect(JSON.stringify(health) + logger.lines.join('\n')).not.toMatch(/Sup3r|orders-api-dev|cache-platform-dev/);
    } finally {
      if (saved === undefined) delete process.env['REDIS_SECRET_ARN'];
      else process.env['REDIS_SECRET_ARN'] = saved;
    }
  });

  describe('when the secret says iam (no option restates the auth mode)', () => {
    const AWS_VARIABLES = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_REGION',
      'AWS_PROFILE',
      'CACHE_PLATFORM_BUNDLED_AUTH_MODE',
    ];
    const saved = new Map<string, string | undefined>();
    beforeEach(() => {
      for (const name of AWS_VARIABLES) saved.set(name, process.env[name]);
      for (const name of AWS_VARIABLES) delete process.env[name];
      // what Lambda gives a function: its role's credentials and its region, in the environment
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_REGION: 'eu-west-1',
      });
    });
    afterEach(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('signs an IAM auth token for the handshake itself', async () => {
      // a TCP server that records what the client sends first (the AUTH, or HELLO with AUTH) and hangs up
      const received: Buffer[] = [];
      const server = createServer((socket) => {
        socket.on('data', (chunk) => {
          received.push(chunk);
          socket.destroy();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const cache = createServiceCache({
        ...quiet,
        secretSource: staticSecretSource({ ...secret, port, tls: false, authMode: 'iam', password: '' }),
        logger: memoryLogger(),
      });
      try {
        await cache.checkHealth();
        const wire = Buffer.concat(received).toString('utf8');
        expect(wire).toContain(secret.username);
        expect(wire).toContain(`${secret.cacheName}/?Action=connect&User=${secret.username}&ResourceType=ServerlessCache`);
        expect(wire).toMatch(/X-Amz-Credential=AKIDEXAMPLE%2F\d{8}%2Feu-west-1%2Felasticache%2Faws4_request/);
        expect(wire).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
      } finally {
        await cache.close();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('refuses in a bundle built for password auth, naming the manifest field to change', async () => {
      // what tools/lambda-bundle compiles in for a password service (esbuild define); read at run time here
      process.env['CACHE_PLATFORM_BUNDLED_AUTH_MODE'] = 'password';
      const cache = createServiceCache({
        ...quiet,
        secretSource: staticSecretSource({ ...secret, authMode: 'iam', password: '' }),
        logger: memoryLogger(),
      });
      const health = await cache.checkHealth();
      expect(health.status).toBe('down');
      expect(health.error).toBe(
        'CacheUsageError: invalid secret authMode: this function was bundled for "password" (cache-service.json authMode), so it carries no IAM token signer: set "authMode": "iam" in cache-service.json and deploy again',
      );
    });
  });

  describe('against a port where nothing answers', () => {
    let silent: Server;
    let port: number;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      // accepts TCP and never speaks: the TLS handshake stalls like a blackholed cache node
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      port = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });

    it('answers within the budget, opens the circuit, then skips Redis', async () => {
      const cache = createServiceCache({
        ...quiet,
        secretSource: staticSecretSource({ ...secret, port }),
        logger: memoryLogger(),
        circuit: { failureThreshold: 2, cooldownMs: 60_000 },
      });
      const times: number[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          expect(await cache.getOrLoad('k', async () => i, { ttlSeconds: 10 })).toBe(i);
          times.push(performance.now() - t0);
        }
        expect((await cache.checkHealth()).circuit).toBe('open');
      } finally {
        await cache.close();
      }
      // the bound that matters is the budget: the first request may connect (connect + command budget,
      // 200 + 100 ms), every later one gets the command budget (100 ms); SLACK_MS is what a busy CI
      // machine may add to a timer. That the open circuit skipped Redis is counted, not timed.
      const SLACK_MS = 250;
      expect(times[0]).toBeLessThan(200 + 100 + SLACK_MS);
      expect(Math.max(...times.slice(1))).toBeLessThan(100 + SLACK_MS);
      expect(cache.metrics()).toMatchObject({ failOpen: 5, circuitOpens: 1, circuitSkips: 3, timeouts: 2, errors: 2 });
    });
  });
});
