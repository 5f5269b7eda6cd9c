import commandTable from './redis-commands.json';

/**
 * Redis ACL access strings read by meaning. ElastiCache hands access strings back rewritten (`on
 * ~app:* +@read` reads back as `on ~app:* -@all +@read`), Redis itself compacts them (`-@admin` after
 * `-@dangerous` disappears: every admin command is dangerous already), so two strings are compared by
 * what they allow: the user's state after applying every rule in order, over a table of every Redis
 * command and its ACL categories (`redis-commands.json`, taken from a real redis-server 7.0 with `ACL
 * CAT`; a test checks it against the installed server). The policy rules and the user planner both
 * read access strings through this one module.
 */

interface CommandTable {
  readonly source: string;
  readonly categories: readonly string[];
  readonly commands: Readonly<Record<string, readonly string[]>>;
}

const TABLE = commandTable as CommandTable;

/** Every command (subcommands as `container|sub`) Redis 7.0 knows, with its ACL categories. */
export const REDIS_COMMANDS: Readonly<Record<string, readonly string[]>> = TABLE.commands;
/** Every ACL category. */
export const ACL_CATEGORIES: readonly string[] = TABLE.categories;

/** Thrown when an access string holds a rule Redis would refuse (or that we do not know). */
export class AccessStringError extends Error {
  override readonly name = 'AccessStringError';
  constructor(
    readonly accessString: string,
    readonly rule: string,
    reason: string,
  ) {
    super(`invalid access string ${JSON.stringify(accessString)}: rule ${JSON.stringify(rule)} ${reason}`);
  }
}

/** One key pattern with the permission it carries (`~p` is read-write, `%R~p` read-only, ...). */
export interface KeyPattern {
  readonly pattern: string;
  readonly permission: 'RW' | 'R' | 'W';
}

/** A user's permissions after every rule of an access string, in a form that compares by meaning. */
export interface AccessState {
  readonly enabled: boolean;
  /** key patterns, sorted, without duplicates; `~*` alone when every key is allowed */
  readonly keys: readonly KeyPattern[];
  /** channel patterns, sorted; `*` alone when every channel is allowed */
  readonly channels: readonly string[];
  /** allowed commands (leaves: `get`, `config|get`), sorted, over {@link AccessState.universe} */
  readonly commands: readonly string[];
  /** every command the state was evaluated over: the table plus every command the rules named */
  readonly universe: readonly string[];
  /** Redis 7 selectors `( ... )`: a second, independent set of permissions, kept verbatim */
  readonly selectors: readonly string[];
  /** true when no rule set the channels: they are the server's `acl-pubsub-default` */
  readonly channelsByDefault: boolean;
}

/**
 * The channels a new user gets: ElastiCache Serverless runs with `acl-pubsub-default allchannels`,
 * a stock Redis 7 with `resetchannels`.
 */
export type PubsubDefault = 'allchannels' | 'resetchannels';

export interface EvaluateOptions {
  /** commands to add to the universe (see {@link compareAccessStrings}) */
  readonly extraCommands?: readonly string[];
  /** @default 'allchannels' (ElastiCache Serverless) */
  readonly pubsubDefault?: PubsubDefault;
}

/**
 * Commands Redis never checks against the ACL (flag `no-auth`): every user may run them whatever
 * its rules say (found by ACL DRYRUN against a real server), so they are always in the allowed set.
 */
export const NEVER_CHECKED_COMMANDS: readonly string[] = ['auth', 'hello', 'quit', 'reset'];

const PASSWORD_RULE = /^(?:nopass|resetpass|[<>#!].*)$/;
// Redis reads the flags case-insensitively: `%r~*` is `%R~*` (ACL SETUSER on redis-server 7.0)
const KEY_RULE = /^(?:%(R|W|RW|WR))?~(.*)$/i;
const COMMAND_NAME = /^[a-z0-9_.\-|]+$/;

/**
 * Splits an access string into rules; a selector `( ... )` is one rule even with spaces inside.
 * Case is kept for patterns and passwords; everything else is compared lower-cased by the caller.
 */
export function tokenizeAccessString(accessString: string): string[] {
  const tokens: string[] = [];
  const words = accessString.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('(')) {
      tokens.push(word);
      continue;
    }
    let selector = word;
    while (!selector.endsWith(')') && i + 1 < words.length) selector += ` ${words[++i]}`;
    if (!selector.endsWith(')')) throw new AccessStringError(accessString, selector, 'opens a selector "(" that is never closed');
    tokens.push(selector);
  }
  return tokens;
}

