import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ContractViolation, DEFAULT_CELL, SERVICE_MANIFEST_FILE, type ServiceManifest } from '@cache-platform/cache-contract';
import { readServiceManifest } from '@cache-platform/platform-environments';

/**
 * `npx nx run <service>:describe`: what a service owns in each environment and what it reads from
 * the platform, read straight from its synthesized stacks (`cdktf.out/stacks/<stack>/cdk.tf.json`),
 * so it shows what a deploy would create, whatever code produced it.
 */

type Block = Record<string, unknown>;
type Blocks = Record<string, Record<string, Block>>;

export const STACKS_DIR = join('cdktf.out', 'stacks');

export interface Grant {
  /** the role policy (or managed policy) it comes from */
  readonly policy: string;
  readonly actions: readonly string[];
  /** each resource, a reference resolved to what it names (`secret cache-platform/dev/x/redis`) */
  readonly resources: readonly string[];
}

export interface Alarm {
  readonly name: string;
  readonly metric: string;
  readonly threshold: number | undefined;
}

export interface EnvironmentDescription {
  readonly stack: string;
  readonly environment: string;
  /** where Terraform keeps the stack's state */
  readonly state: string;
  readonly redisUser: { readonly userId: string; readonly authMode: string; readonly accessString: string };
  readonly keyspace: string;
  readonly cell: string;
  readonly secret: { readonly name: string; readonly recoveryWindowDays: number | undefined; readonly rotation: string | undefined };
  readonly function: {
    readonly name: string;
    readonly runtime: string;
    readonly memoryMb: number | undefined;
    readonly timeoutSeconds: number | undefined;
    readonly logGroup: string | undefined;
  };
  readonly grants: readonly Grant[];
  readonly alarms: readonly Alarm[];
  /** the platform's exports (SSM parameters) the stack reads */
  readonly reads: readonly string[];
}

export interface ServiceDescription {
  readonly service: string;
  readonly app: string;
  readonly environments: readonly EnvironmentDescription[];
}

/** A refusal of the describe command: one line, exit 2. */
export class DescribeError extends Error {
  override readonly name = 'DescribeError';
}

interface Stack {
  readonly name: string;
  readonly file: string;
  readonly json: { resource?: Blocks; data?: Blocks; terraform?: { backend?: Record<string, Record<string, unknown>> } };
}

function readStacks(appDir: string): Stack[] {
  const dir = join(appDir, STACKS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => existsSync(join(dir, name, 'cdk.tf.json')))
    .map((name) => {
      const file = join(dir, name, 'cdk.tf.json');
      return { name, file, json: JSON.parse(readFileSync(file, 'utf8')) as Stack['json'] };
    });
}

