// The only code that loads the ElastiCache and SSM clients: the audit's read of the live account.
// Read-only by construction: it imports Describe/List/Get commands and paginators, nothing else.
import {
  ElastiCacheClient,
  ListTagsForResourceCommand,
  paginateDescribeUserGroups,
  paginateDescribeUsers,
  type ElastiCacheClientConfig,
  type User,
} from '@aws-sdk/client-elasticache';
import { GetParametersByPathCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { keyspaceClaimsPath, listKeyspaceClaims, platformResourceNames } from '@cache-platform/cache-contract';
import type { LiveAccount, LiveClaim, LiveGroup, LiveUser } from '@cache-platform/guardrails/planner';

/** The account could not be read: names the API call that failed. */
export class AccountReadError extends Error {
  override readonly name = 'AccountReadError';
  constructor(
    readonly call: string,
    cause: unknown,
  ) {
    const error = cause as { name?: string; message?: string; $metadata?: { attempts?: number } };
    const attempts = error?.$metadata?.attempts;
    super(
      `${call} failed: ${error?.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error?.message ?? String(cause)}` +
        (attempts !== undefined && attempts > 1 ? ` (after ${attempts} attempts)` : ''),
    );
  }
}

export interface AccountClients {
  readonly elasticache: ElastiCacheClient;
  readonly ssm: SSMClient;
}

/**
 * How the audit's clients retry: the SDK's own strategy, not one of ours. Every call is retried on
 * throttling (the SDK's throttling codes: `Throttling`, `ThrottlingException`, `RequestLimitExceeded`,
 * `TooManyRequestsException`, ..., and any HTTP 429) and on transient errors, with exponential backoff
 * and full jitter, at most `maxAttempts` times in all. `adaptive` adds the SDK's client-side rate
 * limiter: once throttled, the client slows its own sending rate, which is what ~150
 * ListTagsForResource calls in a row need. AWS recommends adaptive only for one client per throttled
 * resource that can wait: that is exactly the audit (its own clients, one read-only run).
 */
export const AUDIT_RETRY = { retryMode: 'adaptive', maxAttempts: 6 } as const satisfies Pick<
  ElastiCacheClientConfig & SSMClientConfig,
  'retryMode' | 'maxAttempts'
>;

/**
 * Clients for one region. Endpoints follow the SDK's own settings (`AWS_ENDPOINT_URL_ELASTICACHE`,
 * `AWS_ENDPOINT_URL_SSM`), which is how the tests point them at moto_server.
 */
export function accountClients(region: string): AccountClients {
  return { elasticache: new ElastiCacheClient({ region, ...AUDIT_RETRY }), ssm: new SSMClient({ region, ...AUDIT_RETRY }) };
}

async function call<T>(name: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new AccountReadError(name, error);
  }
}

/**
 * The page asked of DescribeUsers: the largest `MaxRecords` ElastiCache's Describe calls document
 * (DescribeCacheClusters: minimum 20, maximum 100); DescribeUsers documents no limit of its own.
 */
export const USERS_PAGE_SIZE = 100;

/** What to read: one environment and the names of its cells. */
export interface AccountScope {
  readonly environment: string;
  /** every cell of the environment (the default cell among them), from platform-environments */
  readonly cells: readonly string[];
}

/**
 * Every ElastiCache user of the account with its tags (the planner decides which are this
 * environment's: the account may hold others), the user group of every cell of the environment, and
 * the environment's keyspace claims. Every list is read to its last page.
 */
export async function readAccount(scope: AccountScope, clients: AccountClients): Promise<LiveAccount> {
  const users = await call('ElastiCache DescribeUsers', async () => {
    const found: User[] = [];
    for await (const page of paginateDescribeUsers({ client: clients.elasticache, pageSize: USERS_PAGE_SIZE }, {})) {
      found.push(...(page.Users ?? []));
    }
    return found;
  });

  // one call per user (DescribeUsers carries no tags); in sequence, so the adaptive rate limiter paces them
  const live: LiveUser[] = [];
  for (const user of users) {
    if (!user.UserId) continue;
    const tags = user.ARN
      ? await call(`ElastiCache ListTagsForResource (user ${user.UserId})`, () =>
          clients.elasticache.send(new ListTagsForResourceCommand({ ResourceName: user.ARN })),
        )
      : { TagList: [] };
    live.push({
      userId: user.UserId,
      userName: user.UserName ?? user.UserId,
      accessString: user.AccessString ?? '',
      tags: Object.fromEntries((tags.TagList ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? ''])),
    });
  }

  const groups: LiveGroup[] = [];
  for (const cell of scope.cells) {
    const groupId = platformResourceNames(scope.environment, cell).userGroupId;
    const members = await call(`ElastiCache DescribeUserGroups (${groupId}, cell ${cell})`, async () => {
      for await (const page of paginateDescribeUserGroups({ client: clients.elasticache }, { UserGroupId: groupId })) {
        const group = page.UserGroups?.find((g) => g.UserGroupId === groupId);
        if (group) return group.UserIds ?? [];
      }
      // ElastiCache answers UserGroupNotFound for a missing group; an empty answer is no better
      throw Object.assign(new Error(`user group ${groupId} is not in the account`), { name: 'UserGroupNotFound' });
    });
    groups.push({ cell, userGroupId: groupId, members });
  }

  const path = keyspaceClaimsPath(scope.environment);
  const claims = await call(`SSM GetParametersByPath (${path})`, async () => {
    const found = await listKeyspaceClaims(scope.environment, (input) => clients.ssm.send(new GetParametersByPathCommand(input)));
    // a claim nobody can read still holds its keyspace; its owner is unknown
    return found.map(({ keyspace, record }): LiveClaim => (record ? { keyspace, ...record } : { keyspace, service: undefined }));
  });

  return { users: live, groups, claims };
}
