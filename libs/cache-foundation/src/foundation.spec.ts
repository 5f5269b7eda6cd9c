import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import {
  DEFAULT_CELL,
  DISABLED_DEFAULT_ACCESS_STRING,
  EXPORT_KEYS,
  platformExportNames,
  platformResourceNames,
} from '@cache-platform/cache-contract';
import {
  CacheCell,
  CacheNetwork,
  CacheSettings,
  CacheUserGroup,
  PlatformExports,
  SharedCacheFoundation,
  SharedCacheFoundationProps,
  SharedServerlessCache,
} from './index';
import { fakeRotationBundle } from '../test/rotation-bundle';

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-89abcdef'];
const VPC = 'vpc-0123456789abcdef0';
const BASE: SharedCacheFoundationProps = {
  environment: 'dev',
  vpcId: VPC,
  subnetIds: SUBNETS,
  rotation: { bundleDir: fakeRotationBundle() },
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

function synth(build: (stack: TerraformStack) => void): Json {
  const stack = newStack();
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

/** the foundation and its default cell, as the platform stack builds them */
function synthFoundation(props: Partial<SharedCacheFoundationProps> = {}, cache?: CacheSettings): Json {
  return synth((stack) => {
    const foundation = new SharedCacheFoundation(stack, 'foundation', { ...BASE, ...props });
    new CacheCell(foundation, 'Default', {
      environment: props.environment ?? BASE.environment,
      cell: DEFAULT_CELL,
      cache,
      network: foundation.network,
      rotationFunctionArn: foundation.rotation.functionArn,
      tags: props.tags,
    });
  });
}

/** every resource of a type, as a list */
function all(json: Json, type: string): Json[] {
  return Object.values(json.resource?.[type] ?? {});
}

function only(json: Json, type: string): Json {
  const found = all(json, type);
  expect(found).toHaveLength(1);
  return found[0];
}

/** `${aws_security_group.<logical id>.id}` of the security group with that name */
function sgRef(json: Json, name: string): string {
  const entry = Object.entries(json.resource.aws_security_group).find(([, sg]) => (sg as Json).name === name);
  expect(entry).toBeDefined();
  return '${aws_security_group.' + entry![0] + '.id}';
}

describe('SharedCacheFoundation', () => {
  const names = platformResourceNames('dev');

  it('creates a Valkey 8 serverless cache in the given subnets, behind the cache security group and the user group', () => {
    const json = synthFoundation();
    const cache = only(json, 'aws_elasticache_serverless_cache');
    expect(cache).toMatchObject({
      name: names.cacheName,
      engine: 'valkey',
      major_engine_version: '8',
      subnet_ids: SUBNETS,
      security_group_ids: [sgRef(json, names.cacheSecurityGroupName)],
      lifecycle: { prevent_destroy: true },
    });
    expect(cache.user_group_id).toMatch(/^\$\{aws_elasticache_user_group\.[^.]+\.user_group_id\}$/);
    // optional settings stay unset unless asked for
    expect(cache.cache_usage_limits).toBeUndefined();
    expect(cache.kms_key_id).toBeUndefined();
    expect(cache.snapshot_retention_limit).toBeUndefined();
    expect(cache.daily_snapshot_time).toBeUndefined();
  });

  it('passes engine, limits, KMS key and snapshot settings through', () => {
    const kms = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const json = synthFoundation(
      {},
      {
        engine: 'redis',
        majorEngineVersion: '7',
        usageLimits: { dataStorageGb: { minimum: 1, maximum: 10 }, ecpuPerSecond: { maximum: 5000 } },
        kmsKeyArn: kms,
        snapshotRetentionLimit: 7,
        dailySnapshotTime: '03:30',
        preventDestroy: false,
      },
    );
    const cache = only(json, 'aws_elasticache_serverless_cache');
    expect(cache).toMatchObject({
      engine: 'redis',
      major_engine_version: '7',
      kms_key_id: kms,
      snapshot_retention_limit: 7,
      daily_snapshot_time: '03:30',
      lifecycle: { prevent_destroy: false },
    });
    expect(cache.cache_usage_limits).toEqual([
      {
        data_storage: [{ minimum: 1, maximum: 10, unit: 'GB' }],
        ecpu_per_second: [{ maximum: 5000 }],
      },
    ]);
  });

  it('admits 6379 and 6380 to the cache only from the clients security group, one rule per port, never a CIDR', () => {
    const json = synthFoundation();
    const cacheSg = sgRef(json, names.cacheSecurityGroupName);
    const clientSg = sgRef(json, names.clientSecurityGroupName);
    const ingress = all(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id === cacheSg);
    expect(ingress.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.referenced_security_group_id]).sort()).toEqual([
      ['tcp', 6379, 6379, clientSg],
      ['tcp', 6380, 6380, clientSg],
    ]);
    for (const rule of [...all(json, 'aws_vpc_security_group_ingress_rule'), ...all(json, 'aws_vpc_security_group_egress_rule')]) {
      expect(rule.cidr_ipv4).toBeUndefined();
      expect(rule.cidr_ipv6).toBeUndefined();
      expect(rule.prefix_list_id).toBeUndefined();
      expect(rule.referenced_security_group_id).toMatch(/^\$\{aws_security_group\./);
    }
    // no inline rules: Terraform then strips AWS's default allow-all egress
    for (const sg of all(json, 'aws_security_group')) {
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
      expect(sg.vpc_id).toBe(VPC);
    }
  });

  it('lets the clients security group reach the cache ports and the Secrets Manager endpoint, nothing else', () => {
    const json = synthFoundation();
    const clientSg = sgRef(json, names.clientSecurityGroupName);
    const cacheSg = sgRef(json, names.cacheSecurityGroupName);
    const endpointSg = sgRef(json, names.endpointSecurityGroupName);
    const egress = all(json, 'aws_vpc_security_group_egress_rule');
    expect(egress.every((r) => r.security_group_id === clientSg)).toBe(true);
    expect(egress.map((r) => [r.from_port, r.to_port, r.referenced_security_group_id]).sort()).toEqual([
      [443, 443, endpointSg],
      [6379, 6379, cacheSg],
      [6380, 6380, cacheSg],
    ]);
    const endpointIngress = all(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id === endpointSg);
    expect(endpointIngress).toEqual([
      expect.objectContaining({ ip_protocol: 'tcp', from_port: 443, to_port: 443, referenced_security_group_id: clientSg }),
    ]);
  });

  const endpointOf = (json: Json, service: string) => {
    const found = all(json, 'aws_vpc_endpoint').filter((e) => e.service_name.endsWith(`.${service}`));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('creates the Secrets Manager interface endpoint with private DNS in the cache subnets', () => {
    const json = synthFoundation();
    const endpoint = endpointOf(json, 'secretsmanager');
    expect(endpoint).toMatchObject({
      vpc_id: VPC,
      vpc_endpoint_type: 'Interface',
      private_dns_enabled: true,
      subnet_ids: SUBNETS,
      security_group_ids: [sgRef(json, names.endpointSecurityGroupName)],
    });
    expect(endpoint.service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.[^.]+\.name\}\.secretsmanager$/);
  });

  it('creates the ElastiCache API endpoint the rotation function calls, behind the same endpoint group', () => {
    const json = synthFoundation();
    const endpoint = endpointOf(json, 'elasticache');
    expect(endpoint).toMatchObject({ vpc_endpoint_type: 'Interface', private_dns_enabled: true, subnet_ids: SUBNETS });
    expect(endpoint.security_group_ids).toEqual(endpointOf(json, 'secretsmanager').security_group_ids);
    // either one alone keeps the endpoint group
    const onlyElasticache = synthFoundation({ secretsManagerEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'] } });
    expect(all(onlyElasticache, 'aws_vpc_endpoint').map((e) => e.service_name.split('.').pop())).toEqual(['elasticache']);
    expect(all(onlyElasticache, 'aws_security_group').map((sg) => sg.name)).toContain(names.endpointSecurityGroupName);
  });

  it('puts a disabled user named default in the user group, which ignores changes to its members', () => {
    const json = synthFoundation();
    const user = only(json, 'aws_elasticache_user');
    expect(user).toMatchObject({
      user_id: names.disabledDefaultUserId,
      user_name: 'default',
      engine: 'redis',
      access_string: DISABLED_DEFAULT_ACCESS_STRING,
      authentication_mode: { type: 'password' },
      lifecycle: { ignore_changes: ['authentication_mode', 'passwords'] },
    });
    expect(user.user_id).not.toBe('default');
    expect(user.no_password_required).toBeUndefined();
    // the password comes from Secrets Manager at plan time: only a reference is synthesized
    expect(user.authentication_mode.passwords).toEqual([
      expect.stringMatching(/^\$\{data\.aws_secretsmanager_random_password\.[^.]+\.random_password\}$/),
    ]);
    expect(user.passwords).toBeUndefined();
    const generator = Object.values(json.data.aws_secretsmanager_random_password) as Json[];
    expect(generator).toEqual([{ password_length: 64, exclude_punctuation: true, include_space: false }]);

    const group = only(json, 'aws_elasticache_user_group');
    expect(group).toMatchObject({
      user_group_id: names.userGroupId,
      engine: 'redis',
      lifecycle: { ignore_changes: ['user_ids'] },
    });
    expect(group.user_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user\.[^.]+\.user_id\}$/)]);
  });

  it('writes every export of the contract to SSM with the right type and source', () => {
    const json = synthFoundation();
    const exportNames = platformExportNames('dev');
    const params = all(json, 'aws_ssm_parameter');
    expect(params.map((p) => p.name).sort()).toEqual(EXPORT_KEYS.map((k) => exportNames[k]).sort());
    const byName = (name: string) => params.find((p) => p.name === name)!;
    expect(byName(exportNames.subnetIds)).toMatchObject({ type: 'StringList', value: SUBNETS.join(',') });
    for (const key of EXPORT_KEYS.filter((k) => k !== 'subnetIds')) {
      expect(byName(exportNames[key]).type).toBe('String');
    }
    expect(byName(exportNames.endpointAddress).value).toMatch(/^\$\{aws_elasticache_serverless_cache\.[^.]+\.endpoint\[0\]\.address\}$/);
    expect(byName(exportNames.endpointPort).value).toMatch(/\.endpoint\[0\]\.port\}$/);
    expect(byName(exportNames.readerPort).value).toMatch(/\.reader_endpoint\[0\]\.port\}$/);
    expect(byName(exportNames.cacheName).value).toMatch(/^\$\{aws_elasticache_serverless_cache\.[^.]+\.name\}$/);
    expect(byName(exportNames.cacheArn).value).toMatch(/^\$\{aws_elasticache_serverless_cache\.[^.]+\.arn\}$/);
    expect(byName(exportNames.engine).value).toMatch(/^\$\{aws_elasticache_serverless_cache\.[^.]+\.engine\}$/);
    expect(byName(exportNames.userGroupId).value).toMatch(/^\$\{aws_elasticache_user_group\.[^.]+\.user_group_id\}$/);
    expect(byName(exportNames.clientSecurityGroupId).value).toBe(sgRef(json, names.clientSecurityGroupName));
    for (const p of params) expect(p.tags.Name).toBe(p.name);
  });

  it('adds the extra tags to every taggable resource it creates', () => {
    const json = synthFoundation({ tags: { 'cost-center': 'platform' } });
    // these resource types have no tags in the provider schema
    const untaggable = ['aws_iam_role_policy', 'aws_iam_role_policy_attachment', 'aws_lambda_permission', 'aws_cloudwatch_event_target'];
    const types = Object.keys(json.resource).filter((type) => !untaggable.includes(type));
    expect(types.length).toBeGreaterThanOrEqual(8);
    for (const type of types) {
      for (const resource of all(json, type)) {
        expect(resource.tags).toMatchObject({ 'cost-center': 'platform' });
        expect(typeof resource.tags.Name).toBe('string');
      }
    }
  });

  it('synthesizes nothing that looks like a literal password', () => {
    const text = JSON.stringify(synthFoundation());
    expect(text).not.toMatch(/"passwords?":\s*\[\s*"(?!\$\{)/);
    expect(text).not.toMatch(/no_password_required/);
  });

  it.each([
    [{ vpcId: 'vpc-xyz' }, 'invalid vpc id "vpc-xyz"'],
    [{ subnetIds: ['subnet-0123456789abcdef0'] }, 'a serverless cache takes 2 to 3 subnets'],
    [{ subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef0'] }, 'is listed more than once'],
    [{ subnetIds: ['subnet-0123456789abcdef0', 'subnet-nothex00'] }, 'invalid subnet id "subnet-nothex00"'],
    [{ environment: 'Dev' }, 'invalid environment name "Dev": must be lower case'],
  ])('refuses bad input at synth time: %j', (props, message) => {
    expect(() => synthFoundation(props)).toThrow(message);
  });

  it.each([
    [{ engine: 'memcached' as never }, 'invalid engine "memcached"'],
    [{ engine: 'redis' as const, majorEngineVersion: '8' }, 'invalid major engine version "8"'],
    [{ usageLimits: { ecpuPerSecond: { maximum: 100 } } }, 'invalid ecpu per second limit maximum 100'],
    [
      { usageLimits: { dataStorageGb: { minimum: 50, maximum: 5 } } },
      'invalid data storage limit {"minimum":50,"maximum":5}: minimum (50) must not exceed maximum (5)',
    ],
    [{ kmsKeyArn: 'alias/cache' }, 'invalid kms key arn "alias/cache"'],
    [{ snapshotRetentionLimit: 40 }, 'invalid snapshot retention limit 40'],
    [{ dailySnapshotTime: '3am' }, 'invalid daily snapshot time "3am"'],
    [{ preventDestroy: 'yes' as never }, 'invalid prevent destroy "yes": must be true or false'],
  ])('refuses bad cache settings at synth time, naming the cache construct: %j', (cache, message) => {
    expect(() => synthFoundation({}, cache)).toThrow(`test/foundation/Default/cache: ${message}`);
  });

  it('reports every bad cache setting at once', () => {
    expect(() => synthFoundation({}, { kmsKeyArn: 'alias/cache', snapshotRetentionLimit: 40, dailySnapshotTime: '3am' })).toThrow(
      ['test/foundation/Default/cache: 3 problems:', '  - invalid kms key arn "alias/cache": must be a KMS key ARN'].join('\n'),
    );
    expect(() => synthFoundation({}, { kmsKeyArn: 'alias/cache', snapshotRetentionLimit: 40, dailySnapshotTime: '3am' })).toThrow(
      /- invalid snapshot retention limit 40: .*\n {2}- invalid daily snapshot time "3am": must be HH:MM in UTC/,
    );
  });
});

describe('smaller constructs', () => {
  it('SharedServerlessCache needs a security group and accepts token subnets', () => {
    expect(() =>
      synth((stack) => new SharedServerlessCache(stack, 'c', { name: 'cache-x', securityGroupIds: [], subnetIds: SUBNETS.slice(0, 2) })),
    ).toThrow(
      'invalid security group ids []: a serverless cache needs at least one security group, else AWS attaches the VPC default group',
    );
    expect(() =>
      synth(
        (stack) =>
          new SharedServerlessCache(stack, 'c', { name: 'Cache_X', securityGroupIds: ['sg-89abcdef'], subnetIds: SUBNETS.slice(0, 2) }),
      ),
    ).toThrow('invalid serverless cache name "Cache_X"');

    const json = synth((stack) => {
      const network = new CacheNetwork(stack, 'n', {
        environment: 'qa',
        vpcId: VPC,
        subnetIds: SUBNETS,
        secretsManagerEndpoint: { mode: 'existing', securityGroupId: 'sg-89abcdef' },
      });
      new SharedServerlessCache(stack, 'c', {
        name: 'cache-x',
        securityGroupIds: [network.cacheSecurityGroup.id],
        subnetIds: network.subnetIds,
      });
    });
    const cache = only(json, 'aws_elasticache_serverless_cache');
    expect(cache.user_group_id).toBeUndefined();
    expect(cache.description).toBe('Shared cache of the cache platform');
  });

  it('passes subnet ids that are only known at apply time through, joined in Terraform for the export', () => {
    const json = synth((stack) => {
      const subnets = new TerraformVariable(stack, 'subnets', { type: 'list(string)' });
      const foundation = new SharedCacheFoundation(stack, 'f', { ...BASE, subnetIds: subnets.listValue });
      const { network, rotation } = foundation;
      new CacheCell(foundation, 'Default', { environment: 'dev', cell: DEFAULT_CELL, network, rotationFunctionArn: rotation.functionArn });
    });
    expect(only(json, 'aws_elasticache_serverless_cache').subnet_ids).toBe('${var.subnets}');
    for (const endpoint of all(json, 'aws_vpc_endpoint')) expect(endpoint.subnet_ids).toBe('${var.subnets}');
    const list = all(json, 'aws_ssm_parameter').find((p) => p.type === 'StringList')!;
    expect(list.value).toBe('${join(",", var.subnets)}');
  });

  it('CacheUserGroup and PlatformExports use the contract names of their environment', () => {
    const json = synth((stack) => {
      const users = new CacheUserGroup(stack, 'u', { environment: 'prod' });
      new PlatformExports(stack, 'e', {
        environment: 'prod',
        values: {
          endpointAddress: 'cache.example.internal',
          endpointPort: 6379,
          readerPort: 6380,
          cacheName: 'cache-platform-prod',
          cacheArn: 'arn:aws:elasticache:eu-west-1:123456789012:serverlesscache:cache-platform-prod',
          engine: 'valkey',
          userGroupId: users.userGroupId,
          clientSecurityGroupId: 'sg-89abcdef',
          rotationFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cache-platform-prod-password-rotation',
        },
        subnetIds: ['subnet-89abcdef', 'subnet-89abcde0'],
      });
    });
    expect(only(json, 'aws_elasticache_user_group').user_group_id).toBe('cache-platform-prod-users');
    const ports = all(json, 'aws_ssm_parameter').filter((p) => p.name.endsWith('-port'));
    expect(ports.map((p) => p.value).sort()).toEqual(['6379', '6380']);
    expect(all(json, 'aws_ssm_parameter').every((p) => p.name.startsWith('/cache-platform/prod/exports/'))).toBe(true);
  });

  it('PlatformExports refuses to skip an export', () => {
    expect(() =>
      synth(
        (stack) => new PlatformExports(stack, 'e', { environment: 'dev', values: { endpointAddress: 'x' } as never, subnetIds: SUBNETS }),
      ),
    ).toThrow(
      'e: invalid export values {"endpointAddress":"x"}: endpointPort, readerPort, cacheName, cacheArn, engine, userGroupId, clientSecurityGroupId, rotationFunctionArn missing',
    );
  });
});
