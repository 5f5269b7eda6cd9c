// The four steps of a Secrets Manager rotation for a service's ElastiCache user, as Secrets Manager
// calls them: createSecret → setSecret → testSecret → finishSecret, each with the same version id
// (the ClientRequestToken). Secrets Manager retries a step that failed or timed out, so every step
// first looks at where the rotation stands and succeeds without doing anything twice.
import { createHash } from 'node:crypto';
import {
  assertAuthMode,
  assertCellName,
  assertKeyspace,
  parseCacheSecret,
  PLATFORM_PREFIX,
  SecretPayloadError,
  serviceResourceNames,
  SYNC_CONNECTION_ACTION,
  type AuthMode,
  type SyncConnectionRequest,
  type CacheSecretPayload,
} from '@cache-platform/cache-contract';
import { generatePassword as defaultGeneratePassword } from './password';
import { AWSCURRENT, AWSPENDING, type AuthCheck, type ExportsPort, type SecretsPort, type UsersPort, type UserState } from './ports';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];
/** The one action that is not a rotation step: Terraform invokes it when a service's connection changes. */
export const SYNC_CONNECTION = SYNC_CONNECTION_ACTION;
type Operation = RotationStep | typeof SYNC_CONNECTION;

/** What Secrets Manager sends to a rotation function. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

/** Which rotation and version a step works on. */
export interface RotationTarget {
  /** the secret's ARN (or name) */
  readonly secretId: string;
  /** the version id of the rotation (`ClientRequestToken`) */
  readonly token: string;
}

/** How long and how often to poll `DescribeUsers` until the user is `active`. */
export interface WaitOptions {
  /** give up after this many milliseconds (a step fails; Secrets Manager retries it) */
  readonly timeoutMs: number;
  /** first pause between two polls; doubles each time */
  readonly firstDelayMs: number;
  /** longest pause between two polls */
  readonly maxDelayMs: number;
}

export const DEFAULT_WAIT: WaitOptions = { timeoutMs: 300_000, firstDelayMs: 500, maxDelayMs: 10_000 };

/** One structured log record; never holds a password. */
export interface RotationLogRecord {
  readonly step: Operation;
  readonly secretId: string;
  readonly token: string;
  readonly message: string;
  readonly userId?: string;
  readonly status?: string;
}

export interface RotationDeps {
  readonly secrets: SecretsPort;
  readonly users: UsersPort;
  /** the platform's exports (a cell's endpoint); needed by {@link syncConnection} only */
  readonly exports?: ExportsPort;
  /**
   * AUTH with the pending password over verified TLS in testSecret. Leave it out only where the
   * function cannot reach the cache: testSecret then relies on `DescribeUsers` alone (user active
   * with two passwords), which cannot tell which two.
   */
  readonly authCheck?: AuthCheck;
  /** @default 64 characters from node:crypto ({@link defaultGeneratePassword}) */
  readonly generatePassword?: () => string;
  /** @default {@link DEFAULT_WAIT} */
  readonly wait?: Partial<WaitOptions>;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * No wait runs past this time (same clock as `now`): the handler sets it from the invocation's
   * remaining time, so a step fails with its own message before Lambda ends it.
   * @default none
   */
  readonly deadline?: number;
  /** @default no logging */
  readonly log?: (record: RotationLogRecord) => void;
}

/** What a step did: `applied` changed something, `already-done` found its work done (a retry). */
export interface StepResult {
  readonly step: RotationStep;
  readonly outcome: 'applied' | 'already-done';
}

/** A failed step. The message names the secret, the step and the rule, never a password. */
export class RotationError extends Error {
  override readonly name = 'RotationError';
  constructor(
    readonly secretId: string,
    readonly step: string,
    /** what went wrong, without the secret and step prefix */
    readonly rule: string,
  ) {
    super(`rotation of secret ${secretId} (${step}): ${rule}`);
  }
}

/** A parsed secret version: the whole document (every key kept) and its validated view. */
interface Version {
  readonly document: Record<string, unknown>;
  readonly payload: CacheSecretPayload;
  readonly userId: string;
}

