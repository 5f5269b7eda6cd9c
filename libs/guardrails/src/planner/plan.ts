import { keyspacesOverlap, MANAGED_BY, OWNERSHIP_TAG_KEYS } from '@cache-platform/cache-contract';
import {
  AccessStringError,
  compareAccessStrings,
  describeAccessDifference,
  evaluateAccessString,
  forbiddenCommandsAllowed,
  type AccessDifference,
} from '@cache-platform/stack-analysis';
import type { DesiredUser } from './desired';

/** A Redis user as the account has it (ElastiCache DescribeUsers plus ListTagsForResource). */
export interface LiveUser {
  readonly userId: string;
  readonly userName: string;
  /** as ElastiCache returns it (rewritten: compared by meaning) */
  readonly accessString: string;
  /** its tags; an empty object when it has none */
  readonly tags: Readonly<Record<string, string>>;
}

/** A keyspace claim as the account has it (the SSM parameter `/cache-platform/<env>/keyspaces/<keyspace>`). */
export interface LiveClaim {
  readonly keyspace: string;
  /** the claiming service, when the parameter's value could be read */
  readonly service: string | undefined;
  readonly owner?: string;
  readonly purpose?: string;
}

/** One cell's user group as the account has it. */
export interface LiveGroup {
  readonly cell: string;
  readonly userGroupId: string;
  /** user ids in the group */
  readonly members: readonly string[];
}

/**
 * The live state the planner sees for one environment: every user of the account (an account may
 * hold several environments; the planner scopes them), the user group of every cell of the
 * environment, and the environment's keyspace claims.
 */
export interface LiveAccount {
  readonly users: readonly LiveUser[];
  /** the user group of each of the environment's cells */
  readonly groups: readonly LiveGroup[];
  readonly claims?: readonly LiveClaim[];
}

/** Who a user belongs to, as far as the workspace or its tags say. */
export interface Ownership {
  readonly service: string | undefined;
  readonly owner: string | undefined;
  readonly purpose: string | undefined;
}

export type UserAction =
  | (Ownership & { readonly kind: 'create-user'; readonly userId: string; readonly accessString: string; readonly reason: string })
  | (Ownership & {
      readonly kind: 'update-access-string';
      readonly userId: string;
      readonly from: string;
      readonly to: string;
      readonly difference: AccessDifference;
      readonly reason: string;
    })
  | (Ownership & {
      readonly kind: 'tag';
      readonly userId: string;
      readonly tags: Readonly<Record<string, string>>;
      readonly missing: readonly string[];
      readonly differing: readonly string[];
      readonly reason: string;
    })
  | (Ownership & GroupRef & { readonly kind: 'add-to-group'; readonly userId: string; readonly reason: string })
  | (Ownership & GroupRef & { readonly kind: 'remove-from-group'; readonly userId: string; readonly reason: string })
  | (Ownership & { readonly kind: 'delete-orphan'; readonly userId: string; readonly reason: string })
  /** a user outside the platform (not created by it, not in its group) that grants too much: a person decides */
  | (Ownership & { readonly kind: 'review'; readonly userId: string; readonly reason: string })
  /**
   * a user no tag or id places in any environment: reported so a person tags it, never changed or
   * deleted (it may be another environment's)
   */
  | (Ownership & { readonly kind: 'unknown-environment'; readonly userId: string; readonly reason: string });

/** The cell and user group an add or remove is about. */
export interface GroupRef {
  readonly cell: string;
  readonly userGroupId: string;
}

export type UserActionKind = UserAction['kind'];

/** The order actions run in: a user exists before it joins the group, and leaves it before it is deleted. */
export const ACTION_ORDER: readonly UserActionKind[] = [
  'create-user',
  'update-access-string',
  'tag',
  'add-to-group',
  'remove-from-group',
  'delete-orphan',
  'review',
  'unknown-environment',
];

