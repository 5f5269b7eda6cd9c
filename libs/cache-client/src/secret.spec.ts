import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { startSecretsManagerStub, type SecretsManagerStub } from '../test/secrets-manager-stub';
import { CacheUsageError } from './errors';
import { createServiceCache } from './service-cache';
import {
  FIRST_UNCHANGED_PAUSE_MS,
  fileSecretSource,
  SecretLoader,
  secretsManagerSource,
  secretSourceFromEnv,
  staticSecretSource,
  type SecretSource,
  type SecretValue,
} from './secret';
import { monotonicMs } from './time';
import { EXAMPLE_PASSWORD, exampleSecret } from '../test/helpers';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
const PASSWORD = EXAMPLE_PASSWORD;
const secret: CacheSecretPayload = exampleSecret();

function countingSource(text: () => string, delayMs = 20): SecretSource & { calls: Array<boolean | undefined> } {
  const calls: Array<boolean | undefined> = [];
  return {
    name: ARN,
    calls,
    fetch: async (force) => {
      calls.push(force);
      await new Promise((r) => setTimeout(r, delayMs));
      return text();
    },
  };
}

const textOf = (fetched: string | SecretValue) => (typeof fetched === 'string' ? fetched : fetched.secretString);

/** A secret with Secrets Manager-like versions, no timers (usable under fake timers); records when it is read. */
function versionedSource(withIds: boolean) {
  let version = 1;
  const readAt: number[] = [];
  let failing = false;
  const doc = () => JSON.stringify({ ...secret, password: `Rotated-Password-Value-${String(version).padStart(5, '0')}` });
  const source: SecretSource = {
    name: ARN,
    fetch: async () => {
      readAt.push(monotonicMs());
      if (failing) throw new Error('ThrottlingException');
      return withIds ? { secretString: doc(), versionId: `version-${version}` } : doc();
    },
  };
  return {
    source,
    readAt,
    rotate: () => void version++,
    fail: (on: boolean) => void (failing = on),
    /** pauses between consecutive reads, rounded to the millisecond */
    gaps: () => readAt.slice(1).map((t, i) => Math.round(t - readAt[i]!)),
  };
}

