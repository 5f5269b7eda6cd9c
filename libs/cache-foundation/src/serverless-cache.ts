import { Construct } from 'constructs';
import { ContractViolation, throwViolations, violationOf } from '@cache-platform/cache-contract';
import { isUnresolved } from '@cache-platform/stack-base';
import { ElasticacheServerlessCache } from '@cdktf/provider-aws/lib/elasticache-serverless-cache';
import {
  assertCacheUsageLimits,
  assertDailySnapshotTime,
  assertKmsKeyArn,
  assertSecurityGroupId,
  assertServerlessCacheName,
  assertSnapshotRetentionLimit,
  assertSubnetIds,
  CacheEngine,
  CacheUsageLimits,
  resolveEngineVersion,
} from './validation';

/**
 * The settings of one shared cache: the one definition every cell's cache is built from. The
 * environment list carries them (`platform.cache` for every cell, a cell's own `cache` over it), and
 * {@link SharedServerlessCache} turns each field into its Terraform attribute and validates it. A new
 * setting is a field here plus its attribute in that constructor; nothing between copies fields.
 */
export interface CacheSettings {
  /**
   * Engine: Valkey, or Redis OSS.
   * @default "valkey"
   */
  readonly engine?: CacheEngine;
  /**
   * Major engine version: "7" or "8" for Valkey, "7" for Redis OSS.
   * @default the newest for the engine ("8" for Valkey, "7" for Redis OSS)
   */
  readonly majorEngineVersion?: string;
  /**
   * Capacity and cost guard rails (data storage 1-5000 GB, 1,000-15,000,000 ECPU/s); the cache
   * alarms compare against the maximums.
   * @default no limits: the cache scales (and bills) up to AWS's own ceilings
   */
  readonly usageLimits?: CacheUsageLimits;
  /**
   * ARN of a customer managed KMS key for encryption at rest. Changing it replaces the cache.
   * @default an AWS owned key
   */
  readonly kmsKeyArn?: string;
  /**
   * Days automatic snapshots are kept (0-35, 0 turns them off).
   * @default AWS's default (no automatic snapshots are kept)
   */
  readonly snapshotRetentionLimit?: number;
  /**
   * Daily snapshot time, `HH:MM` UTC.
   * @default chosen by AWS
   */
  readonly dailySnapshotTime?: string;
  /**
   * Add `lifecycle { prevent_destroy = true }`. A change of name, subnets or KMS key replaces the cache,
   * which drops every cached key and cuts every service's connection; with this on, such a plan fails
   * instead. Turn it off where tearing the environment down is routine (dev) or to replace on purpose.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

export interface SharedServerlessCacheProps extends CacheSettings {
  /**
   * Cache name (the contract's `platformResourceNames(env).cacheName`).
   * Changing it replaces the cache.
   */
  readonly name: string;
  /** security groups of the cache endpoint (the platform passes its cache security group) */
  readonly securityGroupIds: readonly string[];
  /** 2-3 subnets in different Availability Zones. Changing them replaces the cache. */
  readonly subnetIds: readonly string[];
  /**
   * User group that controls who may connect.
   * @default none: then AWS's own open `default` user applies, so the platform always passes one
   */
  readonly userGroupId?: string;
  /**
   * Description shown in the console.
   * @default "Shared cache of the cache platform"
   */
  readonly description?: string;
  /**
   * Extra tags (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/**
 * An ElastiCache Serverless cache (always TLS, always cluster mode) with validated settings.
 *
 * `name`, `subnet_ids` and `kms_key_id` force replacement of the cache; see `preventDestroy`.
 */
export class SharedServerlessCache extends Construct {
  readonly cache: ElasticacheServerlessCache;
  readonly engine: CacheEngine;
  readonly majorEngineVersion: string;
  /** primary endpoint DNS name (the reader endpoint has the same name) */
  readonly endpointAddress: string;
  /** primary endpoint port (6379) */
  readonly endpointPort: number;
  /** read-from-replica port (6380) */
  readonly readerPort: number;
  readonly arn: string;
  readonly name: string;
  /** the validated usage limits (the cache alarms compare against their maximums) */
  readonly usageLimits?: CacheUsageLimits;

  constructor(scope: Construct, id: string, props: SharedServerlessCacheProps) {
    super(scope, id);
    // the one place cache settings are checked: every problem at once, each naming this construct's
    // path, the value and the rule
    const problems: Array<ContractViolation | undefined> = [
      violationOf(() => assertServerlessCacheName(props.name)),
      violationOf(() => {
        if (isUnresolved(props.securityGroupIds)) return;
        if (props.securityGroupIds.length === 0) {
          throw new ContractViolation(
            'security group ids',
            props.securityGroupIds,
            'a serverless cache needs at least one security group, else AWS attaches the VPC default group',
          );
        }
        props.securityGroupIds.forEach(assertSecurityGroupId);
      }),
      violationOf(() => assertSubnetIds(props.subnetIds)),
      violationOf(() => resolveEngineVersion(props.engine ?? 'valkey', props.majorEngineVersion)),
      violationOf(() => props.usageLimits !== undefined && assertCacheUsageLimits(props.usageLimits)),
      violationOf(() => props.kmsKeyArn !== undefined && assertKmsKeyArn(props.kmsKeyArn)),
      violationOf(() => props.snapshotRetentionLimit !== undefined && assertSnapshotRetentionLimit(props.snapshotRetentionLimit)),
      violationOf(() => props.dailySnapshotTime !== undefined && assertDailySnapshotTime(props.dailySnapshotTime)),
      violationOf(() => {
        if (props.preventDestroy !== undefined && typeof props.preventDestroy !== 'boolean') {
          throw new ContractViolation('prevent destroy', props.preventDestroy, 'must be true or false');
        }
      }),
    ];
    throwViolations(
      problems.filter((p): p is ContractViolation => p !== undefined),
      this.node.path,
    );
    this.engine = props.engine ?? 'valkey';
    this.majorEngineVersion = resolveEngineVersion(this.engine, props.majorEngineVersion);
    this.usageLimits = props.usageLimits;
    const limits = this.usageLimits;

    this.cache = new ElasticacheServerlessCache(this, 'cache', {
      name: props.name,
      engine: this.engine,
      majorEngineVersion: this.majorEngineVersion,
      description: props.description ?? 'Shared cache of the cache platform',
      subnetIds: [...props.subnetIds],
      securityGroupIds: [...props.securityGroupIds],
      userGroupId: props.userGroupId,
      kmsKeyId: props.kmsKeyArn,
      snapshotRetentionLimit: props.snapshotRetentionLimit,
      dailySnapshotTime: props.dailySnapshotTime,
      cacheUsageLimits: limits && hasLimits(limits) ? [toUsageLimits(limits)] : undefined,
      tags: { Name: props.name, ...props.tags },
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });

    this.endpointAddress = this.cache.endpoint.get(0).address;
    this.endpointPort = this.cache.endpoint.get(0).port;
    this.readerPort = this.cache.readerEndpoint.get(0).port;
    this.arn = this.cache.arn;
    this.name = this.cache.name;
  }
}

function hasLimits(limits: CacheUsageLimits): boolean {
  return limits.dataStorageGb !== undefined || limits.ecpuPerSecond !== undefined;
}

function toUsageLimits(limits: CacheUsageLimits) {
  return {
    dataStorage: limits.dataStorageGb ? [{ ...limits.dataStorageGb, unit: 'GB' }] : undefined,
    ecpuPerSecond: limits.ecpuPerSecond ? [{ ...limits.ecpuPerSecond }] : undefined,
  };
}
