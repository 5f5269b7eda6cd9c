import { execFileSync } from 'node:child_process';
import {
  buildAccessString,
  DISABLED_DEFAULT_ACCESS_STRING,
  elastiCacheAccessString,
  type AccessProfile,
  type CacheTarget,
} from '@cache-platform/cache-contract';
import { requireRedisServer, startRedis, type RedisServer } from '@cache-platform/cache-client/testing';
import {
  ACL_CATEGORIES,
  canonicalAccessString,
  compareAccessStrings,
  evaluateAccessString,
  REDIS_COMMANDS,
} from '../src/acl/access-string';

/*
 * The canonical form against a real redis-server 7: Redis applies the same rules and reports its own
 * rewrite (ACL GETUSER), which must mean the same to us; the command table must be the server's; and
 * for every command, ACL DRYRUN (the server's own permission check) must agree with our evaluation.
 * The harness fails (never skips) when redis-server is missing.
 */

// the test server is a plain Redis 7.0: no Valkey-8-only commands in what it loads
const SELF_MANAGED: CacheTarget = { engine: 'redis', majorEngineVersion: '7', serverless: false };
const SERVERLESS: CacheTarget = { engine: 'redis', majorEngineVersion: '7', serverless: true };
const profiles: AccessProfile[] = ['readwrite', 'readonly'];

const CASES: string[] = [
  ...profiles.flatMap((profile) => [buildAccessString('app', profile, SELF_MANAGED), buildAccessString('app', profile, SERVERLESS)]),
  DISABLED_DEFAULT_ACCESS_STRING,
  'on ~app:* +@read',
  'on ~app:* -@all +@read',
  'on ~app:* +@all -@dangerous -@admin +keys -@write +set',
  'on %R~app:* %W~app:w:* &app:* +@all -config -client|kill +config|get',
  'on allkeys allchannels +@all -@dangerous',
  'on ~app:* +@all -@dangerous (~other:* +get)',
  'off resetkeys ~app:* nocommands +ping',
  'on %r~app:* %w~app:w:* -@all +get',
];