/** A keyspace two services claim: no action is planned for the later claimant until it is resolved. */
export interface KeyspaceConflict {
  readonly keyspace: string;
  /** the service that holds it (first in the workspace, or the live claim) */
  readonly heldBy: string;
  readonly claimedBy: string;
  readonly owner: string | undefined;
  readonly purpose: string | undefined;
  readonly reason: string;
}

/** A live user the plan leaves alone because it belongs to another environment. */
export interface OtherEnvironmentUser {
  readonly userId: string;
  readonly environment: string;
  /** how that was told: its `cache-platform:environment` tag, its id's `-<env>` suffix, or both */
  readonly by: 'tag' | 'id' | 'tag and id';
}

export interface UserPlan {
  readonly environment: string;
  /** ordered by {@link ACTION_ORDER}, then user id; empty when the account is in sync */
  readonly actions: readonly UserAction[];
  readonly conflicts: readonly KeyspaceConflict[];
  /** desired users that need nothing ("nothing to do") */
  readonly inSync: readonly string[];
  /** users of other environments in the same account: never planned for */
  readonly otherEnvironments: readonly OtherEnvironmentUser[];
}

export interface PlanInput {
  readonly environment: string;
  /** from the workspace: {@link desiredServiceUsers} and {@link desiredPlatformUser} */
  readonly desired: readonly DesiredUser[];
  readonly live: LiveAccount;
  /**
   * Every environment name (the platform's list): an untagged user whose id ends in `-<one of them>`
   * belongs to that environment.
   * @default the planned environment alone
   */
  readonly knownEnvironments?: readonly string[];
  /**
   * Users never planned for (AWS's own `default` user, whose id is `default`).
   * @default ['default']
   */
  readonly ignoredUserIds?: readonly string[];
}

/** Where a live user belongs and how that was told, or why nobody can tell. */
export type UserPlacement =
  { readonly environment: string; readonly by: 'tag' | 'id' | 'tag and id' } | { readonly environment: undefined; readonly reason: string };

// the platform's disabled default users: `cache-platform-<env>[-<cell>]-default-off` (no hyphens in env or cell)
const PLATFORM_USER_ID = /^cache-platform-([a-z][a-z0-9]*)(?:-[a-z][a-z0-9]*)?-default-off$/;

/** The environment a user's id names, when the id is one the contract derives in a known environment. */
function environmentOfId(userId: string, known: readonly string[]): string | undefined {
  const platform = PLATFORM_USER_ID.exec(userId);
  const named = platform ? platform[1] : userId.slice(userId.lastIndexOf('-') + 1);
  return userId.includes('-') && named !== undefined && known.includes(named) ? named : undefined;
}

/**
 * The environment a live user belongs to. Its `cache-platform:environment` tag says it (every user the
 * platform creates carries it); its id says it when the id is one the contract derives: `<service>-<env>`
 * (environment names take no hyphens, so the last segment is the environment) or the platform's
 * `cache-platform-<env>[-<cell>]-default-off`, `<env>` being one of `known`. When neither says it, or
 * the two disagree, nobody can tell: the planner reports such a user and never deletes it.
 */
export function placeUser(user: Pick<LiveUser, 'userId' | 'tags'>, known: readonly string[]): UserPlacement {
  const raw = user.tags[OWNERSHIP_TAG_KEYS.environment];
  const tagged = raw !== undefined && raw.trim() !== '' ? raw : undefined;
  const named = environmentOfId(user.userId, known);
  if (tagged !== undefined && named !== undefined && tagged !== named) {
    return {
      environment: undefined,
      reason: `its cache-platform:environment tag says ${JSON.stringify(tagged)} but its id says ${JSON.stringify(named)}`,
    };
  }
  if (tagged !== undefined) return { environment: tagged, by: named !== undefined ? 'tag and id' : 'tag' };
  if (named !== undefined) return { environment: named, by: 'id' };
  return {
    environment: undefined,
    reason: `it has no cache-platform:environment tag and its id does not end in -<environment> (${known.join(', ')})`,
  };
}

