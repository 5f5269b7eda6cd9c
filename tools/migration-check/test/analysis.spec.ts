// The two readers of the check on the shapes a hand-wired service takes: its handler source (clients,
// old variables, health, dual read) and its synthesized policies (every way a role can read secrets).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyseHandler } from '../src';
import { checkMigration, MigrationCheckError } from '../src/check';
import { parseStack, resourcesOf, rolePolicies, statementAllows, type TfStack } from '@cache-platform/stack-analysis';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migration-analysis-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe('handler source', () => {
  it('follows relative imports from the entry, leaves tests and packages out', () => {
    write({
      'src/handler/index.ts': "import { a } from './a';\nimport { b } from '../lib/b.js';\nimport x from 'lodash';\nexport { a, b, x };\n",
      'src/handler/a.ts': "export const a = 1;\nimport './a.spec';\n",
      'src/handler/a.spec.ts': 'process.env.REDIS_URL;\n',
      'src/lib/b.ts': 'export const b = 2;\n',
    });
    expect(analyseHandler(dir, 'src/handler/index.ts').files).toEqual(['src/handler/index.ts', 'src/handler/a.ts', 'src/lib/b.ts']);
  });

  it('finds hand-built clients of node-redis and ioredis, but accepts those built from the secret', () => {
    write({
      'src/handler/index.ts': [
        "import * as redis from 'redis';",
        "import Redis, { Cluster } from 'ioredis';",
        "import { createCluster as cc } from '@redis/client';",
        "import { createRedisConnectionConfig, ioredisOptions } from '@cache-platform/cache-client/client-config';",
        "const { createClient } = require('redis');",
        'declare const secret: never;',
        "export const a = redis.createClient({ url: 'rediss://old:6379' });",
        "export const b = new Redis(process.env['REDIS_HOST']);",
        'export const c = new Cluster([]);',
        'export const d = cc({ rootNodes: [] });',
        'export const e = createClient();',
        'export const ok1 = redis.createClient(createRedisConnectionConfig(secret));',
        'export const ok2 = new Redis(ioredisOptions(secret));',
        '',
      ].join('\n'),
    });
    const facts = analyseHandler(dir, 'src/handler/index.ts');
    expect(facts.handBuiltClients.map((c) => `${c.line} ${c.text}`)).toEqual([
      "7 redis.createClient({ url: 'rediss://old:6379' })",
      "8 new Redis(process.env['REDIS_HOST'])",
      '9 new Cluster([])',
      '10 cc({ rootNodes: [] })',
      '11 createClient()',
    ]);
    expect(facts.legacyVariableReads.map((r) => `${r.line} ${r.variable}`)).toEqual(['8 REDIS_HOST']);
    expect(facts.serviceCaches).toEqual([]);
  });

  it('finds every way of reading the old variables, the service cache, its health check and the dual read', () => {
    write({
      'src/handler/index.ts': [
        "import { createServiceCache as make, legacyReadFromEnv } from '@cache-platform/cache-client';",
        'const { REDIS_PASSWORD, OTHER } = process.env;',
        'const port = process.env.REDIS_PORT;',
        'const cache = make({ legacyRead: { url: String(process.env.REDIS_URL) } });',
        'export const later = legacyReadFromEnv();',
        'export const health = () => cache.checkHealth();',
        'export { REDIS_PASSWORD, OTHER, port };',
        '',
      ].join('\n'),
    });
    const facts = analyseHandler(dir, 'src/handler/index.ts');
    expect(facts.legacyVariableReads.map((r) => `${r.line} ${r.variable}`)).toEqual(['2 REDIS_PASSWORD', '3 REDIS_PORT', '4 REDIS_URL']);
    expect(facts.serviceCaches.map((c) => c.line)).toEqual([4]);
    expect(facts.legacyReads.map((c) => c.line)).toEqual([4, 5]);
    expect(facts.healthChecks.map((c) => c.line)).toEqual([6]);
  });

  it('does not take a createServiceCache of some other module for the library one', () => {
    write({
      'src/handler/index.ts': "import { createServiceCache } from './mine';\nexport const c = createServiceCache();\n",
      'src/handler/mine.ts': 'export const createServiceCache = () => 1;\n',
    });
    expect(analyseHandler(dir, 'src/handler/index.ts').serviceCaches).toEqual([]);
  });
});