describe('SecretLoader', () => {
  it('fetches once for concurrent callers and keeps the result', async () => {
    const source = countingSource(() => JSON.stringify(secret));
    const loader = new SecretLoader(() => source, { maxPauseMs: 1000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => loader.get()));
    expect(source.calls).toEqual([false]);
    expect(new Set(results).size).toBe(1);
    expect(await loader.get()).toBe(results[0]);
    expect(source.calls).toHaveLength(1);
  });

  it('forces a re-fetch for rotation, shared by concurrent callers, paced when nothing changed', async () => {
    let text = JSON.stringify(secret);
    const source = countingSource(() => text);
    const loader = new SecretLoader(() => source, { maxPauseMs: 60_000 });
    await loader.get();
    // the first forced re-read goes through, even right after the first fetch
    expect(await loader.refresh()).toEqual(secret);
    // it found the version in hand: too soon after it, the secret in hand is returned
    expect(await loader.refresh()).toEqual(secret);
    expect(source.calls).toEqual([false, true]);

    const fast = new SecretLoader(() => source, { maxPauseMs: 0 });
    await fast.get();
    text = JSON.stringify({ ...secret, password: 'Another-Password-Value-0002' });
    const [a, b] = await Promise.all([fast.refresh(), fast.refresh()]);
    expect(a.password).toBe('Another-Password-Value-0002');
    expect(b.password).toBe('Another-Password-Value-0002');
    expect(source.calls).toEqual([false, true, false, true]);
    // callers of get() during a refresh wait for the new secret
    text = JSON.stringify({ ...secret, password: 'Third-Password-Value-000003' });
    const refreshing = fast.refresh();
    expect((await fast.get()).password).toBe('Third-Password-Value-000003');
    await refreshing;
  });

  // issue 18, item 9: a fixed 5 s window after the first re-read failed open a second rotation inside it
  it.each([
    ['Secrets Manager version ids', true],
    ['document content (no version id)', false],
  ])('re-reads at once after a re-read that found a new version (%s): two rotations in a row', async (_name, withIds) => {
    const secrets = versionedSource(withIds);
    // the default pause cap of the cache
    const loader = new SecretLoader(() => secrets.source, { maxPauseMs: 5000 });
    expect((await loader.get()).password).toBe('Rotated-Password-Value-00001');
    secrets.rotate();
    expect((await loader.refresh()).password).toBe('Rotated-Password-Value-00002');
    // the second rotation, a moment later: read at once, not after a window
    secrets.rotate();
    expect((await loader.refresh()).password).toBe('Rotated-Password-Value-00003');
    expect(secrets.readAt).toHaveLength(3);
    // that re-read found a new version too: the next one is not delayed either; it finds nothing new,
    // and the one after that waits
    expect((await loader.refresh()).password).toBe('Rotated-Password-Value-00003');
    expect((await loader.refresh()).password).toBe('Rotated-Password-Value-00003');
    expect(secrets.readAt).toHaveLength(4);
  });

  describe('pause after re-reads that find nothing new (fake clock)', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    /** refresh() as a tight loop would call it: every 10 ms of (fake) time for `ms` */
    async function hammer(loader: SecretLoader, ms: number): Promise<void> {
      for (let t = 0; t < ms; t += 10) {
        await loader.refresh().catch(() => undefined);
        jest.advanceTimersByTime(10);
      }
    }

    it.each([
      ['Secrets Manager version ids', true],
      ['document content (no version id)', false],
    ])('grows from 100 ms, doubling up to the cap, and resets when a re-read finds a new version (%s)', async (_name, withIds) => {
      const secrets = versionedSource(withIds);
      const loader = new SecretLoader(() => secrets.source, { maxPauseMs: 5000 });
      await loader.get();
      secrets.readAt.length = 0;
      // a password that really is wrong: refused every 10 ms for 20 s, the secret never changes
      await hammer(loader, 20_000);
      expect(FIRST_UNCHANGED_PAUSE_MS).toBe(100);
      expect(secrets.gaps()).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
      // 9 reads in 20 s instead of 2,000
      expect(secrets.readAt).toHaveLength(9);

      // the rotation moves AWSCURRENT: the next read after the pause finds it; the one after that is
      // not delayed (a second rotation may follow), and finds nothing new: 100 ms again
      secrets.rotate();
      secrets.readAt.length = 0;
      await hammer(loader, 5_500);
      expect((await loader.get()).password).toBe('Rotated-Password-Value-00002');
      // the first of these found version 2 (it came at most one pause of 5 s after the last read)
      expect(secrets.gaps().slice(0, 3)).toEqual([10, 100, 200]);
    });

    it('paces failed re-reads the same way (a throttled Secrets Manager is not hammered either)', async () => {
      const secrets = versionedSource(true);
      const loader = new SecretLoader(() => secrets.source, { maxPauseMs: 1000 });
      await loader.get();
      secrets.readAt.length = 0;
      secrets.fail(true);
      await hammer(loader, 5_000);
      // capped at maxPauseMs
      expect(secrets.gaps()).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
      // the secret in hand is kept meanwhile
      expect((await loader.get()).password).toBe('Rotated-Password-Value-00001');
    });

    it('does not pause at all with maxPauseMs 0', async () => {
      const secrets = versionedSource(true);
      const loader = new SecretLoader(() => secrets.source, { maxPauseMs: 0 });
      await loader.get();
      secrets.readAt.length = 0;
      await hammer(loader, 100);
      expect(secrets.readAt).toHaveLength(10);
    });
  });

  it('does not remember a failed fetch', async () => {
    let fail = true;
    const source = countingSource(() => {
      if (fail) throw new Error('throttled');
      return JSON.stringify(secret);
    });
    const loader = new SecretLoader(() => source, { maxPauseMs: 0 });
    await expect(loader.get()).rejects.toThrow('throttled');
    fail = false;
    await expect(loader.get()).resolves.toEqual(secret);
  });

  it('names the field and the secret on invalid documents and never prints the password', async () => {
    const cases: Array<[string, string]> = [
      [JSON.stringify({ ...secret, host: '' }), `cache secret ${ARN}: field "host" must not be empty`],
      [JSON.stringify({ ...secret, port: PASSWORD }), `cache secret ${ARN}: field "port" must be an integer port 1-65535 (got string)`],
      [JSON.stringify({ ...secret, username: undefined }), `cache secret ${ARN}: field "username" is missing`],
      [`{"password":"${PASSWORD}",`, `cache secret ${ARN}: field "(document)" is not valid JSON`],
    ];
    for (const [text, message] of cases) {
      const loader = new SecretLoader(() => countingSource(() => text, 0), { maxPauseMs: 0 });
      const error = await loader.get().catch((e: Error) => e);
      expect((error as Error).message).toBe(message);
      expect((error as Error).message).not.toContain(PASSWORD);
    }
  });
});

