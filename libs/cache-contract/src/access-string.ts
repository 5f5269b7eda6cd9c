import { ContractViolation } from './errors';
import { DEFAULT_CACHE_TARGET, resolveEngineVersion, type CacheTarget } from './engine';
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
 * INFO, MONITOR, DEBUG, SHUTDOWN, CLIENT LIST/KILL, ...), on every target:
 * - `scan`, `randomkey`, `cluster|getkeysinslot`, `cluster|countkeysinslot`, `dbsize`: not checked
 *   against key patterns, they would list (or count) other services' keys;
 * - `@pubsub`: channels are not keyspace-scoped here (ElastiCache Serverless runs with
 *   `acl-pubsub-default allchannels`, so removing the commands is what keeps tenants apart);
 * - `@scripting`: FUNCTION and SCRIPT FLUSH act on the whole cache; EVAL/EVALSHA are granted back
 *   below because scripts run with the caller's key permissions;
 * - `select`: other databases are outside every keyspace.
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
  '-select',
];

/**
 * Removed only where the server offers them. ElastiCache Serverless lists both as unavailable, and an
 * access string naming an unavailable command can be refused by `CreateUser`/`ModifyUser`:
 * - `client|tracking`: broadcast tracking pushes the names of every key any tenant writes;
 * - `move`: moves a key to another database, outside every keyspace.
 */
const REMOVED_WHERE_OFFERED = ['-client|tracking', '-move'];

/**
 * Valkey 8 adds `CLUSTER SLOT-STATS`: per-slot key counts and CPU of every tenant, in no ACL category
 * that `-@dangerous` or `-@admin` removes.
 */
const REMOVED_ON_VALKEY_8 = ['-cluster|slot-stats'];

const SCRIPTS_GRANTED = ['+eval', '+evalsha', '+eval_ro', '+evalsha_ro'];
const WRITES_REMOVED = ['-@write'];

/** True when the target's engine has `CLUSTER SLOT-STATS` (Valkey 8 and later). */
function hasSlotStats(target: CacheTarget): boolean {
  return target.engine === 'valkey' && Number(target.majorEngineVersion) >= 8;
}

/**
 * Builds the Redis ACL access string for a service user: enabled, restricted to `<keyspace>:*`,
 * with the profile's commands, naming only commands that exist on `target`. Passwords are never part
 * of it (ElastiCache sets them through the API).
 *
 * @param target the cache the user is created on; defaults to what the platform deploys
 *   (ElastiCache Serverless, Valkey 8)
 */
export function buildAccessString(
  keyspace: string,
  profile: AccessProfile = 'readwrite',
  target: CacheTarget = DEFAULT_CACHE_TARGET,
): string {
  if (!ACCESS_PROFILES.includes(profile)) {
    throw new ContractViolation('access profile', profile, `must be one of ${ACCESS_PROFILES.join(', ')}`);
  }
  resolveEngineVersion(target.engine, target.majorEngineVersion);
  const rules = ['on', `~${keyPattern(keyspace)}`, '+@all', ...ALWAYS_REMOVED];
  if (!target.serverless) rules.push(...REMOVED_WHERE_OFFERED);
  if (hasSlotStats(target)) rules.push(...REMOVED_ON_VALKEY_8);
  if (profile === 'readonly') {
    rules.push(...WRITES_REMOVED, '+eval_ro', '+evalsha_ro');
  } else {
    rules.push(...SCRIPTS_GRANTED);
  }
  return rules.join(' ');
}

/**
 * Commands ElastiCache Serverless lists as unavailable that an access string could name. An access
 * string for a serverless target never contains one of them (a test checks every variant).
 */
export const SERVERLESS_UNAVAILABLE_COMMANDS: readonly string[] = ['client|tracking', 'move'];

/** The access string of the platform's own user named `default`: disabled, no keys, no commands. */
export const DISABLED_DEFAULT_ACCESS_STRING = 'off -@all';