/** The commands (table leaves plus named extras) a rule's command name stands for. */
function commandsNamed(name: string, universe: ReadonlySet<string>): string[] {
  if (name.includes('|')) return [name];
  const matches = [name, ...[...universe].filter((c) => c.startsWith(`${name}|`))];
  return matches;
}

function namedCommands(tokens: readonly string[]): string[] {
  const names: string[] = [];
  for (const token of tokens) {
    const t = token.toLowerCase();
    if ((t.startsWith('+') || t.startsWith('-')) && !t.startsWith('+@') && !t.startsWith('-@')) names.push(t.slice(1));
  }
  return names;
}

/**
 * Applies an access string's rules in order, as Redis does, starting from a new user (off, no keys,
 * the server's default channels, no commands). `extraCommands` widens the command universe, so that
 * two strings are evaluated over the same set (see {@link compareAccessStrings}).
 */
export function evaluateAccessString(accessString: string, options: EvaluateOptions = {}): AccessState {
  const tokens = tokenizeAccessString(accessString);
  const universe = new Set<string>([...Object.keys(REDIS_COMMANDS), ...(options.extraCommands ?? []), ...namedCommands(tokens)]);
  let enabled = false;
  let keys: KeyPattern[] = [];
  let channelsByDefault = true;
  let channels: string[] = (options.pubsubDefault ?? 'allchannels') === 'allchannels' ? ['*'] : [];
  let commands = new Set<string>();
  let selectors: string[] = [];
  const inCategory = (category: string) => [...universe].filter((c) => REDIS_COMMANDS[c]?.includes(category));

  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (token.startsWith('(')) {
      // a selector starts empty (no keys, no commands) and is compared by its own meaning
      const inner = evaluateAccessString(token.slice(1, -1), { ...options, extraCommands: [...universe] });
      selectors.push(`(${formatAccessState(inner).split(' ').slice(1).join(' ')})`);
      continue;
    }
    const key = KEY_RULE.exec(token);
    if (key) {
      const flags = (key[1] ?? 'RW').toUpperCase();
      keys.push({ pattern: key[2] as string, permission: flags === 'R' ? 'R' : flags === 'W' ? 'W' : 'RW' });
      continue;
    }
    if (token.startsWith('&')) {
      if (channelsByDefault) channels = [];
      channelsByDefault = false;
      channels.push(token.slice(1));
      continue;
    }
    if (PASSWORD_RULE.test(token)) continue;
    switch (lower) {
      case 'on':
        enabled = true;
        continue;
      case 'off':
        enabled = false;
        continue;
      case 'allkeys':
        keys.push({ pattern: '*', permission: 'RW' });
        continue;
      case 'resetkeys':
        keys = [];
        continue;
      case 'allchannels':
        channelsByDefault = false;
        channels = ['*'];
        continue;
      case 'resetchannels':
        channelsByDefault = false;
        channels = [];
        continue;
      case 'allcommands':
      case '+@all':
        commands = new Set(universe);
        continue;
      case 'nocommands':
      case '-@all':
        commands = new Set();
        continue;
      case 'clearselectors':
        selectors = [];
        continue;
      case 'reset':
        // `reset` sets the channels to the server default
        enabled = false;
        keys = [];
        channelsByDefault = true;
        channels = (options.pubsubDefault ?? 'allchannels') === 'allchannels' ? ['*'] : [];
        commands = new Set();
        selectors = [];
        continue;
    }
    const sign = lower[0];
    if (sign !== '+' && sign !== '-') throw new AccessStringError(accessString, token, 'is not a Redis ACL rule');
    const body = lower.slice(1);
    let affected: string[];
    if (body.startsWith('@')) {
      const category = body.slice(1);
      if (!ACL_CATEGORIES.includes(category)) {
        throw new AccessStringError(accessString, token, `names an unknown ACL category (known: ${ACL_CATEGORIES.join(', ')})`);
      }
      affected = inCategory(category);
    } else {
      if (!COMMAND_NAME.test(body)) throw new AccessStringError(accessString, token, 'is not a command name');
      affected = commandsNamed(body, universe);
    }
    for (const command of affected) {
      if (sign === '+') commands.add(command);
      else commands.delete(command);
    }
  }
  return {
    enabled,
    keys: normaliseKeys(keys),
    channels: normaliseChannels(channels),
    commands: [...new Set([...commands, ...NEVER_CHECKED_COMMANDS.filter((c) => universe.has(c))])].sort(),
    universe: [...universe].sort(),
    selectors: [...selectors].sort(),
    channelsByDefault,
  };
}

