import { ContractViolation } from '@cache-platform/cache-contract';
import {
  assertCacheUsageLimits,
  assertDailySnapshotTime,
  assertKmsKeyArn,
  assertSecurityGroupId,
  assertServerlessCacheName,
  assertSnapshotRetentionLimit,
  assertSubnetIds,
  assertVpcId,
  resolveEngineVersion,
  CacheEngine,
} from './index';

const A = 'subnet-0123456789abcdef0';
const B = 'subnet-0123456789abcdef1';
const C = 'subnet-89abcdef';
const D = 'subnet-0123456789abcdef3';

describe('subnet ids', () => {
  it('accepts 2 or 3 distinct ids of 8 or 17 hex digits', () => {
    expect(assertSubnetIds([A, B])).toEqual([A, B]);
    expect(assertSubnetIds([A, B, C])).toEqual([A, B, C]);
  });

  it.each([
    ['subnet-123', 'invalid subnet id "subnet-123": must be "subnet-" followed by 8 or 17 lower-case hexadecimal digits'],
    ['subnet-0123456789ABCDEF0', 'invalid subnet id "subnet-0123456789ABCDEF0"'],
    ['subnet-0123456789abcdefg', 'invalid subnet id "subnet-0123456789abcdefg"'],
    ['sg-0123456789abcdef0', 'invalid subnet id "sg-0123456789abcdef0"'],
    [' subnet-89abcdef', 'invalid subnet id " subnet-89abcdef"'],
    ['', 'invalid subnet id ""'],
  ])('refuses the malformed id %j', (bad, message) => {
    expect(() => assertSubnetIds([A, bad])).toThrow(ContractViolation);
    expect(() => assertSubnetIds([A, bad])).toThrow(message);
  });

  it('refuses a subnet listed twice, naming it', () => {
    expect(() => assertSubnetIds([A, B, A])).toThrow(
      `invalid subnet ids ["${A}","${B}","${A}"]: "${A}" is listed more than once; give each subnet once, one per Availability Zone`,
    );
  });

  it('refuses too few subnets', () => {
    expect(() => assertSubnetIds([A])).toThrow(
      `invalid subnet ids ["${A}"]: a serverless cache takes 2 to 3 subnets, each in a different Availability Zone (got 1)`,
    );
    expect(() => assertSubnetIds([])).toThrow(
      'invalid subnet ids []: a serverless cache takes 2 to 3 subnets, each in a different Availability Zone (got 0)',
    );
  });

  it('refuses too many subnets', () => {
    expect(() => assertSubnetIds([A, B, C, D])).toThrow(
      'a serverless cache takes 2 to 3 subnets, each in a different Availability Zone (got 4)',
    );
  });

  it('refuses something that is not a list', () => {
    expect(() => assertSubnetIds('subnet-0123456789abcdef0' as never)).toThrow(
      'invalid subnet ids "subnet-0123456789abcdef0": must be a list of subnet ids',
    );
  });
});

describe('vpc and security group ids', () => {
  it('accepts well-formed ids', () => {
    expect(assertVpcId('vpc-0123456789abcdef0')).toBe('vpc-0123456789abcdef0');
    expect(assertVpcId('vpc-89abcdef')).toBe('vpc-89abcdef');
    expect(assertSecurityGroupId('sg-0123456789abcdef0')).toBe('sg-0123456789abcdef0');
  });

  it.each(['vpc-123', 'vpc-0123456789abcdef', 'VPC-0123456789abcdef0', 'subnet-0123456789abcdef0', 'vpc-0123456789abcdef0 '])(
    'refuses the vpc id %j',
    (bad) => {
      expect(() => assertVpcId(bad)).toThrow(
        `invalid vpc id ${JSON.stringify(bad)}: must be "vpc-" followed by 8 or 17 lower-case hexadecimal digits`,
      );
    },
  );

  it('refuses a malformed security group id', () => {
    expect(() => assertSecurityGroupId('sg-xyz')).toThrow(
      'invalid security group id "sg-xyz": must be "sg-" followed by 8 or 17 lower-case hexadecimal digits',
    );
  });
});

describe('engine and version', () => {
  it('defaults to the newest major version of the engine', () => {
    expect(resolveEngineVersion('valkey')).toBe('8');
    expect(resolveEngineVersion('redis')).toBe('7');
  });

  it.each([
    ['valkey', '7'],
    ['valkey', '8'],
    ['redis', '7'],
  ] as [CacheEngine, string][])('accepts %s %s', (engine, version) => {
    expect(resolveEngineVersion(engine, version)).toBe(version);
  });

  it('refuses an unknown engine', () => {
    expect(() => resolveEngineVersion('memcached' as CacheEngine)).toThrow('invalid engine "memcached": must be one of valkey, redis');
    expect(() => resolveEngineVersion('Valkey' as CacheEngine)).toThrow('invalid engine "Valkey": must be one of valkey, redis');
  });

  it('refuses a version the engine does not offer, or a minor version', () => {
    expect(() => resolveEngineVersion('redis', '8')).toThrow(
      'invalid major engine version "8": engine redis on ElastiCache Serverless supports major version 7',
    );
    expect(() => resolveEngineVersion('valkey', '6')).toThrow(
      'invalid major engine version "6": engine valkey on ElastiCache Serverless supports major version 7 or 8',
    );
    expect(() => resolveEngineVersion('valkey', '7.2')).toThrow('invalid major engine version "7.2"');
  });
});

