import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_HANDLER_ENTRY, SECRET_ARN_ENV_VAR } from '@cache-platform/cache-contract';
import { readServiceManifest } from '@cache-platform/platform-environments';
import { analyseHandler, LEGACY_REDIS_VARIABLES, type HandlerFacts, type SourceFinding } from './source';
import {
  lambdas,
  readsSecrets,
  readStacks,
  redisUsers,
  reference,
  rolePolicies,
  secrets,
  STACKS_DIR,
  type LambdaFn,
  type SynthesizedStack,
} from './stacks';

/** The six steps of moving a service onto the shared cache, in order (docs/migration.md). */
export const MIGRATION_STEPS = [
  { step: 1, title: 'service Redis user and secret' },
  { step: 2, title: `${SECRET_ARN_ENV_VAR} on the Lambda` },
  { step: 3, title: 'read grant on only that secret' },
  { step: 4, title: 'client built from the secret' },
  { step: 5, title: 'Redis signal on the health path' },
  { step: 6, title: 'old Redis configuration removed' },
] as const;

export interface StepResult {
  readonly step: number;
  readonly title: string;
  readonly done: boolean;
  /** why the step is missing, one line each; empty when done */
  readonly reasons: readonly string[];
}

export interface MigrationReport {
  /** the app folder checked, as given */
  readonly app: string;
  readonly service: string | undefined;
  readonly keyspace: string | undefined;
  readonly stacks: readonly string[];
  readonly handlerFiles: readonly string[];
  readonly steps: readonly StepResult[];
  readonly done: number;
  readonly total: number;
}

/** A problem that stops the check itself (nothing to check yet): exit code 2, not a missing step. */
export class MigrationCheckError extends Error {}

export interface CheckOptions {
  /**
   * The handler entry, relative to the app folder.
   * @default the manifest's `handler`, else `src/handler/index.ts`
   */
  readonly handler?: string;
}

const where = (f: SourceFinding) => `${f.file}:${f.line}`;
const quote = (value: unknown) => JSON.stringify(value);

/** Key patterns of an ACL access string (`~x:*`, `%R~x:*`, `allkeys`). */
function keyPatterns(accessString: string): string[] {
  return accessString
    .split(/\s+/)
    .filter((rule) => rule === 'allkeys' || /^(%[RW]+)?~/.test(rule))
    .map((rule) => (rule === 'allkeys' ? '*' : rule.replace(/^(%[RW]+)?~/, '')));
}

/** Why a user's access string is not scoped to one keyspace (`<keyspace>:*` only), or undefined. */
function scopeProblem(accessString: string, keyspace: string | undefined): string | undefined {
  const patterns = keyPatterns(accessString);
  if (patterns.length === 0) return 'it names no key pattern';
  for (const pattern of patterns) {
    const match = /^([^*?[\]:\s]+):\*$/.exec(pattern);
    if (!match) return `key pattern ${quote(pattern)} reaches beyond one keyspace`;
    if (keyspace !== undefined && match[1] !== keyspace)
      return `key pattern ${quote(pattern)} is not the service's keyspace ${quote(`${keyspace}:*`)}`;
  }
  return undefined;
}

function step1(stacks: readonly SynthesizedStack[], keyspace: string | undefined): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    const users = redisUsers(stack);
    const scoped = users.filter((u) => scopeProblem(u.accessString, keyspace) === undefined);
    if (users.length === 0) reasons.push(`stack ${stack.name} has no Redis user of the service's own (aws_elasticache_user)`);
    else if (scoped.length === 0) {
      for (const user of users) {
        reasons.push(
          `stack ${stack.name}: ${user.address} has access string ${quote(user.accessString)}: ${scopeProblem(user.accessString, keyspace)}; scope it to ~<keyspace>:*`,
        );
      }
    }
    if (secrets(stack).length === 0)
      reasons.push(`stack ${stack.name} has no secret for the service's credentials (aws_secretsmanager_secret)`);
  }
  return reasons;
}

/** The service's secret in a stack: the one REDIS_SECRET_ARN names, else every secret of the stack. */
function serviceSecrets(stack: SynthesizedStack): Set<string> {
  const named = new Set<string>();
  for (const fn of lambdas(stack)) {
    const ref = reference(fn.variables[SECRET_ARN_ENV_VAR]);
    if (ref?.type === 'aws_secretsmanager_secret') named.add(`aws_secretsmanager_secret.${ref.name}`);
  }
  return named.size > 0 ? named : new Set(secrets(stack));
}

/**
 * The functions that use Redis: those with `REDIS_SECRET_ARN` or an old Redis variable. A function
 * the service added for something else (a queue worker that never touches the cache) is not judged;
 * when no function uses Redis visibly, every function is.
 */
function cacheFunctions(stack: SynthesizedStack): LambdaFn[] {
  const all = lambdas(stack);
  const users = all.filter((fn) =>
    Object.keys(fn.variables).some((name) => name === SECRET_ARN_ENV_VAR || LEGACY_REDIS_VARIABLES.includes(name)),
  );
  return users.length > 0 ? users : all;
}

function step2(stacks: readonly SynthesizedStack[]): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    const fns = cacheFunctions(stack);
    if (fns.length === 0) reasons.push(`stack ${stack.name} has no Lambda function (aws_lambda_function)`);
    const stackSecrets = new Set(secrets(stack));
    for (const fn of fns) {
      const value = fn.variables[SECRET_ARN_ENV_VAR];
      const ref = reference(value);
      if (value === undefined) reasons.push(`function ${fn.functionName} (stack ${stack.name}) has no ${SECRET_ARN_ENV_VAR} variable`);
      else if (!ref || ref.type !== 'aws_secretsmanager_secret' || !stackSecrets.has(`aws_secretsmanager_secret.${ref.name}`)) {
        reasons.push(
          `function ${fn.functionName} (stack ${stack.name}): ${SECRET_ARN_ENV_VAR}=${quote(value)} must reference the service's own secret (\${aws_secretsmanager_secret.<name>.arn})`,
        );
      }
    }
  }
  return reasons;
}

