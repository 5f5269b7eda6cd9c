import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktf';
import {
  buildAccessString,
  OWNERSHIP_TAG_KEYS,
  SECRET_ARN_ENV_VAR,
  SERVICE_BUNDLE_DIR,
  SERVICE_MANIFEST_FILE,
} from '@cache-platform/cache-contract';
import type { Environment } from '@cache-platform/platform-environments';
import { allStatements, asList, type SynthJson } from '../test/synth';
import { buildServiceApp, ServiceStack } from './index';

const workspace = resolve(__dirname, '..', '..', '..');
const environments: Environment[] = [
  { name: 'dev', region: 'eu-west-1', platform: { owner: 'team-platform', vpcId: 'vpc-00000000', subnetIds: [] } },
  {
    name: 'prod',
    region: 'eu-central-1',
    stateBucket: { bucket: 'acme-state' },
    platform: { owner: 'team-platform', vpcId: 'vpc-00000001', subnetIds: [] },
  },
];
const manifest = {
  service: 'orders-api',
  keyspace: 'orders',
  owner: 'team-orders',
  purpose: 'cache product lookups',
  authMode: 'password',
  accessProfile: 'readwrite',
  handler: 'src/handler/index.ts',
};

/** A scratch service app: manifest, a built bundle, optionally the extension module; node_modules linked. */
function scratchApp(fields: Record<string, unknown> = {}, withExtension = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'service-app-'));
  writeFileSync(join(dir, SERVICE_MANIFEST_FILE), JSON.stringify({ ...manifest, ...fields }));
  mkdirSync(join(dir, SERVICE_BUNDLE_DIR), { recursive: true });
  writeFileSync(join(dir, SERVICE_BUNDLE_DIR, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
  if (withExtension) {
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(__dirname, '..', 'test', 'fixtures', 'stack-extension.ts'), join(dir, 'src', 'stack.ts'));
    symlinkSync(join(workspace, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }
  return dir;
}

function synthApp(dir: string, env: NodeJS.ProcessEnv = {}): { stacks: ServiceStack[]; json: Record<string, SynthJson> } {
  const { stacks } = buildServiceApp({ appDir: dir, app: Testing.app(), env, environments });
  return { stacks, json: Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as SynthJson])) };
}

const only = (json: SynthJson, type: string): SynthJson => {
  const all = Object.values(json.resource?.[type] ?? {}) as SynthJson[];
  expect(all).toHaveLength(1);
  return all[0]!;
};