let server: RedisServer;
beforeAll(async () => {
  requireRedisServer();
  server = await startRedis({ tls: false });
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

const SEPARATOR = '--reply-end--';
/** Many commands through one redis-cli (a process per command is slow); replies in order, each split off by an ECHO. */
function pipeline(lines: readonly string[]): string[] {
  const output = execFileSync(
    'redis-cli',
    ['-h', server.host, '-p', String(server.port), '--user', 'admin', '--pass', server.adminPassword, '--no-auth-warning'],
    { input: lines.map((line) => `${line}\nECHO ${SEPARATOR}\n`).join(''), encoding: 'utf8' },
  );
  return output
    .split(`${SEPARATOR}\n`)
    .slice(0, lines.length)
    .map((reply) => reply.trim());
}

const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await server.admin('--json', ...args)) as T;

interface GetUser {
  flags: string[];
  commands: string;
  keys: string;
  channels: string;
  selectors: { commands: string; keys: string; channels: string }[];
}

/** The access string Redis reports for a user, rebuilt from ACL GETUSER. */
async function reported(user: string): Promise<string> {
  const u = await json<GetUser>('ACL', 'GETUSER', user);
  const channels = (reply: string) => (reply.trim() === '' ? 'resetchannels' : reply);
  return [
    u.flags.includes('on') ? 'on' : 'off',
    u.keys,
    channels(u.channels),
    u.commands,
    ...u.selectors.map((s) => `(${[s.keys, channels(s.channels), s.commands].filter(Boolean).join(' ')})`),
  ]
    .filter(Boolean)
    .join(' ');
}

describe('access strings against redis-server 7', () => {
  it("holds the server's command table (ACL CAT per category)", async () => {
    const categories = await json<string[]>('ACL', 'CAT');
    expect([...categories].sort()).toEqual([...ACL_CATEGORIES].sort());
    for (const category of categories) {
      const server = (await json<string[]>('ACL', 'CAT', category)).sort();
      const ours = Object.keys(REDIS_COMMANDS)
        .filter((c) => REDIS_COMMANDS[c]!.includes(category))
        .sort();
      expect({ category, commands: ours }).toEqual({ category, commands: server });
    }
  });

  it.each(CASES)('means the same as what ACL GETUSER reports after ACL SETUSER %s', async (accessString) => {
    expect(await server.admin('ACL', 'SETUSER', 'probe', 'reset', ...accessString.split(/ (?![^(]*\))/))).toBe('OK');
    const rewritten = await reported('probe');
    // the stock server's channel default is resetchannels; GETUSER always names the channels
    expect(canonicalAccessString(rewritten, { pubsubDefault: 'resetchannels' })).toBe(
      canonicalAccessString(accessString, { pubsubDefault: 'resetchannels' }),
    );
    expect(compareAccessStrings(rewritten, accessString, 'resetchannels')).toBeUndefined();
  });

  it("agrees with ACL DRYRUN, the server's own permission check, on every command", async () => {
    // arity of every command and subcommand, to build a call the server checks permissions on
    type Info = [string, number, unknown, unknown, unknown, unknown, unknown, unknown, unknown, Info[]?];
    const infos = await json<Info[]>('COMMAND', 'INFO', ...new Set(Object.keys(REDIS_COMMANDS).map((c) => c.split('|')[0]!)));
    const arity = new Map<string, number>();
    for (const info of infos) {
      arity.set(info[0], info[1]);
      for (const sub of info[9] ?? []) arity.set(sub[0], sub[1]);
    }
    for (const accessString of [
      buildAccessString('app', 'readwrite', SELF_MANAGED),
      buildAccessString('app', 'readonly', SELF_MANAGED),
      'on ~app:* -@all +@read +config -config|set +client|id +@dangerous -flushall',
    ]) {
      await server.admin('ACL', 'SETUSER', 'dry', 'reset', 'nopass', ...accessString.split(' '));
      const allowed = new Set(evaluateAccessString(accessString, { pubsubDefault: 'resetchannels' }).commands);
      let compared = 0;
      const disagreements: string[] = [];
      const commands = Object.keys(REDIS_COMMANDS);
      const replies = pipeline(
        commands.map((command) => {
          const words = command.split('|');
          const n = Math.abs(arity.get(command) ?? words.length);
          return ['ACL', 'DRYRUN', 'dry', ...words, ...Array<string>(Math.max(0, n - words.length)).fill('app:k')].join(' ');
        }),
      );
      expect(replies).toHaveLength(commands.length);
      for (const [i, command] of commands.entries()) {
        const reply = replies[i]!;
        if (reply === 'OK' || reply.includes('no permissions to run')) {
          compared++;
          if ((reply === 'OK') !== allowed.has(command)) disagreements.push(`${command}: server says ${reply}`);
        }
      }
      expect({ accessString, disagreements }).toEqual({ accessString, disagreements: [] });
      // container commands without a subcommand and a few argument-checked ones cannot be dry-run
      expect(compared).toBeGreaterThan(300);
    }
  }, 60_000);

  // The provider's acceptance-test string, which ElastiCache returns rule for rule.
  const PROVIDER_TEST_STRING =
    'on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit -bitfield -hset -hsetnx -hmset -hincrby -hincrbyfloat -hdel -bitop -geoadd -georadius -georadiusbymember';

  it('is not what ElastiCache returns: the 7.0 engine rewrites a string ElastiCache keeps as written', async () => {
    await server.admin('ACL', 'SETUSER', 'probe', 'reset', ...PROVIDER_TEST_STRING.split(' '));
    // so a fake DescribeUsers must answer with elastiCacheAccessString, never with ACL GETUSER
    expect((await json<GetUser>('ACL', 'GETUSER', 'probe')).commands).not.toBe(PROVIDER_TEST_STRING.replace('on ~app::* ', ''));
    expect(elastiCacheAccessString(PROVIDER_TEST_STRING)).toBe(PROVIDER_TEST_STRING);
  });

  it.each([
    ...CASES.filter((c) => !c.includes('(') && !c.includes('&app')),
    PROVIDER_TEST_STRING,
    'on allkeys allcommands',
    'ON ~App:* +GET -@Write',
    'on ~a:* +@all -get -config|set +get +config',
    'on ~a:* +@read -@all +ping',
    'on ~a:* +get nocommands allcommands -@admin',
    '~a:* %R~b:* %W~b:* resetkeys %R~c:* -@all',
    'off allchannels -@all',
  ])('loads the same user from %j as from the form ElastiCache returns for it', async (given) => {
    const returned = elastiCacheAccessString(given);
    await server.admin('ACL', 'SETUSER', 'given', 'reset', ...given.split(' '));
    await server.admin('ACL', 'SETUSER', 'returned', 'reset', ...returned.split(' '));
    // the server describes a user from its permissions alone: equal replies, equal permissions
    expect(await json<GetUser>('ACL', 'GETUSER', 'returned')).toEqual(await json<GetUser>('ACL', 'GETUSER', 'given'));
    expect(compareAccessStrings(returned, given, 'resetchannels')).toBeUndefined();
  });
});
