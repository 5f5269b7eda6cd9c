import { PLATFORM_PREFIX, serviceResourcePatterns } from '@cache-platform/cache-contract';
import {
  actionCoversService,
  arnParts,
  hasWildcard,
  identityPolicies,
  isWildcardResource,
  referencedResource,
  WHOLE_REFERENCE,
  withoutReferences,
  type Statement,
  resourcesOf,
  stringAttr,
  type TfResource,
  type TfStack,
} from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';
import { isPlatformExportParameter, platformParameterPrefix, scopeOf, type StackScope } from './scope';

/** Services whose actions must name their resources: the cache credentials and the cache itself. */
export const SCOPED_SERVICES = ['secretsmanager', 'elasticache', 'ssm'];

/** The only actions of those services a service stack's roles may hold: read its secret, connect as its user. */
export const SERVICE_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'elasticache:Connect',
  'ssm:GetParameter',
  'ssm:GetParameters',
];

export { isWildcardResource };

/** True for an action of a scoped service (`secretsmanager:GetSecretValue`, `ssm:*`, `secrets*:*`) or `*`. */
export function isScopedAction(action: string): boolean {
  return SCOPED_SERVICES.some((service) => actionCoversService(action, service));
}

/**
 * AWS managed policies known to grant Secrets Manager, ElastiCache or SSM on every resource (or to
 * let a role grant itself anything), with what they grant. Checked against the policies' published
 * documents (docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html).
 */
export const BROAD_AWS_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  AdministratorAccess: 'every action on every resource',
  PowerUserAccess: 'every action but IAM on every resource, secretsmanager:GetSecretValue included',
  ReadOnlyAccess: 'read actions on every resource (secretsmanager:DescribeSecret, ssm:GetParameter*, elasticache:Describe*)',
  IAMFullAccess: 'iam:* on every resource: the role can grant itself anything',
  SecretsManagerReadWrite: 'secretsmanager:* on every resource: every secret of the account',
  AmazonElastiCacheFullAccess: 'elasticache:* on every resource: every cache and user, ModifyUser included',
  AmazonElastiCacheReadOnlyAccess: 'elasticache:Describe*/List* on every resource: every user and access string of every cache',
  AmazonSSMFullAccess: 'ssm:* on every resource: every parameter, the platform exports and keyspace claims included',
  AmazonSSMReadOnlyAccess: 'ssm:Get*/Describe*/List* on every resource: every parameter',
  AmazonSSMManagedInstanceCore: 'ssm:GetParameter and ssm:GetParameters on every resource',
  'service-role/AmazonSSMAutomationRole': 'ssm:* automation and lambda:InvokeFunction on every resource',
};

/**
 * AWS managed policies known to leave those three services alone, which a Lambda role commonly
 * needs. Every other AWS managed policy is a finding until it is added here (after reading it) or suppressed.
 */
export const NARROW_AWS_MANAGED_POLICIES: readonly string[] = [
  'service-role/AWSLambdaBasicExecutionRole',
  'service-role/AWSLambdaVPCAccessExecutionRole',
  'AWSXRayDaemonWriteAccess',
  'CloudWatchLambdaInsightsExecutionRole',
];

const AWS_MANAGED = /^arn:(?:aws[a-z-]*|REF):iam::aws:policy\/(.+)$/;

// the policy ARNs attached to roles, users and groups, with the attribute they come from
function attachedPolicyArns(stack: TfStack): { resource: TfResource; arn: unknown }[] {
  const out: { resource: TfResource; arn: unknown }[] = [];
  for (const attachment of resourcesOf(
    stack,
    'aws_iam_role_policy_attachment',
    'aws_iam_user_policy_attachment',
    'aws_iam_group_policy_attachment',
    'aws_iam_policy_attachment',
  ))
    out.push({ resource: attachment, arn: attachment.body['policy_arn'] });
  for (const holder of resourcesOf(
    stack,
    'aws_iam_role',
    'aws_iam_role_policy_attachments_exclusive',
    'aws_iam_user_policy_attachments_exclusive',
    'aws_iam_group_policy_attachments_exclusive',
  )) {
    const value = holder.body[holder.type === 'aws_iam_role' ? 'managed_policy_arns' : 'policy_arns'];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push({ resource: holder, arn: value });
    else if (Array.isArray(value)) for (const arn of value) out.push({ resource: holder, arn });
  }
  return out;
}

