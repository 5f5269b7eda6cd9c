import {
  AWSCURRENT,
  AWSPENDING,
  createSecret,
  finishSecret,
  RotationError,
  setSecret,
  syncConnection,
  testSecret,
  type RotationDeps,
  type SyncConnectionRequest,
} from './index';
import { AWSPREVIOUS, FakeExports, FakeSecrets, FakeUsers, OLD_PASSWORD, serviceSecret } from '../test/fakes';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
const USER_ID = 'orders-api-dev';

function world(document: Record<string, unknown> = serviceSecret()) {
  const secrets = new FakeSecrets(SECRET_ID, JSON.stringify(document));
  const users = new FakeUsers();
  users.add(USER_ID, [OLD_PASSWORD]);
  const exports = new FakeExports();
  let clock = 0;
  const deps: RotationDeps = {
    secrets,
    users,
    exports,
    authCheck: users.authCheck(),
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    wait: { timeoutMs: 10_000, firstDelayMs: 100, maxDelayMs: 1000 },
  };
  return { secrets, users, exports, deps };
}

const request = (overrides: Partial<SyncConnectionRequest> = {}): SyncConnectionRequest => ({
  action: 'sync-connection',
  secretId: SECRET_ID,
  cell: 'main',
  keyspace: 'orders',
  authMode: 'password',
  ...overrides,
});

describe('syncConnection: Terraform-owned fields reach AWSCURRENT, the rotated password stays', () => {
  it('a cell move writes the new cell endpoint as AWSCURRENT with the same password, keeping other keys', async () => {
    const w = world();
    const before = w.secrets.idOf(AWSCURRENT);
    const result = await syncConnection(w.deps, request({ cell: 'b' }));
    expect(result).toMatchObject({ action: 'sync-connection', outcome: 'applied', passwordRestored: false });
    const doc = w.secrets.documentOf(AWSCURRENT);
    expect(doc).toMatchObject({
      host: 'cache-platform-dev-b-def456.serverless.euw1.cache.amazonaws.com',
      cacheName: 'cache-platform-dev-b',
      password: OLD_PASSWORD,
      engine: 'valkey',
    });
    expect(w.secrets.idOf(AWSCURRENT)).toBe(result.versionId);
    expect(w.secrets.idOf(AWSPREVIOUS)).toBe(before);
    // the result goes into Terraform state: never a password
    expect(JSON.stringify(result)).not.toContain(OLD_PASSWORD);
    expect(w.users.calls.filter((c) => c.startsWith('setPasswords'))).toEqual([]);
  });

  it('is idempotent: the same request again writes nothing; a retry of a lost reply is the same version id', async () => {
    const w = world();
    const first = await syncConnection(w.deps, request({ cell: 'b' }));
    const second = await syncConnection(w.deps, request({ cell: 'b' }));
    expect(second).toMatchObject({ outcome: 'already-done', versionId: first.versionId });
    expect(w.secrets.calls.filter((c) => c === 'putCurrentValue')).toHaveLength(1);
  });

  it('unchanged connection: no new version', async () => {
    const w = world();
    const result = await syncConnection(w.deps, request());
    expect(result.outcome).toBe('already-done');
    expect(w.secrets.versions.size).toBe(1);
  });

  it('a replaced user (fresh bootstrap password) is given the current password back, and the secret is not rewritten', async () => {
    const w = world();
    w.users.add(USER_ID, ['a-fresh-bootstrap-password-that-nobody-has']);
    const result = await syncConnection(w.deps, request());
    expect(result).toMatchObject({ outcome: 'already-done', passwordRestored: true });
    expect(w.users.users.get(USER_ID)?.passwords).toEqual([OLD_PASSWORD]);
  });

  it('an IAM service follows its cell too (no password, no user change)', async () => {
    const w = world(serviceSecret({ authMode: 'iam', password: '' }));
    const result = await syncConnection(w.deps, request({ cell: 'b', authMode: 'iam' }));
    expect(result.outcome).toBe('applied');
    expect(w.secrets.documentOf(AWSCURRENT)).toMatchObject({ cacheName: 'cache-platform-dev-b', authMode: 'iam', password: '' });
    expect(w.users.calls).toEqual([]);
  });

  it('removes AWSPENDING left by a cancelled rotation, so the next RotateSecret can start', async () => {
    const w = world();
    const token = w.secrets.startRotation();
    await createSecret(w.deps, { secretId: SECRET_ID, token });
    w.secrets.rotationEnabled = false; // CancelRotateSecret
    const result = await syncConnection(w.deps, request());
    expect(result.clearedPending).toBe(token);
    expect(w.secrets.idOf(AWSPENDING)).toBeUndefined();
    expect(w.secrets.documentOf(AWSCURRENT)['password']).toBe(OLD_PASSWORD);
  });

  it('waits for a rotation in progress, then fails with one line saying what to run', async () => {
    const w = world();
    const token = w.secrets.startRotation();
    const error = await syncConnection(w.deps, request({ cell: 'b' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotationError);
    expect((error as Error).message).toContain(`a rotation is in progress (AWSPENDING on version ${token})`);
    expect((error as Error).message).toContain(
      `update-secret-version-stage --secret-id ${SECRET_ID} --version-stage AWSPENDING --remove-from-version-id ${token}`,
    );
    expect((error as Error).message).not.toContain('\n');
    expect(w.secrets.calls).not.toContain('putCurrentValue');
  });

  it('refuses a request naming an invalid cell, and a secret that is not a service secret', async () => {
    const w = world();
    await expect(syncConnection(w.deps, request({ cell: 'B!' }))).rejects.toThrow(/invalid sync request: .*cell/);
    await expect(syncConnection(w.deps, request({ secretId: 'some/other/secret' }))).rejects.toThrow(/not a platform service secret/);
  });
});

describe('rotation steps refuse when rotation is disabled (RotationEnabled false)', () => {
  it.each([createSecret, setSecret, testSecret, finishSecret])('%p writes nothing and changes no password', async (step) => {
    const w = world();
    const token = w.secrets.startRotation();
    w.secrets.rotationEnabled = false;
    await expect(step(w.deps, { secretId: SECRET_ID, token })).rejects.toThrow(
      /rotation is not enabled for this secret \(RotationEnabled is false/,
    );
    expect(w.secrets.calls.filter((c) => c !== 'describe')).toEqual([]);
    expect(w.users.calls).toEqual([]);
  });
});
