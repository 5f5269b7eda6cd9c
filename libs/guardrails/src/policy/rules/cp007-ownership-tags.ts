import { OWNERSHIP_TAG_KEYS } from '@cache-platform/cache-contract';
import type { PolicyRule, Violation } from '../rule';
import { effectiveTags, resourcesOf, claimsOf } from '@cache-platform/stack-analysis';

const REQUIRED = Object.values(OWNERSHIP_TAG_KEYS);

export const ownershipTags: PolicyRule = {
  id: 'CP007',
  name: 'ownership-tags',
  rationale: 'every Redis user, secret and keyspace claim carries the ownership tags, so nobody has to guess who created it and why',
  fix: `keep the provider's default_tags (ownershipTags from @cache-platform/cache-contract) and never blank them on the resource: ${REQUIRED.join(', ')}`,
  check(stack) {
    const subjects = [
      ...resourcesOf(stack, 'aws_elasticache_user', 'aws_secretsmanager_secret'),
      ...claimsOf(stack).map((c) => c.resource),
    ];
    const violations: Violation[] = [];
    for (const resource of subjects) {
      const tags = effectiveTags(stack, resource);
      const missing = REQUIRED.filter((key) => tags[key] === undefined);
      if (missing.length > 0) violations.push({ resource, message: `missing ownership tag(s) ${missing.join(', ')}` });
    }
    return violations;
  },
};
