import { App, Testing } from 'cdktf';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAccessString, SECRET_ARN_ENV_VAR, serviceResourceNames } from '@cache-platform/cache-contract';
import { CatalogApiStack, manifest } from './service-stack';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

describe('CatalogApiStack', () => {
  let bundleDir: string;
  let json: { resource: Resources; data: Resources };
  let synthesized: string;

  beforeAll(() => {
    // the stack only packages the folder; the real bundle is built by the `bundle` target
    bundleDir = mkdtempSync(join(tmpdir(), 'catalog-api-bundle-'));
    writeFileSync(join(bundleDir, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
    const stack = new CatalogApiStack(Testing.app(), 'catalog-api-dev', { environment: { name: 'dev', region: 'eu-west-1' }, bundleDir });
    synthesized = Testing.synth(stack);
    json = JSON.parse(synthesized);
  });
  afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

  const only = (type: string) => {
    const found = Object.values(json.resource[type] ?? {});
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('creates the service user restricted to its own keyspace', () => {
    const user = only('aws_elasticache_user');
    expect(user['user_id']).toBe(serviceResourceNames('catalog-api', 'dev').userId);
    expect(user['access_string']).toBe(buildAccessString('catalog', manifest.accessProfile));
    expect(user['access_string']).toContain('~catalog:*');
  });

  it('joins the platform user group and claims the keyspace', () => {
    expect(only('aws_elasticache_user_group_association')).toBeDefined();
    const claim = Object.values(json.resource['aws_ssm_parameter'] ?? {}).find((p) => String(p['name']).includes('/keyspaces/'));
    expect(claim?.['name']).toBe('/cache-platform/dev/keyspaces/catalog');
  });

  it('grants the function GetSecretValue on its own secret only', () => {
    expect(only('aws_secretsmanager_secret')['name']).toBe(serviceResourceNames('catalog-api', 'dev').secretName);
    // every inline policy is rendered from a policy-document data source
    const statements = Object.values(json.data['aws_iam_policy_document'] ?? {}).flatMap(
      (doc) => doc['statement'] as Array<{ actions: string[]; resources: string[] }>,
    );
    const secretStatements = statements.filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toHaveLength(1);
    expect(secretStatements[0]!.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(secretStatements[0]!.resources).toHaveLength(1);
    expect(secretStatements[0]!.resources[0]).toMatch(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}$/);
    expect(Object.values(json.resource['aws_iam_role_policy'] ?? {}).length).toBeGreaterThanOrEqual(1);
  });

  it('wires the Lambda to its secret and the cache clients security group', () => {
    const fn = only('aws_lambda_function');
    const variables = (fn['environment'] as { variables: Record<string, string> }).variables;
    expect(variables[SECRET_ARN_ENV_VAR]).toMatch(/aws_secretsmanager_secret\./);
    expect(fn['vpc_config']).toBeDefined();
  });

  it('never puts a password in the synthesized JSON', () => {
    expect(synthesized).not.toMatch(/"passwords?"\s*:\s*\[?\s*"[^$]/);
  });

  it('refuses an environment name the contract refuses', () => {
    expect(() => new CatalogApiStack(new App(), 'bad', { environment: { name: 'Prod', region: 'eu-west-1' }, bundleDir })).toThrow(
      'invalid environment name "Prod"',
    );
  });
});
