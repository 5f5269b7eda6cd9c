import { Token } from 'cdktf';
import { ContractViolation } from '@cache-platform/cache-contract';

// engine facts live in the contract (access strings depend on them); re-exported for this library's users
export {
  CACHE_ENGINES,
  DEFAULT_MAJOR_VERSIONS,
  SUPPORTED_MAJOR_VERSIONS,
  resolveEngineVersion,
  type CacheEngine,
} from '@cache-platform/cache-contract';

/**
 * Synth-time checks of the platform's inputs. `terraform validate` does not look inside ids,
 * engine names or ranges, and AWS only complains half-way through an apply, so everything that
 * can be checked from the configuration is checked here, with the value and the rule in the message.
 *
 * Values that are still tokens (e.g. subnet ids read from a data source) cannot be checked at
 * synth time and are passed through.
 */

/**
 * ElastiCache Serverless places its endpoint in 2 or 3 subnets of different Availability Zones
 * (when none are given, AWS itself picks 2 in two-AZ regions and 3 elsewhere).
 */
export const MIN_SERVERLESS_SUBNETS = 2;
export const MAX_SERVERLESS_SUBNETS = 3;

/** AWS bounds of `cache_usage_limits`. */
export const DATA_STORAGE_GB_RANGE = { minimum: 1, maximum: 5000 } as const;
export const ECPU_PER_SECOND_RANGE = { minimum: 1000, maximum: 15_000_000 } as const;
/** Automatic snapshots are kept for at most 35 days. */
export const MAX_SNAPSHOT_RETENTION_DAYS = 35;

/** A lower and/or upper bound. */
export interface UsageRange {
  /**
   * Lower bound: ElastiCache keeps at least this much capacity ready (and bills for it).
   * @default no minimum
   */
  readonly minimum?: number;
  /**
   * Upper bound: requests beyond it are throttled instead of scaling (and billing) further.
   * @default no maximum (AWS's own ceiling)
   */
  readonly maximum?: number;
}

/** `cache_usage_limits` of a serverless cache: the cost and capacity guard rails. */
export interface CacheUsageLimits {
  /**
   * Data storage in GB (AWS range 1-5000).
   * @default no data storage limit
   */
  readonly dataStorageGb?: UsageRange;
  /**
   * ElastiCache Processing Units per second (AWS range 1,000-15,000,000).
   * @default no ECPU limit
   */
  readonly ecpuPerSecond?: UsageRange;
}

// AWS resource ids: a prefix and 8 (older) or 17 (current) lower-case hex digits
const RESOURCE_ID = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
const SUBNET_ID = RESOURCE_ID('subnet');
const VPC_ID = RESOURCE_ID('vpc');
const SECURITY_GROUP_ID = RESOURCE_ID('sg');
// key ARN only: an alias ARN or a bare key id is not what CreateServerlessCache's KmsKeyId takes
const KMS_KEY_ARN =
  /^arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const SNAPSHOT_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function idRule(prefix: string): string {
  return `must be "${prefix}-" followed by 8 or 17 lower-case hexadecimal digits`;
}

// CreateServerlessCache: 1-40 letters, digits and hyphens, starting with a letter, no "--", no trailing "-"
const SERVERLESS_CACHE_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/;

/**
 * The one rule behind every id and name check here: a token passes (it is only known at apply), a
 * literal must match `pattern`, else a violation naming the field, the value and `rule`.
 */
function assertMatches<T extends string>(field: string, value: T, pattern: RegExp, rule: string): T {
  if (Token.isUnresolved(value)) return value;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ContractViolation(field, value, rule);
  return value;
}

/** Validates a serverless cache name (AWS stores it lower-cased, so upper case is refused). */
export function assertServerlessCacheName(name: string): string {
  return assertMatches(
    'serverless cache name',
    name,
    SERVERLESS_CACHE_NAME,
    'must be 1-40 lower-case letters, digits and single hyphens, start with a letter and not end with a hyphen',
  );
}

/** Validates a VPC id (`vpc-` + 8 or 17 hex digits) and returns it. */
export function assertVpcId(vpcId: string): string {
  return assertMatches('vpc id', vpcId, VPC_ID, idRule('vpc'));
}

/** Validates a security group id (`sg-` + 8 or 17 hex digits) and returns it. */
export function assertSecurityGroupId(securityGroupId: string): string {
  return assertMatches('security group id', securityGroupId, SECURITY_GROUP_ID, idRule('sg'));
}

/**
 * Validates the subnets of a serverless cache: well-formed ids, no duplicates, 2 or 3 of them.
 * Whether they really are in different Availability Zones (AWS requires it) is only known to AWS.
 */
