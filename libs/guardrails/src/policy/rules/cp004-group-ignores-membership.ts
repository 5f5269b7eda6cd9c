import type { PolicyRule, Violation } from '../rule';
import { block, resourcesOf } from '@cache-platform/stack-analysis';

export const groupIgnoresMembership: PolicyRule = {
  id: 'CP004',
  name: 'group-ignores-membership',
  rationale:
    "the platform's user group ignores changes to user_ids: services join it with their own associations, and a platform deploy must not remove them",
  fix: 'set lifecycle { ignore_changes = ["user_ids"] } on the aws_elasticache_user_group (the cache-foundation construct does)',
  check(stack) {
    const violations: Violation[] = [];
    for (const group of resourcesOf(stack, 'aws_elasticache_user_group')) {
      const ignored = block(group.body['lifecycle'])?.['ignore_changes'];
      const ok = ignored === 'all' || (Array.isArray(ignored) && ignored.some((a) => a === 'user_ids' || a === 'all'));
      if (!ok) {
        violations.push({
          resource: group,
          message: `user group does not ignore changes to user_ids (lifecycle.ignore_changes is ${JSON.stringify(ignored ?? null)}): every platform deploy would remove every service's membership`,
        });
      }
    }
    return violations;
  },
};