function managedPolicyProblem(stack: TfStack, arn: unknown): string | undefined {
  if (typeof arn !== 'string') return `attaches a policy ARN that is not a string (${JSON.stringify(arn)})`;
  const target = referencedResource(stack, arn);
  // a policy of the stack: its document is read and checked as one of the stack's policies
  if (target?.type === 'aws_iam_policy' && target.mode === 'resource' && /\.(arn|id)\}$/.test(arn)) return undefined;
  const resolved = withoutReferences(arn);
  if (resolved === undefined) return `attaches a policy whose ARN is computed at apply time (${arn}), so what it grants cannot be checked`;
  const aws = AWS_MANAGED.exec(resolved);
  if (aws) {
    const name = aws[1] as string;
    if (NARROW_AWS_MANAGED_POLICIES.includes(name)) return undefined;
    const broad = BROAD_AWS_MANAGED_POLICIES[name];
    if (broad) return `attaches the AWS managed policy ${name}, which grants ${broad}`;
    return `attaches the AWS managed policy ${name}, which is not on the list of AWS managed policies known to leave Secrets Manager, ElastiCache and SSM alone (${NARROW_AWS_MANAGED_POLICIES.join(', ')})`;
  }
  return `attaches the managed policy ${arn}, which the stack does not define, so what it grants cannot be checked`;
}

/** Why one resource of a statement granting scoped actions is too wide, or undefined. */
export function resourceProblem(stack: TfStack, scope: StackScope, resource: string): string | undefined {
  const resolved = withoutReferences(resource);
  if (resolved === undefined)
    return 'it is an expression whose value is only known at apply time (write the ARN, or refer to the resource)';
  if (isWildcardResource(resolved)) return 'it matches every resource of its kind';
  if (WHOLE_REFERENCE.test(resource.trim())) return referenceProblem(stack, scope, resource);
  const arn = arnParts(resolved);
  if (!arn) return hasWildcard(resolved) ? 'it is a pattern, not an ARN' : undefined;
  return arnProblem(scope, arn.service, arn.resource);
}

function referenceProblem(stack: TfStack, scope: StackScope, reference: string): string | undefined {
  const target = referencedResource(stack, reference);
  if (!target) return 'it refers to a resource the stack does not define';
  if (target.mode === 'resource') return undefined; // the stack's own secret, user, parameter or cache
  if (target.type === 'aws_ssm_parameter') {
    const name = stringAttr(target.body, 'name') ?? '';
    // the platform's exports (the cache's ARN) are the platform's to keep right
    if (isPlatformExportParameter(name, scope.environment)) return undefined;
    return `it is the value of parameter ${JSON.stringify(name)}, which is not a platform export, so the resource it names cannot be checked`;
  }
  if (target.type === 'aws_secretsmanager_secret') {
    const name = stringAttr(target.body, 'name');
    const arn = stringAttr(target.body, 'arn');
    if (name && !name.includes('${')) return arnProblem(scope, 'secretsmanager', `secret:${name}`);
    const parts = arn ? arnParts(withoutReferences(arn) ?? '') : undefined;
    if (parts) return arnProblem(scope, parts.service, parts.resource);
    return 'it is a secret looked up at apply time, which the rule cannot name';
  }
  return undefined;
}

const literalPrefix = (text: string) => {
  const i = text.search(/[*?]/);
  return i === -1 ? text : text.slice(0, i);
};

function arnProblem(scope: StackScope, service: string, resource: string): string | undefined {
  const env = scope.environment;
  if (service === 'secretsmanager') {
    const name = resource.replace(/^secret:/, '');
    if (scope.platform) {
      return literalPrefix(name).startsWith(`${PLATFORM_PREFIX}/${env}/`)
        ? undefined
        : `it spans secrets outside this environment's service secrets (allowed: ${serviceResourcePatterns(env).secretArnResource})`;
    }
    if (scope.ownSecretNames.some((own) => name === own || name === `${own}-??????`)) return undefined;
    if (literalPrefix(name).startsWith(`${PLATFORM_PREFIX}/`) || `${PLATFORM_PREFIX}/`.startsWith(literalPrefix(name)))
      return `it names cache secrets that are not this stack's own (allowed: ${scope.ownSecretNames.map((n) => `secret:${n}-??????`).join(', ') || 'none'})`;
    const pattern = name.endsWith('-??????') ? name.slice(0, -7) : name;
    if (hasWildcard(pattern))
      return 'it is a name pattern that spans several secrets: name one secret (its name with the random suffix -??????)';
    return undefined;
  }
  if (service === 'ssm') {
    const path = resource.replace(/^parameter/, '');
    const prefix = platformParameterPrefix(env);
    if (scope.platform)
      return literalPrefix(path).startsWith(prefix)
        ? undefined
        : `it spans parameters outside this environment's platform parameters (${prefix}*)`;
    const literal = literalPrefix(path);
    const overlapsPlatform = literal.startsWith(`/${PLATFORM_PREFIX}/`) || `/${PLATFORM_PREFIX}/`.startsWith(literal);
    if (hasWildcard(path) && overlapsPlatform)
      return `it is a pattern over the platform's parameters (/${PLATFORM_PREFIX}/...): name the parameter`;
    if (!hasWildcard(path) && literal.startsWith(`/${PLATFORM_PREFIX}/`) && !path.startsWith(prefix))
      return `it names another environment's platform parameter (this stack is ${env})`;
    return undefined;
  }
  if (service === 'elasticache') {
    if (scope.platform) {
      if (!hasWildcard(resource) || resource === serviceResourcePatterns(env).userArnResource) return undefined;
      const id = resource.replace(/^[a-z]+:/, '');
      return literalPrefix(id).startsWith(`${PLATFORM_PREFIX}-${env}`)
        ? undefined
        : `it spans ElastiCache resources outside this environment (allowed: ${serviceResourcePatterns(env).userArnResource}, ${PLATFORM_PREFIX}-${env}*)`;
    }
    if (hasWildcard(resource)) return 'a service connects as its own user to its own cache: name both, no pattern';
    const user = /^user:(.+)$/.exec(resource);
    if (user && !scope.ownUserIds.includes(user[1] as string))
      return `it names the user ${JSON.stringify(user[1])}, which this stack does not define (own: ${scope.ownUserIds.join(', ') || 'none'})`;
    return undefined;
  }
  return undefined;
}

