import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_HANDLER_ENTRY, SECRET_ARN_ENV_VAR } from '@cache-platform/cache-contract';
import { readServiceManifest } from '@cache-platform/platform-environments';
import {
  block,
  evaluateAccessString,
  judgeServiceUser,
  patternReachesEveryKey,
  readStacks,
  referencedResource,
  resourcesOf,
  rolePolicies,
  serviceUsers,
  statementAllows,
  stringAttr,
  SynthesizedStackError,
  WHOLE_REFERENCE,
  type PolicyOf,
  type Statement,
  type TfResource,
  type TfStack,
} from '@cache-platform/stack-analysis';
import { analyseHandler, LEGACY_REDIS_VARIABLES, type HandlerFacts, type SourceFinding } from './source';

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

/** A Lambda function of a stack, as the steps read it. */
interface LambdaFn {
  readonly resource: TfResource;
  readonly functionName: string;
  readonly variables: Readonly<Record<string, unknown>>;
  /** its role, when the role is in the stack */
  readonly role: TfResource | undefined;
}

function lambdas(stack: TfStack): LambdaFn[] {
  return resourcesOf(stack, 'aws_lambda_function').map((fn) => {
    const variables = block(fn.body['environment'])?.['variables'];
    const role = referencedResource(stack, stringAttr(fn.body, 'role') ?? '');
    return {
      resource: fn,
      functionName: stringAttr(fn.body, 'function_name') ?? fn.name,
      variables:
        typeof variables === 'object' && variables !== null && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {},
      role: role?.type === 'aws_iam_role' && role.mode === 'resource' ? role : undefined,
    };
  });
}

const secretsOf = (stack: TfStack) => resourcesOf(stack, 'aws_secretsmanager_secret');

/** The secret of the stack a value references whole (`${aws_secretsmanager_secret.<name>.<attribute>}`), with the attribute. */
function secretReference(stack: TfStack, value: unknown): { secret: TfResource; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const secret = referencedResource(stack, value);
  if (secret?.type !== 'aws_secretsmanager_secret' || secret.mode !== 'resource') return undefined;
  return { secret, attribute: WHOLE_REFERENCE.exec(value.trim())?.[3] ?? '' };
}

function step1(stacks: readonly TfStack[], keyspace: string | undefined): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    // the verdict of the policy pack (CP001, CP002) on each service user: one reading of access strings
    const users = serviceUsers(stack).map((user) => ({ user, findings: judgeServiceUser(stack, user, keyspace) }));
    if (users.length === 0) reasons.push(`stack ${stack.name} has no Redis user of the service's own (aws_elasticache_user)`);
    else if (users.every((u) => u.findings.length > 0)) {
      for (const { user, findings } of users) {
        for (const finding of findings) reasons.push(`stack ${stack.name}: ${user.address}: ${finding.message}`);
      }
    }
    if (secretsOf(stack).length === 0)
      reasons.push(`stack ${stack.name} has no secret for the service's credentials (aws_secretsmanager_secret)`);
  }
  return reasons;
}

/** The service's secret in a stack: the one REDIS_SECRET_ARN names, else every secret of the stack. */
function serviceSecrets(stack: TfStack): Set<TfResource> {
  const named = new Set<TfResource>();
  for (const fn of lambdas(stack)) {
    const ref = secretReference(stack, fn.variables[SECRET_ARN_ENV_VAR]);
    if (ref) named.add(ref.secret);
  }
  return named.size > 0 ? named : new Set(secretsOf(stack));
}

/**
 * The functions that use Redis: those with `REDIS_SECRET_ARN` or an old Redis variable. A function
 * the service added for something else (a queue worker that never touches the cache) is not judged;
 * when no function uses Redis visibly, every function is.
 */
function cacheFunctions(stack: TfStack): LambdaFn[] {
  const all = lambdas(stack);
  const users = all.filter((fn) =>
    Object.keys(fn.variables).some((name) => name === SECRET_ARN_ENV_VAR || LEGACY_REDIS_VARIABLES.includes(name)),
  );
  return users.length > 0 ? users : all;
}

function step2(stacks: readonly TfStack[]): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    const fns = cacheFunctions(stack);
    if (fns.length === 0) reasons.push(`stack ${stack.name} has no Lambda function (aws_lambda_function)`);
    for (const fn of fns) {
      const value = fn.variables[SECRET_ARN_ENV_VAR];
      if (value === undefined) reasons.push(`function ${fn.functionName} (stack ${stack.name}) has no ${SECRET_ARN_ENV_VAR} variable`);
      else if (!secretReference(stack, value)) {
        reasons.push(
          `function ${fn.functionName} (stack ${stack.name}): ${SECRET_ARN_ENV_VAR}=${quote(value)} must reference the service's own secret (\${aws_secretsmanager_secret.<name>.arn})`,
        );
      }
    }
  }
  return reasons;
}

/**
 * AWS managed policies that can read every secret. Others (e.g. AWSLambdaVPCAccessExecutionRole,
 * AWSLambdaBasicExecutionRole) cannot.
 */
const BROAD_MANAGED_POLICIES = ['SecretsManagerReadWrite', 'AdministratorAccess', 'PowerUserAccess'];
const READ_SECRET = 'secretsmanager:GetSecretValue';

