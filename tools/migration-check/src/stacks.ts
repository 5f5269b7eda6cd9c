import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads what the migration steps need from synthesized stacks (`cdktf.out/stacks/<stack>/cdk.tf.json`):
 * Redis users, secrets, Lambda functions with their variables, and every policy on each function's role.
 * It works on the Terraform JSON, so it judges what would be deployed, whatever code produced it.
 */

type Block = Record<string, unknown>;
export interface SynthesizedStack {
  readonly name: string;
  /** path of its cdk.tf.json, relative to the app folder */
  readonly file: string;
  readonly resource: Record<string, Record<string, Block>>;
  readonly data: Record<string, Record<string, Block>>;
}

export const STACKS_DIR = join('cdktf.out', 'stacks');

/** Every synthesized stack of an app, by name; empty when the app was never synthesized. */
export function readStacks(appDir: string): SynthesizedStack[] {
  const dir = join(appDir, STACKS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => existsSync(join(dir, name, 'cdk.tf.json')))
    .map((name) => {
      const json = JSON.parse(readFileSync(join(dir, name, 'cdk.tf.json'), 'utf8')) as { resource?: object; data?: object };
      return {
        name,
        file: join(STACKS_DIR, name, 'cdk.tf.json'),
        resource: (json.resource ?? {}) as SynthesizedStack['resource'],
        data: (json.data ?? {}) as SynthesizedStack['data'],
      };
    });
}

/** `${aws_secretsmanager_secret.x.arn}` -> { type, name, attribute } */
export function reference(value: unknown): { type: string; name: string; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{(?:data\.)?(aws_[a-z0-9_]+)\.([\w-]+)\.(\w+)\}$/.exec(value);
  return match ? { type: match[1]!, name: match[2]!, attribute: match[3]! } : undefined;
}

export interface RedisUser {
  readonly address: string;
  readonly accessString: string;
}

export interface LambdaFn {
  readonly address: string;
  readonly functionName: string;
  readonly variables: Readonly<Record<string, unknown>>;
  /** the address of its role (`aws_iam_role.<name>`) when the role is in the stack */
  readonly role: string | undefined;
}

