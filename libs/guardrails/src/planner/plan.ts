import { keyspacesOverlap, MANAGED_BY, OWNERSHIP_TAG_KEYS } from '@cache-platform/cache-contract';
import {
  AccessStringError,
  compareAccessStrings,
  describeAccessDifference,
  evaluateAccessString,
  forbiddenCommandsAllowed,
  type AccessDifference,
} from '../acl/access-string';
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

/** The live state of one environment. */
export interface LiveAccount {
  readonly users: readonly LiveUser[];
  /** user ids in the platform's user group */
  readonly groupMembers: readonly string[];
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
  | (Ownership & { readonly kind: 'add-to-group'; readonly userId: string; readonly reason: string })
  | (Ownership & { readonly kind: 'remove-from-group'; readonly userId: string; readonly reason: string })
  | (Ownership & { readonly kind: 'delete-orphan'; readonly userId: string; readonly reason: string })
  /** a user outside the platform (not created by it, not in its group) that grants too much: a person decides */
  | (Ownership & { readonly kind: 'review'; readonly userId: string; readonly reason: string });

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

export interface UserPlan {
  readonly environment: string;
  /** ordered by {@link ACTION_ORDER}, then user id; empty when the account is in sync */
  readonly actions: readonly UserAction[];
  readonly conflicts: readonly KeyspaceConflict[];
  /** desired users that need nothing ("nothing to do") */
  readonly inSync: readonly string[];
}

export interface PlanInput {
  readonly environment: string;
  /** from the workspace: {@link desiredServiceUsers} and {@link desiredPlatformUser} */
  readonly desired: readonly DesiredUser[];
  readonly live: LiveAccount;
  /**
   * Users never planned for (AWS's own `default` user, whose id is `default`).
   * @default ['default']
   */
  readonly ignoredUserIds?: readonly string[];
}

const ownershipOf = (d: DesiredUser): Ownership => ({ service: d.service, owner: d.owner, purpose: d.purpose });
const ownershipFromTags = (tags: Readonly<Record<string, string>>): Ownership => ({
  service: tags[OWNERSHIP_TAG_KEYS.service],
  owner: tags[OWNERSHIP_TAG_KEYS.owner],
  purpose: tags[OWNERSHIP_TAG_KEYS.purpose],
});

/** Ownership tags without which nobody can tell whose a user is. */
const OWNER_KEYS = [OWNERSHIP_TAG_KEYS.owner, OWNERSHIP_TAG_KEYS.purpose];

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
 * - a desired user missing from the account: create it (then add it to the group);
 * - its access string differs by meaning (ElastiCache's rewrites do not count): update it;
 * - its ownership tags are missing or differ: tag it;
 * - it is not in the platform's user group: add it;
 * - a user in the group that the workspace does not define and that the platform did not create
 *   (no `managed-by` tag of the platform): remove it from the group, never delete it (it is not ours);
 * - a user the platform created (its `managed-by` tag) that no manifest defines any more: remove it
 *   from the group if it is a member, then delete it;
 * - a user outside the group that no manifest defines and the platform did not create: tag it when it
 *   lacks the owner and purpose tags (nobody knows whose it is), review it when it grants every key or
 *   a forbidden command; otherwise it is someone else's and left alone;
 * - a keyspace two services claim: a conflict, and no action for the later claimant.
 */
export function planRedisUserChange(input: PlanInput): UserPlan {
  const ignored = new Set(input.ignoredUserIds ?? ['default']);
  const live = new Map(input.live.users.map((u) => [u.userId, u]));
  const members = new Set(input.live.groupMembers);
  const conflicts = findConflicts(input.desired, input.live.claims ?? []);
  const blocked = new Set(conflicts.map((c) => c.claimedBy));
  const actions: UserAction[] = [];
  const inSync: string[] = [];

  for (const want of input.desired) {
    if (blocked.has(want.service)) continue;
    const owner = ownershipOf(want);
    const have = live.get(want.userId);
    const before = actions.length;
    if (!have) {
      actions.push({ kind: 'create-user', userId: want.userId, accessString: want.accessString, ...owner, reason: 'user does not exist' });
      actions.push({ kind: 'add-to-group', userId: want.userId, ...owner, reason: 'new user joins the platform user group' });
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
    if (!members.has(want.userId)) {
      actions.push({ kind: 'add-to-group', userId: want.userId, ...owner, reason: 'user is not in the platform user group' });
    }
    if (actions.length === before) inSync.push(want.userId);
  }

  const desiredIds = new Set(input.desired.map((d) => d.userId));
  for (const user of [...input.live.users].sort((a, b) => a.userId.localeCompare(b.userId))) {
    if (desiredIds.has(user.userId) || ignored.has(user.userId)) continue;
    const ownership = ownershipFromTags(user.tags);
    const ours = user.tags[OWNERSHIP_TAG_KEYS.managedBy] === MANAGED_BY;
    // a blocked claimant's user is not an orphan: its manifest still defines it
    if (ownership.service !== undefined && blocked.has(ownership.service)) continue;
    if (ours) {
      if (members.has(user.userId)) {
        actions.push({ kind: 'remove-from-group', userId: user.userId, ...ownership, reason: 'no manifest defines this user any more' });
      }
      actions.push({
        kind: 'delete-orphan',
        userId: user.userId,
        ...ownership,
        reason: 'created by the platform, and no manifest defines it any more',
      });
    } else if (members.has(user.userId)) {
      const excess = excessOf(user.accessString);
      actions.push({
        kind: 'remove-from-group',
        userId: user.userId,
        ...ownership,
        reason: `in the platform user group, but the platform did not create it (no managed-by tag) and no manifest defines it${excess ? `; it ${excess}` : ''}`,
      });
    } else {
      // outside the platform's group: not the platform's to change, but the account's users must say
      // whose they are, and one that grants every key is worth a person's look
      const missing = OWNER_KEYS.filter((key) => !(key in user.tags));
      const excess = excessOf(user.accessString);
      if (missing.length > 0) {
        actions.push({
          kind: 'tag',
          userId: user.userId,
          tags: {},
          missing,
          differing: [],
          ...ownership,
          reason: `no manifest defines this user and it has no ownership tags (missing ${missing.join(', ')})${excess ? `; it ${excess}` : ''}: tag it with its owner and purpose, or delete it`,
        });
      } else if (excess) {
        actions.push({
          kind: 'review',
          userId: user.userId,
          ...ownership,
          reason: `not created by the platform and not in its user group, but it ${excess}`,
        });
      }
    }
  }

  actions.sort((a, b) => ACTION_ORDER.indexOf(a.kind) - ACTION_ORDER.indexOf(b.kind) || a.userId.localeCompare(b.userId));
  return { environment: input.environment, actions, conflicts, inSync: inSync.sort() };
}
