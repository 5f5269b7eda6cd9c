import {
  AccessStringError,
  evaluateAccessString,
  resourcesOf,
  stringAttr,
  accessStringOf,
  DEFAULT_USER_NAME,
} from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';

export const defaultUserDisabled: PolicyRule = {
  id: 'CP003',
  name: 'default-user-disabled',
  rationale: 'the user group\'s user named "default" is disabled: every connection that does not authenticate logs in as it',
  fix: 'give the user named "default" the access string "off -@all" (DISABLED_DEFAULT_ACCESS_STRING from @cache-platform/cache-contract)',
  check(stack) {
    const violations: Violation[] = [];
    for (const user of resourcesOf(stack, 'aws_elasticache_user')) {
      if (stringAttr(user.body, 'user_name') !== DEFAULT_USER_NAME) continue;
      const read = accessStringOf(user);
      if ('problem' in read) {
        violations.push({ resource: user, message: `the user named "default" ${read.problem}` });
        continue;
      }
      try {
        const state = evaluateAccessString(read.accessString);
        if (state.enabled)
          violations.push({
            resource: user,
            message: `the user named "default" is enabled: access string ${JSON.stringify(read.accessString)}`,
          });
      } catch (error) {
        if (!(error instanceof AccessStringError)) throw error;
        violations.push({ resource: user, message: error.message });
      }
    }
    return violations;
  },
};