/** Per-invocation state: the passwords seen so far, so that no error message can carry one. */
class StepContext {
  readonly passwords = new Set<string>();
  /** the user this secret may rotate (see serviceUserOf), set before the step runs */
  serviceUser = '';
  constructor(
    readonly deps: RotationDeps,
    readonly step: Operation,
    readonly target: RotationTarget,
  ) {}

  fail(rule: string): RotationError {
    return new RotationError(this.target.secretId, this.step, rule);
  }

  log(message: string, extra: { userId?: string; status?: string } = {}): void {
    this.deps.log?.({ step: this.step, secretId: this.target.secretId, token: this.target.token, message, ...extra });
  }

  /**
   * Anything that went wrong, as a RotationError whose text holds no password seen in this step
   * (an upstream message could quote one; ours never do). No `cause`: it would carry the original text.
   */
  redacted(error: unknown): RotationError {
    const rule = error instanceof RotationError ? error.rule : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    let text = rule;
    for (const password of this.passwords) if (password) text = text.split(password).join('[redacted]');
    if (error instanceof RotationError && text === rule) return error;
    return this.fail(text);
  }
}

// a service secret, by ARN (name + "-" + six random characters) or by name: cache-platform/<env>/<service>/redis
const SERVICE_SECRET = new RegExp(
  `^(?:arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\\d+:secret:)?${PLATFORM_PREFIX}/([^/]+)/([^/]+)/redis(?:-[A-Za-z0-9]{6})?$`,
);

/**
 * The user a secret may rotate: the one the platform made for the service the secret's name says
 * (`<service>-<env>`). One function rotates every service's secret, so it does not take the
 * document's word for whose password to change: whoever could write one service's secret must not
 * be able to point a rotation at another service's user and read that user's new password.
 */
function serviceUserOf(ctx: StepContext): string {
  const match = SERVICE_SECRET.exec(ctx.target.secretId);
  if (!match) {
    throw ctx.fail(
      `the secret is not a platform service secret (${PLATFORM_PREFIX}/<environment>/<service>/redis): this function rotates those only`,
    );
  }
  try {
    return serviceResourceNames(match[2] as string, match[1] as string).userId;
  } catch (error) {
    throw ctx.fail(`the secret's name does not name a service and an environment: ${(error as Error).message}`);
  }
}

const USER_ARN = /^arn:[a-z-]+:elasticache:[a-z0-9-]*:\d*:user:(.+)$/;

function parseVersion(ctx: StepContext, text: string | undefined, label: string, accept: 'password' | 'any' = 'password'): Version {
  let payload: CacheSecretPayload;
  try {
    payload = parseCacheSecret(text, `${ctx.target.secretId} (${label})`);
  } catch (error) {
    // the contract's errors name the field and the rule, never the password or the document
    if (error instanceof SecretPayloadError) throw ctx.fail(error.message);
    throw error;
  }
  if (payload.password) ctx.passwords.add(payload.password);
  if (accept === 'password' && payload.authMode !== 'password') {
    throw ctx.fail(
      `the ${label} version says authMode ${JSON.stringify(payload.authMode)}: the user authenticates with IAM tokens and has no password to rotate; turn rotation off for this secret`,
    );
  }
  const match = USER_ARN.exec(payload.user_arn);
  if (!match) {
    throw ctx.fail(
      `the ${label} version's user_arn ${JSON.stringify(payload.user_arn)} is not an ElastiCache user ARN (arn:<partition>:elasticache:<region>:<account>:user:<user id>)`,
    );
  }
  // the platform creates users whose id equals their name; ModifyUser takes the id, AUTH the name,
  // and a secret where they differ would rotate one user's password and test another's
  if (match[1] !== payload.username) {
    throw ctx.fail(
      `the ${label} version's user_arn names user ${JSON.stringify(match[1])} but its username is ${JSON.stringify(payload.username)}: they must be the same user`,
    );
  }
  if (payload.username !== ctx.serviceUser) {
    throw ctx.fail(
      `the ${label} version's username is ${JSON.stringify(payload.username)}, but this secret's service user is ${JSON.stringify(ctx.serviceUser)}: a service secret rotates its own user's password only`,
    );
  }
  return { document: JSON.parse(text as string) as Record<string, unknown>, payload, userId: payload.username };
}

