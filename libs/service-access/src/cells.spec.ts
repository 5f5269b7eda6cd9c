import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import {
  CACHE_METRIC_NAMES,
  CACHE_REQUEST_METRICS,
  ContractViolation,
  DEFAULT_CELL,
  SECRET_SCHEMA_VERSION,
} from '@cache-platform/cache-contract';
import { serviceManifest } from '@cache-platform/cache-contract/testing';
import { createServiceCache, staticSecretSource } from '@cache-platform/cache-client';
import { ENVIRONMENTS, type Environment } from '@cache-platform/platform-environments';
import { buildServiceApp } from './service-app';
import type { ServiceStack } from './service-stack';
import { addresses, devWithCells, readFixture, sampleManifest, scratchWorkspace } from '../test/workspace';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'pre-cells');

/**
 * The day-two settings added after the pre-cell capture, taken out before comparing: none of them
 * changes what a plan does to a deployed stack (lifecycle and depends_on are not sent to AWS, and
 * the secret version's `version_stages` are ignored by its own lifecycle), so the comparison still
 * proves "no replacement, no update". Each is asserted where it is built (service-cache-access.spec).
 */
function withoutPlanNeutralDayTwoSettings(address: string, config: Json | undefined): Json | undefined {
  if (!config) return config;
  const rest = { ...config };
  if (address.startsWith('aws_elasticache_user_group_association.')) delete rest['lifecycle'];
  if (address.startsWith('aws_secretsmanager_secret_version.')) {
    delete rest['lifecycle'];
    delete rest['version_stages'];
  }
  if (address.startsWith('aws_secretsmanager_secret_rotation.')) {
    rest['depends_on'] = (rest['depends_on'] as string[]).filter((d) => !d.startsWith('aws_lambda_invocation.'));
  }
  return rest;
}