describe('usage limits', () => {
  it('accepts the AWS bounds themselves', () => {
    const limits = { dataStorageGb: { minimum: 1, maximum: 5000 }, ecpuPerSecond: { minimum: 1000, maximum: 15_000_000 } };
    expect(assertCacheUsageLimits(limits)).toBe(limits);
    expect(assertCacheUsageLimits({ dataStorageGb: { maximum: 10 } })).toEqual({ dataStorageGb: { maximum: 10 } });
  });

  it.each([
    [{ dataStorageGb: { maximum: 5001 } }, 'invalid data storage limit maximum 5001: must be a whole number of GB from 1 to 5,000'],
    [{ dataStorageGb: { minimum: 0 } }, 'invalid data storage limit minimum 0: must be a whole number of GB from 1 to 5,000'],
    [{ dataStorageGb: { maximum: 2.5 } }, 'invalid data storage limit maximum 2.5: must be a whole number of GB'],
    [
      { ecpuPerSecond: { maximum: 999 } },
      'invalid ecpu per second limit maximum 999: must be a whole number of ECPU per second from 1,000 to 15,000,000',
    ],
    [
      { ecpuPerSecond: { minimum: 15_000_001 } },
      'invalid ecpu per second limit minimum 15000001: must be a whole number of ECPU per second from 1,000 to 15,000,000',
    ],
  ])('refuses %j', (limits, message) => {
    expect(() => assertCacheUsageLimits(limits)).toThrow(message);
  });

  it('refuses a minimum above the maximum', () => {
    expect(() => assertCacheUsageLimits({ dataStorageGb: { minimum: 20, maximum: 10 } })).toThrow(
      'invalid data storage limit {"minimum":20,"maximum":10}: minimum (20) must not exceed maximum (10)',
    );
    expect(() => assertCacheUsageLimits({ ecpuPerSecond: { minimum: 9000, maximum: 5000 } })).toThrow(
      'invalid ecpu per second limit {"minimum":9000,"maximum":5000}: minimum (9000) must not exceed maximum (5000)',
    );
  });

  it('refuses an empty range and unknown fields', () => {
    expect(() => assertCacheUsageLimits({ dataStorageGb: {} })).toThrow(
      'invalid data storage limit {}: set a minimum, a maximum or both (or leave the limit out)',
    );
    expect(() => assertCacheUsageLimits({ dataStorageGb: { max: 10 } as never })).toThrow(
      'invalid data storage limit {"max":10}: unknown field "max"; use minimum and/or maximum',
    );
    expect(() => assertCacheUsageLimits({ storage: {} } as never)).toThrow(
      'invalid cache usage limits {"storage":{}}: unknown field "storage"; use dataStorageGb and/or ecpuPerSecond',
    );
  });
});

describe('kms key arn', () => {
  it.each([
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ])('accepts %s', (arn) => {
    expect(assertKmsKeyArn(arn)).toBe(arn);
  });

  it.each([
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:alias/cache',
    'arn:aws:kms:eu-west-1:12345678901:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:s3:::bucket',
  ])('refuses %s', (arn) => {
    expect(() => assertKmsKeyArn(arn)).toThrow(`invalid kms key arn ${JSON.stringify(arn)}: must be a KMS key ARN such as`);
  });
});

describe('snapshots and names', () => {
  it('checks the retention limit', () => {
    expect(assertSnapshotRetentionLimit(0)).toBe(0);
    expect(assertSnapshotRetentionLimit(35)).toBe(35);
    expect(() => assertSnapshotRetentionLimit(36)).toThrow(
      'invalid snapshot retention limit 36: must be a whole number of days from 0 to 35 (0 turns automatic snapshots off)',
    );
    expect(() => assertSnapshotRetentionLimit(-1)).toThrow('invalid snapshot retention limit -1');
  });

  it('checks the daily snapshot time', () => {
    expect(assertDailySnapshotTime('00:00')).toBe('00:00');
    expect(assertDailySnapshotTime('23:59')).toBe('23:59');
    for (const bad of ['24:00', '9:00', '09:60', '0900', '09:00Z']) {
      expect(() => assertDailySnapshotTime(bad)).toThrow(
        `invalid daily snapshot time ${JSON.stringify(bad)}: must be HH:MM in UTC, from 00:00 to 23:59`,
      );
    }
  });

  it('checks serverless cache names', () => {
    expect(assertServerlessCacheName('cache-platform-dev')).toBe('cache-platform-dev');
    for (const bad of ['Cache', '1cache', 'cache--x', 'cache-', 'a'.repeat(41), 'cache_x']) {
      expect(() => assertServerlessCacheName(bad)).toThrow(
        `invalid serverless cache name ${JSON.stringify(bad)}: must be 1-40 lower-case letters`,
      );
    }
  });
});