describe('role policies', () => {
  // the stack model's query that step 3 runs: every policy that applies to one role
  const stack = (resource: object, data: object = {}): TfStack => parseStack('s', { resource, data });
  const role = { aws_iam_role: { r: { name: 'r' } } };
  const roleOf = (s: TfStack) => resourcesOf(s, 'aws_iam_role').find((r) => r.name === 'r')!;
  const on = (s: TfStack) => {
    const { policies, attachedArns } = rolePolicies(s, roleOf(s));
    return [
      ...policies.flatMap((p) =>
        p.statements
          .filter((st) => statementAllows(st, 'secretsmanager:GetSecretValue'))
          .map((st) => `${p.resource.address}: ${st.resources.join(',') || `not ${st.notResources.join(',')}`}`),
      ),
      ...attachedArns.map((a) => `${a.resource.address}: ${a.arn}`),
    ];
  };

  it('reads inline, attached, managed-by-ARN and data-document policies, and knows wildcards and NotAction', () => {
    const s = stack(
      {
        ...role,
        aws_iam_role_policy: {
          inline: {
            role: '${aws_iam_role.r.name}',
            policy: JSON.stringify({
              Statement: { Effect: 'Allow', Action: 'secretsmanager:Get*', Resource: 'arn:aws:secretsmanager:eu-west-1:1:secret:redis/*' },
            }),
          },
          notaction: {
            role: '${aws_iam_role.r.id}',
            policy: JSON.stringify({ Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] }),
          },
          denied: {
            role: '${aws_iam_role.r.name}',
            policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }),
          },
          other: {
            role: '${aws_iam_role.other.name}',
            policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
          },
          doc: { role: '${aws_iam_role.r.name}', policy: '${data.aws_iam_policy_document.d.json}' },
        },
        aws_iam_role_policy_attachment: {
          managed: { role: '${aws_iam_role.r.name}', policy_arn: 'arn:aws:iam::aws:policy/SecretsManagerReadWrite' },
          vpc: { role: '${aws_iam_role.r.name}', policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole' },
          own: { role: '${aws_iam_role.r.name}', policy_arn: '${aws_iam_policy.p.arn}' },
        },
        aws_iam_policy: {
          p: {
            policy: JSON.stringify({
              Statement: [{ Effect: 'Allow', Action: ['secretsmanager:*'], Resource: ['${aws_secretsmanager_secret.s.arn}'] }],
            }),
          },
        },
      },
      {
        aws_iam_policy_document: { d: { statement: [{ effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }] } },
      },
    );
    expect(on(s)).toEqual([
      'aws_iam_role_policy.inline: arn:aws:secretsmanager:eu-west-1:1:secret:redis/*',
      'aws_iam_role_policy.notaction: *',
      'aws_iam_role_policy.doc: *',
      'aws_iam_policy.p: ${aws_secretsmanager_secret.s.arn}',
      'aws_iam_role_policy_attachment.managed: arn:aws:iam::aws:policy/SecretsManagerReadWrite',
      'aws_iam_role_policy_attachment.vpc: arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
    ]);
  });

  it('names a policy it cannot read instead of passing it', () => {
    const s = stack({ ...role, aws_iam_role_policy: { expr: { role: '${aws_iam_role.r.name}', policy: '${jsonencode(local.p)}' } } });
    const unreadable = rolePolicies(s, roleOf(s)).policies.filter((p) => p.unreadable);
    expect(unreadable.map((p) => `${p.resource.address}: ${p.unreadable}`)).toEqual([
      'aws_iam_role_policy.expr: policy: the policy is not a JSON object',
    ]);
  });
});