const ownershipOf = (d: DesiredUser): Ownership => ({ service: d.service, owner: d.owner, purpose: d.purpose });
const ownershipFromTags = (tags: Readonly<Record<string, string>>): Ownership => ({
  service: tags[OWNERSHIP_TAG_KEYS.service],
  owner: tags[OWNERSHIP_TAG_KEYS.owner],
  purpose: tags[OWNERSHIP_TAG_KEYS.purpose],
});

/** Ownership tags without which nobody can tell whose a user is, or where it belongs. */
const OWNER_KEYS = [OWNERSHIP_TAG_KEYS.owner, OWNERSHIP_TAG_KEYS.purpose, OWNERSHIP_TAG_KEYS.environment];

const groupName = (g: GroupRef) => `cell ${g.cell}'s user group (${g.userGroupId})`;

/** What a user outside the workspace may do that no service user may: every key, or forbidden commands. */
function excessOf(accessString: string): string | undefined {
  try {
    const state = evaluateAccessString(accessString);
    if (!state.enabled) return undefined;
    const parts: string[] = [];
    if (state.keys.some((k) => k.pattern === '*')) parts.push('grants every key (~*)');
    const forbidden = forbiddenCommandsAllowed(state);
    if (forbidden.length > 0)
      parts.push(`allows ${forbidden.slice(0, 5).join(', ')}${forbidden.length > 5 ? ` and ${forbidden.length - 5} more` : ''}`);
    return parts.length > 0 ? parts.join(' and ') : undefined;
  } catch (error) {
    if (error instanceof AccessStringError) return `has an access string that cannot be read (${error.rule})`;
    throw error;
  }
}

/** Keyspaces claimed twice: among the desired users (workspace order), and against the live claims. */
function findConflicts(desired: readonly DesiredUser[], claims: readonly LiveClaim[]): KeyspaceConflict[] {
  const conflicts: KeyspaceConflict[] = [];
  const holders: { keyspace: string; service: string }[] = [];
  for (const user of desired) {
    if (user.keyspace === undefined) continue;
    const keyspace = user.keyspace;
    const held = holders.find((h) => keyspacesOverlap(h.keyspace, keyspace) && h.service !== user.service);
    const live = claims.find((c) => c.keyspace === keyspace && c.service !== undefined && c.service !== user.service);
    if (held) {
      conflicts.push({
        keyspace,
        heldBy: held.service,
        claimedBy: user.service,
        owner: user.owner,
        purpose: user.purpose,
        reason: `keyspace "${keyspace}" of service ${user.service} ${held.keyspace === keyspace ? 'is also claimed' : `overlaps "${held.keyspace}" claimed`} by service ${held.service} in the workspace`,
      });
    } else if (live) {
      conflicts.push({
        keyspace,
        heldBy: live.service as string,
        claimedBy: user.service,
        owner: user.owner,
        purpose: user.purpose,
        reason: `keyspace "${keyspace}" is claimed in the account by service ${live.service}${live.owner ? ` (owner ${live.owner})` : ''}, not by ${user.service}`,
      });
    } else {
      holders.push({ keyspace, service: user.service });
    }
  }
  return conflicts;
}

/**
 * Plans the changes that bring the account's Redis users to what the workspace says, without making
 * any. Pure: the same input gives the same plan, and a plan applied gives an empty plan next time.
 *
 * Scope: one environment and every cell of it. An account may hold several environments, so each live
 * user is first placed ({@link placeUser}): another environment's users are left alone (listed in
 * `otherEnvironments`) unless they sit in one of this environment's groups, and a user nobody can place
 * is reported (`unknown-environment`), never deleted.
 *
 * - a desired user missing from the account: create it (then add it to its cell's group);
 * - its access string differs by meaning (ElastiCache's rewrites do not count): update it;
 * - its ownership tags are missing or differ: tag it;
 * - it is not in its cell's user group: add it; it is in another cell's group of the environment:
 *   remove it from there (a service whose manifest names cell `b` belongs in `b`'s group alone);
 * - a user in one of the environment's groups that the workspace does not define and that the platform
 *   did not create for this environment: remove it from the group, never delete it (it is not ours);
 * - a user the platform created for this environment (its `managed-by` tag and its environment tag)
 *   that no manifest defines any more: remove it from every group it is in, then delete it;
 * - a user of this environment outside its groups that no manifest defines and the platform did not
 *   create: tag it when it lacks the owner, purpose or environment tag, review it when it grants every
 *   key or a forbidden command; otherwise it is someone else's and left alone;
 * - a keyspace two services claim: a conflict, and no action for the later claimant.
 */
