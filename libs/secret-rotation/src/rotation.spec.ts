import {
  AWSCURRENT,
  AWSPENDING,
  createSecret,
  finishSecret,
  PASSWORD_ALPHABET,
  RotationError,
  runRotationStep,
  setSecret,
  testSecret,
  type RotationDeps,
  type RotationTarget,
} from './index';
import { AWSPREVIOUS, FakeSecrets, FakeUsers, OLD_PASSWORD, serviceSecret } from '../test/fakes';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
const USER_ID = 'orders-api-dev';

interface World {
  secrets: FakeSecrets;
  users: FakeUsers;
  deps: RotationDeps;
  target: RotationTarget;
  sleeps: number[];
  newPassword: () => string;
}

/** A secret and its user as the platform leaves them, a rotation started (RotateSecret's stub version). */
function world(options: { document?: Record<string, unknown>; auth?: boolean; deps?: Partial<RotationDeps> } = {}): World {
  const secrets = new FakeSecrets(SECRET_ID, JSON.stringify(options.document ?? serviceSecret()));
  const users = new FakeUsers();
  users.add(USER_ID, [OLD_PASSWORD]);
  const sleeps: number[] = [];
  let clock = 0;
  const deps: RotationDeps = {
    secrets,
    users,
    authCheck: options.auth === false ? undefined : users.authCheck(),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    ...options.deps,
  };
  const token = secrets.startRotation('4d8c6c2e-5b7a-4c1e-9f0a-000000000001');
  return {
    secrets,
    users,
    deps,
    target: { secretId: SECRET_ID, token },
    sleeps,
    newPassword: () => secrets.documentOf(AWSPENDING)['password'] as string,
  };
}

const STEPS = [createSecret, setSecret, testSecret, finishSecret];

async function rotateFully(w: World) {
  const outcomes = [];
  for (const step of STEPS) outcomes.push((await step(w.deps, w.target)).outcome);
  return outcomes;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const result = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  if (!result) throw new Error('expected the step to fail');
  return result;
}

