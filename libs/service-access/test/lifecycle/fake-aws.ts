// A small AWS for the day-two lifecycle test, where moto_server has no model or the wrong one:
// - Secrets Manager (JSON protocol): versions and staging labels, RotateSecret that starts a
//   rotation by invoking the rotation function's four steps (each twice, as Secrets Manager may
//   retry), CancelRotateSecret, and the deletion of versions that lost every label;
// - ElastiCache users and user groups (query protocol, XML): a user's passwords and ACL rules are
//   applied to the real redis-server of every cell whose group holds it (`ACL SETUSER`), leaving a
//   group is `ACL DELUSER` there, and ModifyUser leaves the user `modifying` for a moment;
// - Lambda Invoke for the rotation function (the bundled handler, run in a child process).
// Everything else (SSM, STS, IAM) goes to moto_server. Responses follow the API references'
// shapes and error codes as far as the AWS provider and the SDK read them.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { elastiCacheAccessString } from '@cache-platform/cache-contract';
import type { RedisServer } from '@cache-platform/cache-client/testing';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
const AWSPREVIOUS = 'AWSPREVIOUS';

class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Version {
  readonly id: string;
  readonly value: string | undefined;
  readonly stages: Set<string>;
  readonly created: number;
}

interface Secret {
  readonly name: string;
  readonly arn: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  readonly versions: Map<string, Version>;
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  rotationRules?: Record<string, unknown>;
  lastRotated?: number;
}

interface User {
  readonly userId: string;
  readonly userName: string;
  readonly engine: string;
  accessString: string;
  authType: string;
  passwords: string[];
  status: string;
  readonly tags: { Key: string; Value: string }[];
}

/** The rotation function as Lambda runs it: one event in, its result or its error out. */
export interface FunctionRunner {
  invoke(event: unknown): Promise<unknown>;
}

export interface Cell {
  readonly userGroupId: string;
  readonly redis: RedisServer;
  /** ACL rules the test server can load for an access string (it lacks a few serverless-only commands) */
  readonly rulesFor: (accessString: string) => string;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Already XML: list shapes whose items are not `<member>` (ElastiCache's TagList items are `<Tag>`). */
class RawXml {
  constructor(readonly text: string) {}
}

function xml(value: unknown): string {
  if (value instanceof RawXml) return value.text;
  if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join('');
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join('');
  return xmlEscape(String(value));
}

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** `Foo.member.1`, `Foo.member.2` ... (and `Foo.Bar` keys) of a query-protocol request. */
function members(form: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; form.has(`${prefix}.member.${i}`); i++) out.push(form.get(`${prefix}.member.${i}`) as string);
  return out;
}

export class FakeAws {
  readonly secrets = new Map<string, Secret>();
  readonly users = new Map<string, User>();
  /** user group id → member user ids */
  readonly groups = new Map<string, Set<string>>();
  /** every call, `service:Action`, for assertions and failure messages */
  readonly calls: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly rotationErrors: string[] = [];
  private server: Server | undefined;
  endpoint = '';
  runner: FunctionRunner | undefined;
  /** how long ModifyUser / ModifyUserGroup leave the user or group `modifying` */
  modifyingMs = 150;

  constructor(
    private readonly motoEndpoint: string,
    readonly cells: readonly Cell[],
  ) {
    for (const cell of cells) this.groups.set(cell.userGroupId, new Set());
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await this.idle();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Waits for every rotation RotateSecret started; throws what any of them failed with. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    const errors = this.rotationErrors.splice(0);
    if (errors.length > 0) throw new Error(`rotation failed: ${errors.join('; ')}`);
  }

  // ---------------------------------------------------------------- Secrets Manager, by the test
  secret(id: string): Secret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  stagesOf(id: string): Record<string, string[]> {
    return Object.fromEntries([...this.secret(id).versions.values()].map((v) => [v.id, [...v.stages]]));
  }

  valueOf(id: string, stage = AWSCURRENT): { versionId: string; value: string } {
    const version = [...this.secret(id).versions.values()].find((v) => v.stages.has(stage));
    if (!version?.value) throw new AwsError('ResourceNotFoundException', `no ${stage} value`);
    return { versionId: version.id, value: version.value };
  }

