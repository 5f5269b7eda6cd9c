import { referencedResource, resourcesOf, stringAttr, type TfStack } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';
import { isPlatformExportParameter, scopeOf } from './scope';

// a reference to a user the stack defines: `${aws_elasticache_user.<name>.user_id}` (or `.id`)
function isOwnUser(stack: TfStack, value: unknown): boolean {
  if (typeof value !== 'string' || !/\.(user_id|id)\}$/.test(value.trim())) return false;
  const target = referencedResource(stack, value);
  return target?.mode === 'resource' && target.type === 'aws_elasticache_user';
}

function groupProblem(stack: TfStack, value: unknown): string | undefined {
  const scope = scopeOf(stack);
  const target = typeof value === 'string' ? referencedResource(stack, value) : undefined;
  if (target?.mode === 'resource' && target.type === 'aws_elasticache_user_group') return undefined;
  if (!scope.platform && target?.type === 'aws_ssm_parameter' && target.mode === 'data') {
    const name = stringAttr(target.body, 'name') ?? '';
    if (isPlatformExportParameter(name, scope.environment) && name.endsWith('/user-group-id')) return undefined;
  }
  return `user_group_id ${JSON.stringify(value ?? null)} is not the platform's group (${scope.platform ? 'a group this stack defines' : `the user-group-id export of ${scope.environment}`})`;
}

export const groupMembersDefinedHere: PolicyRule = {
  id: 'CP014',
  name: 'group-members-defined-here',
  rationale:
    "a stack adds to a user group only users it defines itself, and only to the platform's group: a user from elsewhere could be an admin or AWS's own open default user",
  fix: 'set user_id of the aws_elasticache_user_group_association to the user the stack creates (${aws_elasticache_user.<user>.user_id}) and user_group_id to the platform export; put no literal user id in a group',
  check(stack) {
    const violations: Violation[] = [];
    for (const association of resourcesOf(stack, 'aws_elasticache_user_group_association')) {
      const userId = association.body['user_id'];
      if (!isOwnUser(stack, userId))
        violations.push({
          resource: association,
          message: `adds user ${JSON.stringify(userId ?? null)}, which this stack does not define: it could be an admin user or AWS's own "default" (on ~* +@all, no password)`,
        });
      const why = groupProblem(stack, association.body['user_group_id']);
      if (why) violations.push({ resource: association, message: why });
    }
    for (const group of resourcesOf(stack, 'aws_elasticache_user_group')) {
      const ids = group.body['user_ids'];
      const list = Array.isArray(ids) ? ids : ids === undefined ? [] : [ids];
      for (const id of list)
        if (!isOwnUser(stack, id))
          violations.push({
            resource: group,
            message: `user_ids holds ${JSON.stringify(id)}, which is not a user this stack defines: it could be an admin user or AWS's own "default" (on ~* +@all, no password)`,
          });
    }
    return violations;
  },
};