async function readCurrent(ctx: StepContext, accept: 'password' | 'any' = 'password'): Promise<Version> {
  const text = await ctx.deps.secrets.getValue(ctx.target.secretId, { stage: AWSCURRENT });
  if (text === undefined) throw ctx.fail('the secret has no AWSCURRENT value to rotate');
  return parseVersion(ctx, text, AWSCURRENT, accept);
}

/** The pending version of this rotation, or undefined when createSecret has not stored it yet. */
async function readPending(ctx: StepContext, current: Version): Promise<Version | undefined> {
  const text = await ctx.deps.secrets.getValue(ctx.target.secretId, { stage: AWSPENDING, versionId: ctx.target.token });
  if (text === undefined) return undefined;
  const pending = parseVersion(ctx, text, AWSPENDING);
  if (pending.payload.username !== current.payload.username || pending.payload.user_arn !== current.payload.user_arn) {
    throw ctx.fail(
      `the AWSPENDING version is for user ${JSON.stringify(pending.payload.username)} but AWSCURRENT is for ${JSON.stringify(current.payload.username)}: a rotation changes the password only`,
    );
  }
  if (pending.payload.password === current.payload.password) {
    throw ctx.fail(
      'the AWSPENDING version has the same password as AWSCURRENT: it was not made by createSecret; cancel this rotation and start a new one',
    );
  }
  return pending;
}

async function requirePending(ctx: StepContext, current: Version): Promise<Version> {
  const pending = await readPending(ctx, current);
  if (!pending) throw ctx.fail(`version ${ctx.target.token} has no value yet: createSecret has not completed for it`);
  return pending;
}

/**
 * Where the rotation's version stands: `current` (the rotation is over: retries are no-ops) or
 * `pending`. Any other state is an error: Secrets Manager only rotates the version it labelled AWSPENDING.
 */
async function versionState(
  ctx: StepContext,
): Promise<{ state: 'current' | 'pending'; versions: Readonly<Record<string, readonly string[]>> }> {
  const { secretId, token } = ctx.target;
  const { rotationEnabled, versions } = await ctx.deps.secrets.describe(secretId);
  // AWS's own rotation templates refuse here too: a rotation that was cancelled (CancelRotateSecret)
  // or turned off must not write a version or change the user's passwords when a late step arrives
  if (!rotationEnabled) {
    throw ctx.fail(
      'rotation is not enabled for this secret (RotationEnabled is false: it was turned off or cancelled with CancelRotateSecret); this step changes nothing',
    );
  }
  const stages = versions[token];
  if (!stages) throw ctx.fail(`version ${token} is not a version of this secret (versions: ${Object.keys(versions).join(', ') || 'none'})`);
  if (stages.includes(AWSCURRENT)) return { state: 'current', versions };
  if (!stages.includes(AWSPENDING)) {
    throw ctx.fail(`version ${token} has staging labels [${stages.join(', ')}]: a rotation step runs on the version labelled AWSPENDING`);
  }
  return { state: 'pending', versions };
}

