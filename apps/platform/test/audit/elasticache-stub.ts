import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Test code only. moto_server has ElastiCache users and tags but no user groups, and it answers
 * DescribeUsers in one page whatever MaxRecords says. This stub sits in front of it:
 * - DescribeUserGroups is answered from the groups the test sets, with the response ElastiCache returns
 *   (Query protocol, XML), and `UserGroupNotFound` for any other id;
 * - DescribeUsers goes to moto and is cut into pages of MaxRecords (at most 100, the largest page
 *   ElastiCache's Describe calls document), with a Marker while more remain;
 * - the next calls of an action can be made to fail, e.g. with a throttling error, to see the client
 *   back off and retry;
 * everything else passes through to moto unchanged.
 */

const NS = 'http://elasticache.amazonaws.com/doc/2015-02-02/';
let requestIds = 0;
const requestId = () => `7c1d9b6e-0000-4000-8000-${String(++requestIds).padStart(12, '0')}`;

/** A DescribeUserGroups response as ElastiCache returns it, for one group with these members. */
export function recordedUserGroupResponse(groupId: string, userIds: readonly string[], region = 'eu-west-1'): string {
  const members = userIds.map((id) => `<member>${id}</member>`).join('');
  return (
    `<DescribeUserGroupsResponse xmlns="${NS}"><DescribeUserGroupsResult><UserGroups><member>` +
    `<UserGroupId>${groupId}</UserGroupId><Status>active</Status><Engine>redis</Engine>` +
    `<UserIds>${members}</UserIds><MinimumEngineVersion>6.0</MinimumEngineVersion><PendingChanges/>` +
    `<ReplicationGroups/><ServerlessCaches><member>${groupId.replace(/-users$/, '')}</member></ServerlessCaches>` +
    `<ARN>arn:aws:elasticache:${region}:123456789012:usergroup:${groupId}</ARN>` +
    `</member></UserGroups></DescribeUserGroupsResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></DescribeUserGroupsResponse>`
  );
}

/** An ElastiCache error response (Query protocol). */
export function recordedError(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`;
}

/** The error ElastiCache returns for a group that does not exist. */
export function recordedUserGroupNotFound(groupId: string): string {
  return recordedError('UserGroupNotFound', `User group ${groupId} not found.`);
}

/** The top-level `<member>` elements of `<Users>`, each whole (a user's own lists nest more `<member>`s). */
function splitUsers(xml: string): { before: string; members: string[]; after: string } {
  const open = xml.indexOf('<Users>');
  const close = xml.lastIndexOf('</Users>');
  if (open < 0 || close < 0) return { before: xml, members: [], after: '' };
  const inner = xml.slice(open + '<Users>'.length, close);
  const members: string[] = [];
  const tag = /<(\/?)member>/g;
  let depth = 0;
  let start = 0;
  for (let match = tag.exec(inner); match; match = tag.exec(inner)) {
    if (match[1] === '') {
      if (depth === 0) start = match.index;
      depth++;
    } else if (--depth === 0) members.push(inner.slice(start, tag.lastIndex));
  }
  return { before: xml.slice(0, open), members, after: xml.slice(close + '</Users>'.length) };
}

/** One call the stub saw. */
export interface SeenCall {
  readonly action: string;
  /** ms since the stub started */
  readonly at: number;
  readonly params: URLSearchParams;
}

export interface ElastiCacheStub {
  readonly endpoint: string;
  /** the user groups DescribeUserGroups knows: id to member ids */
  setGroups(groups: Readonly<Record<string, readonly string[]>>): void;
  /** the next `times` calls of `action` answer this error instead */
  fail(action: string, times: number, error: { status: number; code: string; message: string }): void;
  /** every call the stub saw, in order (to check the audit never writes, and how it retried) */
  readonly calls: SeenCall[];
  /** the action names of `calls` */
  actions(): string[];
  /** forgets the calls, groups and pending failures (between tests) */
  reset(): void;
  stop(): Promise<void>;
}

/** The largest page the stub serves (and its default): the limit ElastiCache documents for its Describe calls. */
export const MAX_USERS_PER_PAGE = 100;

const read = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

export async function startElastiCacheStub(motoEndpoint: string): Promise<ElastiCacheStub> {
  let groups: Readonly<Record<string, readonly string[]>> = {};
  const failures: { action: string; left: number; error: { status: number; code: string; message: string } }[] = [];
  const calls: SeenCall[] = [];
  const started = Date.now();

  const forward = async (request: IncomingMessage, body: Buffer) => {
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<
      string,
      string
    >;
    return fetch(`${motoEndpoint}${request.url ?? '/'}`, { method: request.method, headers, body: body.length > 0 ? body : undefined });
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await read(request);
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? '(none)';
      calls.push({ action, at: Date.now() - started, params });
      const xml = (status: number, text: string) => response.writeHead(status, { 'content-type': 'text/xml' }).end(text);

      const failure = failures.find((f) => f.action === action && f.left > 0);
      if (failure) {
        failure.left--;
        xml(failure.error.status, recordedError(failure.error.code, failure.error.message));
        return;
      }
      if (action === 'DescribeUserGroups') {
        const id = params.get('UserGroupId') ?? '';
        const members = groups[id];
        if (members === undefined) xml(404, recordedUserGroupNotFound(id));
        else xml(200, recordedUserGroupResponse(id, members));
        return;
      }
      const forwarded = await forward(request, body);
      const text = await forwarded.text();
      if (action === 'DescribeUsers' && forwarded.ok) {
        const { before, members, after } = splitUsers(text);
        const size = Math.min(Number(params.get('MaxRecords') ?? MAX_USERS_PER_PAGE), MAX_USERS_PER_PAGE);
        const from = Number(params.get('Marker') ?? '0');
        const page = members.slice(from, from + size);
        const marker = from + size < members.length ? `<Marker>${from + size}</Marker>` : '';
        // the Marker sits after Users in DescribeUsersResult, as ElastiCache returns it
        xml(200, `${before}<Users>${page.join('')}</Users>${marker}${after}`);
        return;
      }
      response.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/xml' }).end(text);
    })().catch((error: Error) => response.writeHead(500).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setGroups: (next) => void (groups = next),
    fail: (action, times, error) => void failures.push({ action, left: times, error }),
    calls,
    actions: () => calls.map((c) => c.action),
    reset: () => {
      calls.length = 0;
      failures.length = 0;
      groups = {};
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // the SDK keeps connections alive: close() alone would wait for them
        server.closeAllConnections();
      }),
  };
}
