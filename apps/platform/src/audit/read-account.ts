// The only code that loads the ElastiCache and SSM clients: the audit's read of the live account.
// Read-only by construction: it imports Describe/List/Get commands and nothing else.
import {
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  type User,
} from '@aws-sdk/client-elasticache';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseKeyspaceClaim, platformParameterRoot, platformResourceNames } from '@cache-platform/cache-contract';
import type { LiveAccount, LiveClaim, LiveUser } from '@cache-platform/guardrails/planner';

/** The account could not be read: names the API call that failed. */
export class AccountReadError extends Error {
  override readonly name = 'AccountReadError';
  constructor(
    readonly call: string,
    cause: unknown,
  ) {
    const error = cause as { name?: string; message?: string };
    super(`${call} failed: ${error?.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error?.message ?? String(cause)}`);
  }
}

export interface AccountClients {
  readonly elasticache: ElastiCacheClient;
  readonly ssm: SSMClient;
}

/**
 * Clients for one region. Endpoints follow the SDK's own settings (`AWS_ENDPOINT_URL_ELASTICACHE`,
 * `AWS_ENDPOINT_URL_SSM`), which is how the tests point them at moto_server; one attempt per call,
 * so an unreachable account fails in seconds instead of retrying for minutes.
 */
export function accountClients(region: string): AccountClients {
  return { elasticache: new ElastiCacheClient({ region, maxAttempts: 2 }), ssm: new SSMClient({ region, maxAttempts: 2 }) };
}

async function call<T>(name: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new AccountReadError(name, error);
  }
}

/** Every ElastiCache user with its tags, the platform group's members and the keyspace claims of one environment. */
export async function readAccount(environment: string, clients: AccountClients): Promise<LiveAccount> {
  const users: User[] = [];
  let marker: string | undefined;
  do {
    const page = await call('ElastiCache DescribeUsers', () => clients.elasticache.send(new DescribeUsersCommand({ Marker: marker })));
    users.push(...(page.Users ?? []));
    marker = page.Marker;
  } while (marker);

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

  const groupId = platformResourceNames(environment).userGroupId;
  const groups = await call(`ElastiCache DescribeUserGroups (${groupId})`, () =>
    clients.elasticache.send(new DescribeUserGroupsCommand({ UserGroupId: groupId })),
  );
  const groupMembers = groups.UserGroups?.find((g) => g.UserGroupId === groupId)?.UserIds ?? [];

  const claims: LiveClaim[] = [];
  const path = `${platformParameterRoot(environment)}/keyspaces`;
  let next: string | undefined;
  do {
    const page = await call(`SSM GetParametersByPath (${path})`, () =>
      clients.ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true, NextToken: next })),
    );
    for (const parameter of page.Parameters ?? []) {
      const keyspace = (parameter.Name ?? '').slice(path.length + 1);
      try {
        const record = parseKeyspaceClaim(keyspace, parameter.Value ?? '');
        claims.push({ keyspace, service: record.service, owner: record.owner, purpose: record.purpose });
      } catch {
        // a claim nobody can read still holds its keyspace; its owner is unknown
        claims.push({ keyspace, service: undefined });
      }
    }
    next = page.NextToken;
  } while (next);

  return { users: live, groupMembers, claims };
}