const label = (s: Statement) => (s.sid ? `statement ${s.sid}` : 'a statement');

export const noWildcardResources: PolicyRule = {
  id: 'CP005',
  name: 'no-wildcard-resources',
  rationale:
    'no Secrets Manager, ElastiCache or SSM statement has a "*" resource: a function reads its own secret and connects as its own user, nothing more',
  fix: 'name the exact ARN (the service\'s own secret, cache and user; a parameter path of its own), never "*", a pattern or NotAction/NotResource; attach no broad or unknown managed policy; write policies as literals, Fn.jsonencode of a literal object or an aws_iam_policy_document so they can be read',
  check(stack) {
    const scope = scopeOf(stack);
    const violations: Violation[] = [];
    for (const policy of identityPolicies(stack)) {
      const { resource } = policy;
      if (policy.unreadable) {
        violations.push({
          resource,
          message: `the policy cannot be read, so what it grants cannot be checked: ${policy.unreadable} (write it as a literal or an aws_iam_policy_document, or suppress CP005 on this resource with a reason)`,
        });
      }
      for (const statement of policy.statements) {
        if (statement.effect.toLowerCase() !== 'allow') continue;
        if (
          statement.notActions.length > 0 &&
          !SCOPED_SERVICES.every((svc) => statement.notActions.some((a) => a.toLowerCase() === `${svc}:*`))
        ) {
          violations.push({
            resource,
            message: `${label(statement)} allows every action but ${statement.notActions.join(', ')} (NotAction), Secrets Manager, ElastiCache and SSM included: list the actions instead`,
          });
        }
        const actions = statement.actions.filter(isScopedAction);
        if (actions.length === 0) continue;
        if (statement.notResources.length > 0) {
          violations.push({
            resource,
            message: `${label(statement)} allows ${actions.join(', ')} on every resource but ${statement.notResources.join(', ')} (NotResource)`,
          });
        }
        if (!scope.platform) {
          const extra = actions.filter((a) => !SERVICE_ACTIONS.some((allowed) => allowed.toLowerCase() === a.toLowerCase()));
          if (extra.length > 0)
            violations.push({
              resource,
              message: `${label(statement)} grants ${extra.join(', ')} in a service stack: a service may only hold ${SERVICE_ACTIONS.join(', ')} (ModifyUser or PutResourcePolicy would let it widen its own reach)`,
            });
        }
        const wildcards = statement.resources.filter((r) => {
          const resolved = withoutReferences(r);
          return resolved !== undefined && isWildcardResource(resolved);
        });
        if (wildcards.length > 0) {
          violations.push({
            resource,
            message: `${label(statement)} allows ${actions.join(', ')} on resource ${wildcards.map((w) => JSON.stringify(w)).join(', ')}`,
          });
        }
        for (const r of statement.resources) {
          if (wildcards.includes(r)) continue;
          const why = resourceProblem(stack, scope, r);
          if (why)
            violations.push({
              resource,
              message: `${label(statement)} allows ${actions.join(', ')} on resource ${JSON.stringify(r)}: ${why}`,
            });
        }
      }
    }
    for (const { resource, arn } of attachedPolicyArns(stack)) {
      const why = managedPolicyProblem(stack, arn);
      if (why) violations.push({ resource, message: why });
    }
    return violations;
  },
};