// `~*` allows every key for reading and writing: every other pattern is then redundant
function normaliseKeys(keys: readonly KeyPattern[]): KeyPattern[] {
  if (keys.some((k) => k.pattern === '*' && k.permission === 'RW')) return [{ pattern: '*', permission: 'RW' }];
  const unique = new Map(keys.map((k) => [`${k.permission}~${k.pattern}`, k]));
  return [...unique.values()].sort((a, b) =>
    a.pattern === b.pattern ? a.permission.localeCompare(b.permission) : a.pattern < b.pattern ? -1 : 1,
  );
}

function normaliseChannels(channels: readonly string[]): string[] {
  if (channels.includes('*')) return ['*'];
  return [...new Set(channels)].sort();
}

/** `~p`, `%R~p`, `%W~p`: a key pattern as an access-string rule. */
export function keyRule(key: KeyPattern): string {
  return key.permission === 'RW' ? `~${key.pattern}` : `%${key.permission}~${key.pattern}`;
}

/**
 * The canonical text of an access string: `on|off`, key patterns, channel patterns (or
 * `resetchannels`), then the commands as the shorter of `+@all -<denied...>` and `-@all
 * +<allowed...>`, each list sorted. Two access strings have the same canonical text exactly when they
 * allow the same thing (over the same command universe).
 */
export function canonicalAccessString(accessString: string, options: EvaluateOptions = {}): string {
  return formatAccessState(evaluateAccessString(accessString, options));
}

export function formatAccessState(state: AccessState): string {
  const allowed = new Set(state.commands);
  const denied = state.universe.filter((c) => !allowed.has(c));
  const commands =
    denied.length <= state.commands.length ? ['+@all', ...denied.map((c) => `-${c}`)] : ['-@all', ...state.commands.map((c) => `+${c}`)];
  return [
    state.enabled ? 'on' : 'off',
    ...state.keys.map(keyRule),
    ...(state.channels.length === 0 ? ['resetchannels'] : state.channels.map((c) => `&${c}`)),
    ...commands,
    ...state.selectors,
  ].join(' ');
}

/** What differs between two access strings, in words; empty when they mean the same. */
export interface AccessDifference {
  /** `enabled`: on in one, off in the other */
  readonly enabled?: { readonly live: boolean; readonly desired: boolean };
  readonly keysAdded: readonly string[];
  readonly keysRemoved: readonly string[];
  readonly channelsAdded: readonly string[];
  readonly channelsRemoved: readonly string[];
  /** commands the live string allows and the desired one does not */
  readonly commandsAdded: readonly string[];
  /** commands the desired string allows and the live one does not */
  readonly commandsRemoved: readonly string[];
  readonly selectorsAdded: readonly string[];
  readonly selectorsRemoved: readonly string[];
}

const minus = <T>(a: readonly T[], b: readonly T[]) => a.filter((x) => !b.includes(x));

/**
 * Compares a live access string with the desired one by meaning (both evaluated over the union of
 * the commands either names). `undefined` when they are equivalent.
 */
export function compareAccessStrings(
  live: string,
  desired: string,
  pubsubDefault: PubsubDefault = 'allchannels',
): AccessDifference | undefined {
  const extraCommands = [...namedCommands(tokenizeAccessString(live)), ...namedCommands(tokenizeAccessString(desired))];
  const a = evaluateAccessString(live, { extraCommands, pubsubDefault });
  const b = evaluateAccessString(desired, { extraCommands, pubsubDefault });
  const keysA = a.keys.map(keyRule);
  const keysB = b.keys.map(keyRule);
  const difference: AccessDifference = {
    ...(a.enabled !== b.enabled ? { enabled: { live: a.enabled, desired: b.enabled } } : {}),
    keysAdded: minus(keysA, keysB),
    keysRemoved: minus(keysB, keysA),
    channelsAdded: minus(a.channels, b.channels),
    channelsRemoved: minus(b.channels, a.channels),
    commandsAdded: minus(a.commands, b.commands),
    commandsRemoved: minus(b.commands, a.commands),
    selectorsAdded: minus(a.selectors, b.selectors),
    selectorsRemoved: minus(b.selectors, a.selectors),
  };
  const same =
    difference.enabled === undefined &&
    [
      difference.keysAdded,
      difference.keysRemoved,
      difference.channelsAdded,
      difference.channelsRemoved,
      difference.commandsAdded,
      difference.commandsRemoved,
      difference.selectorsAdded,
      difference.selectorsRemoved,
    ].every((list) => list.length === 0);
  return same ? undefined : difference;
}

