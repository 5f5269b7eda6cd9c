import { AccessStringError, allowsPubsub, evaluateAccessString, keyRule, tokenizeAccessString } from '../../acl/access-string';
import type { PolicyRule, Violation } from '../rule';
import { accessStringOf, keyspaceOfUser, serviceUsers } from './redis-users';

// the part of a glob pattern before its first special character: what every matching key starts with
function literalPrefix(pattern: string): string {
  const special = pattern.search(/[*?[\\]/);
  return special === -1 ? pattern : pattern.slice(0, special);
}

/** True when every key (or channel) the pattern matches starts with `<keyspace>:`. */
export function patternInsideKeyspace(pattern: string, keyspace: string): boolean {
  return literalPrefix(pattern).startsWith(`${keyspace}:`);
}

export const keyspacePatterns: PolicyRule = {
  id: 'CP001',
  name: 'keyspace-patterns',
  rationale: "a service user's key and channel patterns stay inside its own keyspace, so no service can read or write another's keys",
  fix: 'grant only ~<keyspace>:* (and &<keyspace>:* for channels): build the access string with buildAccessString from @cache-platform/cache-contract, and drop allkeys, allchannels, ~* and selectors',
  check(stack) {
    const violations: Violation[] = [];
    for (const user of serviceUsers(stack)) {
      const read = accessStringOf(user);
      if ('problem' in read) {
        violations.push({ resource: user, message: `the user ${read.problem}` });
        continue;
      }
      const owner = keyspaceOfUser(stack, user);
      if ('problem' in owner) {
        violations.push({ resource: user, message: `cannot tell which keyspace the user belongs to: ${owner.problem}` });
        continue;
      }
      let state;
      try {
        state = evaluateAccessString(read.accessString);
      } catch (error) {
        if (!(error instanceof AccessStringError)) throw error;
        violations.push({ resource: user, message: error.message });
        continue;
      }
      const outside = state.keys.filter((k) => !patternInsideKeyspace(k.pattern, owner.keyspace)).map(keyRule);
      if (outside.length > 0) {
        violations.push({
          resource: user,
          message: `access string grants key pattern(s) ${outside.join(' ')} outside keyspace "${owner.keyspace}" (allowed: ~${owner.keyspace}:*)`,
        });
      }
      const channels = state.channels.filter((c) => !patternInsideKeyspace(c, owner.keyspace)).map((c) => `&${c}`);
      // channels left at the cache's default (allchannels on ElastiCache Serverless) matter only when
      // the user may use pub/sub at all: the platform's access strings remove @pubsub instead
      if (channels.length > 0 && state.channelsByDefault && allowsPubsub(state)) {
        violations.push({
          resource: user,
          message: `access string allows pub/sub commands and sets no channel pattern, so the cache's default allchannels applies (allowed: &${owner.keyspace}:*, or -@pubsub)`,
        });
      } else if (channels.length > 0 && !state.channelsByDefault) {
        violations.push({
          resource: user,
          message: `access string grants channel pattern(s) ${channels.join(' ')} outside keyspace "${owner.keyspace}" (allowed: &${owner.keyspace}:*)`,
        });
      }
      if (state.selectors.length > 0) {
        violations.push({
          resource: user,
          message: `access string has selector(s) ${tokenizeAccessString(read.accessString)
            .filter((t) => t.startsWith('('))
            .join(' ')}: a selector is a second set of permissions that this rule cannot bound; remove it`,
        });
      }
    }
    return violations;
  },
};
