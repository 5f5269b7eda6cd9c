import { referencedResource, resourcesOf } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';

export const cacheUsesPlatformGroup: PolicyRule = {
  id: 'CP016',
  name: 'cache-uses-platform-group',
  rationale:
    "every cache takes the platform's user group of its stack: a cache without one lets every connection in as AWS's default user (on ~* +@all, no password)",
  fix: 'set user_group_id of the aws_elasticache_serverless_cache (user_group_ids of a replication group) to the group the stack defines (${aws_elasticache_user_group.<group>.user_group_id})',
  check(stack) {
    const violations: Violation[] = [];
    const ownGroup = (value: unknown) => {
      if (typeof value !== 'string') return false;
      const target = referencedResource(stack, value);
      return target?.mode === 'resource' && target.type === 'aws_elasticache_user_group';
    };
    for (const cache of resourcesOf(stack, 'aws_elasticache_serverless_cache')) {
      const group = cache.body['user_group_id'];
      if (group === undefined || group === null || group === '')
        violations.push({
          resource: cache,
          message: "the cache has no user_group_id: every connection logs in as AWS's default user (on ~* +@all, no password)",
        });
      else if (!ownGroup(group))
        violations.push({ resource: cache, message: `user_group_id ${JSON.stringify(group)} is not the user group this stack defines` });
    }
    for (const cache of resourcesOf(stack, 'aws_elasticache_replication_group')) {
      const groups = cache.body['user_group_ids'];
      const list = Array.isArray(groups) ? groups : groups === undefined ? [] : [groups];
      if (list.length === 0)
        violations.push({
          resource: cache,
          message: 'the replication group has no user_group_ids: access is by the default user or an AUTH token shared by everyone',
        });
      for (const g of list)
        if (!ownGroup(g))
          violations.push({ resource: cache, message: `user_group_ids holds ${JSON.stringify(g)}, not the user group this stack defines` });
    }
    return violations;
  },
};
