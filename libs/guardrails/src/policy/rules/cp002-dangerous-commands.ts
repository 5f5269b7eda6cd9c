import { judgeServiceUser, serviceUsers } from '@cache-platform/stack-analysis';
import type { PolicyRule } from '../rule';

export const dangerousCommands: PolicyRule = {
  id: 'CP002',
  name: 'no-dangerous-commands',
  rationale:
    'no service user holds a dangerous or admin command (FLUSHALL, KEYS, CONFIG, ...): one tenant must not wipe, list or reconfigure the shared cache',
  fix: 'keep -@dangerous -@admin and the key-listing removals of buildAccessString, and do not grant any of them back (+@dangerous, +@admin, +flushall, +keys, ...)',
  check(stack) {
    return serviceUsers(stack).flatMap((user) =>
      judgeServiceUser(stack, user)
        .filter((finding) => finding.concern === 'commands')
        .map((finding) => ({ resource: user, message: finding.message })),
    );
  },
};
