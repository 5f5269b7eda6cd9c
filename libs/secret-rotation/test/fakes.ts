// In-memory stand-ins for the ports, with the semantics the steps rely on: Secrets Manager's staging
// labels (one version per label, AWSPREVIOUS on the version AWSCURRENT left, a RotateSecret stub
// with no value) and ElastiCache's user states (ModifyUser refused unless `active`, at most two
// passwords of 16-128 characters, `modifying` for a few polls after a change).
import { randomUUID } from 'node:crypto';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import {
  AWSCURRENT,
  AWSPENDING,
  type AuthCheck,
  type CellEndpoint,
  type ExportsPort,
  type SecretsPort,
  type UsersPort,
  type UserState,
} from '../src';

export const AWSPREVIOUS = 'AWSPREVIOUS';

interface FakeVersion {
  value: string | undefined;
  stages: Set<string>;
}

type Method = keyof SecretsPort | keyof UsersPort | keyof ExportsPort;

/** Makes the next call of `method` fail with `error` (once). */
class FailureInjection {
  private readonly failures = new Map<string, Error[]>();
  failNext(method: Method, error: Error): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }
  protected check(method: Method): void {
    const error = this.failures.get(method)?.shift();
    if (error) throw error;
  }
}

export class FakeSecrets extends FailureInjection implements SecretsPort {
  readonly versions = new Map<string, FakeVersion>();
  readonly calls: string[] = [];
  /** `RotationEnabled`: RotateSecret turns it on, CancelRotateSecret off */
  rotationEnabled = true;

  constructor(
    readonly secretId: string,
    initial: string,
  ) {
    super();
    this.versions.set(randomUUID(), { value: initial, stages: new Set([AWSCURRENT]) });
  }

  /** What RotateSecret does before it calls createSecret: a version with AWSPENDING and no value. */
  startRotation(token: string = randomUUID()): string {
    this.rotationEnabled = true;
    for (const v of this.versions.values()) v.stages.delete(AWSPENDING);
    this.versions.set(token, { value: undefined, stages: new Set([AWSPENDING]) });
    return token;
  }

  idOf(stage: string): string | undefined {
    return [...this.versions].find(([, v]) => v.stages.has(stage))?.[0];
  }

  documentOf(stage: string): Record<string, unknown> {
    const id = this.idOf(stage);
    const value = id && this.versions.get(id)?.value;
    if (!value) throw new Error(`no ${stage} value`);
    return JSON.parse(value) as Record<string, unknown>;
  }

  private secret(secretId: string): void {
    if (secretId !== this.secretId)
      throw Object.assign(new Error(`Secrets Manager can't find the specified secret.`), { name: 'ResourceNotFoundException' });
  }

  async describe(secretId: string) {
    this.calls.push('describe');
    this.check('describe');
    this.secret(secretId);
    return {
      rotationEnabled: this.rotationEnabled,
      versions: Object.fromEntries([...this.versions].map(([id, v]) => [id, [...v.stages]])),
    };
  }

  async putCurrentValue(secretId: string, versionId: string, secretString: string) {
    this.calls.push('putCurrentValue');
    this.check('putCurrentValue');
    this.secret(secretId);
    const existing = this.versions.get(versionId);
    if (existing) {
      if (existing.value === secretString) return;
      throw Object.assign(new Error(`a version with id ${versionId} already exists with a different value`), {
        name: 'ResourceExistsException',
      });
    }
    const from = this.idOf(AWSCURRENT);
    this.versions.set(versionId, { value: secretString, stages: new Set() });
    await this.moveStage(secretId, { stage: AWSCURRENT, toVersionId: versionId, fromVersionId: from });
    this.calls.pop();
  }

  async removeStage(secretId: string, stage: string, fromVersionId: string) {
    this.calls.push(`removeStage:${stage}`);
    this.check('removeStage');
    this.secret(secretId);
    if (stage === AWSCURRENT) throw Object.assign(new Error('AWSCURRENT can only be moved'), { name: 'InvalidParameterException' });
    this.versions.get(fromVersionId)?.stages.delete(stage);
  }

  async getValue(secretId: string, { stage, versionId }: { stage: string; versionId?: string }) {
    this.calls.push(`getValue:${stage}`);
    this.check('getValue');
    this.secret(secretId);
    const id = versionId ?? this.idOf(stage);
    const version = id === undefined ? undefined : this.versions.get(id);
    if (version && !version.stages.has(stage))
      throw Object.assign(new Error(`version ${id} does not have stage ${stage}`), { name: 'InvalidRequestException' });
    return version?.value;
  }

  async putPendingValue(secretId: string, versionId: string, secretString: string) {
    this.calls.push('putPendingValue');
    this.check('putPendingValue');
    this.secret(secretId);
    const existing = this.versions.get(versionId);
    if (existing?.value !== undefined) {
      if (existing.value === secretString) return;
      throw Object.assign(new Error(`a version with id ${versionId} already exists with a different value`), {
        name: 'ResourceExistsException',
      });
    }
    for (const v of this.versions.values()) v.stages.delete(AWSPENDING);
    this.versions.set(versionId, { value: secretString, stages: new Set([...(existing?.stages ?? []), AWSPENDING]) });
  }