describe('checkMigration', () => {
  it('refuses to judge an app that was never synthesized, saying how to synthesize it', () => {
    write({ 'src/handler/index.ts': 'export {};\n' });
    expect(() => checkMigration(dir)).toThrow(MigrationCheckError);
    expect(() => checkMigration(dir)).toThrow(
      /no synthesized stacks in .*cdktf\.out\/stacks: synthesize first \(npx nx run <service>:synth, or cdktf synth in the app folder\)/,
    );
  });

  it('judges the functions that use Redis, not a function the service added for something else', () => {
    const policy = (resource: string) =>
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resource }] });
    write({
      'src/handler/index.ts': 'export {};\n',
      'cdktf.out/stacks/s/cdk.tf.json': JSON.stringify({
        resource: {
          aws_secretsmanager_secret: { sec: {} },
          aws_iam_role: { cache: {}, worker: {} },
          aws_iam_role_policy: {
            read: { role: '${aws_iam_role.cache.name}', policy: policy('${aws_secretsmanager_secret.sec.arn}') },
            'worker-db': { role: '${aws_iam_role.worker.name}', policy: policy('arn:aws:secretsmanager:eu-west-1:1:secret:db-*') },
          },
          aws_lambda_function: {
            handler: {
              function_name: 'svc-handler',
              role: '${aws_iam_role.cache.arn}',
              environment: { variables: { REDIS_SECRET_ARN: '${aws_secretsmanager_secret.sec.arn}' } },
            },
            worker: { function_name: 'svc-worker', role: '${aws_iam_role.worker.arn}', environment: { variables: { QUEUE: 'q' } } },
          },
        },
      }),
    });
    const report = checkMigration(dir);
    expect(report.steps[1]!.reasons).toEqual([]);
    expect(report.steps[2]!.reasons).toEqual([]);
  });

  it('reports a Redis user that reaches every key under step 1 and step 6, judged against the keyspace its stack claims', () => {
    const stack = (claim: boolean) =>
      JSON.stringify({
        resource: {
          aws_elasticache_user: { broad: { access_string: 'on ~* +@all' } },
          aws_secretsmanager_secret: { sec: {} },
          ...(claim ? { aws_ssm_parameter: { claim: { name: '/cache-platform/dev/keyspaces/catalog', value: 'catalog-api' } } } : {}),
        },
      });
    write({ 'src/handler/index.ts': 'export {};\n', 'cdktf.out/stacks/s/cdk.tf.json': stack(true) });
    const report = checkMigration(dir);
    expect(report.steps[0]!.reasons).toEqual([
      'stack s: aws_elasticache_user.broad: access string grants key pattern(s) ~* outside keyspace "catalog" (allowed: ~catalog:*)',
      "stack s: aws_elasticache_user.broad: access string allows pub/sub commands and sets no channel pattern, so the cache's default allchannels applies (allowed: &catalog:*, or -@pubsub)",
      'stack s: aws_elasticache_user.broad: access string "on ~* +@all" allows every @dangerous and every @admin command (flushall, flushdb, keys, config|set, scan, debug, shutdown, monitor, acl|setuser, client|kill and 75 more)',
    ]);
    expect(report.steps[5]!.reasons).toEqual(['stack s still holds a Redis user that reaches every key: aws_elasticache_user.broad']);

    // no manifest and no claim: which keyspace the user is for is unknown, as the policy pack says
    write({ 'cdktf.out/stacks/s/cdk.tf.json': stack(false) });
    expect(checkMigration(dir).steps[0]!.reasons[0]).toBe(
      'stack s: aws_elasticache_user.broad: cannot tell which keyspace the user belongs to: its stack claims no keyspace (no /cache-platform/<env>/keyspaces/<keyspace> parameter)',
    );
  });

  it('counts an AWS managed policy that reads every secret as a grant wider than the service secret', () => {
    const policy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '${aws_secretsmanager_secret.sec.arn}' }],
    });
    write({
      'src/handler/index.ts': 'export {};\n',
      'cdktf.out/stacks/s/cdk.tf.json': JSON.stringify({
        resource: {
          aws_secretsmanager_secret: { sec: {} },
          aws_iam_role: { cache: { inline_policy: [{ name: 'read', policy }] } },
          aws_iam_role_policy_attachment: {
            broad: { role: '${aws_iam_role.cache.name}', policy_arn: 'arn:aws:iam::aws:policy/SecretsManagerReadWrite' },
            // as the service stack writes it: the partition from a data source
            vpc: {
              role: '${aws_iam_role.cache.name}',
              policy_arn: 'arn:${data.aws_partition.p.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
            },
          },
          aws_lambda_function: {
            handler: {
              function_name: 'svc-handler',
              role: '${aws_iam_role.cache.arn}',
              environment: { variables: { REDIS_SECRET_ARN: '${aws_secretsmanager_secret.sec.arn}' } },
            },
          },
        },
      }),
    });
    expect(checkMigration(dir).steps[2]!.reasons).toEqual([
      'aws_iam_role_policy_attachment.broad (SecretsManagerReadWrite) on the role of svc-handler allows secretsmanager:* on "*": a secret grant wider than the service\'s secret (aws_secretsmanager_secret.sec)',
    ]);
  });

  it('names a stack file that is not Terraform JSON, as a problem of the check (exit 2), not a missing step', () => {
    write({ 'src/handler/index.ts': 'export {};\n', 'cdktf.out/stacks/s/cdk.tf.json': '{ not json' });
    expect(() => checkMigration(dir)).toThrow(MigrationCheckError);
    expect(() => checkMigration(dir)).toThrow(/^cannot read synthesized stack .*cdktf\.out\/stacks\/s\/cdk\.tf\.json: /);
  });
});