function step3(stacks: readonly SynthesizedStack[]): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    const own = serviceSecrets(stack);
    for (const fn of cacheFunctions(stack)) {
      if (!fn.role) {
        reasons.push(`function ${fn.functionName} (stack ${stack.name}) runs as a role outside the stack: its grants cannot be checked`);
        continue;
      }
      const { statements, unreadable } = rolePolicies(stack, fn.role);
      for (const policy of unreadable) {
        reasons.push(
          `${policy} on the role of ${fn.functionName} is not a policy document the check can read: use data.aws_iam_policy_document or a JSON document`,
        );
      }
      let grantsOwn = false;
      for (const statement of statements.filter(readsSecrets)) {
        const wider = statement.resources.filter((resource) => {
          const ref = reference(resource);
          return !(
            ref?.type === 'aws_secretsmanager_secret' &&
            (ref.attribute === 'arn' || ref.attribute === 'id') &&
            own.has(`aws_secretsmanager_secret.${ref.name}`)
          );
        });
        if (wider.length === 0) grantsOwn = true;
        else {
          const actions =
            statement.notActions.length > 0 ? `every action but ${statement.notActions.join(', ')}` : statement.actions.join(', ');
          reasons.push(
            `${statement.policy} on the role of ${fn.functionName} allows ${actions} on ${wider.map((r) => quote(r)).join(', ')}: a secret grant wider than the service's secret (${[...own].join(', ') || 'none in the stack'})`,
          );
        }
      }
      if (!grantsOwn)
        reasons.push(
          `the role of ${fn.functionName} (stack ${stack.name}) has no read grant on the service's secret (secretsmanager:GetSecretValue)`,
        );
    }
  }
  return reasons;
}

function step4(facts: HandlerFacts): string[] {
  const reasons = facts.handBuiltClients.map(
    (c) =>
      `${where(c)} builds a Redis client from something other than the secret (${c.text}): use createServiceCache(), or createRedisConnectionConfig(secret) for your own client`,
  );
  if (facts.serviceCaches.length === 0) {
    reasons.push(`no createServiceCache() from @cache-platform/cache-client in the handler (${facts.files.join(', ')})`);
  }
  return reasons;
}

function step5(facts: HandlerFacts): string[] {
  if (facts.healthChecks.length > 0) return [];
  return [`no health path calling the library: no <cache>.checkHealth() call in the handler (${facts.files.join(', ')})`];
}

function step6(stacks: readonly SynthesizedStack[], facts: HandlerFacts): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    for (const fn of lambdas(stack)) {
      const old = Object.keys(fn.variables).filter((name) => LEGACY_REDIS_VARIABLES.includes(name));
      for (const name of old) reasons.push(`function ${fn.functionName} (stack ${stack.name}) still has the old variable ${name}`);
    }
    for (const user of redisUsers(stack)) {
      if (keyPatterns(user.accessString).some((p) => p === '*' || p === '')) {
        reasons.push(`stack ${stack.name} still holds a Redis user that reaches every key: ${user.address}`);
      }
    }
  }
  for (const read of facts.legacyVariableReads) reasons.push(`${where(read)} still reads the old variable ${read.variable}`);
  // `legacyRead: legacyReadFromEnv()` is one dual read: one reason per line
  const dualReads = facts.legacyReads.filter((read, i, all) => all.findIndex((r) => where(r) === where(read)) === i);
  for (const read of dualReads)
    reasons.push(`${where(read)} still reads through the legacy Redis (${read.text}): remove the dual read once the new cache is warm`);
  return reasons;
}

/** Reads the manifest when there is one: it names the keyspace and the handler entry. */
function readManifest(appDir: string): { service?: string; keyspace?: string; handler?: string } {
  const manifest = readServiceManifest(appDir, { optional: true });
  return manifest ? { service: manifest.service, keyspace: manifest.keyspace, handler: manifest.handler } : {};
}

/** Checks the six steps of one app: its synthesized stacks and its handler source. */
export function checkMigration(appDir: string, options: CheckOptions = {}): MigrationReport {
  const root = resolve(appDir);
  if (!existsSync(root)) throw new MigrationCheckError(`app folder ${quote(appDir)} does not exist`);
  const manifest = readManifest(root);
  const stacks = readStacks(root);
  if (stacks.length === 0) {
    throw new MigrationCheckError(
      `no synthesized stacks in ${join(appDir, STACKS_DIR)}: synthesize first (npx nx run ${manifest.service ?? '<service>'}:synth, or cdktf synth in the app folder)`,
    );
  }
  const entry = options.handler ?? manifest.handler ?? DEFAULT_HANDLER_ENTRY;
  if (!existsSync(join(root, entry)))
    throw new MigrationCheckError(`handler entry ${quote(entry)} does not exist in ${appDir}: pass --handler=<file>`);
  const facts = analyseHandler(root, entry);
  const reasons = [step1(stacks, manifest.keyspace), step2(stacks), step3(stacks), step4(facts), step5(facts), step6(stacks, facts)];
  const steps = MIGRATION_STEPS.map(({ step, title }, i) => ({ step, title, done: reasons[i]!.length === 0, reasons: reasons[i]! }));
  return {
    app: appDir,
    service: manifest.service,
    keyspace: manifest.keyspace,
    stacks: stacks.map((s) => s.name),
    handlerFiles: facts.files,
    steps,
    done: steps.filter((s) => s.done).length,
    total: steps.length,
  };
}
