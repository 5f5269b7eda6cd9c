import {
  AccessStringError,
  evaluateAccessString,
  forbiddenCommandsAllowed,
  REDIS_COMMANDS,
  tokenizeAccessString,
} from '../../acl/access-string';
import type { PolicyRule, Violation } from '../rule';
import { accessStringOf, serviceUsers } from './redis-users';

/** `every @dangerous command (flushall, ...)` when a whole category is back, else the commands (best-known first). */
function list(commands: readonly string[]): string {
  const wholeCategories = ['dangerous', 'admin'].filter((category) =>
    Object.entries(REDIS_COMMANDS).every(([command, categories]) => !categories.includes(category) || commands.includes(command)),
  );
  const shown = commands.length > 10 ? `${commands.slice(0, 10).join(', ')} and ${commands.length - 10} more` : commands.join(', ');
  return wholeCategories.length > 0 ? `every ${wholeCategories.map((c) => `@${c}`).join(' and every ')} command (${shown})` : shown;
}

export const dangerousCommands: PolicyRule = {
  id: 'CP002',
  name: 'no-dangerous-commands',
  rationale:
    'no service user holds a dangerous or admin command (FLUSHALL, KEYS, CONFIG, ...): one tenant must not wipe, list or reconfigure the shared cache',
  fix: 'keep -@dangerous -@admin and the key-listing removals of buildAccessString, and do not grant any of them back (+@dangerous, +@admin, +flushall, +keys, ...)',
  check(stack) {
    const violations: Violation[] = [];
    for (const user of serviceUsers(stack)) {
      const read = accessStringOf(user);
      // an unreadable access string is CP001's finding; reporting it twice helps nobody
      if ('problem' in read) continue;
      try {
        const state = evaluateAccessString(read.accessString);
        const allowed = forbiddenCommandsAllowed(state);
        if (allowed.length > 0) {
          violations.push({ resource: user, message: `access string ${JSON.stringify(read.accessString)} allows ${list(allowed)}` });
        }
        for (const selector of tokenizeAccessString(read.accessString).filter((t) => t.startsWith('('))) {
          const inner = forbiddenCommandsAllowed(evaluateAccessString(`on ${selector.slice(1, -1)}`, { pubsubDefault: 'resetchannels' }));
          if (inner.length > 0) violations.push({ resource: user, message: `selector ${selector} allows ${list(inner)}` });
        }
      } catch (error) {
        if (!(error instanceof AccessStringError)) throw error;
      }
    }
    return violations;
  },
};