describe('service app built from cache-service.json', () => {
  const dirs: string[] = [];
  const app = (fields?: Record<string, unknown>, withExtension?: boolean) => {
    const dir = scratchApp(fields, withExtension);
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  describe('password and IAM auth are equal paths', () => {
    const password = synthApp(app()).json['orders-api-dev']!;
    const iam = synthApp(app({ authMode: 'iam' })).json['orders-api-dev']!;
    const exportRef = (stack: SynthJson, name: string) => {
      const [key] = Object.entries(stack.data.aws_ssm_parameter as Record<string, SynthJson>).find(([, p]) => p.name === name)!;
      return `\${data.aws_ssm_parameter.${key}.insecure_value}`;
    };

    it('password: the secret rotates with the platform function at once, its document is write-only', () => {
      const rotation = only(password, 'aws_secretsmanager_secret_rotation');
      expect(rotation.rotation_lambda_arn).toBe(exportRef(password, '/cache-platform/dev/exports/rotation-function-arn'));
      expect(rotation.rotate_immediately).toBe(true);
      expect(only(password, 'aws_secretsmanager_secret_version').secret_string).toBeUndefined();
    });

    it('iam: no password anywhere, nothing to rotate, elasticache:Connect on exactly the cache and its user', () => {
      expect(iam.data.aws_secretsmanager_random_password).toBeUndefined();
      expect(iam.resource.aws_secretsmanager_secret_rotation).toBeUndefined();
      expect(only(iam, 'aws_elasticache_user').authentication_mode).toEqual({ type: 'iam' });
      // the only password in the document is the empty one the contract requires for IAM
      const text = JSON.stringify(iam);
      expect(text.match(/password/gi)?.length ?? 0).toBe((text.match(/\\"password\\" = \\"\\"/g) ?? []).length);
      const connect = allStatements(iam).filter((st) => asList(st.Action).includes('elasticache:Connect'));
      expect(connect).toHaveLength(1);
      const user = Object.keys(iam.resource.aws_elasticache_user)[0];
      expect(asList(connect[0]!.Resource).sort()).toEqual(
        [exportRef(iam, '/cache-platform/dev/exports/cache-arn'), `\${aws_elasticache_user.${user}.arn}`].sort(),
      );
    });
  });

  describe('from the manifest alone', () => {
    const { stacks, json } = synthApp(app());

    it('has one stack per platform environment, named <service>-<env>', () => {
      expect(stacks.map((s) => s.node.id)).toEqual(['orders-api-dev', 'orders-api-prod']);
    });

    it('wires the scoped user, secret, claim, membership and function in each', () => {
      for (const [id, stack] of Object.entries(json)) {
        const env = id.replace('orders-api-', '');
        expect(only(stack, 'aws_elasticache_user').access_string).toBe(buildAccessString('orders', 'readwrite'));
        expect(only(stack, 'aws_ssm_parameter').name).toBe(`/cache-platform/${env}/keyspaces/orders`);
        expect(only(stack, 'aws_elasticache_user_group_association')).toBeDefined();
        expect(only(stack, 'aws_secretsmanager_secret').name).toBe(`cache-platform/${env}/orders-api/redis`);
        const fn = only(stack, 'aws_lambda_function');
        expect(Object.keys(fn.environment.variables)).toEqual([SECRET_ARN_ENV_VAR]);
        expect(fn.memory_size).toBe(256);
        expect(fn.timeout).toBe(10);
      }
    });

    it('tags through the provider and puts each environment in its region and state', () => {
      const dev = json['orders-api-dev']!;
      const prod = json['orders-api-prod']!;
      expect(dev.provider.aws[0].default_tags[0].tags[OWNERSHIP_TAG_KEYS.owner]).toBe('team-orders');
      expect(dev.provider.aws[0].region).toBe('eu-west-1');
      expect(dev.terraform.backend.local.path).toBe('../../../state/orders-api-dev.tfstate');
      expect(prod.provider.aws[0].region).toBe('eu-central-1');
      expect(prod.terraform.backend.s3).toMatchObject({ bucket: 'acme-state', key: 'cache-platform/orders-api-prod.tfstate' });
    });
  });

  it('applies the function settings, per-environment security groups and the environment subset', () => {
    const { json } = synthApp(
      app({
        environments: ['prod'],
        function: { memorySize: 1024, timeoutSeconds: 30, logRetentionDays: 90, securityGroupIds: { prod: ['sg-0123456789abcdef0'] } },
      }),
    );
    expect(Object.keys(json)).toEqual(['orders-api-prod']);
    const stack = json['orders-api-prod']!;
    const fn = only(stack, 'aws_lambda_function');
    expect(fn).toMatchObject({ memory_size: 1024, timeout: 30 });
    expect(fn.vpc_config.security_group_ids).toHaveLength(2);
    expect(fn.vpc_config.security_group_ids[1]).toBe('sg-0123456789abcdef0');
    expect(only(stack, 'aws_cloudwatch_log_group').retention_in_days).toBe(90);
  });

  it('selects with CACHE_PLATFORM_ENVIRONMENTS, and selects nothing where the service does not run', () => {
    expect(Object.keys(synthApp(app(), { CACHE_PLATFORM_ENVIRONMENTS: 'prod' }).json)).toEqual(['orders-api-prod']);
    expect(Object.keys(synthApp(app({ environments: ['dev'] }), { CACHE_PLATFORM_ENVIRONMENTS: 'prod' }).json)).toEqual([]);
  });

  describe('the extension point', () => {
    const { json } = synthApp(app({ stackExtension: 'src/stack.ts' }, true));
    const dev = json['orders-api-dev']!;

    it("adds the team's resources to every environment's stack, next to the wiring", () => {
      for (const stack of Object.values(json)) {
        expect(only(stack, 'aws_dynamodb_table').hash_key).toBe('id');
        expect(only(stack, 'aws_elasticache_user')).toBeDefined();
      }
      expect(only(dev, 'aws_dynamodb_table').name).toBe('orders-api-dev-items');
    });

    it('hands the function what it added, keeping the cache wiring', () => {
      const variables = only(dev, 'aws_lambda_function').environment.variables;
      expect(Object.keys(variables).sort()).toEqual(['ITEMS_TABLE', SECRET_ARN_ENV_VAR]);
      expect(variables.ITEMS_TABLE).toMatch(/^\$\{aws_dynamodb_table\.[^}]+\.name\}$/);
    });

    it('grants on the function role without widening the cache grants', () => {
      const statements = allStatements(dev);
      const secret = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('secretsmanager:')));
      expect(secret).toHaveLength(1);
      expect(statements.some((s) => asList(s.Action).includes('dynamodb:GetItem'))).toBe(true);
    });
  });

  describe('refuses a bad app at synth, naming the file, the field, the value and the rule', () => {
    it.each<[Record<string, unknown>, string]>([
      [{ memory: 512 }, 'invalid field memory 512: unknown field; allowed fields are service, keyspace,'],
      [{ function: { memorySize: 64 } }, 'invalid field function.memorySize 64: must be an integer from 128 to 10240 MB'],
      [{ environments: ['qa'] }, 'invalid environments ["qa"]: qa is not a platform environment (known: dev, prod)'],
      [{ stackExtension: 'src/missing.ts' }, 'invalid field stackExtension "src/missing.ts": names a file that does not exist'],
      [
        { function: { securityGroupIds: { dev: ['sg-1'] } } },
        'invalid field function.securityGroupIds.dev[0] "sg-1": expected "sg-" followed by 8 or 17 lower-case hex digits',
      ],
    ])('%j', (fields, message) => {
      const dir = app(fields);
      expect(() => synthApp(dir)).toThrow(message);
      expect(() => synthApp(dir)).toThrow(join(dir, SERVICE_MANIFEST_FILE));
    });

    it('an extension that does not export extendStack', () => {
      const dir = app({ stackExtension: 'src/stack.ts' });
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'stack.ts'), 'export const nothing = 1;\n');
      expect(() => synthApp(dir)).toThrow(
        'invalid field stackExtension "src/stack.ts": the module must export a function extendStack(stack: ServiceStack)',
      );
    });
  });
});
