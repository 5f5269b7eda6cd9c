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

const KEY_RULE = /^(%(?:R|W|RW|WR))?~(.+)$/i;
const COMMAND_RULE = /^[+-]@?[a-z0-9_.\-|]+$/;
const REFUSED_BY_ELASTICACHE = /^(?:reset|nopass|resetpass|[<>#!].*)$/;

/**
 * The access string as ElastiCache hands it back: DescribeUsers' `AccessString` after CreateUser or
 * ModifyUser with `accessString`. The AWS provider (5.x, `internal/service/elasticache/user.go`) has no
 * DiffSuppressFunc or StateFunc on `access_string` and stores this value verbatim on every read, so a
 * synthesized string that is not already in this form shows a change, and calls ModifyUser, on every
 * apply (hashicorp/terraform-provider-aws#20334: `on allkeys allcommands`).
 *
 * What ElastiCache is seen to return, and what this model reproduces:
 * - `on ~app:* +@read` -> `on ~app:* -@all +@read`, `on ~* &* +@read` -> `on ~* &* -@all +@read`
 *   (seen on a live account: go-to-k/cdk-real-drift#482 and #488);
 * - `on ~* +@all` unchanged (the provider's acceptance test `TestAccElastiCacheUser_update` checks the
 *   state after a read; the AWS CLI `describe-users` example);
 * - `on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit ... -georadiusbymember` unchanged, rule for
 *   rule (`TestAccElastiCacheUser_basic`: empty plan after apply, import verified; the CLI example).
 *   A redis-server 7.0 reports that one as `-@all +@read +geosearchstore`, so what ElastiCache returns
 *   is not the 7.0 engine's rewrite.
 * That is the command part as Redis 7.2+ and Valkey describe it (`ACLDescribeSelectorCommandRules`
 * and `ACLUpdateCommandRules` in valkey-io/valkey `src/acl.c`): `+@all` or `-@all` first (`+@all`
 * when the last of the two given was `+@all`, or `allcommands`), then the rules given after it, in
 * order, lower-cased, a rule for a name already ruled on replacing the earlier one (a command's rule
 * also replaces its `command|sub` rules). `on`/`off` comes first (`off` when neither is given: the
 * ElastiCache RBAC guide), then key patterns (`allkeys` is `~*`), then channels only when given.
 *
 * Channel patterns other than `&*`, and selectors, are refused: no evidence shows how ElastiCache
 * returns them, and the platform never writes them. Passwords and `reset` are refused because
 * ElastiCache refuses them in an access string.
 */
export function elastiCacheAccessString(accessString: string): string {
  const refuse = (rule: string, reason: string): never => {
    throw new ContractViolation('access string', accessString, `rule ${JSON.stringify(rule)} ${reason}`);
  };
  let enabled = false;
  let allKeys = false;
  const keys = new Map<string, { read: boolean; write: boolean }>();
  let channels: '&*' | undefined;
  let allCommands = false;
  let commandRules: string[] = [];

  for (const word of accessString.trim().split(/\s+/).filter(Boolean)) {
    const rule = word.toLowerCase();
    const key = KEY_RULE.exec(word);
    if (word.startsWith('(')) refuse(word, 'is a selector: how ElastiCache returns one is not known, and the platform writes none');
    else if (rule === 'on' || rule === 'off') enabled = rule === 'on';
    else if (rule === 'allkeys') {
      allKeys = true;
      keys.clear();
    } else if (rule === 'resetkeys') {
      allKeys = false;
      keys.clear();
    } else if (key) {
      const permission = (key[1] ?? '%RW').toUpperCase();
      const [read, write] = [permission.includes('R'), permission.includes('W')];
      const pattern = key[2] as string;
      if (pattern === '*' && read && write) {
        allKeys = true;
        keys.clear();
        continue;
      }
      if (allKeys) refuse(word, 'adds a key pattern after ~* (or allkeys): Redis refuses it, write resetkeys first');
      const known = keys.get(pattern);
      keys.set(pattern, { read: read || !!known?.read, write: write || !!known?.write });
    } else if (rule === 'allchannels' || rule === '&*') channels = '&*';
    else if (rule === 'resetchannels' || rule.startsWith('&')) {
      refuse(word, 'names channels other than &*: how ElastiCache returns them is not known, and the platform writes none');
    } else if (rule === '+@all' || rule === 'allcommands') {
      allCommands = true;
      commandRules = [];
    } else if (rule === '-@all' || rule === 'nocommands') {
      allCommands = false;
      commandRules = [];
    } else if (COMMAND_RULE.test(rule)) {
      const name = rule.slice(1);
      commandRules = commandRules.filter((r) => r.slice(1) !== name && !r.slice(1).startsWith(`${name}|`));
      commandRules.push(rule);
    } else if (REFUSED_BY_ELASTICACHE.test(rule)) {
      refuse(
        word,
        'is refused by ElastiCache in an access string: passwords (and reset, which clears them) go through CreateUser/ModifyUser',
      );
    } else refuse(word, 'is not an access-string rule');
  }

  const keyRules = allKeys
    ? ['~*']
    : [...keys].map(([pattern, { read, write }]) => `${read && write ? '' : read ? '%R' : '%W'}~${pattern}`);
  return [enabled ? 'on' : 'off', ...keyRules, ...(channels ? [channels] : []), allCommands ? '+@all' : '-@all', ...commandRules].join(' ');
}
