import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import {
  alarmTopicParameterName,
  DEFAULT_CELL,
  EXPORT_KEYS,
  platformExportNames,
  platformResourceNames,
} from '@cache-platform/cache-contract';
import type { CacheSettings } from '@cache-platform/cache-foundation';
import { ENVIRONMENTS, type CellSettings, type Environment } from '@cache-platform/platform-environments';
import { buildServiceApp } from '@cache-platform/service-access';
import { validateStacks } from '@cache-platform/terraform-tools';
import { PlatformStack, platformStackId } from './stacks/platform-stack';
import { addresses, devWithCells, readFixture, sampleManifest, scratchWorkspace } from '../../../libs/service-access/test/workspace';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const FIXTURES = join(__dirname, '..', 'test', 'pre-cells');
// the rotation function's bundle: synth packages whatever the folder holds (its hash is not compared)
const ROTATION_BUNDLE = mkdtempSync(join(tmpdir(), 'rotation-bundle-'));
writeFileSync(join(ROTATION_BUNDLE, 'index.js'), 'exports.handler = async () => undefined;\n');
afterAll(() => rmSync(ROTATION_BUNDLE, { recursive: true, force: true }));

function synth(environment: Environment): Json {
  const app = Testing.app();
  try {
    return JSON.parse(
      Testing.synth(new PlatformStack(app, platformStackId(environment.name), { environment, rotationBundleDir: ROTATION_BUNDLE }), true),
    );
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

const of = (json: Json, type: string): Json[] => Object.values(json['resource']?.[type] ?? {});
const stripped = (a: string) => a.replace(/_[0-9A-F]{8}$/, '');

/**
 * The rotation function's policy gained two statements after the pre-cell capture (the connection
 * sync reads a cell's endpoint: ssm:GetParameters on the environment's exports; the daily rotation
 * report lists the claimed services: ssm:GetParametersByPath on the claims path; both asserted in
 * platform-stack.spec): an in-place update of an inline policy. Everything else must be unchanged.
 */
function withoutSyncStatement(address: string, config: Json | undefined): Json | undefined {
  if (!config || !address.startsWith('aws_iam_role_policy.foundation_password-rotation_policy')) return config;
  const policy = JSON.parse(config['policy'] as string) as { Statement: { Sid: string }[] };
  policy.Statement = policy.Statement.filter((statement) => !['ReadCellEndpoints', 'ListClaimedServices'].includes(statement.Sid));
  return { ...config, policy: JSON.stringify(policy) };
}

describe('platform with one cell: exactly what it synthesized before cells', () => {
  it.each(['dev', 'prod'])(
    '%s keeps every address and its configuration; only the alarms and their topic (with its key and policy) are new',
    (name) => {
      const environment = ENVIRONMENTS.find((e) => e.name === name)!;
      const json = synth(environment);
      const before = readFixture(join(FIXTURES, `${platformStackId(name)}.json`));
      const now = addresses(json);
      expect(Object.keys(before.addresses).filter((a) => !(a in now))).toEqual([]);
      for (const [address, config] of Object.entries(before.addresses))
        expect({ address, config: withoutSyncStatement(address, now[address] as Json) }).toEqual({ address, config });
      // the one change to the terraform block since: required_version (write-only arguments need Terraform 1.11)
      expect(json['terraform']).toEqual({ ...(before.terraform as Json), required_version: '>= 1.11' });
      expect(json['provider']).toEqual(before.provider);
      expect(
        Object.keys(now)
          .filter((a) => !(a in before.addresses))
          .map(stripped)
          .sort(),
      ).toEqual([
        // the daily rotation report's schedule, and the rotation alarms (issue 18)
        'aws_cloudwatch_event_rule.foundation_password-rotation_report-schedule',
        'aws_cloudwatch_event_target.foundation_password-rotation_report-target',
        'aws_cloudwatch_metric_alarm.alarms_main-connections',
        'aws_cloudwatch_metric_alarm.alarms_main-ecpu',
        'aws_cloudwatch_metric_alarm.alarms_main-storage',
        'aws_cloudwatch_metric_alarm.alarms_main-throttled',
        'aws_cloudwatch_metric_alarm.alarms_rotation-errors',
        'aws_cloudwatch_metric_alarm.alarms_rotation-overdue',
        'aws_kms_key.alarms_topic-key',
        'aws_lambda_permission.foundation_password-rotation_events-invoke',
        'aws_sns_topic.alarms_topic',
        'aws_sns_topic_policy.alarms_topic-policy',
        'aws_ssm_parameter.alarms_topic-arn',
        'data.aws_caller_identity.alarms_account',
        'data.aws_partition.alarms_partition',
        'data.aws_region.alarms_region',
      ]);
    },
  );
});

describe('platform with two cells', () => {
  const environment = devWithCells(100, [{ name: 'b', cache: { usageLimits: { ecpuPerSecond: { maximum: 2000 } } }, maxUsers: 50 }]);
  let json: Json;
  beforeAll(() => (json = synth(environment)));

  it('synthesizes two caches, two user groups with their own disabled default user, two export sets', () => {
    expect(
      of(json, 'aws_elasticache_serverless_cache')
        .map((c) => c.name)
        .sort(),
    ).toEqual(['cache-platform-dev', 'cache-platform-dev-b']);
    expect(
      of(json, 'aws_elasticache_user_group')
        .map((g) => g.user_group_id)
        .sort(),
    ).toEqual(['cache-platform-dev-b-users', 'cache-platform-dev-users']);
    expect(of(json, 'aws_elasticache_user').map((u) => [u.user_id, u.user_name, u.access_string])).toEqual([
      ['cache-platform-dev-b-default-off', 'default', 'off -@all'],
      ['cache-platform-dev-default-off', 'default', 'off -@all'],
    ]);
    const parameters = of(json, 'aws_ssm_parameter').map((p) => p.name as string);
    for (const cell of [DEFAULT_CELL, 'b']) {
      const names = platformExportNames('dev', cell);
      expect(EXPORT_KEYS.filter((k) => !parameters.includes(names[k]))).toEqual([]);
    }
    expect(parameters).toContain(alarmTopicParameterName('dev'));
    // cell b inherits the environment's settings, overrides its ECPU limit, shares the network
    const cache = (name: string) => of(json, 'aws_elasticache_serverless_cache').find((c) => c.name === name)!;
    const [main, b] = [cache('cache-platform-dev'), cache('cache-platform-dev-b')];
    expect(b.cache_usage_limits).toEqual([{ ecpu_per_second: [{ maximum: 2000 }] }]);
    expect(b.engine).toBe(main.engine);
    expect(b.security_group_ids).toEqual(main.security_group_ids);
    expect(b.user_group_id).toMatch(/cell-b_users_user-group/);
    expect(of(json, 'aws_security_group')).toHaveLength(3);
  });

  it('keeps the default cell at its pre-cell addresses', () => {
    const before = readFixture(join(FIXTURES, 'platform-dev.json'));
    const now = addresses(json);
    for (const [address, config] of Object.entries(before.addresses))
      expect({ address, config: withoutSyncStatement(address, now[address] as Json) }).toEqual({ address, config });
  });

  it("alarms on each cache's ECPU (where limited), storage (where limited), throttled commands and connections", () => {
    const alarms: Record<string, Json> = Object.fromEntries(of(json, 'aws_cloudwatch_metric_alarm').map((a) => [a.alarm_name, a]));
    expect(Object.keys(alarms).sort()).toEqual([
      'cache-platform-dev-b-connections',
      'cache-platform-dev-b-ecpu',
      'cache-platform-dev-b-throttled',
      'cache-platform-dev-connections',
      'cache-platform-dev-ecpu',
      'cache-platform-dev-rotation-errors',
      'cache-platform-dev-rotation-overdue',
      'cache-platform-dev-storage',
      'cache-platform-dev-throttled',
    ]);
    // 80 % of the limit, in ECPU per second (the metric is a per-minute sum)
    expect(alarms['cache-platform-dev-b-ecpu']).toMatchObject({ threshold: 1600, comparison_operator: 'GreaterThanOrEqualToThreshold' });
    expect(alarms['cache-platform-dev-b-ecpu'].metric_query[1].expression).toBe('ecpu / PERIOD(ecpu)');
    expect(alarms['cache-platform-dev-storage']).toMatchObject({ metric_name: 'BytesUsedForCache', threshold: 4_000_000_000 });
    expect(alarms['cache-platform-dev-b-throttled']).toMatchObject({
      namespace: 'AWS/ElastiCache',
      metric_name: 'ThrottledCmds',
      dimensions: { clusterId: expect.stringMatching(/cell-b_cache_/) },
    });
    const topic = `\${${'aws_sns_topic'}.${Object.keys(json['resource']['aws_sns_topic'])[0]}.arn}`;
    for (const alarm of Object.values(alarms)) expect(alarm.alarm_actions).toEqual([topic]);
  });

  it('uses the topic the environment names instead of creating one', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:oncall';
    const named = synth({ ...environment, alarms: { topicArn: arn, connections: 1000 } });
    expect(named['resource']['aws_sns_topic']).toBeUndefined();
    expect(of(named, 'aws_ssm_parameter').find((p) => p.name === alarmTopicParameterName('dev'))!.value).toBe(arn);
    const connections = of(named, 'aws_cloudwatch_metric_alarm').find((a) => a.alarm_name === 'cache-platform-dev-connections')!;
    expect(connections).toMatchObject({ threshold: 1000, alarm_actions: [arn] });
    expect(() => synth({ ...environment, alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:x.fifo' } })).toThrow(
      /invalid alarm topic ARN "arn:aws:sns:eu-west-1:123456789012:x.fifo": expected the ARN of a standard SNS topic/,
    );
  });

  it("lets the default cell's entry set its cache like any other cell's, at the same addresses", () => {
    const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
    const json = synth({ ...dev, cells: [{ name: DEFAULT_CELL, cache: { engine: 'redis', majorEngineVersion: '7' } }] });
    const caches = json['resource']['aws_elasticache_serverless_cache'] as Record<string, Json>;
    const before = readFixture(join(FIXTURES, 'platform-dev.json')).addresses as Record<string, Json>;
    const [address] = Object.keys(before).filter((a) => a.startsWith('aws_elasticache_serverless_cache.'));
    expect(Object.keys(caches).map((name) => `aws_elasticache_serverless_cache.${name}`)).toEqual([address]);
    expect(Object.values(caches)[0]).toMatchObject({ name: 'cache-platform-dev', engine: 'redis', major_engine_version: '7' });
  });

  it('names cells so that they never collide with the default names', () => {
    expect(platformResourceNames('dev', 'b').cacheName).not.toBe(platformResourceNames('dev').cacheName);
  });
});

/**
 * Two valid values of every cache setting. The mapped type makes the table list every key of
 * `CacheSettings`: a new setting does not compile until it has a row here, and then this test fails
 * until the setting reaches the cache resource of every cell. Nothing else lists the settings.
 */
const SETTING_VALUES: { readonly [K in keyof Required<CacheSettings>]: readonly [CacheSettings[K], CacheSettings[K]] } = {
  engine: ['valkey', 'redis'],
  majorEngineVersion: ['7', '8'],
  usageLimits: [{ ecpuPerSecond: { maximum: 2000 } }, { dataStorageGb: { maximum: 9 } }],
  kmsKeyArn: [
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef',
  ],
  snapshotRetentionLimit: [1, 3],
  dailySnapshotTime: ['01:00', '02:30'],
  preventDestroy: [true, false],
};
const SETTINGS = Object.keys(SETTING_VALUES) as Array<keyof CacheSettings>;
const pick = (index: 0 | 1, keys: readonly (keyof CacheSettings)[]): CacheSettings =>
  Object.fromEntries(keys.map((key) => [key, SETTING_VALUES[key][index]]));

describe('one cell concept: every cache setting reaches the cache of every cell, the default cell included', () => {
  // every setting at its first value for every cell; each case moves one setting of one place to the second value
  const base = (own?: CellSettings): Environment => {
    const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
    return {
      ...dev,
      platform: { ...dev.platform, cache: pick(0, SETTINGS) },
      cells: [DEFAULT_CELL, 'b'].map((name) => (name === own?.name ? own : { name })),
    };
  };
  const caches = (environment: Environment): Record<string, Json> => {
    const json = synth(environment);
    return Object.fromEntries(
      of(json, 'aws_elasticache_serverless_cache').map((cache) => {
        const { '//': _metadata, ...config } = cache;
        return [cache.name as string, config];
      }),
    );
  };
  let before: Record<string, Json>;
  beforeAll(() => (before = caches(base())));

  it('starts from two caches with every setting at its first value', () => {
    expect(Object.keys(before).sort()).toEqual(['cache-platform-dev', 'cache-platform-dev-b']);
    for (const cache of Object.values(before)) expect(cache).toMatchObject({ engine: 'valkey', major_engine_version: '7' });
  });

  it.each(SETTINGS.flatMap((key) => [DEFAULT_CELL, 'b'].map((cell) => [key, cell] as const)))(
    "%s set in cell %s's entry changes that cell's cache and no other",
    (key, cell) => {
      const after = caches(base({ name: cell, cache: pick(1, [key]) }));
      const [changed, unchanged] =
        cell === DEFAULT_CELL ? ['cache-platform-dev', 'cache-platform-dev-b'] : ['cache-platform-dev-b', 'cache-platform-dev'];
      expect(after[changed]).not.toEqual(before[changed]);
      expect(after[unchanged]).toEqual(before[unchanged]);
    },
  );

  it.each(SETTINGS)("%s set in the environment's platform.cache changes every cell's cache", (key) => {
    const environment = base();
    const after = caches({ ...environment, platform: { ...environment.platform, cache: { ...pick(0, SETTINGS), ...pick(1, [key]) } } });
    for (const name of Object.keys(before))
      expect(`${name}: ${JSON.stringify(after[name])}`).not.toBe(`${name}: ${JSON.stringify(before[name])}`);
  });
});

describe('acceptance: two cells, the samples split across them, every stack valid', () => {
  it('platform, catalog-api (main) and enrollment-api (b) pass terraform validate', async () => {
    const environment = devWithCells();
    const workspace = scratchWorkspace([sampleManifest('catalog-api'), { ...sampleManifest('enrollment-api'), cell: 'b' }]);
    const out = mkdtempSync(join(tmpdir(), 'cells-validate-'));
    try {
      const stacks: Record<string, Json> = { [platformStackId('dev')]: synth(environment) };
      for (const service of ['catalog-api', 'enrollment-api']) {
        const app = Testing.app();
        try {
          const built = buildServiceApp({
            appDir: workspace.appDir(service),
            app,
            env: {},
            environments: [environment],
            workspaceRoot: workspace.root,
          });
          for (const stack of built.stacks) stacks[stack.node.id] = JSON.parse(Testing.synth(stack, true));
        } finally {
          rmSync(app.outdir, { recursive: true, force: true });
        }
      }
      expect(Object.keys(stacks).sort()).toEqual(['catalog-api-dev', 'enrollment-api-dev', 'platform-dev']);
      // every service stack has its alarms; the platform has both caches' alarms and the two rotation alarms
      for (const [id, json] of Object.entries(stacks))
        expect(`${id}: ${of(json, 'aws_cloudwatch_metric_alarm').length}`).toBe(`${id}: ${id.startsWith('platform') ? 10 : 5}`);
      const exportRoot = (json: Json) =>
        Object.values<Json>(json['data']['aws_ssm_parameter'])
          .map((p) => p.name as string)
          .filter((n) => n.includes('/exports/'))
          .map((n) => n.slice(0, n.lastIndexOf('/')));
      expect(new Set(exportRoot(stacks['catalog-api-dev']!))).toEqual(new Set(['/cache-platform/dev/exports']));
      expect(new Set(exportRoot(stacks['enrollment-api-dev']!))).toEqual(new Set(['/cache-platform/dev/cells/b/exports']));

      const dirs = Object.entries(stacks).map(([id, json]) => {
        const dir = join(out, 'cdktf.out', 'stacks', id);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
        return dir;
      });
      const results = await validateStacks(dirs, { concurrency: 1 });
      expect(results.map((r) => ({ stack: r.stack, valid: r.valid, errors: r.diagnostics.filter((d) => d.severity === 'error') }))).toEqual(
        results.map((r) => ({ stack: r.stack, valid: true, errors: [] })),
      );
    } finally {
      workspace.cleanup();
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
