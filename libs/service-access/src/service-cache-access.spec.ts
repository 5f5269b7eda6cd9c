import { TerraformOutput, type TerraformStack } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import {
  buildAccessString,
  serverlessTarget,
  ContractViolation,
  keyspaceClaimParameterName,
  ownershipTags,
  platformExportNames,
  SECRET_ARN_ENV_VAR,
  serviceResourceNames,
  type CacheSecretPayload,
} from '@cache-platform/cache-contract';
import { addressOf, allStatements, asList, only, OWNERSHIP, synthService, type SynthJson } from '../test/synth';
import {
  Grant,
  PlatformImports,
  SECRET_DOCUMENT_VERSION,
  BOOTSTRAP_STAGE,
  SERVICE_PASSWORD_LENGTH,
  ServiceCacheAccess,
  type ServiceCacheAccessProps,
} from './index';

const base = { service: OWNERSHIP.service, owner: OWNERSHIP.owner, purpose: OWNERSHIP.purpose };
type AccessOverrides = Partial<Omit<ServiceCacheAccessProps, 'platform'>> & { environment?: string };

/** The access construct with the platform imports of `environment` passed in, as ServiceStack does it. */
function accessIn(stack: TerraformStack, props: AccessOverrides = {}): ServiceCacheAccess {
  const { environment = OWNERSHIP.environment, ...rest } = props;
  const platform = new PlatformImports(stack, 'platform', { environment });
  return new ServiceCacheAccess(stack, 'cache', { ...base, ...rest, platform });
}
const expectedTags = ownershipTags(OWNERSHIP);
const exportsDev = platformExportNames('dev');

function synthAccess(props: AccessOverrides = {}, extra?: (access: ServiceCacheAccess, stack: TerraformStack) => void): SynthJson {
  return synthService((stack) => {
    const access = accessIn(stack, props);
    extra?.(access, stack);
  });
}

/** `${data.aws_ssm_parameter.<name>.insecure_value}` of the data source reading SSM parameter `parameterName`. */
function exportRef(json: SynthJson, parameterName: string): string {
  const entry = Object.entries(json.data.aws_ssm_parameter as Record<string, SynthJson>).find(([, d]) => d.name === parameterName);
  if (!entry) throw new Error(`no SSM data source reads ${parameterName}`);
  return `data.aws_ssm_parameter.${entry[0]}.insecure_value`;
}

/** Splits the rendered `jsonencode({"k" = v, ...})` into its fields (values are flat expressions here). */
function payloadFields(secretString: string): Record<string, string> {
  const match = /^\$\{jsonencode\(\{(.*)\}\)\}$/s.exec(secretString);
  if (!match) throw new Error(`secret_string is not a jsonencode expression: ${secretString}`);
  const fields: Record<string, string> = {};
  for (const part of match[1].split(/, (?="\w+" = )/)) {
    const [, key, value] = /^"(\w+)" = (.*)$/s.exec(part) ?? [];
    fields[key] = value;
  }
  return fields;
}

const sameTags = (a: unknown, b: Record<string, string>) =>
  JSON.stringify(Object.entries((a ?? {}) as Record<string, string>).sort()) === JSON.stringify(Object.entries(b).sort());

