import {
  AccessStringError,
  allowsPubsub,
  evaluateAccessString,
  forbiddenCommandsAllowed,
  keyRule,
  REDIS_COMMANDS,
  tokenizeAccessString,
} from './acl/access-string';
import { accessStringOf, keyspaceOfUser } from './redis-users';
import type { TfResource, TfStack } from './stack';

/**
 * The one verdict on a service user's access string, read by meaning: the policy pack (CP001 for
 * scope, CP002 for commands) and the migration check's step 1 both report exactly these findings,
 * so the two can never disagree on the same string.
 */

/**
 * `scope`: keys, channels and selectors stay inside the user's keyspace (and the string can be read
 * at all); `commands`: no dangerous, admin or key-listing command is allowed.
 */
export type AccessFindingKind = 'unreadable' | 'keyspace' | 'invalid' | 'keys' | 'channels' | 'selectors' | 'commands';

export interface AccessFinding {
  readonly kind: AccessFindingKind;
  /** the part of the policy that owns the finding: CP001 reports `scope`, CP002 `commands` */
  readonly concern: 'scope' | 'commands';
  readonly message: string;
}

// the part of a glob pattern before its first special character: what every matching key starts with
function literalPrefix(pattern: string): string {
  const special = pattern.search(/[*?[\\]/);
  return special === -1 ? pattern : pattern.slice(0, special);
}

/**
 * True when every key (or channel) the pattern matches starts with `<keyspace>:`: `catalog:*` and
 * `catalog:a:*` are inside `catalog`, `catalog*` is not (it matches `catalog-api:x`).
 */
export function patternInsideKeyspace(pattern: string, keyspace: string): boolean {
  return literalPrefix(pattern).startsWith(`${keyspace}:`);
}

/** True when the pattern matches keys of every keyspace (`*`, `?*`, `[a-z]*`): no literal prefix at all. */
export function patternReachesEveryKey(pattern: string): boolean {
  return literalPrefix(pattern) === '';
}

/** `every @dangerous command (flushall, ...)` when a whole category is back, else the commands (best-known first). */
function listCommands(commands: readonly string[]): string {
  const wholeCategories = ['dangerous', 'admin'].filter((category) =>
    Object.entries(REDIS_COMMANDS).every(([command, categories]) => !categories.includes(category) || commands.includes(command)),
  );
  const shown = commands.length > 10 ? `${commands.slice(0, 10).join(', ')} and ${commands.length - 10} more` : commands.join(', ');
  return wholeCategories.length > 0 ? `every ${wholeCategories.map((c) => `@${c}`).join(' and every ')} command (${shown})` : shown;
}

/**
 * What is wrong with an access string for a user of `keyspace` (undefined: the keyspace is not
 * known, and `keyspaceProblem` says why); empty when the string keeps the user inside its keyspace
 * and grants no forbidden command.
 */
export function judgeAccessString(accessString: string, keyspace: string | undefined, keyspaceProblem?: string): AccessFinding[] {
  const findings: AccessFinding[] = [];
  const scope = (kind: AccessFindingKind, message: string) => findings.push({ kind, concern: 'scope', message });
  const commands = (message: string) => findings.push({ kind: 'commands', concern: 'commands', message });
  if (keyspace === undefined)
    scope('keyspace', `cannot tell which keyspace the user belongs to: ${keyspaceProblem ?? 'no keyspace given'}`);
  let state;
  try {
    state = evaluateAccessString(accessString);
  } catch (error) {
    if (!(error instanceof AccessStringError)) throw error;
    // the scope check owns an unreadable string: reporting it twice helps nobody
    if (keyspace !== undefined) scope('invalid', error.message);
    return findings;
  }
  if (keyspace !== undefined) {
    const outside = state.keys.filter((k) => !patternInsideKeyspace(k.pattern, keyspace)).map(keyRule);
    if (outside.length > 0) {
      scope('keys', `access string grants key pattern(s) ${outside.join(' ')} outside keyspace "${keyspace}" (allowed: ~${keyspace}:*)`);
    }
    const channels = state.channels.filter((c) => !patternInsideKeyspace(c, keyspace)).map((c) => `&${c}`);
    // channels left at the cache's default (allchannels on ElastiCache Serverless) matter only when
    // the user may use pub/sub at all: the platform's access strings remove @pubsub instead
    if (channels.length > 0 && state.channelsByDefault && allowsPubsub(state)) {
      scope(
        'channels',
        `access string allows pub/sub commands and sets no channel pattern, so the cache's default allchannels applies (allowed: &${keyspace}:*, or -@pubsub)`,
      );
    } else if (channels.length > 0 && !state.channelsByDefault) {
      scope(
        'channels',
        `access string grants channel pattern(s) ${channels.join(' ')} outside keyspace "${keyspace}" (allowed: &${keyspace}:*)`,
      );
    }
  }
  const selectors = tokenizeAccessString(accessString).filter((t) => t.startsWith('('));
  if (keyspace !== undefined && state.selectors.length > 0) {
    scope(
      'selectors',
      `access string has selector(s) ${selectors.join(' ')}: a selector is a second set of permissions that this rule cannot bound; remove it`,
    );
  }
  const allowed = forbiddenCommandsAllowed(state);
  if (allowed.length > 0) commands(`access string ${JSON.stringify(accessString)} allows ${listCommands(allowed)}`);
  for (const selector of selectors) {
    try {
      const inner = forbiddenCommandsAllowed(evaluateAccessString(`on ${selector.slice(1, -1)}`, { pubsubDefault: 'resetchannels' }));
      if (inner.length > 0) commands(`selector ${selector} allows ${listCommands(inner)}`);
    } catch (error) {
      if (!(error instanceof AccessStringError)) throw error;
    }
  }
  return findings;
}

/**
 * The verdict on a service user of a stack: its literal access string judged against its keyspace,
 * which is `keyspace` when the caller knows it (a service's manifest), else the stack's claim
 * ({@link keyspaceOfUser}).
 */
export function judgeServiceUser(stack: TfStack, user: TfResource, keyspace?: string): AccessFinding[] {
  const read = accessStringOf(user);
  if ('problem' in read) return [{ kind: 'unreadable', concern: 'scope', message: `the user ${read.problem}` }];
  if (keyspace !== undefined) return judgeAccessString(read.accessString, keyspace);
  const owner = keyspaceOfUser(stack, user);
  return 'problem' in owner
    ? judgeAccessString(read.accessString, undefined, owner.problem)
    : judgeAccessString(read.accessString, owner.keyspace);
}