export function planRedisUserChange(input: PlanInput): UserPlan {
  const environment = input.environment;
  const known = input.knownEnvironments ?? [environment];
  const ignored = new Set(input.ignoredUserIds ?? ['default']);
  const live = new Map(input.live.users.map((u) => [u.userId, u]));
  const groups = [...input.live.groups].sort((a, b) => a.userGroupId.localeCompare(b.userGroupId));
  const groupsOf = (userId: string) => groups.filter((g) => g.members.includes(userId));
  const conflicts = findConflicts(input.desired, input.live.claims ?? []);
  const blocked = new Set(conflicts.map((c) => c.claimedBy));
  const actions: UserAction[] = [];
  const inSync: string[] = [];
  const otherEnvironments: OtherEnvironmentUser[] = [];
  const ref = (g: GroupRef): GroupRef => ({ cell: g.cell, userGroupId: g.userGroupId });
  const removeFromGroups = (userId: string, from: readonly LiveGroup[], owner: Ownership, reason: (group: LiveGroup) => string) => {
    for (const group of from) actions.push({ kind: 'remove-from-group', userId, ...ref(group), ...owner, reason: reason(group) });
  };

  for (const want of input.desired) {
    if (blocked.has(want.service)) continue;
    const owner = ownershipOf(want);
    const have = live.get(want.userId);
    const home = ref(want);
    const before = actions.length;
    if (!have) {
      actions.push({ kind: 'create-user', userId: want.userId, accessString: want.accessString, ...owner, reason: 'user does not exist' });
      actions.push({ kind: 'add-to-group', userId: want.userId, ...home, ...owner, reason: `new user joins ${groupName(home)}` });
      continue;
    }
    const difference = compareAccessStrings(have.accessString, want.accessString);
    if (difference) {
      actions.push({
        kind: 'update-access-string',
        userId: want.userId,
        from: have.accessString,
        to: want.accessString,
        difference,
        ...owner,
        reason: describeAccessDifference(difference),
      });
    }
    const missing = Object.keys(want.tags).filter((key) => !(key in have.tags));
    const differing = Object.keys(want.tags).filter((key) => key in have.tags && have.tags[key] !== want.tags[key]);
    if (missing.length > 0 || differing.length > 0) {
      const parts = [
        ...(missing.length > 0 ? [`missing tag(s) ${missing.join(', ')}`] : []),
        ...differing.map((key) => `tag ${key} is ${JSON.stringify(have.tags[key])}, should be ${JSON.stringify(want.tags[key])}`),
      ];
      actions.push({ kind: 'tag', userId: want.userId, tags: want.tags, missing, differing, ...owner, reason: parts.join('; ') });
    }
    const memberOf = groupsOf(want.userId);
    const elsewhere = memberOf.filter((g) => g.userGroupId !== want.userGroupId);
    const why = want.service === 'platform' ? `it is cell ${want.cell}'s disabled default user` : `its manifest names cell ${want.cell}`;
    if (!memberOf.some((g) => g.userGroupId === want.userGroupId)) {
      actions.push({
        kind: 'add-to-group',
        userId: want.userId,
        ...home,
        ...owner,
        reason:
          elsewhere.length > 0
            ? `user is in ${elsewhere.map(groupName).join(' and ')}, but ${why}: add it to ${groupName(home)}`
            : `user is not in ${groupName(home)}`,
      });
    }
    removeFromGroups(
      want.userId,
      elsewhere,
      owner,
      (wrong) => `user is in ${groupName(wrong)}, but ${why} (${home.userGroupId}): remove it from ${wrong.userGroupId}`,
    );
    if (actions.length === before) inSync.push(want.userId);
  }

  const desiredIds = new Set(input.desired.map((d) => d.userId));
  for (const user of [...input.live.users].sort((a, b) => a.userId.localeCompare(b.userId))) {
    if (desiredIds.has(user.userId) || ignored.has(user.userId)) continue;
    const ownership = ownershipFromTags(user.tags);
    // a blocked claimant's user is not an orphan: its manifest still defines it
    if (ownership.service !== undefined && blocked.has(ownership.service)) continue;
    const place = placeUser(user, known);
    const memberOf = groupsOf(user.userId);
    const excess = excessOf(user.accessString);
    const removeFromItsGroups = (reason: (group: LiveGroup) => string) => removeFromGroups(user.userId, memberOf, ownership, reason);

    if (place.environment !== environment) {
      // another environment's, or nobody can tell: only its seat in this environment's groups is ours
      const whose =
        place.environment === undefined
          ? `which environment it belongs to is unknown: ${place.reason}`
          : `it belongs to environment ${place.environment} (${place.by === 'id' ? 'its id' : 'its cache-platform:environment tag'})`;
      removeFromItsGroups(
        (group) =>
          `in ${groupName(group)} of environment ${environment}, but no manifest defines it here and ${whose}${excess ? `; it ${excess}` : ''}`,
      );
      if (memberOf.length > 0) continue;
      if (place.environment !== undefined) {
        otherEnvironments.push({ userId: user.userId, environment: place.environment, by: place.by });
      } else {
        actions.push({
          kind: 'unknown-environment',
          userId: user.userId,
          ...ownership,
          reason: `${whose}; the audit never changes or deletes such a user: tag it with its cache-platform:environment (and owner and purpose)${excess ? `; it ${excess}` : ''}`,
        });
      }
      continue;
    }

    // this environment's user; deleting it takes the platform's own tags, not just an id that looks like ours
    const ours = user.tags[OWNERSHIP_TAG_KEYS.managedBy] === MANAGED_BY && place.by !== 'id';
    if (ours) {
      removeFromItsGroups((group) => `no manifest defines this user any more (in ${groupName(group)})`);
      actions.push({
        kind: 'delete-orphan',
        userId: user.userId,
        ...ownership,
        reason: 'created by the platform, and no manifest defines it any more',
      });
    } else if (memberOf.length > 0) {
      removeFromItsGroups(
        (group) =>
          `in ${groupName(group)}, but the platform did not create it (no managed-by tag) and no manifest defines it${excess ? `; it ${excess}` : ''}`,
      );
    } else {
      // outside the platform's groups: not the platform's to change, but the account's users must say
      // whose they are, and one that grants every key is worth a person's look
      const missing = OWNER_KEYS.filter((key) => !(key in user.tags));
      if (missing.length > 0) {
        actions.push({
          kind: 'tag',
          userId: user.userId,
          tags: {},
          missing,
          differing: [],
          ...ownership,
          reason: `no manifest defines this user and it lacks ownership tags (missing ${missing.join(', ')})${excess ? `; it ${excess}` : ''}: tag it with its owner, purpose and environment, or delete it`,
        });
      } else if (excess) {
        actions.push({
          kind: 'review',
          userId: user.userId,
          ...ownership,
          reason: `not created by the platform and not in its user groups, but it ${excess}`,
        });
      }
    }
  }

  const groupOf = (a: UserAction) => ('userGroupId' in a ? a.userGroupId : '');
  actions.sort(
    (a, b) =>
      ACTION_ORDER.indexOf(a.kind) - ACTION_ORDER.indexOf(b.kind) ||
      a.userId.localeCompare(b.userId) ||
      groupOf(a).localeCompare(groupOf(b)),
  );
  return { environment, actions, conflicts, inSync: inSync.sort(), otherEnvironments };
}
