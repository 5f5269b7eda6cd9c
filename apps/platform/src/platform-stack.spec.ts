import * as path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Testing } from 'cdktf';
import {
  alarmTopicParameterName,
  DISABLED_DEFAULT_ACCESS_STRING,
  EXPORT_KEYS,
  ownershipTags,
  platformExportNames,
  platformResourceNames,
} from '@cache-platform/cache-contract';
import { ENVIRONMENTS, type Environment, type PlatformSettings } from '@cache-platform/platform-environments';
import type { CacheSettings } from '@cache-platform/cache-foundation';
import { PLATFORM_PURPOSE, PLATFORM_SERVICE, PlatformStack, platformStackId } from './stacks/platform-stack';

// synthesized Terraform JSON: the assertions below are its type check
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const APP_DIR = path.resolve(__dirname, '..');
const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;

/** `base` with some platform settings changed. */
const withPlatform = (base: Environment, platform: Partial<PlatformSettings>): Environment => ({
  ...base,
  platform: { ...base.platform, ...platform },
});
/** `base` with some cache settings of every cell changed. */
const withCache = (base: Environment, cache: CacheSettings): Environment =>
  withPlatform(base, { cache: { ...base.platform.cache, ...cache } });

// shaped like `secret-rotation:bundle` output: these tests check the wiring, not the function
const ROTATION_BUNDLE = mkdtempSync(path.join(tmpdir(), 'rotation-bundle-'));
writeFileSync(path.join(ROTATION_BUNDLE, 'index.js'), 'exports.handler = async () => undefined;\n');

function synth(environment: Environment): Json {
  const stack = new PlatformStack(Testing.app(), platformStackId(environment.name), { environment, rotationBundleDir: ROTATION_BUNDLE });
  return JSON.parse(Testing.synth(stack, true));
}

/** The resources of one type, keyed by their Terraform name, without cdktf metadata. */
function resources(json: Json, type: string): Record<string, Json> {
  const found: Record<string, Json> = {};
  for (const [name, body] of Object.entries<Json>(json.resource?.[type] ?? {})) {
    const rest = { ...body };
    delete rest['//'];
    found[name] = rest;
  }
  return found;
}

function only(json: Json, type: string): [string, Json] {
  const entries = Object.entries(resources(json, type));
  expect(entries).toHaveLength(1);
  return entries[0];
}

const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;

/** Terraform name of the security group with this `name` attribute. */
function securityGroupKey(json: Json, name: string): string {
  const entry = Object.entries(resources(json, 'aws_security_group')).find(([, sg]) => sg.name === name);
  if (!entry) throw new Error(`no security group named ${name}`);
  return entry[0];
}