/** One line per difference, e.g. `live also allows keys ~*; live also allows commands flushall, keys`. */
export function describeAccessDifference(difference: AccessDifference, maxCommands = 8): string {
  const list = (items: readonly string[]) =>
    items.length > maxCommands ? `${items.slice(0, maxCommands).join(', ')} and ${items.length - maxCommands} more` : items.join(', ');
  const parts: string[] = [];
  if (difference.enabled)
    parts.push(`user is ${difference.enabled.live ? 'on' : 'off'}, should be ${difference.enabled.desired ? 'on' : 'off'}`);
  if (difference.keysAdded.length) parts.push(`live also allows keys ${list(difference.keysAdded)}`);
  if (difference.keysRemoved.length) parts.push(`live lacks keys ${list(difference.keysRemoved)}`);
  if (difference.channelsAdded.length) parts.push(`live also allows channels ${list(difference.channelsAdded.map((c) => `&${c}`))}`);
  if (difference.channelsRemoved.length) parts.push(`live lacks channels ${list(difference.channelsRemoved.map((c) => `&${c}`))}`);
  if (difference.commandsAdded.length) parts.push(`live also allows commands ${list(difference.commandsAdded)}`);
  if (difference.commandsRemoved.length) parts.push(`live lacks commands ${list(difference.commandsRemoved)}`);
  if (difference.selectorsAdded.length) parts.push(`live also has selectors ${list(difference.selectorsAdded)}`);
  if (difference.selectorsRemoved.length) parts.push(`live lacks selectors ${list(difference.selectorsRemoved)}`);
  return parts.join('; ');
}

/**
 * Commands no service user may hold, whatever else its access string says: every command of the
 * `@dangerous` and `@admin` categories (FLUSHALL, KEYS, CONFIG, DEBUG, MONITOR, CLIENT KILL, ...),
 * and the commands that list, count or wipe other tenants' keys without a key pattern check (SCAN,
 * RANDOMKEY, DBSIZE, CLUSTER GETKEYSINSLOT/COUNTKEYSINSLOT, SWAPDB, FUNCTION/SCRIPT FLUSH...).
 * Not in the set: CLIENT TRACKING and MOVE, which ElastiCache Serverless does not offer and refuses
 * to have named in an access string (its service users therefore cannot deny them by name).
 */
export const FORBIDDEN_EXTRA_COMMANDS: readonly string[] = [
  'keys',
  'flushall',
  'flushdb',
  'scan',
  'randomkey',
  'dbsize',
  'swapdb',
  'cluster|getkeysinslot',
  'cluster|countkeysinslot',
  'function|flush',
  'function|delete',
  'function|restore',
  'function|load',
  'script|flush',
];

/** True when the state allows any publish/subscribe command (channels matter only then). */
export function allowsPubsub(state: AccessState): boolean {
  return state.commands.some((command) => REDIS_COMMANDS[command]?.includes('pubsub'));
}

// the commands people recognise first, so a long list still starts with what matters
const HEADLINE_COMMANDS = [
  'flushall',
  'flushdb',
  'keys',
  'config|set',
  'scan',
  'debug',
  'shutdown',
  'monitor',
  'acl|setuser',
  'client|kill',
];

/** The forbidden commands an access string allows (after all its rules), the best-known first. */
export function forbiddenCommandsAllowed(state: AccessState): string[] {
  const allowed = state.commands.filter(
    (command) =>
      FORBIDDEN_EXTRA_COMMANDS.includes(command) ||
      REDIS_COMMANDS[command]?.some((category) => category === 'dangerous' || category === 'admin') === true,
  );
  return [...HEADLINE_COMMANDS.filter((c) => allowed.includes(c)), ...allowed.filter((c) => !HEADLINE_COMMANDS.includes(c))];
}
