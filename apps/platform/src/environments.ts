import type { SharedCacheFoundationProps } from '@cache-platform/cache-foundation';
import { ENVIRONMENTS } from '@cache-platform/platform-environments';
import type { StateBucketConfig } from '@cache-platform/stack-base';

/**
 * One deployment of the platform: where it runs, who owns it, and the shared cache's settings
 * (every `SharedCacheFoundationProps` field but `environment`, validated at synth time).
 */
export interface PlatformEnvironment extends Omit<SharedCacheFoundationProps, 'environment'> {
  /** environment name (contract rules: lower case, at most 10 characters); the stack is `platform-<name>` */
  readonly name: string;
  /** AWS region, e.g. `eu-west-1` */
  readonly region: string;
  /** team accountable for the platform in this environment (ownership tag) */
  readonly owner: string;
  /**
   * Remote state in S3 with S3 lock files.
   * @default local state in `apps/platform/state/platform-<name>.tfstate`
   */
  readonly stateBucket?: StateBucketConfig;
}

/** Stack id (and state file name) of an environment's platform stack. */
export function platformStackId(environment: string): string {
  return `platform-${environment}`;
}

/**
 * The environments the platform is deployed to. VPC and subnet ids are placeholders of the right
 * shape: put the real private subnets (one per Availability Zone) here before deploying.
 */
export const PLATFORM_ENVIRONMENTS: readonly PlatformEnvironment[] = [
  {
    name: 'dev',
    // region and state bucket come from the shared list every service uses too
    ...ENVIRONMENTS.dev,
    owner: 'team-platform',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'],
    engine: 'valkey',
    majorEngineVersion: '8',
    usageLimits: { dataStorageGb: { maximum: 5 }, ecpuPerSecond: { maximum: 5000 } },
    // dev is torn down and rebuilt freely
    preventDestroy: false,
  },
  {
    name: 'prod',
    ...ENVIRONMENTS.prod,
    owner: 'team-platform',
    vpcId: 'vpc-0f1e2d3c4b5a69788',
    subnetIds: ['subnet-0f1e2d3c4b5a69711', 'subnet-0f1e2d3c4b5a69722', 'subnet-0f1e2d3c4b5a69733'],
    engine: 'valkey',
    majorEngineVersion: '8',
    usageLimits: { dataStorageGb: { minimum: 1, maximum: 100 }, ecpuPerSecond: { minimum: 1000, maximum: 200_000 } },
    snapshotRetentionLimit: 7,
    dailySnapshotTime: '03:00',
    // preventDestroy stays at its default (true): replacing the prod cache must be a deliberate change
  },
];

/** Looks an environment up by name; the error lists the known ones. */
export function platformEnvironment(name: string, environments: readonly PlatformEnvironment[] = PLATFORM_ENVIRONMENTS): PlatformEnvironment {
  const found = environments.find((e) => e.name === name);
  if (!found) {
    throw new Error(`unknown platform environment ${JSON.stringify(name)}: known environments are ${environments.map((e) => e.name).join(', ')}`);
  }
  return found;
}
