import { judgeServiceUser, serviceUsers } from '@cache-platform/stack-analysis';
import type { PolicyRule } from '../rule';

export const keyspacePatterns: PolicyRule = {
  id: 'CP001',
  name: 'keyspace-patterns',
  rationale: "a service user's key and channel patterns stay inside its own keyspace, so no service can read or write another's keys",
  fix: 'grant only ~<keyspace>:* (and &<keyspace>:* for channels): build the access string with buildAccessString from @cache-platform/cache-contract, and drop allkeys, allchannels, ~* and selectors',
  check(stack) {
    return serviceUsers(stack).flatMap((user) =>
      judgeServiceUser(stack, user)
        .filter((finding) => finding.concern === 'scope')
        .map((finding) => ({ resource: user, message: finding.message })),
    );
  },
};
