import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * moto_server has ElastiCache users and tags but no user groups. This stub sits in front of it: it
 * answers DescribeUserGroups with a recorded response (the shape ElastiCache returns, Query
 * protocol, XML) and passes every other call through to moto unchanged. Test code only.
 */

const NS = 'http://elasticache.amazonaws.com/doc/2015-02-02/';

/** A DescribeUserGroups response as ElastiCache returns it, for one group with these members. */
export function recordedUserGroupResponse(groupId: string, userIds: readonly string[], region = 'eu-west-1'): string {
  const members = userIds.map((id) => `<member>${id}</member>`).join('');
  return (
    `<DescribeUserGroupsResponse xmlns="${NS}"><DescribeUserGroupsResult><UserGroups><member>` +
    `<UserGroupId>${groupId}</UserGroupId><Status>active</Status><Engine>redis</Engine>` +
    `<UserIds>${members}</UserIds><MinimumEngineVersion>6.0</MinimumEngineVersion><PendingChanges/>` +
    `<ReplicationGroups/><ServerlessCaches><member>${groupId.replace(/-users$/, '')}</member></ServerlessCaches>` +
    `<ARN>arn:aws:elasticache:${region}:123456789012:usergroup:${groupId}</ARN>` +
    `</member></UserGroups></DescribeUserGroupsResult><ResponseMetadata><RequestId>7c1d9b6e-0000-4000-8000-000000000001</RequestId></ResponseMetadata></DescribeUserGroupsResponse>`
  );
}

/** The error ElastiCache returns for a group that does not exist. */
export function recordedUserGroupNotFound(groupId: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>UserGroupNotFound</Code><Message>User group ${groupId} not found.</Message></Error><RequestId>7c1d9b6e-0000-4000-8000-000000000002</RequestId></ErrorResponse>`;
}

export interface UserGroupsStub {
  readonly endpoint: string;
  /** what the next DescribeUserGroups answers: a status and the XML body */
  respond(status: number, body: string): void;
  /** every action the stub saw (to check the audit never writes) */
  readonly actions: string[];
  stop(): Promise<void>;
}

const read = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

export async function startUserGroupsStub(motoEndpoint: string): Promise<UserGroupsStub> {
  let reply = { status: 200, body: recordedUserGroupResponse('none', []) };
  const actions: string[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await read(request);
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '(none)';
      actions.push(action);
      if (action === 'DescribeUserGroups') {
        response.writeHead(reply.status, { 'content-type': 'text/xml' }).end(reply.body);
        return;
      }
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<
        string,
        string
      >;
      const forwarded = await fetch(`${motoEndpoint}${request.url ?? '/'}`, {
        method: request.method,
        headers,
        body: body.length > 0 ? body : undefined,
      });
      response
        .writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/xml' })
        .end(Buffer.from(await forwarded.arrayBuffer()));
    })().catch((error: Error) => response.writeHead(500).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    respond: (status, body) => void (reply = { status, body }),
    actions,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // the SDK keeps connections alive: close() alone would wait for them
        server.closeAllConnections();
      }),
  };
}
