// One table of access strings with the verdict each deserves, run through the migration check's
// step 1 and through the policy pack's rules (CP001 scope, CP002 commands) on the same synthesized
// stack: both must give the table's verdict, with the same findings. Many rows are strings that a
// reading which splits on whitespace and looks only at `~` words gets wrong (rule order, resetkeys,
// selectors, channels, commands granted back, prefix traps).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildAccessString, formatKeyspaceClaim } from '@cache-platform/cache-contract';
import { RULES } from '@cache-platform/guardrails/policy';
import { parseStack } from '@cache-platform/stack-analysis';
import { checkMigration } from '../src';

/** What is wrong with a string for a user of keyspace `catalog`: nothing (accepted), or these kinds. */
type Kind = 'invalid' | 'keys' | 'channels' | 'selectors' | 'commands';

const SAFE = buildAccessString('catalog', 'readwrite');
const READONLY = buildAccessString('catalog', 'readonly');

const TABLE: ReadonlyArray<readonly [accessString: string, refused: readonly Kind[], why: string]> = [
  [SAFE, [], 'what the platform builds'],
  [READONLY, [], 'the read-only profile'],
  ['on ~catalog:*  -@all  +get', [], 'double spaces are one separator'],
  ['on\t~catalog:*\t-@all +get', [], 'a tab is a separator'],
  ['ON ~catalog:* -@ALL +GET', [], 'rules are case-insensitive'],
  ['on ~catalog:orders:* %R~catalog:* -@all +get', [], 'narrower patterns inside the keyspace'],
  ['on %RW~catalog:* %W~catalog:w:* -@all +get +set', [], 'read/write flags on patterns inside the keyspace'],
  ['on ~catalog:?* -@all +get', [], 'a glob after the keyspace prefix stays inside it'],
  ['on ~* resetkeys ~catalog:* -@all +get', [], 'resetkeys drops the earlier ~*'],
  ['on ~catalog:* resetkeys -@all +get', [], 'no key at all is inside every keyspace'],
  ['on ~catalog:* +@read -@all', [], '-@all after +@read leaves nothing'],
  ['on ~* -@all +get', ['keys'], 'every key'],
  ['on allkeys -@all +get', ['keys'], 'allkeys is ~*'],
  ['on %R~* -@all +get', ['keys'], 'read-only on every key is still every key'],
  ['on %r~* -@all +get', ['keys'], 'lower-case flags are flags too'],
  ['on ~catalog:* resetkeys ~* -@all +get', ['keys'], 'resetkeys before ~* does not help'],
  ['on ~catalog* -@all +get', ['keys'], 'prefix trap: catalog* matches catalog-api:x'],
  ['on ~?atalog:* -@all +get', ['keys'], 'a glob before the colon reaches other keyspaces'],
  ['on ~catalog-api:* -@all +get', ['keys'], "another service's keyspace"],
  ['on ~catalog:* -@all +@read', ['commands'], '+@read grants KEYS and SCAN'],
  [`${SAFE} +keys`, ['commands'], 'a forbidden command granted back after the removals'],
  ['on ~catalog:* +@all -@dangerous -@pubsub', ['commands'], 'SCAN, RANDOMKEY and DBSIZE are not @dangerous'],
  ['on ~catalog:* +@all', ['channels', 'commands'], 'pub/sub on the default allchannels, and every command'],
  [`${SAFE} &*`, ['channels'], 'a channel pattern outside the keyspace'],
  ['on ~catalog:* -@all +get (~* +get)', ['selectors'], 'a selector is a second set of permissions'],
  ['on ~catalog:* "~*" -@all +get', ['invalid'], 'a quoted rule is not a rule (redis-server refuses it): refused, never skipped'],
  ['on ~* +@all', ['keys', 'channels', 'commands'], 'the old shared user'],
];

// the kind of a policy finding: CP002 is about commands, CP001 names what it found
function kindOf(rule: string, message: string): Kind {
  if (rule === 'CP002') return 'commands';
  if (message.startsWith('invalid access string')) return 'invalid';
  if (message.includes('key pattern')) return 'keys';
  if (message.includes('channel')) return 'channels';
  if (message.includes('selector')) return 'selectors';
  throw new Error(`unexpected ${rule} finding: ${message}`);
}

const USER = 'aws_elasticache_user.user';

/** A service stack as a synthesized one has it: the user, its keyspace claim, the secret. */
function stackJson(accessString: string): object {
  return {
    resource: {
      aws_elasticache_user: { user: { user_id: 'catalog-dev', user_name: 'catalog-dev', engine: 'valkey', access_string: accessString } },
      aws_ssm_parameter: {
        claim: {
          name: '/cache-platform/dev/keyspaces/catalog',
          type: 'String',
          value: formatKeyspaceClaim({ service: 'catalog', owner: 'team-catalog', purpose: 'verdict table' }),
        },
      },
      aws_secretsmanager_secret: { secret: { name: 'cache-platform/dev/catalog/redis' } },
    },
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'access-verdicts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(TABLE)('%j', (accessString, refused, why) => {
  it(`${refused.length === 0 ? 'is accepted' : `is refused for ${refused.join(', ')}`} (${why}) by the policy pack and by migration step 1 alike`, () => {
    const json = stackJson(accessString);
    const stack = parseStack('catalog-dev', json);
    const policy = RULES.filter((rule) => rule.id === 'CP001' || rule.id === 'CP002').flatMap((rule) =>
      rule
        .check(stack, { stacks: [stack], contextStacks: [] })
        .map((v) => ({ rule: rule.id, address: v.resource.address, message: v.message })),
    );
    expect(policy.every((finding) => finding.address === USER)).toBe(true);
    expect([...new Set(policy.map((f) => kindOf(f.rule, f.message)))].sort()).toEqual([...refused].sort());

    const app = join(dir, String(TABLE.findIndex((row) => row[0] === accessString)));
    for (const [file, text] of Object.entries({
      'src/handler/index.ts': 'export {};\n',
      'cdktf.out/stacks/catalog-dev/cdk.tf.json': JSON.stringify(json),
    })) {
      mkdirSync(dirname(join(app, file)), { recursive: true });
      writeFileSync(join(app, file), text);
    }
    const step1 = checkMigration(app).steps[0]!;
    expect(step1.done).toBe(refused.length === 0);
    expect(step1.reasons).toEqual(policy.map((f) => `stack catalog-dev: ${USER}: ${f.message}`));
  });
});