describe.each([dev, prod])('platform stack $name', (environment) => {
  const json = synth(environment);
  const names = platformResourceNames(environment.name);
  const cacheSg = securityGroupKey(json, names.cacheSecurityGroupName);
  const clientSg = securityGroupKey(json, names.clientSecurityGroupName);
  const endpointSg = securityGroupKey(json, names.endpointSecurityGroupName);

  it('creates one serverless cache with the environment settings, in its security group and user group', () => {
    const [, cache] = only(json, 'aws_elasticache_serverless_cache');
    const [groupKey] = only(json, 'aws_elasticache_user_group');
    expect(cache).toMatchObject({
      name: names.cacheName,
      engine: environment.platform.cache!.engine,
      major_engine_version: environment.platform.cache!.majorEngineVersion,
      subnet_ids: [...environment.platform.subnetIds],
      security_group_ids: [ref('aws_security_group', cacheSg, 'id')],
      user_group_id: ref('aws_elasticache_user_group', groupKey, 'user_group_id'),
      lifecycle: { prevent_destroy: environment.platform.cache!.preventDestroy ?? true },
    });
    const limits = environment.platform.cache!.usageLimits!;
    expect(cache.cache_usage_limits).toEqual([
      {
        data_storage: [{ ...limits.dataStorageGb, unit: 'GB' }],
        ecpu_per_second: [{ ...limits.ecpuPerSecond }],
      },
    ]);
  });

  it('lets 6379 and 6380 into the cache only from the clients security group, never from a CIDR', () => {
    const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
    const intoCache = ingress.filter((rule) => rule.security_group_id === ref('aws_security_group', cacheSg, 'id'));
    expect(intoCache.map((rule) => [rule.from_port, rule.to_port]).sort()).toEqual([
      [6379, 6379],
      [6380, 6380],
    ]);
    for (const rule of intoCache) {
      expect(rule).toMatchObject({ ip_protocol: 'tcp', referenced_security_group_id: ref('aws_security_group', clientSg, 'id') });
    }
    for (const rule of ingress) {
      expect(rule).not.toHaveProperty('cidr_ipv4');
      expect(rule).not.toHaveProperty('cidr_ipv6');
      expect(rule).not.toHaveProperty('prefix_list_id');
    }
    // no inline rules on any group: every allowed flow is one of the rule resources
    for (const sg of Object.values(resources(json, 'aws_security_group'))) {
      expect(sg.vpc_id).toBe(environment.platform.vpcId);
      expect(sg).not.toHaveProperty('ingress');
      expect(sg).not.toHaveProperty('egress');
    }
  });

  it('gives the clients security group egress to the cache ports and HTTPS to the Secrets Manager endpoint only', () => {
    const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));
    expect(egress.every((rule) => rule.security_group_id === ref('aws_security_group', clientSg, 'id'))).toBe(true);
    const flows = egress.map((rule) => `${rule.referenced_security_group_id}:${rule.from_port}-${rule.to_port}`).sort();
    expect(flows).toEqual(
      [
        `${ref('aws_security_group', cacheSg, 'id')}:6379-6379`,
        `${ref('aws_security_group', cacheSg, 'id')}:6380-6380`,
        `${ref('aws_security_group', endpointSg, 'id')}:443-443`,
      ].sort(),
    );
    const intoEndpoint = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
      (rule) => rule.security_group_id === ref('aws_security_group', endpointSg, 'id'),
    );
    expect(intoEndpoint).toEqual([
      expect.objectContaining({ from_port: 443, to_port: 443, referenced_security_group_id: ref('aws_security_group', clientSg, 'id') }),
    ]);
  });

  it('creates the Secrets Manager and ElastiCache API interface endpoints with private DNS in the cache subnets', () => {
    const endpoints = Object.values(resources(json, 'aws_vpc_endpoint'));
    expect(endpoints.map((e) => e.service_name.split('.').pop()).sort()).toEqual(['elasticache', 'secretsmanager']);
    for (const endpoint of endpoints)
      expect(endpoint).toMatchObject({
        vpc_endpoint_type: 'Interface',
        private_dns_enabled: true,
        vpc_id: environment.platform.vpcId,
        subnet_ids: [...environment.platform.subnetIds],
        security_group_ids: [ref('aws_security_group', endpointSg, 'id')],
      });
  });

  it('runs the password rotation function in the VPC, allowed to touch only its service secrets and users', () => {
    const [, fn] = only(json, 'aws_lambda_function');
    expect(fn).toMatchObject({ function_name: names.rotationFunctionName, runtime: 'nodejs22.x', handler: 'index.handler' });
    expect(fn.vpc_config.security_group_ids).toEqual([ref('aws_security_group', clientSg, 'id')]);
    const statements = Object.values(resources(json, 'aws_iam_role_policy')).flatMap((p) => JSON.parse(p.policy).Statement);
    const scoped = statements.filter((st) => [st.Action].flat().some((a: string) => /^(secretsmanager|elasticache|ssm):/.test(a)));
    expect(scoped.length).toBeGreaterThanOrEqual(3);
    for (const statement of scoped) {
      for (const resource of [statement.Resource].flat()) {
        expect(resource).not.toBe('*');
        expect(resource).toMatch(
          new RegExp(
            `:(secret:cache-platform/${environment.name}/\\*/redis-\\?{6}|user:\\*-${environment.name}|parameter/cache-platform/${environment.name}(/cells/\\*)?/exports/\\*|parameter/cache-platform/${environment.name}/keyspaces)$`,
          ),
        );
      }
    }
    const permissions = Object.values(resources(json, 'aws_lambda_permission')) as Json[];
    expect(permissions.map((p) => p.principal).sort()).toEqual(['events.amazonaws.com', 'secretsmanager.amazonaws.com']);
    for (const permission of permissions) {
      expect(permission).toMatchObject({ action: 'lambda:InvokeFunction' });
      // never "anyone in that service": this account, and the one source (the secrets, the report schedule)
      expect(permission.source_account).toMatch(/data\.aws_caller_identity/);
      expect(permission.source_arn).toBeDefined();
    }
    const events = permissions.find((p) => p.principal === 'events.amazonaws.com')!;
    expect(events.source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\.foundation_password-rotation_report-schedule_[0-9A-F]{8}\.arn\}$/);
    const [, target] = only(json, 'aws_cloudwatch_event_target');
    expect(JSON.parse(target.input)).toEqual({ action: 'report-rotation-age', environment: environment.name });
    const [, schedule] = only(json, 'aws_cloudwatch_event_rule');
    expect(schedule.schedule_expression).toBe('rate(1 day)');
  });

  it('alarms on rotation function errors and on overdue rotations, to the environment topic', () => {
    const alarms = Object.fromEntries(
      (Object.values(resources(json, 'aws_cloudwatch_metric_alarm')) as Json[]).map((a) => [a.alarm_name, a]),
    );
    const errors = alarms[`cache-platform-${environment.name}-rotation-errors`];
    expect(errors).toMatchObject({ namespace: 'AWS/Lambda', metric_name: 'Errors', statistic: 'Sum', threshold: 1 });
    expect(errors.dimensions.FunctionName).toMatch(/aws_lambda_function\.foundation_password-rotation_function/);
    const overdue = alarms[`cache-platform-${environment.name}-rotation-overdue`];
    expect(overdue).toMatchObject({
      namespace: 'CachePlatform',
      metric_name: 'OverdueSecretRotations',
      dimensions: { Environment: environment.name },
      statistic: 'Maximum',
      period: 86400,
      threshold: 1,
    });
    expect(overdue.alarm_actions).toEqual(errors.alarm_actions);
  });

  it('holds the disabled user named default in a user group that ignores its member list', () => {
    const [userKey, user] = only(json, 'aws_elasticache_user');
    const [, group] = only(json, 'aws_elasticache_user_group');
    expect(user).toMatchObject({
      user_name: 'default',
      user_id: names.disabledDefaultUserId,
      access_string: DISABLED_DEFAULT_ACCESS_STRING,
    });
    expect(user.user_id).not.toBe('default');
    expect(group).toMatchObject({
      user_group_id: names.userGroupId,
      engine: 'redis',
      user_ids: [ref('aws_elasticache_user', userKey, 'user_id')],
    });
    expect(group.lifecycle.ignore_changes).toContain('user_ids');
  });

  it('writes every export of the contract to SSM with the right type', () => {
    const exportNames = platformExportNames(environment.name);
    const parameters = Object.values(resources(json, 'aws_ssm_parameter'));
    // the exports, and the alarm topic's ARN (for the services' alarms)
    expect(parameters.map((p) => p.name).sort()).toEqual([...Object.values(exportNames), alarmTopicParameterName(environment.name)].sort());
    for (const key of EXPORT_KEYS) {
      const parameter = parameters.find((p) => p.name === exportNames[key])!;
      expect(parameter.type).toBe(key === 'subnetIds' ? 'StringList' : 'String');
      expect(typeof parameter.value).toBe('string');
      expect(parameter.value).not.toBe('');
    }
    expect(parameters.find((p) => p.name === exportNames.subnetIds)!.value).toBe(environment.platform.subnetIds.join(','));
  });

  it('tags everything with ownership through the provider default_tags', () => {
    const provider = json.provider.aws[0];
    expect(provider.region).toBe(environment.region);
    expect(provider.default_tags[0].tags).toEqual(
      ownershipTags({
        service: PLATFORM_SERVICE,
        owner: environment.platform.owner,
        purpose: PLATFORM_PURPOSE,
        environment: environment.name,
      }),
    );
  });

  it('keeps local state inside the app folder', () => {
    const statePath: string = json.terraform.backend.local.path;
    expect(path.isAbsolute(statePath)).toBe(false);
    // Terraform runs in cdktf.out/stacks/<stack id>: the path must land in <app>/state/
    const resolved = path.resolve(APP_DIR, 'cdktf.out', 'stacks', platformStackId(environment.name), statePath);
    expect(resolved).toBe(path.join(APP_DIR, 'state', `${platformStackId(environment.name)}.tfstate`));
  });

  it('puts no literal password in the synthesized configuration', () => {
    const offenders: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${at}[${i}]`));
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (/passw|secret_string|auth_token/i.test(key)) {
            for (const leaf of [value].flat(2)) {
              // only Terraform references may stand where a password goes
              if (typeof leaf === 'string' && !/^\$\{[^}]+\}$/.test(leaf)) offenders.push(`${at}.${key}`);
            }
          }
          walk(value, `${at}.${key}`);
        }
      }
    };
    walk(json, '');
    expect(offenders).toEqual([]);
  });

  it('shows the operator what the deploy created', () => {
    expect(Object.keys(json.output).sort()).toEqual([
      'alarm_topic_arn',
      'cache_name',
      'client_security_group_id',
      'endpoint_address',
      'rotation_function_arn',
      'user_group_id',
    ]);
  });
});

describe('environment variations', () => {
  it('protects the cache from destruction unless the environment opts out', () => {
    const defaults = { ...prod.platform.cache };
    delete defaults.preventDestroy;
    expect(only(synth(withPlatform(prod, { cache: defaults })), 'aws_elasticache_serverless_cache')[1].lifecycle.prevent_destroy).toBe(
      true,
    );
    expect(only(synth(withCache(prod, { preventDestroy: false })), 'aws_elasticache_serverless_cache')[1].lifecycle.prevent_destroy).toBe(
      false,
    );
  });

  it('uses an S3 backend with lock files when the environment names a state bucket', () => {
    const json = synth({ ...dev, stateBucket: { bucket: 'acme-terraform-state' } });
    expect(json.terraform.backend.local).toBeUndefined();
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: 'acme-terraform-state',
      key: 'cache-platform/platform-dev.tfstate',
      region: dev.region,
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('can run Redis OSS instead of Valkey', () => {
    const [, cache] = only(synth(withCache(dev, { engine: 'redis', majorEngineVersion: '7' })), 'aws_elasticache_serverless_cache');
    expect(cache).toMatchObject({ engine: 'redis', major_engine_version: '7' });
  });

  it('leaves the interface endpoints out where the environment uses its own route, and says which field is wrong', () => {
    const json = synth(
      withPlatform(dev, {
        secretsManagerEndpoint: { mode: 'existing', securityGroupId: 'sg-0a1b2c3d4e5f60799' },
        elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'] },
      }),
    );
    expect(resources(json, 'aws_vpc_endpoint')).toEqual({});
    const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));
    expect(egress.map((rule) => [rule.from_port, rule.cidr_ipv4 ?? rule.referenced_security_group_id]).sort()).toEqual([
      [443, '0.0.0.0/0'],
      [443, 'sg-0a1b2c3d4e5f60799'],
      [6379, expect.stringMatching(/^\$\{aws_security_group\./)],
      [6380, expect.stringMatching(/^\$\{aws_security_group\./)],
    ]);
    expect(() => synth(withPlatform(prod, { elasticacheEndpoint: { mode: 'none' } as never }))).toThrow(
      /^environment prod: invalid elasticacheEndpoint\.httpsEgressCidrs undefined: mode "none" needs /,
    );
  });

  it('refuses bad environment settings at synth time, naming the value and the rule', () => {
    expect(() => synth(withPlatform(dev, { subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-xyz'] }))).toThrow(
      'invalid subnet id "subnet-xyz"',
    );
    expect(() => synth(withPlatform(dev, { subnetIds: ['subnet-0a1b2c3d4e5f60001'] }))).toThrow('(got 1)');
    expect(() => synth(withPlatform(dev, { vpcId: 'vpc-123' }))).toThrow('invalid vpc id "vpc-123"');
    // located: the construct path in the platform stack leads the message
    expect(() => synth(withPlatform(dev, { vpcId: 'vpc-123' }))).toThrow(/^platform-dev\/foundation\/[\w/-]+: invalid vpc id "vpc-123"/);
    expect(() => synth({ ...dev, region: 'Europe' })).toThrow('invalid region "Europe"');
    expect(() => synth({ ...dev, name: 'Dev' })).toThrow('invalid environment name "Dev": must be lower case');
    expect(() => synth(withPlatform(dev, { owner: '' }))).toThrow('invalid tag cache-platform:owner ""');
  });
});

describe('ENVIRONMENTS', () => {
  it('has dev and prod, with unique names and stack ids', () => {
    const names = ENVIRONMENTS.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['dev', 'prod']));
    expect(new Set(names).size).toBe(names.length);
    expect(names.map(platformStackId)).toEqual(names.map((n) => `platform-${n}`));
  });

  it('never shares a VPC subnet list between environments by accident', () => {
    const subnets = ENVIRONMENTS.flatMap((e) => [...e.platform.subnetIds]);
    expect(new Set(subnets).size).toBe(subnets.length);
  });
});