const policyLabel = (policy: PolicyOf) =>
  policy.attribute.startsWith('inline_policy')
    ? `${policy.resource.address}.${policy.attribute.replace(/\.policy$/, '')}`
    : policy.resource.address;

/** The resources a statement reaches: `NotResource` reaches everything but its list. */
const reach = (statement: Statement) => (statement.notResources.length > 0 ? ['*'] : statement.resources);

function step3(stacks: readonly TfStack[]): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    const own = serviceSecrets(stack);
    const ownNames = [...own].map((s) => s.address).join(', ') || 'none in the stack';
    for (const fn of cacheFunctions(stack)) {
      if (!fn.role) {
        reasons.push(`function ${fn.functionName} (stack ${stack.name}) runs as a role outside the stack: its grants cannot be checked`);
        continue;
      }
      const { policies, attachedArns } = rolePolicies(stack, fn.role);
      let grantsOwn = false;
      const wider = (label: string, actions: string, resources: readonly string[]) =>
        reasons.push(
          `${label} on the role of ${fn.functionName} allows ${actions} on ${resources.map((r) => quote(r)).join(', ')}: a secret grant wider than the service's secret (${ownNames})`,
        );
      for (const policy of policies) {
        if (policy.unreadable) {
          reasons.push(
            `${policyLabel(policy)} on the role of ${fn.functionName} is not a policy document the check can read (${policy.unreadable}): use data.aws_iam_policy_document or a JSON document`,
          );
        }
        for (const statement of policy.statements.filter((s) => statementAllows(s, READ_SECRET))) {
          const beyond = reach(statement).filter((resource) => {
            const ref = secretReference(stack, resource);
            return !(ref && (ref.attribute === 'arn' || ref.attribute === 'id') && own.has(ref.secret));
          });
          if (beyond.length === 0) grantsOwn = true;
          else
            wider(
              policyLabel(policy),
              statement.notActions.length > 0 ? `every action but ${statement.notActions.join(', ')}` : statement.actions.join(', '),
              beyond,
            );
        }
      }
      for (const { resource, arn } of attachedArns) {
        const name = arn.split('/').pop() ?? '';
        if (BROAD_MANAGED_POLICIES.includes(name)) wider(`${resource.address} (${name})`, 'secretsmanager:*', ['*']);
      }
      if (!grantsOwn)
        reasons.push(`the role of ${fn.functionName} (stack ${stack.name}) has no read grant on the service's secret (${READ_SECRET})`);
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

/** True when the user's access string reaches every key (`~*`, `allkeys`, `%R~*`); an unreadable string is step 1's finding. */
function reachesEveryKey(user: TfResource): boolean {
  const accessString = user.body['access_string'];
  if (typeof accessString !== 'string') return false;
  try {
    return evaluateAccessString(accessString).keys.some((key) => patternReachesEveryKey(key.pattern));
  } catch {
    return false;
  }
}

function step6(stacks: readonly TfStack[], facts: HandlerFacts): string[] {
  const reasons: string[] = [];
  for (const stack of stacks) {
    for (const fn of lambdas(stack)) {
      const old = Object.keys(fn.variables).filter((name) => LEGACY_REDIS_VARIABLES.includes(name));
      for (const name of old) reasons.push(`function ${fn.functionName} (stack ${stack.name}) still has the old variable ${name}`);
    }
    for (const user of serviceUsers(stack).filter(reachesEveryKey)) {
      reasons.push(`stack ${stack.name} still holds a Redis user that reaches every key: ${user.address}`);
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

const STACKS_DIR = join('cdktf.out', 'stacks');

/** The app's synthesized stacks (`cdktf.out/stacks/*`), read by the stack model. */
function readAppStacks(appDir: string, root: string, service: string | undefined): TfStack[] {
  try {
    return readStacks(join(root, 'cdktf.out'));
  } catch (error) {
    if (!(error instanceof SynthesizedStackError)) throw error;
    if (error.kind === 'missing') return noStacks(appDir, service);
    throw new MigrationCheckError(error.message);
  }
}

function noStacks(appDir: string, service: string | undefined): never {
  throw new MigrationCheckError(
    `no synthesized stacks in ${join(appDir, STACKS_DIR)}: synthesize first (npx nx run ${service ?? '<service>'}:synth, or cdktf synth in the app folder)`,
  );
}

/** Checks the six steps of one app: its synthesized stacks and its handler source. */
export function checkMigration(appDir: string, options: CheckOptions = {}): MigrationReport {
  const root = resolve(appDir);
  if (!existsSync(root)) throw new MigrationCheckError(`app folder ${quote(appDir)} does not exist`);
  const manifest = readManifest(root);
  const stacks = readAppStacks(appDir, root, manifest.service);
  const entry = options.handler ?? manifest.handler ?? DEFAULT_HANDLER_ENTRY;
  if (!existsSync(join(root, entry)))
    throw new MigrationCheckError(`handler entry ${quote(entry)} does not exist in ${appDir}: pass --handler=<file>`);
  const facts = analyseHandler(root, entry);
  const reasons = [step1(stacks, manifest.keyspace), step2(stacks), step3(stacks), step4(facts), step5(facts), step6(stacks, facts)];
  const steps = MIGRATION_STEPS.map(({ step, title }, i) => {
    const stepReasons = reasons[i] ?? [`no check is defined for step ${step}`];
    return { step, title, done: stepReasons.length === 0, reasons: stepReasons };
  });
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
