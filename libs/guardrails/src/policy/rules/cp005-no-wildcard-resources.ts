import type { PolicyRule, Violation } from '../rule';
import { blocks, dataOf, resourcesOf, stringAttr, type TfResource } from '../stack';

/** Services whose actions must name their resources: the cache credentials and the cache itself. */
const SCOPED_SERVICES = ['secretsmanager', 'elasticache', 'ssm'];

// `*`, or an ARN whose resource part is a bare wildcard (`...:secret:*`, `...:parameter/*`, `...:user:*`)
const WILDCARD_ARN = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(?:[A-Za-z-]+[:/])?\*$/;

/** True for a resource that matches every resource of its kind. */
export function isWildcardResource(resource: string): boolean {
  return resource === '*' || WILDCARD_ARN.test(resource);
}

/** True for an action of a scoped service (`secretsmanager:GetSecretValue`, `ssm:*`) or `*`. */
export function isScopedAction(action: string): boolean {
  const lower = action.toLowerCase();
  return lower === '*' || SCOPED_SERVICES.some((service) => lower.startsWith(`${service}:`));
}

interface Statement {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly sid: string | undefined;
}

const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

// an IAM policy document as JSON text (a literal policy attribute); computed ones are checked where computed
function statementsOfJson(text: string | undefined): Statement[] | undefined {
  if (text === undefined || text.trim().startsWith('${')) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const raw = (doc as { Statement?: unknown })?.Statement;
  return blocks(raw).map((s) => ({
    effect: typeof s['Effect'] === 'string' ? s['Effect'] : 'Allow',
    actions: strings(s['Action']),
    resources: strings(s['Resource']),
    notResources: strings(s['NotResource']),
    sid: typeof s['Sid'] === 'string' ? s['Sid'] : undefined,
  }));
}

function statementsOfDocument(document: TfResource): Statement[] {
  return blocks(document.body['statement']).map((s) => ({
    effect: typeof s['effect'] === 'string' ? s['effect'] : 'Allow',
    actions: strings(s['actions']),
    resources: strings(s['resources']),
    notResources: strings(s['not_resources']),
    sid: typeof s['sid'] === 'string' ? s['sid'] : undefined,
  }));
}

// identity policies only: a secret's own resource policy names the secret as `*` by design
const POLICY_RESOURCES = ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];

export const noWildcardResources: PolicyRule = {
  id: 'CP005',
  name: 'no-wildcard-resources',
  rationale:
    'no Secrets Manager, ElastiCache or SSM statement has a "*" resource: a function reads its own secret and connects as its own user, nothing more',
  fix: 'name the exact ARN (the service\'s own secret, cache and user; a parameter path of its own), never "*" or a bare wildcard ARN, and no NotResource',
  check(stack) {
    const found: { resource: TfResource; statements: Statement[] }[] = [];
    for (const document of dataOf(stack, 'aws_iam_policy_document'))
      found.push({ resource: document, statements: statementsOfDocument(document) });
    for (const policy of resourcesOf(stack, ...POLICY_RESOURCES)) {
      const statements = statementsOfJson(stringAttr(policy.body, 'policy'));
      if (statements) found.push({ resource: policy, statements });
    }
    for (const role of resourcesOf(stack, 'aws_iam_role')) {
      const statements = blocks(role.body['inline_policy']).flatMap((inline) => statementsOfJson(stringAttr(inline, 'policy')) ?? []);
      found.push({ resource: role, statements });
    }
    const violations: Violation[] = [];
    for (const { resource, statements } of found) {
      for (const statement of statements) {
        if (statement.effect.toLowerCase() !== 'allow') continue;
        const actions = statement.actions.filter(isScopedAction);
        if (actions.length === 0) continue;
        const label = statement.sid ? `statement ${statement.sid}` : 'a statement';
        const wildcards = statement.resources.filter(isWildcardResource);
        if (wildcards.length > 0) {
          violations.push({
            resource,
            message: `${label} allows ${actions.join(', ')} on resource ${wildcards.map((w) => JSON.stringify(w)).join(', ')}`,
          });
        }
        if (statement.notResources.length > 0) {
          violations.push({
            resource,
            message: `${label} allows ${actions.join(', ')} on every resource but ${statement.notResources.join(', ')} (NotResource)`,
          });
        }
      }
    }
    return violations;
  },
};