export function assertSubnetIds(subnetIds: readonly string[]): readonly string[] {
  if (Token.isUnresolved(subnetIds)) return subnetIds;
  if (!Array.isArray(subnetIds)) {
    throw new ContractViolation('subnet ids', subnetIds, 'must be a list of subnet ids');
  }
  for (const id of subnetIds) assertMatches('subnet id', id, SUBNET_ID, idRule('subnet'));
  const seen = new Set<string>();
  for (const id of subnetIds) {
    if (Token.isUnresolved(id)) continue;
    if (seen.has(id)) {
      throw new ContractViolation(
        'subnet ids',
        subnetIds,
        `${JSON.stringify(id)} is listed more than once; give each subnet once, one per Availability Zone`,
      );
    }
    seen.add(id);
  }
  if (subnetIds.length < MIN_SERVERLESS_SUBNETS || subnetIds.length > MAX_SERVERLESS_SUBNETS) {
    throw new ContractViolation(
      'subnet ids',
      subnetIds,
      `a serverless cache takes ${MIN_SERVERLESS_SUBNETS} to ${MAX_SERVERLESS_SUBNETS} subnets, each in a different Availability Zone (got ${subnetIds.length})`,
    );
  }
  return subnetIds;
}

function checkRange(subject: string, range: UsageRange, bounds: { minimum: number; maximum: number }, unit: string): void {
  const keys = Object.keys(range);
  const unknown = keys.filter((k) => k !== 'minimum' && k !== 'maximum');
  if (unknown.length > 0) {
    throw new ContractViolation(subject, range, `unknown field ${JSON.stringify(unknown[0])}; use minimum and/or maximum`);
  }
  if (range.minimum === undefined && range.maximum === undefined) {
    throw new ContractViolation(subject, range, 'set a minimum, a maximum or both (or leave the limit out)');
  }
  for (const bound of ['minimum', 'maximum'] as const) {
    const value = range[bound];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.minimum || value > bounds.maximum) {
      throw new ContractViolation(
        `${subject} ${bound}`,
        value,
        `must be a whole number of ${unit} from ${bounds.minimum.toLocaleString('en-US')} to ${bounds.maximum.toLocaleString('en-US')}`,
      );
    }
  }
  if (range.minimum !== undefined && range.maximum !== undefined && range.minimum > range.maximum) {
    throw new ContractViolation(subject, range, `minimum (${range.minimum}) must not exceed maximum (${range.maximum})`);
  }
}

/** Validates usage limits against the AWS ranges (data storage 1-5000 GB, 1,000-15,000,000 ECPU/s, min <= max). */
export function assertCacheUsageLimits(limits: CacheUsageLimits): CacheUsageLimits {
  if (typeof limits !== 'object' || limits === null) {
    throw new ContractViolation('cache usage limits', limits, 'must be an object with dataStorageGb and/or ecpuPerSecond');
  }
  const unknown = Object.keys(limits).filter((k) => k !== 'dataStorageGb' && k !== 'ecpuPerSecond');
  if (unknown.length > 0) {
    throw new ContractViolation(
      'cache usage limits',
      limits,
      `unknown field ${JSON.stringify(unknown[0])}; use dataStorageGb and/or ecpuPerSecond`,
    );
  }
  if (limits.dataStorageGb !== undefined) checkRange('data storage limit', limits.dataStorageGb, DATA_STORAGE_GB_RANGE, 'GB');
  if (limits.ecpuPerSecond !== undefined)
    checkRange('ecpu per second limit', limits.ecpuPerSecond, ECPU_PER_SECOND_RANGE, 'ECPU per second');
  return limits;
}

/** Validates a customer managed KMS key ARN (`arn:aws:kms:<region>:<account>:key/<key id>`). */
export function assertKmsKeyArn(arn: string): string {
  return assertMatches(
    'kms key arn',
    arn,
    KMS_KEY_ARN,
    'must be a KMS key ARN such as "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" (not an alias or a bare key id)',
  );
}

/** Validates the number of days automatic snapshots are kept (0-35; 0 turns them off). */
export function assertSnapshotRetentionLimit(days: number): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_SNAPSHOT_RETENTION_DAYS) {
    throw new ContractViolation(
      'snapshot retention limit',
      days,
      `must be a whole number of days from 0 to ${MAX_SNAPSHOT_RETENTION_DAYS} (0 turns automatic snapshots off)`,
    );
  }
  return days;
}

/** Validates the daily snapshot time, `HH:MM` in UTC. */
export function assertDailySnapshotTime(time: string): string {
  if (typeof time !== 'string' || !SNAPSHOT_TIME.test(time)) {
    throw new ContractViolation('daily snapshot time', time, 'must be HH:MM in UTC, from 00:00 to 23:59');
  }
  return time;
}