function waitOptions(deps: RotationDeps): WaitOptions {
  return { ...DEFAULT_WAIT, ...deps.wait };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What one poll found: the result to return, or why it must wait (logged) and how a timeout reads. */
type Poll<T> =
  | { readonly done: T }
  | {
      readonly waiting: string;
      readonly fields?: { userId?: string; status?: string };
      readonly onTimeout: (elapsedMs: number, within: string) => string;
    };

/**
 * Calls `check` with exponential backoff until it is done, within the wait bound and what is left of
 * the invocation: the one poll loop of every step that waits on AWS.
 */
async function pollWithBackoff<T>(ctx: StepContext, check: () => Promise<Poll<T>>): Promise<T> {
  const { timeoutMs, firstDelayMs, maxDelayMs } = waitOptions(ctx.deps);
  const now = ctx.deps.now ?? Date.now;
  const sleep = ctx.deps.sleep ?? realSleep;
  const started = now();
  const bound = Math.min(timeoutMs, (ctx.deps.deadline ?? Infinity) - started);
  let delay = firstDelayMs;
  for (;;) {
    const poll = await check();
    if ('done' in poll) return poll.done;
    const elapsed = now() - started;
    if (elapsed + delay > bound) {
      const within = `${Math.max(0, Math.round(bound))} ms${bound < timeoutMs ? ' (what is left of the invocation)' : ''}`;
      throw ctx.fail(poll.onTimeout(elapsed, within));
    }
    ctx.log(poll.waiting, poll.fields);
    await sleep(delay);
    delay = Math.min(delay * 2, maxDelayMs);
  }
}

/** Polls DescribeUsers until the user is `active`. */
function waitForActive(ctx: StepContext, userId: string): Promise<UserState> {
  return pollWithBackoff<UserState>(ctx, async () => {
    const user = await ctx.deps.users.describeUser(userId);
    if (user.status === 'active') return { done: user };
    if (user.status === 'deleting') throw ctx.fail(`user ${userId} is being deleted`);
    return {
      waiting: 'waiting for the user to be active',
      fields: { userId, status: user.status },
      onTimeout: (elapsed, within) =>
        `user ${userId} is still ${JSON.stringify(user.status)} after ${elapsed} ms; it must be "active" within ${within}`,
    };
  });
}

/** True when AUTH works with every version's password. */
function works(authCheck: AuthCheck, ...versions: Version[]): Promise<boolean> {
  return Promise.all(versions.map((v) => authCheck(v.payload))).then(
    () => true,
    () => false,
  );
}

async function inContext<T>(
  deps: RotationDeps,
  step: Operation,
  target: RotationTarget,
  body: (ctx: StepContext) => Promise<T>,
): Promise<T> {
  const ctx = new StepContext(deps, step, target);
  try {
    ctx.serviceUser = serviceUserOf(ctx);
    return await body(ctx);
  } catch (error) {
    throw ctx.redacted(error);
  }
}

function runStep(
  deps: RotationDeps,
  step: RotationStep,
  target: RotationTarget,
  body: (ctx: StepContext) => Promise<StepResult['outcome']>,
): Promise<StepResult> {
  return inContext(deps, step, target, async (ctx) => {
    const outcome = await body(ctx);
    ctx.log(outcome === 'applied' ? 'step applied' : 'step already done');
    return { step, outcome };
  });
}

/**
 * createSecret: stores the pending version, a copy of AWSCURRENT with a new `password` (every other
 * key kept as it is). Already stored (a retry): nothing to do.
 */
export function createSecret(deps: RotationDeps, target: RotationTarget): Promise<StepResult> {
  return runStep(deps, 'createSecret', target, async (ctx) => {
    if ((await versionState(ctx)).state === 'current') return 'already-done';
    const current = await readCurrent(ctx);
    if (await readPending(ctx, current)) return 'already-done';
    const password = (deps.generatePassword ?? defaultGeneratePassword)();
    ctx.passwords.add(password);
    await deps.secrets.putPendingValue(target.secretId, target.token, JSON.stringify({ ...current.document, password }));
    return 'applied';
  });
}

/**
 * setSecret: gives the user both passwords, pending and current (`ModifyUser`), so connections with
 * either work during the overlap, and waits until the user is `active` again. ModifyUser states the
 * whole password list, so a retry sets the same two passwords again.
 */
export function setSecret(deps: RotationDeps, target: RotationTarget): Promise<StepResult> {
  return runStep(deps, 'setSecret', target, async (ctx) => {
    if ((await versionState(ctx)).state === 'current') return 'already-done';
    const current = await readCurrent(ctx);
    const pending = await requirePending(ctx, current);
    // ElastiCache refuses to modify a user that is being modified
    const user = await waitForActive(ctx, pending.userId);
    // a retry where both passwords already work needs no second ModifyUser (which would make the
    // user `modifying` again); without an AUTH check the two passwords cannot be told apart, so
    // the same list is set again, which leaves the same state
    if (deps.authCheck && user.passwordCount === 2 && (await works(deps.authCheck, pending, current))) return 'already-done';
    ctx.log('setting the pending and the current password', { userId: pending.userId });
    await deps.users.setPasswords(pending.userId, [pending.payload.password, current.payload.password]);
    await waitForActive(ctx, pending.userId);
    return 'applied';
  });
}

/**
 * testSecret: the user is `active` with the pending password applied. With an AUTH check (the
 * function reaches the cache): AUTH with the username and the pending password over verified TLS.
 * Without: the user must hold two passwords (the overlap setSecret makes).
 */
export function testSecret(deps: RotationDeps, target: RotationTarget): Promise<StepResult> {
  return runStep(deps, 'testSecret', target, async (ctx) => {
    if ((await versionState(ctx)).state === 'current') return 'already-done';
    const current = await readCurrent(ctx);
    const pending = await requirePending(ctx, current);
    const user = await waitForActive(ctx, pending.userId);
    if (deps.authCheck) {
      await deps.authCheck(pending.payload);
    } else if (user.passwordCount !== 2) {
      throw ctx.fail(
        `user ${pending.userId} has ${user.passwordCount} password(s), expected 2 (pending and current) after setSecret; no AUTH check is configured to tell more`,
      );
    }
    return 'applied';
  });
}

/**
 * finishSecret: labels the rotation's version AWSCURRENT (the old one becomes AWSPREVIOUS), then
 * drops the old password (`ModifyUser` with the new one only) and waits for `active`. The label
 * moves first: a client that re-reads the secret in between gets the new password, which works.
 * Already finished (a retry): still makes sure the old password is gone.
 */
export function finishSecret(deps: RotationDeps, target: RotationTarget): Promise<StepResult> {
  return runStep(deps, 'finishSecret', target, async (ctx) => {
    const { state, versions } = await versionState(ctx);
    let outcome: StepResult['outcome'] = 'already-done';
    if (state === 'pending') {
      const current = await readCurrent(ctx);
      await requirePending(ctx, current);
      const from = Object.keys(versions).find((id) => versions[id]?.includes(AWSCURRENT));
      ctx.log(`moving AWSCURRENT from version ${from ?? '(none)'}`);
      await deps.secrets.moveStage(target.secretId, { stage: AWSCURRENT, toVersionId: target.token, fromVersionId: from });
      outcome = 'applied';
    } else if (Object.keys(versions).some((id) => id !== target.token && versions[id]?.includes(AWSPENDING))) {
      // a late retry of a finished rotation while the next one runs: that one's setSecret may have
      // given the user [its pending, this current]; dropping to this password alone would break it
      ctx.log('a newer rotation is in progress: leaving the user to it');
      return 'already-done';
    }
    const text = await deps.secrets.getValue(target.secretId, { stage: AWSCURRENT, versionId: target.token });
    if (text === undefined) throw ctx.fail(`version ${target.token} has no value after it was labelled AWSCURRENT`);
    const finished = parseVersion(ctx, text, AWSCURRENT);
    const user = await waitForActive(ctx, finished.userId);
    let dropped = user.passwordCount === 1;
    // one password left: it is the new one if AUTH with it works (or, with no way to check, if
    // nobody but this function changes the user's passwords: the platform's case)
    if (dropped && deps.authCheck) dropped = await works(deps.authCheck, finished);
    if (!dropped) {
      ctx.log('dropping the old password', { userId: finished.userId });
      await deps.users.setPasswords(finished.userId, [finished.payload.password]);
      await waitForActive(ctx, finished.userId);
      outcome = 'applied';
    }
    return outcome;
  });
}

const STEP_FUNCTIONS: Record<RotationStep, (deps: RotationDeps, target: RotationTarget) => Promise<StepResult>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

/** Runs the step an event names; an unknown step or a malformed event is an error. */
export function runRotationStep(deps: RotationDeps, event: RotationEvent): Promise<StepResult> {
  const secretId = typeof event?.SecretId === 'string' && event.SecretId ? event.SecretId : undefined;
  const token = typeof event?.ClientRequestToken === 'string' && event.ClientRequestToken ? event.ClientRequestToken : undefined;
  if (!secretId || !token) {
    return Promise.reject(
      new RotationError(
        secretId ?? '(none)',
        String(event?.Step),
        'the event must carry SecretId and ClientRequestToken (strings), as Secrets Manager sends them',
      ),
    );
  }
  const step = STEP_FUNCTIONS[event.Step as RotationStep];
  if (!ROTATION_STEPS.includes(event.Step as RotationStep) || !step) {
    return Promise.reject(
      new RotationError(
        secretId,
        String(event.Step),
        `unknown step ${JSON.stringify(event.Step)}: expected one of ${ROTATION_STEPS.join(', ')}`,
      ),
    );
  }
  return step(deps, { secretId, token });
}

export type { SyncConnectionRequest } from '@cache-platform/cache-contract';

/** What a sync did; goes into Terraform state (`aws_lambda_invocation.result`), so never a password. */
export interface SyncConnectionResult {
  readonly action: typeof SYNC_CONNECTION;
  /** `applied`: a new AWSCURRENT version; `already-done`: AWSCURRENT already said all of it */
  readonly outcome: 'applied' | 'already-done';
  /** the AWSCURRENT version after the sync */
  readonly versionId: string;
  /** the user did not accept AWSCURRENT's password (a replaced user) and was given it */
  readonly passwordRestored: boolean;
  /** a stale AWSPENDING label (a cancelled rotation) this sync removed, by version id */
  readonly clearedPending?: string;
}

/** The fields a sync owns: everything in the document that Terraform decides and that is not a credential. */
const SYNCED_FIELDS = ['host', 'port', 'readerPort', 'cacheName', 'keyspace', 'authMode'] as const;

/** A version id derived from what the sync writes: a retry of the same sync is the same PutSecretValue (a no-op). */
function syncVersionId(fromVersionId: string, document: string): string {
  const hex = createHash('sha256').update(`${fromVersionId}\n${document}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function currentVersionId(versions: Readonly<Record<string, readonly string[]>>): string | undefined {
  return Object.keys(versions).find((id) => versions[id]?.includes(AWSCURRENT));
}

function strandedPending(versions: Readonly<Record<string, readonly string[]>>): string | undefined {
  return Object.keys(versions).find((id) => versions[id]?.includes(AWSPENDING) && !versions[id]?.includes(AWSCURRENT));
}

/**
 * Waits for a rotation in progress to end, or clears what a cancelled one left behind: an AWSPENDING
 * label on a version other than AWSCURRENT makes every later RotateSecret fail, so an apply that
 * changes the rotation settings would fail too.
 */
function settleRotation(ctx: StepContext): Promise<{ versions: Readonly<Record<string, readonly string[]>>; cleared?: string }> {
  return pollWithBackoff<{ versions: Readonly<Record<string, readonly string[]>>; cleared?: string }>(ctx, async () => {
    const { rotationEnabled, versions } = await ctx.deps.secrets.describe(ctx.target.secretId);
    const pending = strandedPending(versions);
    if (!pending) return { done: { versions } };
    if (!rotationEnabled) {
      // no rotation can be running: RotationEnabled is false, so our steps refuse to go on with it
      ctx.log(`removing AWSPENDING from version ${pending}, left by a rotation that was cancelled`);
      await ctx.deps.secrets.removeStage(ctx.target.secretId, AWSPENDING, pending);
      const after = await ctx.deps.secrets.describe(ctx.target.secretId);
      return { done: { versions: after.versions, cleared: pending } };
    }
    return {
      waiting: `waiting for the rotation in progress (version ${pending}) to finish`,
      onTimeout: (_elapsed, within) =>
        `a rotation is in progress (AWSPENDING on version ${pending}) and did not finish within ${within}; ` +
        `if it is stuck, run: aws secretsmanager cancel-rotate-secret --secret-id ${ctx.target.secretId} ` +
        `&& aws secretsmanager update-secret-version-stage --secret-id ${ctx.target.secretId} --version-stage AWSPENDING --remove-from-version-id ${pending}; then apply again`,
    };
  });
}

/**
 * Makes AWSCURRENT say what Terraform decided (the cell's endpoint and cache name, the keyspace, the
 * auth mode) while keeping the credential rotation owns, and makes sure the user accepts that
 * credential. Terraform never writes the current document itself: a version it writes could carry
 * a password the user no longer has (see docs/architecture.md, "Passwords, rotation and state").
 *
 * 1. A rotation in progress is waited for; AWSPENDING left by a cancelled one is removed.
 * 2. Password auth with an AUTH check: when the user refuses AWSCURRENT's password (it was replaced
 *    and holds a fresh bootstrap password), the user is given that password (`ModifyUser`).
 * 3. When a field differs, a new version with the merged document becomes AWSCURRENT (the old one
 *    AWSPREVIOUS); the password in it is the one already current, so no client has to re-authenticate.
 */
export function syncConnection(deps: RotationDeps, request: SyncConnectionRequest): Promise<SyncConnectionResult> {
  const secretId = typeof request?.secretId === 'string' ? request.secretId : '';
  return inContext(deps, SYNC_CONNECTION, { secretId, token: '(sync)' }, async (ctx) => {
    const environment = SERVICE_SECRET.exec(secretId)?.[1] as string;
    let cell: string, keyspace: string, authMode: AuthMode;
    try {
      cell = assertCellName(request.cell);
      keyspace = assertKeyspace(request.keyspace);
      authMode = assertAuthMode(request.authMode);
    } catch (error) {
      throw ctx.fail(`invalid sync request: ${(error as Error).message}`);
    }
    if (!deps.exports) throw ctx.fail('no exports reader is configured: the sync reads the cell endpoint from the platform exports');

    const { versions, cleared } = await settleRotation(ctx);
    const fromVersionId = currentVersionId(versions);
    if (!fromVersionId) throw ctx.fail('the secret has no AWSCURRENT version to sync');
    const current = await readCurrent(ctx, 'any');
    if (current.payload.authMode !== authMode) {
      throw ctx.fail(
        `the secret says authMode ${JSON.stringify(current.payload.authMode)} but the service now asks for ${JSON.stringify(authMode)}: ` +
          'switching the auth mode of a deployed service is not supported; retire the service and create it again',
      );
    }
    const endpoint = await deps.exports.cellEndpoint(environment, cell);
    const wanted: Record<(typeof SYNCED_FIELDS)[number], unknown> = {
      host: endpoint.endpointAddress,
      port: endpoint.endpointPort,
      readerPort: endpoint.readerPort,
      cacheName: endpoint.cacheName,
      keyspace,
      authMode,
    };
    const merged = { ...current.document, ...wanted };
    const payload = parseCacheSecret(JSON.stringify(merged), `${secretId} (synced)`);

    let passwordRestored = false;
    if (authMode === 'password' && deps.authCheck && !(await works(deps.authCheck, { ...current, payload }))) {
      ctx.log("the user refuses AWSCURRENT's password: giving it that password", { userId: current.userId });
      await waitForActive(ctx, current.userId);
      await deps.users.setPasswords(current.userId, [payload.password]);
      await waitForActive(ctx, current.userId);
      await deps.authCheck(payload);
      passwordRestored = true;
    }

    const changed = SYNCED_FIELDS.some((field) => current.document[field] !== merged[field]);
    let versionId = fromVersionId;
    if (changed) {
      const text = JSON.stringify(merged);
      versionId = syncVersionId(fromVersionId, text);
      ctx.log(`writing the connection (${SYNCED_FIELDS.join(', ')}) as version ${versionId}`);
      await deps.secrets.putCurrentValue(secretId, versionId, text);
    }
    ctx.log(changed ? 'sync applied' : 'connection already current');
    return {
      action: SYNC_CONNECTION,
      outcome: changed ? 'applied' : 'already-done',
      versionId,
      passwordRestored,
      ...(cleared ? { clearedPending: cleared } : {}),
    };
  });
}