  /**
   * What Secrets Manager does to versions that lost every staging label: deletes them (the
   * UpdateSecretVersionStage and PutSecretValue references call them deprecated). Returns how many.
   */
  collectDeprecatedVersions(): number {
    let removed = 0;
    for (const secret of this.secrets.values())
      for (const [id, version] of secret.versions)
        if (version.stages.size === 0) {
          secret.versions.delete(id);
          removed++;
        }
    return removed;
  }

  /** Starts a rotation as RotateSecret does and runs it to its end (or up to `stopAfter`). */
  async rotate(secretId: string, options: { stopAfter?: string } = {}): Promise<string> {
    const token = this.startRotation(this.secret(secretId), randomUUID(), options.stopAfter);
    await this.idle();
    return token;
  }

  userPasswords(userId: string): string[] {
    return [...(this.users.get(userId)?.passwords ?? [])];
  }

  // ---------------------------------------------------------------- HTTP
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await body(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers['authorization'] ?? ''))?.[1];
    try {
      if (target.startsWith('secretsmanager.')) {
        const action = target.slice('secretsmanager.'.length);
        this.calls.push(`secretsmanager:${action}`);
        const out = await this.secretsManager(action, JSON.parse(raw.toString() || '{}') as Record<string, unknown>);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
      } else if (scope === 'elasticache') {
        const form = new URLSearchParams(raw.toString());
        const action = form.get('Action') as string;
        this.calls.push(`elasticache:${action}`);
        const out = await this.elastiCache(action, form);
        const xmlBody = `<${action}Response xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><${action}Result>${xml(out)}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
        res.writeHead(200, { 'content-type': 'text/xml' }).end(xmlBody);
      } else if (req.method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations/.test(req.url ?? '')) {
        this.calls.push('lambda:Invoke');
        await this.invoke(JSON.parse(raw.toString() || '{}'), res);
      } else {
        await this.proxy(req, raw, res);
      }
    } catch (error) {
      const e = error instanceof AwsError ? error : new AwsError('InternalFailure', (error as Error).message, 500);
      if (target.startsWith('secretsmanager.')) {
        res
          .writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ __type: e.code, message: e.message }));
      } else {
        res
          .writeHead(e.status, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
          );
      }
    }
  }

  private proxy(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.motoEndpoint);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (reply) => {
        res.writeHead(reply.statusCode ?? 500, reply.headers);
        reply.pipe(res);
        reply.on('end', resolve);
      });
      upstream.on('error', reject);
      upstream.end(raw);
    });
  }

  private async invoke(event: unknown, res: ServerResponse): Promise<void> {
    if (!this.runner) throw new AwsError('ResourceNotFoundException', 'no function runner');
    try {
      const result = await this.runner.invoke(event);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }).end(JSON.stringify(result ?? null));
    } catch (error) {
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' })
        .end(JSON.stringify({ errorType: 'Error', errorMessage: (error as Error).message }));
    }
  }

  // ---------------------------------------------------------------- Secrets Manager
  private describe(secret: Secret): Record<string, unknown> {
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      RotationEnabled: secret.rotationEnabled,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules,
      LastRotatedDate: secret.lastRotated,
      Tags: secret.tags,
      VersionIdsToStages: this.stagesOf(secret.name),
      CreatedDate: 1_700_000_000,
    };
  }

  private put(secret: Secret, id: string, value: string | undefined, stages: string[]): Version {
    const existing = secret.versions.get(id);
    if (existing) {
      if (existing.value === value || existing.value === undefined) {
        const replaced = { ...existing, value };
        secret.versions.set(id, replaced);
        for (const stage of stages) this.moveStage(secret, stage, id);
        return replaced;
      }
      throw new AwsError('ResourceExistsException', `A resource with the ID ${id} already exists.`);
    }
    const first = secret.versions.size === 0;
    const version: Version = { id, value, stages: new Set(), created: Date.now() };
    secret.versions.set(id, version);
    // the first version of a secret is AWSCURRENT whatever it was given (PutSecretValue reference)
    for (const stage of first && !stages.includes(AWSCURRENT) ? [...stages, AWSCURRENT] : stages) this.moveStage(secret, stage, id);
    return version;
  }

  private moveStage(secret: Secret, stage: string, toId: string): void {
    const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
    if (holder?.id === toId) return;
    holder?.stages.delete(stage);
    secret.versions.get(toId)?.stages.add(stage);
    if (stage === AWSCURRENT && holder) {
      for (const v of secret.versions.values()) v.stages.delete(AWSPREVIOUS);
      holder.stages.add(AWSPREVIOUS);
    }
  }

  private async secretsManager(action: string, input: Record<string, unknown>): Promise<unknown> {
    const id = input['SecretId'] as string;
    switch (action) {
      case 'GetRandomPassword': {
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
        const bytes = randomBytes(Number(input['PasswordLength'] ?? 32));
        return { RandomPassword: [...bytes].map((b) => alphabet[b % alphabet.length]).join('') };
      }
      case 'CreateSecret': {
        const name = input['Name'] as string;
        if (this.secrets.has(name)) throw new AwsError('ResourceExistsException', `The secret ${name} already exists.`);
        const secret: Secret = {
          name,
          arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`,
          description: input['Description'] as string | undefined,
          tags: (input['Tags'] as Secret['tags']) ?? [],
          versions: new Map(),
          rotationEnabled: false,
        };
        this.secrets.set(name, secret);
        return { ARN: secret.arn, Name: name };
      }
      case 'DescribeSecret':
        return this.describe(this.secret(id));
      case 'GetResourcePolicy': {
        const secret = this.secret(id);
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'TagResource': {
        const secret = this.secret(id);
        const keys = new Set((input['Tags'] as Secret['tags']).map((t) => t.Key));
        secret.tags = [...secret.tags.filter((t) => !keys.has(t.Key)), ...(input['Tags'] as Secret['tags'])];
        return {};
      }
      case 'UntagResource': {
        const secret = this.secret(id);
        const keys = new Set(input['TagKeys'] as string[]);
        secret.tags = secret.tags.filter((t) => !keys.has(t.Key));
        return {};
      }
      case 'GetSecretValue': {
        const secret = this.secret(id);
        const versionId = input['VersionId'] as string | undefined;
        const stage = (input['VersionStage'] as string | undefined) ?? (versionId ? undefined : AWSCURRENT);
        const version = versionId
          ? secret.versions.get(versionId)
          : [...secret.versions.values()].find((v) => v.stages.has(stage as string));
        if (!version || version.value === undefined || (stage && !version.stages.has(stage))) {
          throw new AwsError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for staging label or version.",
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.id,
          SecretString: version.value,
          VersionStages: [...version.stages],
          CreatedDate: 1_700_000_000,
        };
      }
      case 'PutSecretValue': {
        const secret = this.secret(id);
        const stages = (input['VersionStages'] as string[] | undefined) ?? [AWSCURRENT];
        const version = this.put(secret, (input['ClientRequestToken'] as string) ?? randomUUID(), input['SecretString'] as string, stages);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
      }
      case 'UpdateSecretVersionStage': {
        const secret = this.secret(id);
        const stage = input['VersionStage'] as string;
        const to = input['MoveToVersionId'] as string | undefined;
        const from = input['RemoveFromVersionId'] as string | undefined;
        const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
        if (to && holder && holder.id !== to && holder.id !== from)
          throw new AwsError(
            'InvalidParameterException',
            `The staging label ${stage} is currently attached to version ${holder.id}, specify it in RemoveFromVersionId.`,
          );
        if (!to && stage === AWSCURRENT)
          throw new AwsError('InvalidParameterException', 'You can only move staging label AWSCURRENT to a different secret version.');
        if (to) {
          if (!secret.versions.has(to)) throw new AwsError('InvalidParameterException', `version ${to} does not exist`);
          this.moveStage(secret, stage, to);
        } else if (from) secret.versions.get(from)?.stages.delete(stage);
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'RotateSecret': {
        const secret = this.secret(id);
        const pending = [...secret.versions.values()].find((v) => v.stages.has(AWSPENDING) && !v.stages.has(AWSCURRENT));
        // RotateSecret reference: AWSPENDING on another version than AWSCURRENT means a rotation in progress
        if (pending)
          throw new AwsError('InvalidRequestException', 'A previous rotation isn’t complete. That rotation will be reattempted.');
        if (input['RotationLambdaARN']) secret.rotationLambdaArn = input['RotationLambdaARN'] as string;
        if (input['RotationRules']) secret.rotationRules = input['RotationRules'] as Record<string, unknown>;
        secret.rotationEnabled = true;
        const token = (input['ClientRequestToken'] as string) ?? randomUUID();
        if (input['RotateImmediately'] !== false) this.startRotation(secret, token);
        return { ARN: secret.arn, Name: secret.name, VersionId: token };
      }
      case 'CancelRotateSecret': {
        const secret = this.secret(id);
        secret.rotationEnabled = false;
        return { ARN: secret.arn, Name: secret.name };
      }
      default:
        throw new AwsError('InvalidAction', `the fake does not implement secretsmanager:${action}`);
    }
  }