describe('ServiceCacheAccess', () => {
  describe('ElastiCache user', () => {
    const json = synthAccess();
    const user = only(json, 'resource', 'aws_elasticache_user');
    const names = serviceResourceNames('orders-api', 'dev');

    it('derives id and name from the contract and uses an engine any serverless user group accepts', () => {
      expect(user.user_id).toBe(names.userId);
      expect(user.user_name).toBe(names.userName);
      expect(user.engine).toBe('redis');
    });

    it("scopes the access string to the service's keyspace with the contract's builder", () => {
      expect(user.access_string).toBe(buildAccessString('orders-api', 'readwrite'));
    });

    it('authenticates by password taken from the Secrets Manager random-password data source', () => {
      const password = addressOf(json, 'data', 'aws_secretsmanager_random_password');
      expect(user.authentication_mode.type).toBe('password');
      expect(user.authentication_mode.passwords).toEqual([`\${sensitive(${password}.random_password)}`]);
      expect(user.passwords).toBeUndefined();
      expect(user.no_password_required).toBeUndefined();
    });

    it('generates a password ElastiCache accepts and URIs and AUTH do not mangle', () => {
      const generator = only(json, 'data', 'aws_secretsmanager_random_password');
      expect(generator.password_length).toBe(SERVICE_PASSWORD_LENGTH);
      expect(SERVICE_PASSWORD_LENGTH).toBeGreaterThanOrEqual(16);
      expect(SERVICE_PASSWORD_LENGTH).toBeLessThanOrEqual(128);
      expect(generator.exclude_punctuation).toBe(true);
      expect(generator.include_space).toBe(false);
    });

    it('carries the ownership tags, purpose included', () => {
      expect(user.tags).toEqual(expectedTags);
      expect(user.tags['cache-platform:purpose']).toBe('cache product lookups');
    });
  });

  describe('stability across plans', () => {
    // the random-password data source returns a new value on every plan: without these settings
    // every plan would change the user's password and rewrite the secret
    const json = synthAccess();

    it("ignores later changes of the user's passwords", () => {
      expect(only(json, 'resource', 'aws_elasticache_user').lifecycle).toEqual({ ignore_changes: ['authentication_mode[0].passwords'] });
    });

    it("writes the secret's bootstrap document write-only, under a label of its own that never takes AWSCURRENT back", () => {
      const version = only(json, 'resource', 'aws_secretsmanager_secret_version');
      expect(version.secret_string).toBeUndefined();
      expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(/);
      expect(version.secret_string_wo_version).toBe(SECRET_DOCUMENT_VERSION);
      // Secrets Manager makes a secret's first version AWSCURRENT whatever its labels; a later one
      // Terraform writes (re-created after a GC, a raised document version) gets only this label
      expect(version.version_stages).toEqual([BOOTSTRAP_STAGE]);
      expect(version.version_stages).not.toContain('AWSCURRENT');
      // AWSCURRENT comes and goes with rotation: no plan may try to put it back or take it away
      expect(version.lifecycle).toEqual({ ignore_changes: ['version_stages'] });
    });

    it('syncs the connection through the platform function after joining the group, and rotation waits for the sync', () => {
      const sync = only(json, 'resource', 'aws_lambda_invocation');
      expect(sync.input).toContain('"action" = "sync-connection"');
      expect(sync.input).toContain('"cell" = "main"');
      expect(sync.input).not.toContain('random_password');
      expect(sync.depends_on).toEqual(
        expect.arrayContaining([
          addressOf(json, 'resource', 'aws_elasticache_user_group_association'),
          addressOf(json, 'resource', 'aws_secretsmanager_secret_version'),
        ]),
      );
      expect(sync.lifecycle).toEqual({
        replace_triggered_by: [addressOf(json, 'resource', 'aws_elasticache_user')],
        create_before_destroy: true,
      });
      expect(Object.keys(sync.triggers).sort()).toEqual(['cacheName', 'endpoint', 'rotationSchedule']);
      expect(only(json, 'resource', 'aws_secretsmanager_secret_rotation').depends_on).toContain(
        addressOf(json, 'resource', 'aws_lambda_invocation'),
      );
      // a cell move joins the new group before it leaves the old one
      expect(only(json, 'resource', 'aws_elasticache_user_group_association').lifecycle).toEqual({ create_before_destroy: true });
    });

    it('feeds the generated password only into the user (which ignores changes) and the write-only document', () => {
      const password = addressOf(json, 'data', 'aws_secretsmanager_random_password');
      const users: string[] = [];
      for (const [type, resources] of Object.entries(json.resource as Record<string, Record<string, SynthJson>>)) {
        for (const [name, config] of Object.entries(resources)) {
          if (JSON.stringify(config).includes(password)) users.push(`${type}.${name}`);
        }
      }
      expect(users).toEqual([
        addressOf(json, 'resource', 'aws_elasticache_user'),
        addressOf(json, 'resource', 'aws_secretsmanager_secret_version'),
      ]);
    });
  });

  describe('password rotation', () => {
    const json = synthAccess();

    it("rotates the password with the platform's function, at once and then on the default schedule", () => {
      const rotation = only(json, 'resource', 'aws_secretsmanager_secret_rotation');
      expect(rotation.secret_id).toBe(`\${${addressOf(json, 'resource', 'aws_secretsmanager_secret')}.id}`);
      expect(rotation.rotation_lambda_arn).toMatch(/^\$\{data\.aws_ssm_parameter\.[^.]+\.insecure_value\}$/);
      const [exportKey] = Object.entries(json.data.aws_ssm_parameter as Record<string, SynthJson>).find(
        ([, p]) => p.name === '/cache-platform/dev/exports/rotation-function-arn',
      )!;
      expect(rotation.rotation_lambda_arn).toBe(`\${data.aws_ssm_parameter.${exportKey}.insecure_value}`);
      expect(rotation.rotate_immediately).toBe(true);
      expect(rotation.rotation_rules).toEqual({ schedule_expression: 'rate(30 days)' });
      // the first rotation tests the new password with an AUTH: the user is in the group by then
      expect(rotation.depends_on).toEqual(
        expect.arrayContaining([
          addressOf(json, 'resource', 'aws_secretsmanager_secret_version'),
          addressOf(json, 'resource', 'aws_elasticache_user_group_association'),
        ]),
      );
    });

    it('takes the schedule of the environment and refuses one Secrets Manager would not', () => {
      const weekly = synthAccess({ passwordRotationSchedule: 'rate(7 days)' });
      expect(only(weekly, 'resource', 'aws_secretsmanager_secret_rotation').rotation_rules).toEqual({
        schedule_expression: 'rate(7 days)',
      });
      expect(() => synthAccess({ passwordRotationSchedule: 'every week' })).toThrow(
        'invalid rotation schedule "every week": expected "rate(<1-1000> days)", "rate(<4-24> hours)" or a six-field "cron(...)" expression',
      );
      expect(() => synthAccess({ passwordRotationSchedule: 'rate(2 hours)' })).toThrow('invalid rotation schedule "rate(2 hours)"');
    });

    it('has nothing to rotate for IAM auth', () => {
      expect(synthAccess({ authMode: 'iam' }).resource.aws_secretsmanager_secret_rotation).toBeUndefined();
    });
  });

  describe('cache target', () => {
    it('names no command ElastiCache Serverless lacks, for the engine it runs', () => {
      const valkey7 = only(synthAccess({ cacheTarget: serverlessTarget('valkey', '7') }), 'resource', 'aws_elasticache_user');
      expect(valkey7.access_string).toBe(buildAccessString('orders-api', 'readwrite', serverlessTarget('valkey', '7')));
      const valkey8 = only(synthAccess(), 'resource', 'aws_elasticache_user');
      expect(valkey8.access_string).toContain('-cluster|slot-stats');
      for (const access of [valkey7.access_string, valkey8.access_string]) {
        expect(access).not.toMatch(/client\|tracking|(^| )-move( |$)/);
      }
    });
  });

  describe('platform exports', () => {
    const json = synthAccess({}, (access, stack) => {
      // the Lambda wiring reads the network exports too
      const role = new IamRole(stack, 'role', { assumeRolePolicy: '{}' });
      access.grantSecretRead(role);
      access.lambdaVpcConfig();
    });

    it('reads every platform value through SSM data sources named by the contract', () => {
      const read = (Object.values(json.data.aws_ssm_parameter) as SynthJson[]).map((d) => d.name).sort();
      expect(read).toEqual(
        [
          exportsDev.endpointAddress,
          exportsDev.endpointPort,
          exportsDev.readerPort,
          exportsDev.cacheName,
          exportsDev.userGroupId,
          exportsDev.subnetIds,
          exportsDev.clientSecurityGroupId,
          // password auth: the secret rotates with the platform's function
          exportsDev.rotationFunctionArn,
        ].sort(),
      );
    });

    it('joins the user to the platform user group named by the export, without touching the group', () => {
      const association = only(json, 'resource', 'aws_elasticache_user_group_association');
      expect(association.user_group_id).toBe(`\${${exportRef(json, exportsDev.userGroupId)}}`);
      expect(association.user_id).toBe(`\${${addressOf(json, 'resource', 'aws_elasticache_user')}.user_id}`);
      expect(json.resource.aws_elasticache_user_group).toBeUndefined();
    });

    it('hard-codes no platform identifier', () => {
      const text = JSON.stringify(json.resource);
      expect(text).not.toMatch(/\b(sg|subnet|vpc)-[0-9a-f]{8,}\b/);
      expect(text).not.toMatch(/cache-platform-dev-users/);
      expect(text).not.toMatch(/\.cache\.amazonaws\.com/);
    });
  });

  describe('secret', () => {
    const json = synthAccess();
    const secret = only(json, 'resource', 'aws_secretsmanager_secret');
    const version = only(json, 'resource', 'aws_secretsmanager_secret_version');
    const fields = payloadFields(version.secret_string_wo);
    const user = addressOf(json, 'resource', 'aws_elasticache_user');

    it('is named by the contract, described, tagged, and recoverable for 7 days', () => {
      expect(secret.name).toBe('cache-platform/dev/orders-api/redis');
      expect(secret.description).toContain('orders-api');
      expect(secret.recovery_window_in_days).toBe(7);
      expect(secret.tags).toEqual(expectedTags);
      expect(version.secret_id).toBe(`\${${addressOf(json, 'resource', 'aws_secretsmanager_secret')}.id}`);
    });

    it('holds every field of the contract payload', () => {
      const contractFields: Record<keyof CacheSecretPayload, true> = {
        schemaVersion: true,
        host: true,
        port: true,
        readerPort: true,
        username: true,
        password: true,
        keyspace: true,
        tls: true,
        authMode: true,
        cacheName: true,
        user_arn: true,
        clusterMode: true,
      };
      expect(Object.keys(fields).sort()).toEqual(Object.keys(contractFields).sort());
    });

    it('fills the payload from exports and the user, with number ports and fixed flags', () => {
      expect(fields).toMatchObject({
        schemaVersion: '1',
        host: exportRef(json, exportsDev.endpointAddress),
        port: `tonumber(${exportRef(json, exportsDev.endpointPort)})`,
        readerPort: `tonumber(${exportRef(json, exportsDev.readerPort)})`,
        username: `${user}.user_name`,
        keyspace: '"orders-api"',
        tls: 'true',
        authMode: '"password"',
        cacheName: exportRef(json, exportsDev.cacheName),
        user_arn: `${user}.arn`,
        clusterMode: 'true',
      });
    });

    it('references the generated password and never contains one', () => {
      expect(fields['password']).toBe(`sensitive(${addressOf(json, 'data', 'aws_secretsmanager_random_password')}.random_password)`);
      // any string under a password-like key must be a Terraform expression, never a literal
      const literals: string[] = [];
      const walk = (node: unknown, key = ''): void => {
        if (typeof node === 'string') {
          if (/password/i.test(key) && !node.startsWith('${')) literals.push(`${key}=${node}`);
        } else if (Array.isArray(node)) node.forEach((v) => walk(v, key));
        else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
      };
      walk(json);
      expect(literals).toEqual([]);
      // and nothing that looks like a generated password appears anywhere
      expect(JSON.stringify(json)).not.toMatch(/[A-Za-z0-9]{40,}/);
    });

    it('accepts a recovery window of 0 for throw-away environments', () => {
      expect(only(synthAccess({ secretRecoveryWindowDays: 0 }), 'resource', 'aws_secretsmanager_secret').recovery_window_in_days).toBe(0);
    });
  });

  describe('keyspace claim', () => {
    it('claims the keyspace in SSM with who holds it and why', () => {
      const json = synthAccess();
      const claim = only(json, 'resource', 'aws_ssm_parameter');
      expect(claim.name).toBe(keyspaceClaimParameterName('dev', 'orders-api'));
      expect(claim.type).toBe('String');
      expect(JSON.parse(claim.value)).toEqual({ service: 'orders-api', owner: 'team-orders', purpose: 'cache product lookups' });
      expect(claim.tags).toEqual(expectedTags);
    });

    it('leaves overwrite unset: provider 5.100 then refuses an existing name on create but still updates its own claim', () => {
      // an explicit `overwrite = false` is also sent on update and breaks every owner/purpose change
      const claim = only(synthAccess(), 'resource', 'aws_ssm_parameter');
      expect(claim).not.toHaveProperty('overwrite');
    });

    it('uses an explicit keyspace everywhere the keyspace matters', () => {
      const json = synthAccess({ keyspace: 'orders' });
      expect(only(json, 'resource', 'aws_ssm_parameter').name).toBe('/cache-platform/dev/keyspaces/orders');
      expect(only(json, 'resource', 'aws_elasticache_user').access_string).toBe(buildAccessString('orders'));
      expect(payloadFields(only(json, 'resource', 'aws_secretsmanager_secret_version').secret_string_wo).keyspace).toBe('"orders"');
      // the user id still comes from the service
      expect(only(json, 'resource', 'aws_elasticache_user').user_id).toBe('orders-api-dev');
    });
  });

  it('builds a read-only access string for the readonly profile', () => {
    const json = synthAccess({ accessProfile: 'readonly' });
    expect(only(json, 'resource', 'aws_elasticache_user').access_string).toBe(buildAccessString('orders-api', 'readonly'));
  });

  it('tags every taggable resource it creates with the ownership tags', () => {
    const json = synthAccess({}, (access, stack) => {
      const role = new IamRole(stack, 'role', { assumeRolePolicy: '{}', tags: expectedTags });
      access.grantSecretRead(role);
    });
    // these resource types have no tags argument in the provider schema
    const untaggable = new Set([
      'aws_elasticache_user_group_association',
      'aws_secretsmanager_secret_version',
      'aws_secretsmanager_secret_rotation',
      'aws_iam_role_policy',
      'aws_lambda_invocation',
    ]);
    const untagged: string[] = [];
    for (const [type, resources] of Object.entries(json.resource as Record<string, Record<string, SynthJson>>)) {
      if (untaggable.has(type)) continue;
      for (const [name, config] of Object.entries(resources)) {
        if (!sameTags(config.tags, expectedTags)) untagged.push(`${type}.${name}`);
      }
    }
    expect(untagged).toEqual([]);
    expect(Object.keys(json.resource).sort()).toEqual(
      [
        'aws_elasticache_user',
        'aws_elasticache_user_group_association',
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_lambda_invocation',
        'aws_secretsmanager_secret',
        'aws_secretsmanager_secret_rotation',
        'aws_secretsmanager_secret_version',
        'aws_ssm_parameter',
      ].sort(),
    );
  });

  describe('grants and Lambda wiring', () => {
    let roleAddress = '';
    let grant: Grant | undefined;
    const json = synthAccess({}, (access, stack) => {
      const role = new IamRole(stack, 'role', { name: 'some-role', assumeRolePolicy: '{}' });
      roleAddress = `aws_iam_role.${role.friendlyUniqueId}`;
      const first = access.grantSecretRead(role);
      // granting twice must not duplicate the policy: the second call returns the first grant
      expect(access.grantSecretRead(role)).toBe(first);
      grant = first;
    });

    it('returns a grant object naming the principal, actions and resources, dependable for dependsOn', () => {
      expect(grant).toBeInstanceOf(Grant);
      expect(grant!.actions).toEqual(['secretsmanager:GetSecretValue']);
      expect(grant!.resources).toHaveLength(1);
      expect(grant!.dependables).toEqual([grant!.policy]);
    });

    it("grants GetSecretValue on exactly this secret's ARN in a single statement", () => {
      const policy = only(json, 'resource', 'aws_iam_role_policy');
      expect(policy.role).toBe(`\${${roleAddress}.name}`);
      expect(policy.name).toBe('orders-api-dev-secret-read');
      const documentAddress = addressOf(json, 'data', 'aws_iam_policy_document');
      expect(policy.policy).toBe(`\${${documentAddress}.json}`);
      expect(only(json, 'data', 'aws_iam_policy_document').statement).toEqual([
        {
          sid: 'ReadCacheSecret',
          effect: 'Allow',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [`\${${addressOf(json, 'resource', 'aws_secretsmanager_secret')}.arn}`],
        },
      ]);
    });

    it('has no secretsmanager or elasticache statement with a "*" resource', () => {
      const statements = allStatements(json);
      expect(statements.length).toBeGreaterThan(0);
      const broad = statements.filter(
        (s) =>
          asList(s.Action).some((a) => /^(secretsmanager|elasticache):/i.test(String(a)) || a === '*') &&
          asList(s.Resource).some((r) => String(r).includes('*')),
      );
      expect(broad).toEqual([]);
    });

    it('exposes the secret ARN under the contract variable name', () => {
      const fresh = synthService((stack) => {
        new TerraformOutput(stack, 'env', { value: accessIn(stack).lambdaEnvironment() });
      });
      expect(SECRET_ARN_ENV_VAR).toBe('REDIS_SECRET_ARN');
      expect(fresh.output.env.value).toEqual({ REDIS_SECRET_ARN: `\${${addressOf(fresh, 'resource', 'aws_secretsmanager_secret')}.arn}` });
    });

    it('gives the Lambda VPC settings from the subnet and client security-group exports', () => {
      const fresh = synthService((stack) => {
        new TerraformOutput(stack, 'vpc', { value: accessIn(stack).lambdaVpcConfig() });
      });
      expect(fresh.output.vpc.value).toEqual({
        subnetIds: `\${split(",", ${exportRef(fresh, exportsDev.subnetIds)})}`,
        securityGroupIds: [`\${${exportRef(fresh, exportsDev.clientSecurityGroupId)}}`],
      });
    });
  });

  describe('IAM authentication', () => {
    let roleAddress = '';
    const json = synthAccess({ authMode: 'iam' }, (access, stack) => {
      const role = new IamRole(stack, 'role', { assumeRolePolicy: '{}' });
      roleAddress = `aws_iam_role.${role.friendlyUniqueId}`;
      access.grantSecretRead(role);
      access.grantConnect(role);
    });

    it('creates an IAM user with no password and no password generator', () => {
      const user = only(json, 'resource', 'aws_elasticache_user');
      expect(user.authentication_mode).toEqual({ type: 'iam' });
      expect(user.user_name).toBe(user.user_id);
      expect(user.lifecycle).toBeUndefined();
      expect(json.data.aws_secretsmanager_random_password).toBeUndefined();
      const fields = payloadFields(only(json, 'resource', 'aws_secretsmanager_secret_version').secret_string_wo);
      expect(fields).toMatchObject({ authMode: '"iam"', password: '""' });
    });

    it('grants elasticache:Connect on the cache ARN export and the user ARN only', () => {
      const documents = Object.values(json.data.aws_iam_policy_document) as SynthJson[];
      const connect = documents.flatMap((d) => d.statement).filter((s: SynthJson) => s.actions.includes('elasticache:Connect'));
      expect(connect).toEqual([
        {
          sid: 'ConnectAsServiceUser',
          effect: 'Allow',
          actions: ['elasticache:Connect'],
          resources: [`\${${exportRef(json, exportsDev.cacheArn)}}`, `\${${addressOf(json, 'resource', 'aws_elasticache_user')}.arn}`],
        },
      ]);
      const policies = Object.values(json.resource.aws_iam_role_policy) as SynthJson[];
      expect(policies.map((p) => p.name).sort()).toEqual(['orders-api-dev-connect', 'orders-api-dev-secret-read']);
      for (const p of policies) expect(p.role).toBe(`\${${roleAddress}.name}`);
    });

    it('refuses grantConnect for password users', () => {
      expect(() => synthAccess({}, (access, stack) => access.grantConnect(new IamRole(stack, 'role', { assumeRolePolicy: '{}' })))).toThrow(
        'orders-api-dev/cache: invalid grant "elasticache:Connect": is for IAM authentication, but service "orders-api" uses auth mode "password": grant secret read only',
      );
    });
  });

  describe('validation', () => {
    it.each<[AccessOverrides, string]>([
      [{ service: 'Orders' }, 'invalid service name "Orders": must be lower case'],
      [{ service: 'default' }, 'invalid service name "default": is reserved'],
      [{ service: 'a'.repeat(29) }, 'invalid service name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa": must be at most 28 characters (it has 29)'],
      [{ environment: 'prod_eu' }, 'invalid environment name "prod_eu": may only contain lower-case letters'],
      [{ keyspace: 'orders:v2' }, 'invalid keyspace "orders:v2": must not contain ":"'],
      [{ keyspace: 'orders*' }, 'invalid keyspace "orders*": must not contain "*"'],
      [{ keyspace: 'all' }, 'invalid keyspace "all": is reserved'],
      [{ accessProfile: 'admin' as never }, 'invalid access profile "admin": must be one of readwrite, readonly'],
      [{ authMode: 'token' as never }, 'invalid auth mode "token": must be one of password, iam'],
      [{ owner: '' }, 'invalid tag cache-platform:owner "": must be a non-empty string'],
      [{ purpose: 'cache; drop' }, 'invalid tag cache-platform:purpose "cache; drop": AWS tag values allow only'],
      [{ secretRecoveryWindowDays: 3 }, 'invalid secret recovery window 3: must be 0 (delete immediately) or an integer from 7 to 30'],
      [{ secretRecoveryWindowDays: 31 }, 'invalid secret recovery window 31'],
    ])('refuses %j', (props, message) => {
      expect(() => synthAccess(props)).toThrow(message);
    });

    it('names the construct that refused, in the one error type', () => {
      expect(() => synthAccess({ keyspace: 'orders:v2' })).toThrow(ContractViolation);
      expect(() => synthAccess({ keyspace: 'orders:v2' })).toThrow(/^orders-api-dev\/cache: invalid keyspace "orders:v2"/);
      expect(() => synthAccess({ environment: 'prod_eu' })).toThrow(/^orders-api-dev\/platform: invalid environment name "prod_eu"/);
    });
  });
});
