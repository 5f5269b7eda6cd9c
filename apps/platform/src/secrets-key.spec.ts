import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { parseStack, RULES, runPolicy, secretsCustomerKeyRule } from '@cache-platform/guardrails/policy';
import { ENVIRONMENTS, type Environment } from '@cache-platform/platform-environments';
import { buildServiceApp } from '@cache-platform/service-access';
import { validateStacks } from '@cache-platform/terraform-tools';
import { PlatformStack, platformStackId } from './stacks/platform-stack';
import { sampleManifest, scratchWorkspace } from '../../../libs/service-access/test/workspace';

/*
 * An environment that asks for a customer managed key for its secrets (`secretsKmsKeyArn`): the
 * service secrets use it, the functions and the rotation role may decrypt with it through Secrets
 * Manager only, every stack passes the whole policy pack (CP020 included) and terraform validate,
 * and a secret left on the AWS managed key fails CP020.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const dev = ENVIRONMENTS.find((e) => e.name === 'dev') as Environment;
const environment: Environment = { ...dev, secretsKmsKeyArn: KEY };
const rules = RULES.map((rule) => (rule.id === 'CP020' ? secretsCustomerKeyRule([environment]) : rule));

const ROTATION_BUNDLE = mkdtempSync(join(tmpdir(), 'rotation-bundle-'));
writeFileSync(join(ROTATION_BUNDLE, 'index.js'), 'exports.handler = async () => undefined;\n');
afterAll(() => rmSync(ROTATION_BUNDLE, { recursive: true, force: true }));

function synthAll(): Record<string, Json> {
  const stacks: Record<string, Json> = {};
  const platformApp = Testing.app();
  stacks[platformStackId('dev')] = JSON.parse(
    Testing.synth(new PlatformStack(platformApp, platformStackId('dev'), { environment, rotationBundleDir: ROTATION_BUNDLE }), true),
  );
  rmSync(platformApp.outdir, { recursive: true, force: true });
  const workspace = scratchWorkspace([sampleManifest('catalog-api'), sampleManifest('enrollment-api')]);
  try {
    for (const service of ['catalog-api', 'enrollment-api']) {
      const app = Testing.app();
      const built = buildServiceApp({
        appDir: workspace.appDir(service),
        app,
        env: {},
        environments: [environment],
        workspaceRoot: workspace.root,
      });
      for (const stack of built.stacks) stacks[stack.node.id] = JSON.parse(Testing.synth(stack, true));
      rmSync(app.outdir, { recursive: true, force: true });
    }
  } finally {
    workspace.cleanup();
  }
  return stacks;
}

describe('secrets under the environment customer managed key', () => {
  let stacks: Record<string, Json>;
  beforeAll(() => (stacks = synthAll()));

  it('puts every service secret under the key, and grants kms:Decrypt through Secrets Manager only', () => {
    for (const service of ['catalog-api-dev', 'enrollment-api-dev']) {
      const json = stacks[service] as Json;
      expect(Object.values<Json>(json['resource']['aws_secretsmanager_secret']).map((s) => s.kms_key_id)).toEqual([KEY]);
      const read = Object.entries<Json>(json['data']['aws_iam_policy_document']).find(([name]) => name.includes('secret-read'))?.[1];
      expect(read?.statement).toContainEqual({
        sid: 'DecryptCacheSecret',
        effect: 'Allow',
        actions: ['kms:Decrypt'],
        resources: [KEY],
        condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.eu-west-1.amazonaws.com'] }],
      });
    }
    const rotation = Object.values<Json>(stacks['platform-dev']!['resource']['aws_iam_role_policy'])[0];
    const statement = JSON.parse(rotation.policy).Statement.find((s: Json) => s.Sid === 'UseServiceSecretsKey');
    expect(statement).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY });
    expect(statement.Condition.StringEquals['kms:ViaService']).toMatch(
      /^secretsmanager\.\$\{data\.aws_region\.[^}]+\.name\}\.amazonaws\.com$/,
    );
  });

  it('passes every rule of the pack, and CP020 refuses a secret left on the AWS managed key', () => {
    const parsed = Object.entries(stacks).map(([name, json]) => parseStack(name, json));
    const report = runPolicy({ stacks: parsed, rules });
    expect(report.findings.map((f) => `${f.rule} ${f.stack} ${f.address}: ${f.message}`)).toEqual([]);
    const edited = structuredClone(stacks['catalog-api-dev']) as Json;
    for (const secret of Object.values<Json>(edited['resource']['aws_secretsmanager_secret'])) delete secret.kms_key_id;
    const findings = runPolicy({ stacks: [parseStack('catalog-api-dev', edited)], rules }).findings;
    expect(findings.map((f) => `${f.rule}: ${f.message}`)).toEqual([
      `CP020: kms_key_id is null, but environment dev asks for its customer managed key ${KEY}`,
    ]);
  });

  it('passes terraform validate', async () => {
    const out = mkdtempSync(join(tmpdir(), 'secrets-key-validate-'));
    try {
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
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