  private startRotation(secret: Secret, token: string, stopAfter?: string): string {
    for (const v of secret.versions.values()) v.stages.delete(AWSPENDING);
    secret.versions.set(token, { id: token, value: undefined, stages: new Set([AWSPENDING]), created: Date.now() });
    const run = (async () => {
      const runner = this.runner;
      if (!runner) throw new Error('no function runner: the rotation function is not attached to the fake');
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        // Secrets Manager retries a step that timed out: every step must be safe to run twice
        for (let attempt = 0; attempt < 2; attempt++) {
          await runner.invoke({ SecretId: secret.arn, ClientRequestToken: token, Step });
        }
        if (Step === stopAfter) return;
      }
      secret.lastRotated = Math.floor(Date.now() / 1000);
    })().catch((error: Error) => {
      this.rotationErrors.push(error.message);
    });
    const tracked = run.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return token;
  }

  // ---------------------------------------------------------------- ElastiCache
  private user(id: string): User {
    const user = this.users.get(id);
    if (!user) throw new AwsError('UserNotFound', `User ${id} not found.`, 404);
    return user;
  }

  private userView(user: User): Record<string, unknown> {
    const groups = [...this.groups].filter(([, ids]) => ids.has(user.userId)).map(([g]) => g);
    return {
      UserId: user.userId,
      UserName: user.userName,
      Status: user.status,
      Engine: user.engine,
      MinimumEngineVersion: '6.0',
      // ElastiCache's own form of the rules (see elastiCacheAccessString), not the text sent
      AccessString: elastiCacheAccessString(user.accessString),
      UserGroupIds: groups,
      Authentication: { Type: user.authType, ...(user.authType === 'password' ? { PasswordCount: user.passwords.length } : {}) },
      ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:${user.userId}`,
    };
  }

  private cellsOf(userId: string): Cell[] {
    return this.cells.filter((cell) => this.groups.get(cell.userGroupId)?.has(userId));
  }

  private async applyToCell(cell: Cell, user: User): Promise<void> {
    const passwords = user.authType === 'password' ? user.passwords.map((p) => `>${p}`) : ['nopass'];
    await cell.redis.admin('ACL', 'SETUSER', user.userName, 'reset', ...cell.rulesFor(user.accessString).split(' '), ...passwords);
  }

  /** ElastiCache applies a change after a moment: the user is `modifying` meanwhile, and refuses another ModifyUser. */
  private later(user: User, apply: () => Promise<void>): void {
    user.status = 'modifying';
    const done = new Promise<void>((resolve) => setTimeout(resolve, this.modifyingMs))
      .then(apply)
      .catch((error: Error) => {
        this.rotationErrors.push(`applying a change of ${user.userId}: ${error.message}`);
      })
      .finally(() => {
        user.status = 'active';
        this.running.delete(done);
      });
    this.running.add(done);
  }

  private async elastiCache(action: string, form: URLSearchParams): Promise<unknown> {
    switch (action) {
      case 'CreateUser': {
        const userId = form.get('UserId') as string;
        if (this.users.has(userId)) throw new AwsError('UserAlreadyExists', `User ${userId} already exists.`);
        const tags: User['tags'] = [];
        for (const list of ['Tags.Tag', 'Tags.member'])
          for (let i = 1; form.has(`${list}.${i}.Key`); i++)
            tags.push({ Key: form.get(`${list}.${i}.Key`) ?? '', Value: form.get(`${list}.${i}.Value`) ?? '' });
        const user: User = {
          userId,
          userName: form.get('UserName') as string,
          engine: form.get('Engine') as string,
          accessString: form.get('AccessString') as string,
          authType: form.get('AuthenticationMode.Type') ?? 'password',
          passwords: members(form, 'AuthenticationMode.Passwords').concat(members(form, 'Passwords')),
          status: 'active',
          tags,
        };
        this.users.set(userId, user);
        return this.userView(user);
      }
      case 'DescribeUsers': {
        const id = form.get('UserId');
        if (id) return { Users: [this.userView(this.user(id))] };
        return { Users: [...this.users.values()].map((u) => this.userView(u)) };
      }
      case 'ModifyUser': {
        const user = this.user(form.get('UserId') as string);
        if (user.status !== 'active') throw new AwsError('InvalidUserState', `User ${user.userId} is not in active state.`);
        const passwords = [...members(form, 'Passwords'), ...members(form, 'AuthenticationMode.Passwords')];
        const accessString = form.get('AccessString');
        if (passwords.length > 2 || passwords.some((p) => p.length < 16 || p.length > 128))
          throw new AwsError('InvalidParameterValue', 'Passwords must be at most 2 values of 16-128 characters.');
        this.later(user, async () => {
          if (passwords.length > 0) user.passwords = passwords;
          if (accessString) user.accessString = accessString;
          for (const cell of this.cellsOf(user.userId)) await this.applyToCell(cell, user);
        });
        return this.userView(user);
      }
      case 'DeleteUser': {
        const user = this.user(form.get('UserId') as string);
        for (const cell of this.cellsOf(user.userId)) await cell.redis.admin('ACL', 'DELUSER', user.userName);
        for (const ids of this.groups.values()) ids.delete(user.userId);
        this.users.delete(user.userId);
        return { ...this.userView(user), Status: 'deleting' };
      }
      case 'ModifyUserGroup': {
        const groupId = form.get('UserGroupId') as string;
        const ids = this.groups.get(groupId);
        if (!ids) throw new AwsError('UserGroupNotFound', `User group ${groupId} not found.`, 404);
        const cell = this.cells.find((c) => c.userGroupId === groupId);
        if (!cell) throw new Error(`the fake has user group ${groupId} but no cell that uses it`);
        for (const userId of members(form, 'UserIdsToAdd')) {
          const user = this.user(userId);
          ids.add(userId);
          await this.applyToCell(cell, user);
        }
        for (const userId of members(form, 'UserIdsToRemove')) {
          const user = this.users.get(userId);
          ids.delete(userId);
          // leaving the group ends the user's connections to that cache
          if (user) await cell.redis.admin('ACL', 'DELUSER', user.userName);
        }
        return this.groupView(groupId);
      }
      case 'DescribeUserGroups': {
        const groupId = form.get('UserGroupId');
        const ids = groupId ? [groupId] : [...this.groups.keys()];
        for (const id of ids) if (!this.groups.has(id)) throw new AwsError('UserGroupNotFound', `User group ${id} not found.`, 404);
        return { UserGroups: ids.map((id) => this.groupView(id)) };
      }
      case 'ListTagsForResource': {
        const userId = /:user:(.+)$/.exec(form.get('ResourceName') ?? '')?.[1];
        const tags = (userId && this.users.get(userId)?.tags) || [];
        return { TagList: new RawXml(tags.map((t) => `<Tag>${xml(t)}</Tag>`).join('')) };
      }
      default:
        throw new AwsError('InvalidAction', `the fake does not implement elasticache:${action}`);
    }
  }

  private groupView(groupId: string): Record<string, unknown> {
    return {
      UserGroupId: groupId,
      Status: 'active',
      Engine: 'valkey',
      UserIds: [...(this.groups.get(groupId) ?? [])],
      ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:usergroup:${groupId}`,
    };
  }
}
