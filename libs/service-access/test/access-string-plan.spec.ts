import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACCESS_PROFILES,
  buildAccessString,
  CACHE_ENGINES,
  DISABLED_DEFAULT_ACCESS_STRING,
  elastiCacheAccessString,
  SUPPORTED_MAJOR_VERSIONS,
} from '@cache-platform/cache-contract';
import { missingCommands } from '@cache-platform/cache-client/testing';
import { runTerraform, terraformEnv, type TerraformResult } from '@cache-platform/terraform-tools';

/*
 * The pinned AWS provider against state as ElastiCache leaves it: every user's `access_string` in
 * state is what ElastiCache hands back for the configured one (`elastiCacheAccessString`), as the
 * provider's read stores it. A plan then shows a change for every string not already in that form:
 * the perpetual diff of hashicorp/terraform-provider-aws#20334. Every string the platform writes
 * must plan no change; a control string in the wrong form must (the provider does not suppress it).
 * No AWS call: `plan -refresh=false` with the state written here.
 */

const missing = missingCommands(['terraform']);
const allowMissing = process.env['CACHE_PLATFORM_ALLOW_MISSING_TOOLS'] === '1';
const describePlan = missing.length > 0 && allowMissing ? describe.skip : describe;
if (missing.length > 0 && !allowMissing) {
  describe('access-string plan prerequisites', () => {
    it('has terraform on PATH', () => {
      throw new Error(
        'terraform not on PATH: install Terraform >= 1.11, or set CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1 to skip this suite knowingly',
      );
    });
  });
}

/** every access string the platform writes: each engine, version, serverless or not, profile; the disabled default */
const WRITTEN = [
  ...new Set([
    ...CACHE_ENGINES.flatMap((engine) =>
      SUPPORTED_MAJOR_VERSIONS[engine].flatMap((majorEngineVersion) =>
        [true, false].flatMap((serverless) =>
          ACCESS_PROFILES.map((profile) => buildAccessString('orders-api', profile, { engine, majorEngineVersion, serverless })),
        ),
      ),
    ),
    DISABLED_DEFAULT_ACCESS_STRING,
  ]),
];
const CONTROL = 'on ~app:* +@read';

const users = [...WRITTEN.map((accessString, i) => ({ name: `written_${i}`, accessString })), { name: 'control', accessString: CONTROL }];

function config(): object {
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
    provider: {
      aws: {
        region: 'us-east-1',
        access_key: 'unused',
        secret_key: 'unused',
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
      },
    },
    resource: {
      aws_elasticache_user: Object.fromEntries(
        users.map(({ name, accessString }) => [
          name,
          {
            user_id: `probe-${name}`,
            user_name: `probe-${name}`,
            engine: 'redis',
            access_string: accessString,
            authentication_mode: { type: 'iam' },
          },
        ]),
      ),
    },
  };
}

/** State as the provider's read leaves it after ElastiCache created each user. */
function state(): object {
  const passwordsPaths = [
    [
      { type: 'get_attr', value: 'authentication_mode' },
      { type: 'index', value: { value: 0, type: 'number' } },
      { type: 'get_attr', value: 'passwords' },
    ],
    [{ type: 'get_attr', value: 'passwords' }],
  ];
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: 'access-string-plan',
    outputs: {},
    resources: users.map(({ name, accessString }) => ({
      mode: 'managed',
      type: 'aws_elasticache_user',
      name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [
        {
          schema_version: 0,
          attributes: {
            id: `probe-${name}`,
            user_id: `probe-${name}`,
            user_name: `probe-${name}`,
            engine: 'redis',
            access_string: elastiCacheAccessString(accessString),
            arn: `arn:aws:elasticache:us-east-1:123456789012:user:probe-${name}`,
            no_password_required: false,
            passwords: null,
            authentication_mode: [{ type: 'iam', password_count: 0, passwords: [] }],
            tags: {},
            tags_all: {},
            timeouts: null,
          },
          sensitive_attributes: passwordsPaths,
        },
      ],
    })),
  };
}

interface PlanJson {
  resource_changes: { address: string; change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> } }[];
}

describePlan('access strings against the AWS provider 5.100.0 (plan after ElastiCache rewrote them)', () => {
  let work: string;
  const env = terraformEnv();
  const explain = (result: TerraformResult) => `exit ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`;
  async function terraform(args: string[]): Promise<TerraformResult> {
    const result = await runTerraform([...args, '-no-color'], work, env);
    if (result.code !== 0) throw new Error(`terraform ${args[0]} failed: ${explain(result)}`);
    return result;
  }

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'access-string-plan-'));
    writeFileSync(join(work, 'main.tf.json'), JSON.stringify(config(), null, 1));
    writeFileSync(join(work, 'terraform.tfstate'), JSON.stringify(state(), null, 1));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('plans no change for the strings the platform writes, and an access_string change for one in the wrong form', async () => {
    await terraform(['init', '-input=false']);
    await terraform(['plan', '-refresh=false', '-input=false', '-out=plan.bin']);
    const plan = JSON.parse((await terraform(['show', '-json', 'plan.bin'])).stdout) as PlanJson;

    const changed = plan.resource_changes
      .filter((rc) => !rc.change.actions.every((a) => a === 'no-op'))
      .map((rc) => {
        const keys = new Set([...Object.keys(rc.change.before), ...Object.keys(rc.change.after)]);
        const attributes = [...keys].filter((k) => JSON.stringify(rc.change.before[k]) !== JSON.stringify(rc.change.after[k]));
        return {
          address: rc.address,
          actions: rc.change.actions,
          diff: Object.fromEntries(attributes.map((k) => [k, [rc.change.before[k], rc.change.after[k]]])),
        };
      });
    expect(WRITTEN.length).toBeGreaterThanOrEqual(9);
    expect(changed).toEqual([
      {
        address: 'aws_elasticache_user.control',
        actions: ['update'],
        diff: { access_string: ['on ~app:* -@all +@read', CONTROL] },
      },
    ]);
  }, 120_000);
});