describe('a whole rotation', () => {
  it('replaces only the password, overlaps both passwords, then leaves the user and AWSCURRENT with the new one', async () => {
    const w = world();
    const before = w.secrets.documentOf(AWSCURRENT);
    const oldVersion = w.secrets.idOf(AWSCURRENT);

    expect((await createSecret(w.deps, w.target)).outcome).toBe('applied');
    const pending = w.secrets.documentOf(AWSPENDING);
    const NEW = pending['password'] as string;
    // every key kept, in the same order, with the same values; only the password differs
    expect(Object.keys(pending)).toEqual(Object.keys(before));
    expect({ ...pending, password: 'x' }).toEqual({ ...before, password: 'x' });
    expect(NEW).toHaveLength(64);
    expect(NEW).not.toBe(OLD_PASSWORD);

    expect((await setSecret(w.deps, w.target)).outcome).toBe('applied');
    // the overlap: both work until finishSecret
    expect(w.users.users.get(USER_ID)).toMatchObject({ passwords: [NEW, OLD_PASSWORD], status: 'active' });

    expect((await testSecret(w.deps, w.target)).outcome).toBe('applied');
    expect((await finishSecret(w.deps, w.target)).outcome).toBe('applied');

    expect(w.users.users.get(USER_ID)).toMatchObject({ passwords: [NEW], status: 'active' });
    expect(w.secrets.idOf(AWSCURRENT)).toBe(w.target.token);
    expect(w.secrets.idOf(AWSPREVIOUS)).toBe(oldVersion);
    expect(w.secrets.documentOf(AWSCURRENT)['password']).toBe(NEW);
    // ModifyUser only ever ran on an active user, and each change was waited for
    expect(w.users.calls.filter((c) => c.startsWith('setPasswords'))).toEqual(['setPasswords:2', 'setPasswords:1']);
  });

  it('waits for `active` with a bounded exponential backoff, and fails naming the user and the bound', async () => {
    const w = world({ deps: { wait: { timeoutMs: 20_000, firstDelayMs: 500, maxDelayMs: 4000 } } });
    w.users.modifyingPolls = 5;
    await createSecret(w.deps, w.target);
    await setSecret(w.deps, w.target);
    expect(w.sleeps).toEqual([500, 1000, 2000, 4000]);

    const stuck = world({ deps: { wait: { timeoutMs: 20_000, firstDelayMs: 500, maxDelayMs: 4000 } } });
    await createSecret(stuck.deps, stuck.target);
    stuck.users.modifyingPolls = 1000;
    const error = await failure(setSecret(stuck.deps, stuck.target));
    expect(error).toBeInstanceOf(RotationError);
    expect(error.message).toMatch(
      new RegExp(
        `^rotation of secret ${SECRET_ID} \\(setSecret\\): user ${USER_ID} is still "modifying" after \\d+ ms; it must be "active" within 20000 ms$`,
      ),
    );
    // bounded: the pauses add up to no more than the bound
    expect(stuck.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(Math.max(...stuck.sleeps)).toBe(4000);
  });
});

describe('waits within the invocation', () => {
  it('stops at the deadline (what is left of the invocation) before the wait bound', async () => {
    const w = world({ deps: { wait: { timeoutMs: 300_000, firstDelayMs: 500, maxDelayMs: 10_000 }, deadline: 3000 } });
    await createSecret(w.deps, w.target);
    w.users.modifyingPolls = 1000;
    await w.users.setPasswords(USER_ID, [OLD_PASSWORD]);
    const error = await failure(setSecret(w.deps, w.target));
    expect(error.message).toMatch(
      /user orders-api-dev is still "modifying" after \d+ ms; it must be "active" within 3000 ms \(what is left of the invocation\)$/,
    );
    expect(w.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3000);
  });
});

describe('each step retried after it succeeded (Secrets Manager retries)', () => {
  it('createSecret: keeps the pending version it stored, puts nothing twice', async () => {
    const w = world();
    await createSecret(w.deps, w.target);
    const NEW = w.newPassword();
    expect((await createSecret(w.deps, w.target)).outcome).toBe('already-done');
    expect(w.newPassword()).toBe(NEW);
    expect(w.secrets.calls.filter((c) => c === 'putPendingValue')).toHaveLength(1);
  });

  it('setSecret: both passwords already work, so no second ModifyUser', async () => {
    const w = world();
    await createSecret(w.deps, w.target);
    await setSecret(w.deps, w.target);
    expect((await setSecret(w.deps, w.target)).outcome).toBe('already-done');
    expect(w.users.calls.filter((c) => c.startsWith('setPasswords'))).toEqual(['setPasswords:2']);
    expect(w.users.users.get(USER_ID)?.passwords).toEqual([w.newPassword(), OLD_PASSWORD]);
  });

  it('setSecret without an AUTH check: sets the same two passwords again, the same state', async () => {
    const w = world({ auth: false });
    await createSecret(w.deps, w.target);
    await setSecret(w.deps, w.target);
    expect((await setSecret(w.deps, w.target)).outcome).toBe('applied');
    expect(w.users.users.get(USER_ID)).toMatchObject({ passwords: [w.newPassword(), OLD_PASSWORD], status: 'active' });
  });

  it('testSecret: passes again', async () => {
    const w = world();
    await createSecret(w.deps, w.target);
    await setSecret(w.deps, w.target);
    await testSecret(w.deps, w.target);
    expect((await testSecret(w.deps, w.target)).outcome).toBe('applied');
  });

  it('finishSecret: already finished is success, and changes nothing', async () => {
    const w = world();
    await rotateFully(w);
    const calls = w.users.calls.length;
    expect((await finishSecret(w.deps, w.target)).outcome).toBe('already-done');
    expect(w.users.calls.slice(calls).filter((c) => c.startsWith('setPasswords'))).toEqual([]);
    expect(w.users.users.get(USER_ID)?.passwords).toHaveLength(1);
  });

  it('finishSecret: a retry after the label moved but ModifyUser failed still drops the old password', async () => {
    const w = world();
    await createSecret(w.deps, w.target);
    await setSecret(w.deps, w.target);
    await testSecret(w.deps, w.target);
    w.users.failNext('setPasswords', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(finishSecret(w.deps, w.target)).rejects.toThrow(/ThrottlingException: Rate exceeded/);
    // half done: the secret says new, the user still takes both
    expect(w.secrets.idOf(AWSCURRENT)).toBe(w.target.token);
    expect(w.users.users.get(USER_ID)?.passwords).toHaveLength(2);
    expect((await finishSecret(w.deps, w.target)).outcome).toBe('applied');
    expect(w.users.users.get(USER_ID)?.passwords).toEqual([w.secrets.documentOf(AWSCURRENT)['password']]);
  });

  it('finishSecret retried late, while the next rotation overlaps: leaves that rotation’s two passwords alone', async () => {
    const w = world();
    await rotateFully(w);
    const next = { secretId: SECRET_ID, token: w.secrets.startRotation('4d8c6c2e-5b7a-4c1e-9f0a-000000000002') };
    await createSecret(w.deps, next);
    await setSecret(w.deps, next);
    expect((await finishSecret(w.deps, w.target)).outcome).toBe('already-done');
    expect(w.users.users.get(USER_ID)?.passwords).toHaveLength(2);
    expect((await testSecret(w.deps, next)).outcome).toBe('applied');
  });

  it('finishSecret without an AUTH check: one password left counts as dropped', async () => {
    const w = world({ auth: false });
    await rotateFully(w);
    expect((await finishSecret(w.deps, w.target)).outcome).toBe('already-done');
  });

  it.each(['createSecret', 'setSecret', 'testSecret'] as const)(
    '%s on a version that is already AWSCURRENT: done, nothing touched',
    async (step) => {
      const w = world();
      await rotateFully(w);
      const [secretCalls, userCalls] = [w.secrets.calls.length, w.users.calls.length];
      expect(await runRotationStep(w.deps, { SecretId: SECRET_ID, ClientRequestToken: w.target.token, Step: step })).toEqual({
        step,
        outcome: 'already-done',
      });
      expect(w.secrets.calls.slice(secretCalls)).toEqual(['describe']);
      expect(w.users.calls.slice(userCalls)).toEqual([]);
    },
  );
});

describe('refusals', () => {
  it('a token that is not a version of the secret', async () => {
    const w = world();
    const error = await failure(createSecret(w.deps, { secretId: SECRET_ID, token: 'not-a-version' }));
    expect(error.message).toMatch(
      new RegExp(
        `^rotation of secret ${SECRET_ID} \\(createSecret\\): version not-a-version is not a version of this secret \\(versions: `,
      ),
    );
  });

  it('a token whose version is neither AWSPENDING nor AWSCURRENT', async () => {
    const w = world();
    await rotateFully(w);
    const previous = w.secrets.idOf(AWSPREVIOUS) as string;
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const error = await failure(runRotationStep(w.deps, { SecretId: SECRET_ID, ClientRequestToken: previous, Step: step }));
      expect(error.message).toBe(
        `rotation of secret ${SECRET_ID} (${step}): version ${previous} has staging labels [AWSPREVIOUS]: a rotation step runs on the version labelled AWSPENDING`,
      );
    }
  });

  it('an iam secret: nothing to rotate, nothing written', async () => {
    const w = world({ document: serviceSecret({ authMode: 'iam', password: '' }) });
    const error = await failure(createSecret(w.deps, w.target));
    expect(error.message).toBe(
      `rotation of secret ${SECRET_ID} (createSecret): the AWSCURRENT version says authMode "iam": the user authenticates with IAM tokens and has no password to rotate; turn rotation off for this secret`,
    );
    expect(w.secrets.calls).not.toContain('putPendingValue');
    // finishing one is refused as well: it would give an IAM user a password
    const finish = await failure(finishSecret(w.deps, w.target));
    expect(finish.message).toMatch(/authMode "iam"/);
  });

  it('an invalid document, naming the field and never the password', async () => {
    const w = world({ document: serviceSecret({ port: 'six' as unknown as number }) });
    const error = await failure(createSecret(w.deps, w.target));
    expect(error.message).toBe(
      `rotation of secret ${SECRET_ID} (createSecret): cache secret ${SECRET_ID} (AWSCURRENT): field "port" must be an integer port 1-65535 (got string)`,
    );
    expect(error.message).not.toContain(OLD_PASSWORD);
  });

  it('a user_arn that names another user than username', async () => {
    const w = world({ document: serviceSecret({ user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:billing-api-dev' }) });
    const error = await failure(createSecret(w.deps, w.target));
    expect(error.message).toMatch(
      /user_arn names user "billing-api-dev" but its username is "orders-api-dev": they must be the same user$/,
    );
  });

  it('a pending version not made by createSecret: another user, or the current password', async () => {
    const w = world();
    const other = serviceSecret({
      username: 'billing-api-dev',
      user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:billing-api-dev',
      password: 'a-pending-password-00000000001',
    });
    await w.secrets.putPendingValue(SECRET_ID, w.target.token, JSON.stringify(other));
    expect((await failure(setSecret(w.deps, w.target))).message).toBe(
      `rotation of secret ${SECRET_ID} (setSecret): the AWSPENDING version's username is "billing-api-dev", but this secret's service user is "orders-api-dev": a service secret rotates its own user's password only`,
    );
    const same = world();
    await same.secrets.putPendingValue(SECRET_ID, same.target.token, JSON.stringify(serviceSecret()));
    const error = await failure(setSecret(same.deps, same.target));
    expect(error.message).toMatch(/the AWSPENDING version has the same password as AWSCURRENT: it was not made by createSecret/);
    expect(error.message).not.toContain(OLD_PASSWORD);
    expect(w.users.calls.concat(same.users.calls).filter((c) => c.startsWith('setPasswords'))).toEqual([]);
  });

  it("a document naming another service's user than the secret's name: nothing read or written beyond the check", async () => {
    // whoever could write the orders-api secret must not point a rotation at billing-api's user
    const w = world({
      document: serviceSecret({ username: 'billing-api-dev', user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:billing-api-dev' }),
    });
    w.users.add('billing-api-dev', [OLD_PASSWORD]);
    const error = await failure(createSecret(w.deps, w.target));
    expect(error.message).toBe(
      `rotation of secret ${SECRET_ID} (createSecret): the AWSCURRENT version's username is "billing-api-dev", but this secret's service user is "orders-api-dev": a service secret rotates its own user's password only`,
    );
    expect(w.secrets.calls).not.toContain('putPendingValue');
  });

  it('a secret that is not a platform service secret, before any call', async () => {
    const w = world();
    for (const secretId of [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/orders/db-AbCdEf',
      'cache-platform/dev/Orders_API/redis',
    ]) {
      const error = await failure(finishSecret(w.deps, { secretId, token: w.target.token }));
      expect(error.message).toMatch(
        secretId.startsWith('arn')
          ? /: the secret is not a platform service secret \(cache-platform\/<environment>\/<service>\/redis\): this function rotates those only$/
          : /: the secret's name does not name a service and an environment: /,
      );
    }
    expect(w.secrets.calls).toEqual([]);
  });

  it('setSecret before createSecret stored the pending value', async () => {
    const w = world();
    const error = await failure(setSecret(w.deps, w.target));
    expect(error.message).toMatch(/\(setSecret\): version .* has no value yet: createSecret has not completed for it$/);
    expect(w.users.calls).toEqual([]);
  });

  it('testSecret when AUTH with the pending password is refused', async () => {
    const w = world();
    await createSecret(w.deps, w.target);
    // setSecret skipped: the user only knows the old password
    const error = await failure(testSecret(w.deps, w.target));
    expect(error.message).toMatch(/\(testSecret\): Error: auth check of user orders-api-dev: AUTH refused: WRONGPASS/);
    expect(error.message).not.toContain(w.newPassword());
  });

  it('testSecret without an AUTH check: the user must hold two passwords', async () => {
    const w = world({ auth: false });
    await createSecret(w.deps, w.target);
    const error = await failure(testSecret(w.deps, w.target));
    expect(error.message).toMatch(/user orders-api-dev has 1 password\(s\), expected 2 \(pending and current\) after setSecret/);
  });

  it('a malformed event or an unknown step', async () => {
    const w = world();
    await expect(
      runRotationStep(w.deps, { SecretId: SECRET_ID, ClientRequestToken: w.target.token, Step: 'rotateEverything' }),
    ).rejects.toThrow(
      `rotation of secret ${SECRET_ID} (rotateEverything): unknown step "rotateEverything": expected one of createSecret, setSecret, testSecret, finishSecret`,
    );
    await expect(runRotationStep(w.deps, { SecretId: SECRET_ID, Step: 'createSecret' } as never)).rejects.toThrow(
      /must carry SecretId and ClientRequestToken/,
    );
  });
});

describe('passwords never reach an error message', () => {
  it('an upstream error quoting the passwords is redacted', async () => {
    const w = world();
    await createSecret(w.deps, w.target);
    const NEW = w.newPassword();
    w.users.failNext(
      'setPasswords',
      Object.assign(new Error(`Invalid password ${NEW} (previous ${OLD_PASSWORD})`), { name: 'InvalidParameterValueException' }),
    );
    const error = await failure(setSecret(w.deps, w.target));
    expect(error.message).toBe(
      `rotation of secret ${SECRET_ID} (setSecret): InvalidParameterValueException: Invalid password [redacted] (previous [redacted])`,
    );
    expect(error.stack).not.toContain(NEW);
    expect(JSON.stringify(error)).not.toContain(NEW);
  });

  it('an upstream error quoting the generated password, before it was stored', async () => {
    const w = world({ deps: { generatePassword: () => 'G'.repeat(64) } });
    w.secrets.failNext('putPendingValue', new Error(`bad value ${'G'.repeat(64)}`));
    const error = await failure(createSecret(w.deps, w.target));
    expect(error.message).toBe(`rotation of secret ${SECRET_ID} (createSecret): Error: bad value [redacted]`);
  });

  it('log records carry ids and states only', async () => {
    const lines: string[] = [];
    const w = world({ deps: { log: (r) => lines.push(JSON.stringify(r)) } });
    await rotateFully(w);
    expect(lines.length).toBeGreaterThan(4);
    const text = lines.join('\n');
    expect(text).not.toContain(OLD_PASSWORD);
    expect(text).not.toContain(w.secrets.documentOf(AWSCURRENT)['password'] as string);
  });
});

describe('generated passwords', () => {
  it('are 64 characters ElastiCache accepts (printable, no space, no " / @), and differ', async () => {
    expect(PASSWORD_ALPHABET).toHaveLength(88);
    expect(PASSWORD_ALPHABET).not.toMatch(/[\s"/@'\\`]/);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const w = world();
      await createSecret(w.deps, w.target);
      const password = w.newPassword();
      expect(password).toMatch(/^[\x21-\x7e]{64}$/);
      expect(password).not.toMatch(/["/@'\\`]/);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });
});