export interface PolicyStatement {
  /** the policy it is part of, for messages */
  readonly policy: string;
  readonly effect: string;
  readonly actions: readonly string[];
  /** `NotAction`: every action but these */
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

export const entries = (stack: SynthesizedStack, type: string): Array<[string, Block]> => Object.entries(stack.resource[type] ?? {});

export function redisUsers(stack: SynthesizedStack): RedisUser[] {
  return entries(stack, 'aws_elasticache_user').map(([name, block]) => ({
    address: `aws_elasticache_user.${name}`,
    accessString: String(block['access_string'] ?? ''),
  }));
}

export function secrets(stack: SynthesizedStack): string[] {
  return entries(stack, 'aws_secretsmanager_secret').map(([name]) => `aws_secretsmanager_secret.${name}`);
}

export function lambdas(stack: SynthesizedStack): LambdaFn[] {
  return entries(stack, 'aws_lambda_function').map(([name, block]) => {
    const environment = block['environment'] as { variables?: Record<string, unknown> } | Array<{ variables?: Record<string, unknown> }>;
    const variables = (Array.isArray(environment) ? environment[0]?.variables : environment?.variables) ?? {};
    const role = reference(block['role']);
    return {
      address: `aws_lambda_function.${name}`,
      functionName: String(block['function_name'] ?? name),
      variables,
      role: role?.type === 'aws_iam_role' ? `aws_iam_role.${role.name}` : undefined,
    };
  });
}

/** A JSON policy document's statements, or undefined when it is not a literal document. */
function statementsOfDocument(policy: string, text: unknown): PolicyStatement[] | undefined {
  if (typeof text !== 'string') return undefined;
  const ref = reference(text);
  if (ref) return undefined;
  let parsed: { Statement?: unknown };
  try {
    parsed = JSON.parse(text) as { Statement?: unknown };
  } catch {
    return undefined;
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  return (statements as Block[]).map((s) => ({
    policy,
    effect: String(s['Effect'] ?? 'Allow'),
    actions: list(s['Action']),
    notActions: list(s['NotAction']),
    resources: list(s['Resource'] ?? (s['NotResource'] ? '*' : undefined)),
  }));
}

/** Statements of a policy value: a JSON document, or a reference to a `data.aws_iam_policy_document`. */
function statementsOf(stack: SynthesizedStack, policy: string, value: unknown): PolicyStatement[] | undefined {
  const ref = reference(value);
  if (ref?.type === 'aws_iam_policy_document' && ref.attribute === 'json') {
    const document = stack.data['aws_iam_policy_document']?.[ref.name];
    if (!document) return undefined;
    const statements = (document['statement'] ?? []) as Block[];
    return statements.map((s) => ({
      policy,
      effect: String(s['effect'] ?? 'Allow'),
      actions: list(s['actions']),
      notActions: list(s['not_actions']),
      resources: list(s['resources'] ?? (s['not_resources'] ? '*' : undefined)),
    }));
  }
  if (ref?.type === 'aws_iam_policy' && ref.attribute === 'arn') {
    const managed = stack.resource['aws_iam_policy']?.[ref.name];
    return managed ? statementsOf(stack, `aws_iam_policy.${ref.name}`, managed['policy']) : undefined;
  }
  return statementsOfDocument(policy, value);
}

/**
 * AWS managed policies that can read every secret. Others (e.g. AWSLambdaVPCAccessExecutionRole,
 * AWSLambdaBasicExecutionRole) cannot.
 */
const BROAD_MANAGED_POLICIES = ['SecretsManagerReadWrite', 'AdministratorAccess', 'PowerUserAccess'];

export interface RolePolicies {
  readonly statements: PolicyStatement[];
  /** policies whose statements cannot be read from the JSON (an expression, a policy outside the stack) */
  readonly unreadable: string[];
}

/** Every statement that applies to a role in the stack: inline, attached, and managed by ARN. */
export function rolePolicies(stack: SynthesizedStack, roleAddress: string): RolePolicies {
  const roleName = roleAddress.split('.')[1]!;
  const result: RolePolicies = { statements: [], unreadable: [] };
  const isRole = (value: unknown) => {
    const ref = reference(value);
    return ref?.type === 'aws_iam_role' && ref.name === roleName;
  };
  const add = (policy: string, value: unknown) => {
    const statements = statementsOf(stack, policy, value);
    if (statements) result.statements.push(...statements);
    else result.unreadable.push(policy);
  };
  const addManagedArn = (policy: string, arn: unknown) => {
    const ref = reference(arn);
    if (ref) return add(policy, arn);
    const name = String(arn).split('/').pop() ?? '';
    if (BROAD_MANAGED_POLICIES.includes(name)) {
      result.statements.push({
        policy: `${policy} (${name})`,
        effect: 'Allow',
        actions: ['secretsmanager:*'],
        notActions: [],
        resources: ['*'],
      });
    }
  };
  for (const [name, block] of entries(stack, 'aws_iam_role_policy')) {
    if (isRole(block['role'])) add(`aws_iam_role_policy.${name}`, block['policy']);
  }
  for (const [name, block] of entries(stack, 'aws_iam_role_policy_attachment')) {
    if (isRole(block['role'])) addManagedArn(`aws_iam_role_policy_attachment.${name}`, block['policy_arn']);
  }
  for (const [name, block] of entries(stack, 'aws_iam_policy_attachment')) {
    if (list(block['roles']).some(isRole)) addManagedArn(`aws_iam_policy_attachment.${name}`, block['policy_arn']);
  }
  const role = stack.resource['aws_iam_role']?.[roleName];
  if (role) {
    const inlines = (
      Array.isArray(role['inline_policy']) ? role['inline_policy'] : role['inline_policy'] ? [role['inline_policy']] : []
    ) as Block[];
    inlines.forEach((inline, i) => add(`${roleAddress}.inline_policy[${i}]`, inline['policy']));
    for (const arn of list(role['managed_policy_arns'])) addManagedArn(`${roleAddress}.managed_policy_arns`, arn);
  }
  return result;
}

/** IAM action wildcard match, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
  return regex.test(action);
}

/** Whether an Allow statement lets its principal read secret values. */
export function readsSecrets(statement: PolicyStatement): boolean {
  if (statement.effect !== 'Allow') return false;
  const action = 'secretsmanager:GetSecretValue';
  if (statement.notActions.length > 0) return !statement.notActions.some((p) => actionMatches(p, action));
  return statement.actions.some((p) => actionMatches(p, action));
}
