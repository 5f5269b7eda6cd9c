import { ContractViolation } from './errors';
import { keyPattern } from './keyspace';

/**
 * What a service may do inside its own keyspace.
 * - `readwrite`: the cache-aside path (reads, writes, expiry, transactions, Lua for lock release).
 * - `readonly`: reads only, for consumers of another team's warmed cache (still only in its own keyspace).
 */
export type AccessProfile = 'readwrite' | 'readonly';

export const ACCESS_PROFILES: readonly AccessProfile[] = ['readwrite', 'readonly'];

/**
 * Commands removed on top of `-@dangerous` (which already removes KEYS, FLUSHALL, FLUSHDB, CONFIG,
 * INFO, MONITOR, DEBUG, SHUTDOWN, CLIENT LIST/KILL, ...):
 * - `scan`, `randomkey`, `cluster|getkeysinslot`, `cluster|countkeysinslot`, `dbsize`: not checked
 *   against key patterns, they would list (or count) other services' keys;
 * - `client|tracking`: broadcast tracking pushes the names of every key any tenant writes;
 * - `@pubsub`: channels are not keyspace-scoped here;
 * - `@scripting`: FUNCTION and SCRIPT FLUSH act on the whole cache; EVAL/EVALSHA are granted back
 *   below because scripts run with the caller's key permissions.
 * CLUSTER SLOTS, READONLY and PING stay allowed: a cluster client needs them to discover slots and
 * use replicas.
 */
const ALWAYS_REMOVED = [
  '-@dangerous',
  '-@admin',
  '-@pubsub',
  '-@scripting',
  '-scan',
  '-randomkey',
  '-dbsize',
  '-cluster|getkeysinslot',
  '-cluster|countkeysinslot',
  '-client|tracking',
  '-select',
  '-move',
];
const SCRIPTS_GRANTED = ['+eval', '+evalsha', '+eval_ro', '+evalsha_ro'];
const WRITES_REMOVED = ['-@write'];

/**
 * Builds the Redis ACL access string for a service user: enabled, restricted to `<keyspace>:*`,
 * with the profile's commands. Passwords are never part of it (ElastiCache sets them through the API).
 */
export function buildAccessString(keyspace: string, profile: AccessProfile = 'readwrite'): string {
  if (!ACCESS_PROFILES.includes(profile)) {
    throw new ContractViolation('access profile', profile, `must be one of ${ACCESS_PROFILES.join(', ')}`);
  }
  const rules = ['on', `~${keyPattern(keyspace)}`, '+@all', ...ALWAYS_REMOVED];
  if (profile === 'readonly') {
    rules.push(...WRITES_REMOVED, '+eval_ro', '+evalsha_ro');
  } else {
    rules.push(...SCRIPTS_GRANTED);
  }
  return rules.join(' ');
}

/** The access string of the platform's own user named `default`: disabled, no keys, no commands. */
export const DISABLED_DEFAULT_ACCESS_STRING = 'off -@all';