const blocksOf = (blocks: Blocks | undefined, type: string): Array<[string, Block]> => Object.entries(blocks?.[type] ?? {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** The one block of a type a service stack holds; names the stack and the type when it is not there. */
function only(stack: Stack, type: string): Block {
  const [first, ...more] = blocksOf(stack.json.resource, type);
  if (!first || more.length > 0) {
    throw new DescribeError(
      `${stack.file}: expected one ${type}, found ${more.length + (first ? 1 : 0)}: is this a service stack (built by libs/service-access)?`,
    );
  }
  return first[1];
}

/** `${aws_secretsmanager_secret.x.arn}` -> what it names: `secret cache-platform/dev/x/redis`. */
function resolveReference(stack: Stack, value: string): string {
  const match = /^\$\{(data\.)?(aws_[a-z0-9_]+)\.([\w-]+)\.(\w+)\}$/.exec(value);
  if (!match) return value;
  const [, data, type = '', name = ''] = match;
  const block = (data ? stack.json.data : stack.json.resource)?.[type]?.[name];
  const label = str(block?.['name']) || str(block?.['user_id']) || str(block?.['function_name']) || name;
  const kind: Record<string, string> = {
    aws_secretsmanager_secret: 'secret',
    aws_elasticache_user: 'redis user',
    aws_lambda_function: 'function',
  };
  // a platform export (the cache's ARN) is read from its parameter at deploy time
  if (data && type === 'aws_ssm_parameter') return `the value of ${label}`;
  return `${kind[type] ?? type} ${label}`;
}

function grantsOf(stack: Stack): Grant[] {
  const grants: Grant[] = [];
  for (const [, policy] of blocksOf(stack.json.resource, 'aws_iam_role_policy')) {
    const document = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(str(policy['policy']));
    const statements = document
      ? ((stack.json.data?.['aws_iam_policy_document']?.[document[1] ?? '']?.['statement'] as Block[]) ?? [])
      : [];
    for (const statement of statements) {
      grants.push({
        policy: str(policy['name']),
        actions: (statement['actions'] as string[] | undefined) ?? [],
        resources: ((statement['resources'] as string[] | undefined) ?? []).map((r) => resolveReference(stack, r)),
      });
    }
  }
  for (const [, attachment] of blocksOf(stack.json.resource, 'aws_iam_role_policy_attachment')) {
    const arn = str(attachment['policy_arn']);
    grants.push({ policy: `AWS managed policy ${arn.slice(arn.lastIndexOf('/') + 1)}`, actions: [], resources: [] });
  }
  return grants;
}

/** The alarm's metric, or the metric math it returns (the error rate is errors over all requests). */
function metricOf(alarm: Block): string {
  if (alarm['metric_name']) return str(alarm['metric_name']);
  const queries = (alarm['metric_query'] as Block[] | undefined) ?? [];
  const metrics = queries.map((q) => str((q['metric'] as Block | undefined)?.['metric_name'])).filter(Boolean);
  return `math over ${metrics.join(', ')}`;
}

/** The stack's state: a local path relative to the app folder (as the deploy reads it), or the S3 object. */
function stateOf(stack: Stack, appDir: string): string {
  const [[kind, settings] = ['local', {}]] = Object.entries(stack.json.terraform?.backend ?? {});
  if (kind === 'local') return `local ${relative(appDir, resolve(dirname(stack.file), str(settings['path']) || 'terraform.tfstate'))}`;
  if (kind === 's3') return `s3://${str(settings['bucket'])}/${str(settings['key'])}`;
  return kind;
}

function describeStack(stack: Stack, appDir: string): EnvironmentDescription {
  const user = only(stack, 'aws_elasticache_user');
  const secret = only(stack, 'aws_secretsmanager_secret');
  const fn = only(stack, 'aws_lambda_function');
  const tags = (user['tags'] ?? {}) as Record<string, string>;
  const claim = blocksOf(stack.json.resource, 'aws_ssm_parameter')
    .map(([, p]) => str(p['name']))
    .find((name) => /\/keyspaces\/[^/]+$/.test(name));
  const reads = blocksOf(stack.json.data, 'aws_ssm_parameter')
    .map(([, p]) => str(p['name']))
    .sort();
  // the default cell's exports sit at /cache-platform/<env>/exports/, another cell's under cells/<cell>/
  const cell = reads.map((name) => /\/cells\/([^/]+)\/exports\//.exec(name)?.[1]).find(Boolean) ?? DEFAULT_CELL;
  const rotation = blocksOf(stack.json.resource, 'aws_secretsmanager_secret_rotation')[0]?.[1];
  const logGroup = blocksOf(stack.json.resource, 'aws_cloudwatch_log_group')[0]?.[1];
  return {
    stack: stack.name,
    environment: tags['cache-platform:environment'] ?? '',
    state: stateOf(stack, appDir),
    redisUser: {
      userId: str(user['user_id']),
      authMode: str((user['authentication_mode'] as Block | undefined)?.['type']),
      accessString: str(user['access_string']),
    },
    keyspace: claim ? claim.slice(claim.lastIndexOf('/') + 1) : '',
    cell,
    secret: {
      name: str(secret['name']),
      recoveryWindowDays: num(secret['recovery_window_in_days']),
      rotation: rotation ? str((rotation['rotation_rules'] as Block | undefined)?.['schedule_expression']) : undefined,
    },
    function: {
      name: str(fn['function_name']),
      runtime: str(fn['runtime']),
      memoryMb: num(fn['memory_size']),
      timeoutSeconds: num(fn['timeout']),
      logGroup: logGroup ? str(logGroup['name']) : undefined,
    },
    grants: grantsOf(stack),
    alarms: blocksOf(stack.json.resource, 'aws_cloudwatch_metric_alarm')
      .map(([, a]) => ({ name: str(a['alarm_name']), metric: metricOf(a), threshold: num(a['threshold']) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    reads,
  };
}

/** Everything a service app's synthesized stacks say it owns, one entry per environment. */
export function describeService(appDir: string): ServiceDescription {
  let manifest: ServiceManifest | undefined;
  try {
    // the workspace model's reader: a broken manifest is refused naming the file, field, value and rule
    manifest = readServiceManifest(appDir, { optional: true });
  } catch (error) {
    if (error instanceof ContractViolation) throw new DescribeError(error.message);
    throw error;
  }
  if (manifest === undefined) {
    throw new DescribeError(`${resolve(appDir)} holds no ${SERVICE_MANIFEST_FILE}: describe reads a service app`);
  }
  const service = manifest.service;
  const stacks = readStacks(appDir);
  if (stacks.length === 0) {
    throw new DescribeError(`no synthesized stacks in ${join(resolve(appDir), STACKS_DIR)}: run npx nx run ${service}:synth first`);
  }
  return { service, app: resolve(appDir), environments: stacks.map((stack) => describeStack(stack, appDir)) };
}

/** The description as a person reads it: one block per environment, one line per thing owned. */
export function formatDescription(description: ServiceDescription): string {
  const lines = [`${description.service}: what it owns, per environment (from its synthesized stacks)`];
  for (const e of description.environments) {
    const rows: Array<[string, string]> = [
      ['redis user', `${e.redisUser.userId} (auth ${e.redisUser.authMode})`],
      ['access', e.redisUser.accessString],
      ['keyspace', `${e.keyspace}:*`],
      ['cell', e.cell],
      [
        'secret',
        `${e.secret.name}${e.secret.rotation ? `, rotated ${e.secret.rotation}` : ''}${
          e.secret.recoveryWindowDays !== undefined ? `, ${e.secret.recoveryWindowDays}-day recovery window` : ''
        }`,
      ],
      [
        'lambda',
        `${e.function.name} (${e.function.runtime}, ${e.function.memoryMb ?? '?'} MB, ${e.function.timeoutSeconds ?? '?'} s)${
          e.function.logGroup ? `, logs ${e.function.logGroup}` : ''
        }`,
      ],
      ...e.grants.map((g): [string, string] => [
        'grant',
        g.actions.length ? `${g.actions.join(', ')}${g.resources.length ? ` on ${g.resources.join(', ')}` : ''} (${g.policy})` : g.policy,
      ]),
      ...e.alarms.map((a): [string, string] => [
        'alarm',
        `${a.name} (${a.metric}${a.threshold !== undefined ? ` >= ${a.threshold}` : ''})`,
      ]),
      ...e.reads.map((name): [string, string] => ['reads', name]),
      ['state', e.state],
    ];
    lines.push('', `${e.environment} (stack ${e.stack})`);
    for (const [label, value] of rows) lines.push(`  ${label.padEnd(10)}  ${value}`);
  }
  return lines.join('\n');
}

const USAGE = 'usage: describe [<app folder>] [--json]';
const HELP = [
  'lists what a service owns in each environment, from its synthesized stacks: its Redis user, keyspace, cell,\nsecret, Lambda, grants and alarms, and the platform exports it reads',
  '  <app folder>   default: the working directory (npx nx run <service>:describe runs there, after synth)',
  '  --json         the description as JSON',
  'exit 0: described; 2: nothing to describe (not a service app, an invalid manifest, no synthesized stacks, bad arguments)',
].join('\n');

/** `describe [<app folder>] [--json]`; returns the exit code. */
export function main(
  argv: readonly string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
  writeError: (text: string) => void = (t) => process.stderr.write(t),
): number {
  let json = false;
  const folders: string[] = [];
  for (const arg of argv) {
    if (arg === '--json' || arg === '--json=true') json = true;
    else if (arg === '--json=false') json = false;
    else if (arg === '--help' || arg === '-h') {
      write(`${USAGE}\n${HELP}\n`);
      return 0;
    } else if (arg.startsWith('-')) {
      writeError(`describe: unknown option ${JSON.stringify(arg)}\n${USAGE}\n`);
      return 2;
    } else folders.push(arg);
  }
  if (folders.length > 1) {
    writeError(`describe: one app folder at a time (got ${folders.join(', ')})\n${USAGE}\n`);
    return 2;
  }
  try {
    const description = describeService(folders[0] ?? '.');
    write((json ? JSON.stringify(description, null, 2) : formatDescription(description)) + '\n');
    return 0;
  } catch (error) {
    if (!(error instanceof DescribeError)) throw error;
    writeError(`describe: ${error.message}\n`);
    return 2;
  }
}