/** Synthesizes every stack of one scratch app; returns each stack's JSON by stack id. */
function synthApp(appDir: string, root: string, environments: readonly Environment[] = ENVIRONMENTS): Record<string, Json> {
  const app = Testing.app();
  try {
    const { stacks } = buildServiceApp({ appDir, app, env: {}, environments, workspaceRoot: root });
    return Object.fromEntries(stacks.map((stack: ServiceStack) => [stack.node.id, JSON.parse(Testing.synth(stack, true))]));
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

describe('one cell: exactly what the workspace synthesized before cells', () => {
  const workspace = scratchWorkspace([sampleManifest('catalog-api'), sampleManifest('enrollment-api')]);
  afterAll(() => workspace.cleanup());

  it.each(['catalog-api', 'enrollment-api'])('%s keeps every address and its configuration; only alarms are new', (service) => {
    const stacks = synthApp(workspace.appDir(service), workspace.root);
    for (const environment of ['dev', 'prod']) {
      const id = `${service}-${environment}`;
      const before = readFixture(join(FIXTURES, `${id}.json`));
      const now = addresses(stacks[id]!);
      // every address of the pre-cell synth, with the same configuration: no replacement in a plan
      expect(Object.keys(before.addresses).filter((a) => !(a in now))).toEqual([]);
      for (const [address, config] of Object.entries(before.addresses))
        expect({ address, config: withoutPlanNeutralDayTwoSettings(address, now[address] as Json) }).toEqual({ address, config });
      // the one change to the terraform block since: required_version (write-only arguments need Terraform 1.11)
      expect(stacks[id]!['terraform']).toEqual({ ...(before.terraform as Json), required_version: '>= 1.11' });
      expect(stacks[id]!['provider']).toEqual(before.provider);
      const added = Object.keys(now).filter((a) => !(a in before.addresses));
      expect(added.map((a) => a.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
        'aws_cloudwatch_metric_alarm.alarms_circuitOpens',
        'aws_cloudwatch_metric_alarm.alarms_errorRatePercent',
        'aws_cloudwatch_metric_alarm.alarms_functionErrors',
        'aws_cloudwatch_metric_alarm.alarms_functionThrottles',
        'aws_cloudwatch_metric_alarm.alarms_timeouts',
        'aws_lambda_invocation.cache-access_connection-sync',
        'data.aws_ssm_parameter.alarms_topic-arn',
        // an IAM service calls the platform function too now (the connection sync), not only for rotation
        ...(service === 'enrollment-api' ? ['data.aws_ssm_parameter.platform_rotationFunctionArn'] : []),
      ]);
    }
  });
});

describe('a service in another cell', () => {
  const moved = { ...sampleManifest('catalog-api'), cell: 'b' };
  const workspace = scratchWorkspace([moved, sampleManifest('enrollment-api')]);
  afterAll(() => workspace.cleanup());
  const environments = [devWithCells()];

  it('reads the cell exports; user, secret and claim keep their addresses (moving is a manifest change)', () => {
    const inB = synthApp(workspace.appDir('catalog-api'), workspace.root, environments)['catalog-api-dev']!;
    const before = readFixture(join(FIXTURES, 'catalog-api-dev.json')).addresses as Record<string, Json>;
    const now = addresses(inB) as Record<string, Json>;
    const changed = Object.keys(before).filter(
      (a) => JSON.stringify(before[a]) !== JSON.stringify(withoutPlanNeutralDayTwoSettings(a, now[a] as Json)),
    );
    // only the export reads change (their parameter names); every resource keeps its configuration
    // text, and at plan time the new values flow in: the association moves to cell b's group
    // (replaced), the secret gets a new version with cell b's endpoint; the user, the secret itself
    // and the keyspace claim stay
    expect(changed.map((a) => a.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
      'data.aws_ssm_parameter.platform_cacheName',
      'data.aws_ssm_parameter.platform_clientSecurityGroupId',
      'data.aws_ssm_parameter.platform_endpointAddress',
      'data.aws_ssm_parameter.platform_endpointPort',
      'data.aws_ssm_parameter.platform_readerPort',
      'data.aws_ssm_parameter.platform_rotationFunctionArn',
      'data.aws_ssm_parameter.platform_subnetIds',
      'data.aws_ssm_parameter.platform_userGroupId',
    ]);
    const secretValue = Object.values<Json>(inB['resource']['aws_secretsmanager_secret_version'])[0]!;
    expect(JSON.stringify(secretValue)).toMatch(/data\.aws_ssm_parameter\.platform_endpointAddress_[0-9A-F]{8}\.insecure_value/);
    const reads = Object.values<Json>(inB['data']['aws_ssm_parameter']).map((p) => p.name as string);
    expect(reads.filter((n) => n.includes('/exports/')).every((n) => n.startsWith('/cache-platform/dev/cells/b/exports/'))).toBe(true);
    const association = Object.values<Json>(inB['resource']['aws_elasticache_user_group_association'])[0]!;
    expect(association.user_group_id).toMatch(/data\.aws_ssm_parameter\.platform_userGroupId_[0-9A-F]{8}\.insecure_value/);
    expect(Object.values<Json>(inB['resource']['aws_elasticache_user'])[0]!.user_id).toBe('catalog-api-dev');
    // the keyspace claim is per environment, not per cell: moving keeps it, and keyspaces stay unique
    const claim = Object.values<Json>(inB['resource']['aws_ssm_parameter'])[0]!;
    expect(claim.name).toBe('/cache-platform/dev/keyspaces/catalog-api');
  });

  it('refuses a cell the environment does not have', () => {
    expect(() => synthApp(workspace.appDir('catalog-api'), workspace.root, ENVIRONMENTS)).toThrow(
      /invalid cell "b": service "catalog-api" names a cell environment "dev" does not have \(cells: main\)/,
    );
  });
});

describe('synth-time quota check', () => {
  it('fails every service synth of a workspace that puts three services into a cell of 3 users', () => {
    const workspace = scratchWorkspace([
      serviceManifest('svc-a'),
      serviceManifest('svc-b'),
      serviceManifest('svc-c', { cell: DEFAULT_CELL }),
    ]);
    try {
      let error: unknown;
      try {
        synthApp(workspace.appDir('svc-a'), workspace.root, [devWithCells(3)]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ContractViolation);
      expect((error as Error).message).toBe(
        'invalid service count of cell "main" in environment "dev" 3: 3 services + 1 disabled default user = 4 users, over the users-per-group quota of 3; ' +
          'move a service to another cell (its manifest\'s "cell"), add a cell, or raise maxUsers after AWS raised the account\'s quota',
      );
      // two services fit: the same workspace with the third in cell b synthesizes
      rmSync(join(workspace.appDir('svc-c')), { recursive: true });
      const again = scratchWorkspace([serviceManifest('svc-a'), serviceManifest('svc-b'), serviceManifest('svc-c', { cell: 'b' })]);
      try {
        expect(Object.keys(synthApp(again.appDir('svc-a'), again.root, [devWithCells(3)]))).toEqual(['svc-a-dev']);
      } finally {
        again.cleanup();
      }
    } finally {
      workspace.cleanup();
    }
  });
});

describe('synth-time checks count a service wherever --directory put it', () => {
  it('a third service under services/payments overfills the cell, and its keyspace is checked against every other', () => {
    const workspace = scratchWorkspace([serviceManifest('svc-a'), serviceManifest('svc-b')]);
    try {
      const payments = join(workspace.root, 'services', 'payments', 'svc-c');
      mkdirSync(join(payments, 'dist', 'handler'), { recursive: true });
      writeFileSync(join(payments, 'dist', 'handler', 'index.mjs'), 'export const handler = async () => ({});\n');
      const write = (manifest: Record<string, unknown>) => writeFileSync(join(payments, 'cache-service.json'), JSON.stringify(manifest));
      write(serviceManifest('svc-c'));
      const quota = 'invalid service count of cell "main" in environment "dev" 3: 3 services + 1 disabled default user = 4 users';
      expect(() => synthApp(workspace.appDir('svc-a'), workspace.root, [devWithCells(3)])).toThrow(quota);
      // its own synth, run from its folder, counts the same workspace
      expect(() => synthApp(payments, workspace.root, [devWithCells(3)])).toThrow(quota);
      write(serviceManifest('svc-c', { cell: 'b', keyspace: 'svc-a' }));
      expect(() => synthApp(workspace.appDir('svc-a'), workspace.root, [devWithCells(3)])).toThrow(
        'services/payments/svc-c/cache-service.json: invalid keyspace "svc-a": is already claimed by service "svc-a" (apps/svc-a/cache-service.json)',
      );
      write(serviceManifest('svc-c', { cell: 'b' }));
      expect(Object.keys(synthApp(payments, workspace.root, [devWithCells(3)]))).toEqual(['svc-c-dev']);
    } finally {
      workspace.cleanup();
    }
  });
});

describe('service alarms', () => {
  const workspace = scratchWorkspace([
    sampleManifest('catalog-api'),
    { ...serviceManifest('tuned-api'), alarms: { errorRatePercent: 2.5, functionErrors: 20 } },
  ]);
  afterAll(() => workspace.cleanup());

  const alarmsOf = (json: Json): Record<string, Json> =>
    Object.fromEntries(Object.values<Json>(json['resource']['aws_cloudwatch_metric_alarm']).map((a) => [a.alarm_name, a]));

  it('alarm on the cache metrics and the function, notifying the exported topic, with manifest overrides', () => {
    const alarms = alarmsOf(synthApp(workspace.appDir('tuned-api'), workspace.root)['tuned-api-dev']!);
    expect(Object.keys(alarms).sort()).toEqual([
      'tuned-api-dev-cache-circuit-opens',
      'tuned-api-dev-cache-error-rate',
      'tuned-api-dev-cache-timeouts',
      'tuned-api-dev-function-errors',
      'tuned-api-dev-function-throttles',
    ]);
    const thresholds = Object.fromEntries(Object.entries(alarms).map(([name, a]) => [name.replace('tuned-api-dev-', ''), a.threshold]));
    expect(thresholds).toEqual({
      'cache-error-rate': 2.5,
      'cache-circuit-opens': 1,
      'cache-timeouts': 10,
      'function-errors': 20,
      'function-throttles': 1,
    });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.alarm_actions).toEqual([
        expect.stringMatching(/^\$\{data\.aws_ssm_parameter\.alarms_topic-arn_[0-9A-F]{8}\.insecure_value\}$/),
      ]);
      expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
      expect(alarm.treat_missing_data).toBe('notBreaching');
    }
    expect(alarms['tuned-api-dev-function-errors']).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      dimensions: { FunctionName: expect.stringMatching(/aws_lambda_function\.handler_function_[0-9A-F]{8}\.function_name/) },
    });
  });

  it('watch exactly the metrics the cache client writes: a line it emits carries each alarm metric', async () => {
    const stack = synthApp(workspace.appDir('catalog-api'), workspace.root)['catalog-api-dev']!;
    const alarms = alarmsOf(stack);
    // the runtime library, failing against a port nothing listens on: errors, fail-open, timeouts
    const lines: string[] = [];
    const cache = createServiceCache({
      secretSource: staticSecretSource({
        schemaVersion: SECRET_SCHEMA_VERSION,
        host: '127.0.0.1',
        port: 1,
        username: 'catalog-api-dev',
        password: 'x'.repeat(32),
        keyspace: 'catalog-api',
        tls: false,
        authMode: 'password',
        cacheName: 'cache-platform-dev',
        user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:catalog-api-dev',
        clusterMode: false,
      }),
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
      metrics: { write: (line) => lines.push(line), flushIntervalMs: 0 },
      logger: { warn: () => undefined },
    });
    try {
      for (let i = 0; i < 3; i++) await cache.getOrLoad(`k${i}`, async () => 'v', { ttlSeconds: 5 });
      await cache.settle();
      cache.flushMetrics();
    } finally {
      await cache.close();
    }
    const emitted = lines.map((l) => JSON.parse(l) as Json);
    const doc = emitted.find((d) => d[CACHE_METRIC_NAMES.errors] > 0)!;
    expect(doc).toBeDefined();
    const [directive] = doc['_aws'].CloudWatchMetrics;
    const emittedNames = (directive.Metrics as Json[]).map((m) => m.Name);
    const emittedDimensions = Object.fromEntries((directive.Dimensions[0] as string[]).map((d) => [d, doc[d]]));

    // every metric an alarm watches, with its namespace and dimensions, as the library writes them
    const watched: Json[] = [];
    for (const alarm of Object.values(alarms)) {
      if (alarm.namespace && alarm.namespace !== 'AWS/Lambda') watched.push(alarm);
      for (const q of alarm.metric_query ?? []) if (q.metric) watched.push({ ...q.metric, metric_name: q.metric.metric_name });
    }
    expect(watched.length).toBeGreaterThanOrEqual(3 + CACHE_REQUEST_METRICS.length);
    for (const metric of watched) {
      expect({ name: metric.metric_name, namespace: metric.namespace, dimensions: metric.dimensions }).toEqual({
        name: metric.metric_name,
        namespace: directive.Namespace,
        dimensions: emittedDimensions,
      });
    }
    // and the line itself holds the metrics this failure moved, which the error-rate alarm divides
    expect(emittedNames).toEqual(expect.arrayContaining([CACHE_METRIC_NAMES.errors, CACHE_METRIC_NAMES.failOpen]));
    const watchedNames = new Set(watched.map((m) => m.metric_name));
    expect([CACHE_METRIC_NAMES.errors, CACHE_METRIC_NAMES.failOpen].filter((n) => !watchedNames.has(n))).toEqual([]);
    expect(emittedDimensions).toEqual({ Keyspace: 'catalog-api' });
  }, 30_000);
});