  async moveStage(secretId: string, { stage, toVersionId, fromVersionId }: { stage: string; toVersionId: string; fromVersionId?: string }) {
    this.calls.push(`moveStage:${stage}`);
    this.check('moveStage');
    this.secret(secretId);
    const holder = this.idOf(stage);
    if (holder !== undefined && holder !== toVersionId && holder !== fromVersionId) {
      throw Object.assign(new Error(`stage ${stage} is on version ${holder}: name it in RemoveFromVersionId`), {
        name: 'InvalidParameterException',
      });
    }
    const to = this.versions.get(toVersionId);
    if (!to) throw Object.assign(new Error(`not a valid version: ${toVersionId}`), { name: 'InvalidParameterException' });
    if (fromVersionId) this.versions.get(fromVersionId)?.stages.delete(stage);
    to.stages.add(stage);
    if (stage === AWSCURRENT && fromVersionId && fromVersionId !== toVersionId) {
      for (const v of this.versions.values()) v.stages.delete(AWSPREVIOUS);
      this.versions.get(fromVersionId)?.stages.add(AWSPREVIOUS);
      to.stages.delete(AWSPREVIOUS);
    }
  }
}

interface FakeUser {
  passwords: string[];
  status: string;
  modifyingPolls: number;
}

export class FakeUsers extends FailureInjection implements UsersPort {
  readonly users = new Map<string, FakeUser>();
  readonly calls: string[] = [];
  /** polls a user stays `modifying` after ModifyUser */
  modifyingPolls = 2;

  add(userId: string, passwords: string[]): void {
    this.users.set(userId, { passwords: [...passwords], status: 'active', modifyingPolls: 0 });
  }

  private user(userId: string): FakeUser {
    const user = this.users.get(userId);
    if (!user) throw Object.assign(new Error(`User ${userId} not found.`), { name: 'UserNotFoundFault' });
    return user;
  }

  async describeUser(userId: string): Promise<UserState> {
    this.calls.push('describeUser');
    this.check('describeUser');
    const user = this.user(userId);
    if (user.modifyingPolls > 0 && --user.modifyingPolls === 0) user.status = 'active';
    return { status: user.status, passwordCount: user.passwords.length };
  }

  async setPasswords(userId: string, passwords: readonly string[]): Promise<void> {
    this.calls.push(`setPasswords:${passwords.length}`);
    this.check('setPasswords');
    const user = this.user(userId);
    if (user.status !== 'active')
      throw Object.assign(new Error(`User ${userId} is not in active state.`), { name: 'InvalidUserStateFault' });
    if (passwords.length < 1 || passwords.length > 2 || passwords.some((p) => p.length < 16 || p.length > 128)) {
      throw Object.assign(new Error('Passwords must be 1 or 2 values of 16-128 characters.'), { name: 'InvalidParameterValueException' });
    }
    user.passwords = [...passwords];
    if (this.modifyingPolls > 0) {
      user.status = 'modifying';
      user.modifyingPolls = this.modifyingPolls;
    }
  }

  /** An AuthCheck against these users: AUTH succeeds when the password is one of the user's. */
  authCheck(): AuthCheck & { readonly checked: string[] } {
    const checked: string[] = [];
    const check = async (secret: CacheSecretPayload) => {
      checked.push(secret.username);
      if (!this.users.get(secret.username)?.passwords.includes(secret.password)) {
        throw new Error(
          `auth check of user ${secret.username}: AUTH refused: WRONGPASS invalid username-password pair or user is disabled.`,
        );
      }
    };
    return Object.assign(check, { checked });
  }
}

export const OLD_PASSWORD = 'the-old-password-000000000000001';

/** A service's secret document as the platform writes it, plus a key the rotation must keep. */
export function serviceSecret(overrides: Partial<CacheSecretPayload> & Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    host: 'cache-platform-dev-abc123.serverless.euw1.cache.amazonaws.com',
    port: 6379,
    readerPort: 6380,
    username: 'orders-api-dev',
    password: OLD_PASSWORD,
    keyspace: 'orders',
    tls: true,
    authMode: 'password',
    cacheName: 'cache-platform-dev',
    user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:orders-api-dev',
    clusterMode: true,
    // not ours: a key a team or a future schema adds; rotation must carry it over untouched
    engine: 'valkey',
    ...overrides,
  };
}

/** The platform exports of one environment's cells, as the sync reads them. */
export class FakeExports extends FailureInjection implements ExportsPort {
  readonly cells = new Map<string, CellEndpoint>([
    [
      'main',
      {
        endpointAddress: 'cache-platform-dev-abc123.serverless.euw1.cache.amazonaws.com',
        endpointPort: 6379,
        readerPort: 6380,
        cacheName: 'cache-platform-dev',
      },
    ],
    [
      'b',
      {
        endpointAddress: 'cache-platform-dev-b-def456.serverless.euw1.cache.amazonaws.com',
        endpointPort: 6379,
        readerPort: 6380,
        cacheName: 'cache-platform-dev-b',
      },
    ],
  ]);

  /** service names holding a keyspace claim */
  readonly claims: string[] = [];

  async claimedServices(): Promise<string[]> {
    this.check('claimedServices');
    return [...this.claims];
  }

  async cellEndpoint(environment: string, cell: string): Promise<CellEndpoint> {
    this.check('cellEndpoint');
    const endpoint = this.cells.get(cell);
    if (!endpoint) throw new Error(`cell ${JSON.stringify(cell)} of environment ${environment} has no exports`);
    return endpoint;
  }
}