describe('secret sources', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cache-client-secret-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads REDIS_SECRET_ARN: a Secrets Manager ARN, or a file: URL for local runs', async () => {
    expect(secretSourceFromEnv({ REDIS_SECRET_ARN: ARN }).name).toBe(ARN);
    const file = join(dir, 'secret.json');
    writeFileSync(file, JSON.stringify(secret));
    const local = secretSourceFromEnv({ REDIS_SECRET_ARN: pathToFileURL(file).href });
    expect(local.name).toBe(file);
    expect(JSON.parse(textOf(await local.fetch()))).toEqual(secret);
  });

  it('names the variable and the rule when REDIS_SECRET_ARN is missing or odd', () => {
    expect(() => secretSourceFromEnv({})).toThrow(
      'invalid environment variable REDIS_SECRET_ARN "(unset)": must hold the ARN of the service cache secret (the service stack sets it), or a file: URL for a local run',
    );
    const expected =
      'must be a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or, for a local run, a file: URL (file:///path/to/secret.json)';
    expect(() => secretSourceFromEnv({ REDIS_SECRET_ARN: 'orders-secret' })).toThrow(
      `invalid environment variable REDIS_SECRET_ARN (not shown): ${expected}`,
    );
    expect(() => secretsManagerSource('not-an-arn')).toThrow(
      'invalid secretArn (not shown): must be a Secrets Manager ARN (arn:aws:secretsmanager:',
    );
    expect(() => createServiceCache({ secretArn: 'nope' })).toThrow('invalid secretArn (not shown)');
  });

  it('never echoes a malformed REDIS_SECRET_ARN or secretArn: it may be the secret document pasted in', () => {
    const pasted = [JSON.stringify(secret), `  ${JSON.stringify(secret, null, 2)}`, `{"password":"${PASSWORD}"}`, PASSWORD];
    for (const value of pasted) {
      for (const attempt of [
        () => secretSourceFromEnv({ REDIS_SECRET_ARN: value }),
        () => secretsManagerSource(value),
        () => createServiceCache({ secretArn: value }),
      ]) {
        const error = (() => {
          try {
            attempt();
          } catch (e) {
            return e as CacheUsageError;
          }
          throw new Error('expected a CacheUsageError');
        })();
        expect(error).toBeInstanceOf(CacheUsageError);
        expect(error.message).toContain(
          value.trim().startsWith('{') ? '(not shown; it looks like a JSON document, not a name)' : '(not shown)',
        );
        expect(error.message).toContain('arn:aws:secretsmanager:');
        // neither the message nor the error's fields carry the value (loggers serialize errors whole)
        expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/Sup3r|schemaVersion|orders-api-dev|6379/);
      }
    }
  });

  it('reports an unreadable file by path and error code only', async () => {
    await expect(fileSecretSource(join(dir, 'missing.json')).fetch()).rejects.toThrow(
      `cache secret ${join(dir, 'missing.json')}: cannot read the file (ENOENT)`,
    );
  });

  it('serves static secrets as given', async () => {
    expect(JSON.parse(textOf(await staticSecretSource(secret).fetch()))).toEqual(secret);
    expect(await staticSecretSource('{"x":1}', 'mine').fetch()).toBe('{"x":1}');
  });
});

describe('Secrets Manager source (against a local API stand-in)', () => {
  let stub: SecretsManagerStub;
  const saved = { ...process.env };
  beforeAll(async () => {
    stub = await startSecretsManagerStub({ [ARN]: JSON.stringify(secret) });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key',
      AWS_REGION: 'eu-west-1',
      // the SDK announces its Node 22 requirement on Node 20 (the workspace's minimum); the Lambdas run nodejs22.x
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await stub.stop();
  });

  it('fetches GetSecretValue once for concurrent readers, again when forced', async () => {
    const loader = new SecretLoader(() => secretsManagerSource(ARN), { maxPauseMs: 0 });
    const all = await Promise.all(Array.from({ length: 10 }, () => loader.get()));
    expect(all[0]).toEqual(secret);
    expect(stub.calls[ARN]).toBe(1);
    stub.set(ARN, JSON.stringify({ ...secret, password: 'Rotated-Password-Value-00002' }));
    expect((await loader.refresh()).password).toBe('Rotated-Password-Value-00002');
    expect(stub.calls[ARN]).toBe(2);
  });

  it('names the ARN and the API error, not the value', async () => {
    const missing = ARN.replace('AbCdEf', 'Zzzzzz');
    const error = await secretsManagerSource(missing)
      .fetch()
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      new RegExp(`^cache secret ${missing.replace(/[/]/g, '\\/')}: Secrets Manager GetSecretValue failed: ResourceNotFoundException`),
    );
  });
});
