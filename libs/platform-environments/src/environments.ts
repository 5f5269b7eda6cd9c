import type { CacheAlarmSettings, CacheSettings, SharedCacheFoundationProps } from '@cache-platform/cache-foundation';
import type { StateBucketConfig } from '@cache-platform/stack-base';
import type { CellSettings } from './environment-cells';

/**
 * The platform in one environment: what every cell shares (every foundation prop but `environment` and
 * `rotation`, whose code the platform app bundles itself) and the cache settings every cell starts from.
 */
export interface PlatformSettings extends Omit<SharedCacheFoundationProps, 'environment' | 'rotation'> {
  /** team accountable for the platform in this environment (ownership tag) */
  readonly owner: string;
  /**
   * The cache settings of every cell of the environment, the default cell included; a cell's own
   * `cache` (in `cells`) overrides them field by field.
   * @default every setting at its default (see `CacheSettings`)
   */
  readonly cache?: CacheSettings;
}

/**
 * One environment, the single shape the platform stack, every service stack and the
 * `CACHE_PLATFORM_ENVIRONMENTS` switch read. A service runs in an environment only where the
 * platform stack of the same name is deployed: its stack reads the platform's SSM exports there.
 */
export interface Environment {
  /** environment name (contract rules: lower case, no hyphens, at most 10 characters) */
  readonly name: string;
  /** AWS region, e.g. `eu-west-1`: services run where the platform's exports are */
  readonly region: string;
  /**
   * Remote state for every stack of this environment (S3 with lock files).
   * @default local state inside each app (`<app>/state/`)
   */
  readonly stateBucket?: StateBucketConfig;
  /**
   * A protected environment refuses `diff`, `deploy` and `destroy` while it has no `stateBucket`:
   * its Terraform state holds service passwords (each password-auth user's bootstrap password), which
   * must not be written to a file on someone's machine.
   * @default false
   */
  readonly protected?: boolean;
  /**
   * When Secrets Manager rotates the passwords of password-auth services (`rate(...)` or `cron(...)`).
   * Every new secret is also rotated at once, so the password Terraform saw is dead minutes after deploy.
   * @default 'rate(30 days)'
   */
  readonly passwordRotationSchedule?: string;
  /**
   * ARN of a customer managed KMS key (in `region`) that encrypts every service's cache secret in this
   * environment. Each service function may `kms:Decrypt` with it and the rotation function also
   * `kms:GenerateDataKey`, both only through Secrets Manager (`kms:ViaService`); the key's own policy
   * must let the account's IAM policies use it. Policy rule CP020 holds every secret of the
   * environment to this key.
   * @default Secrets Manager's AWS managed key (`aws/secretsmanager`)
   */
  readonly secretsKmsKeyArn?: string;
  /** the shared cache in this environment */
  readonly platform: PlatformSettings;
  /**
   * The shared caches ("cells") of the environment, each with its own user group, exports, quota and
   * cache settings over `platform.cache`. The default cell (`main`) exists whether listed or not; an
   * entry named `main` sets its quota or settings.
   * @default the default cell alone, with a users-per-group quota of 100
   */
  readonly cells?: readonly CellSettings[];
  /**
   * Where the platform's and every service's alarms go, and the cache alarm thresholds.
   * @default an SNS topic created by the platform stack, default thresholds
   */
  readonly alarms?: CacheAlarmSettings;
}

/**
 * The environments, in one place: adding `staging` here gives it to the platform and to every
 * service (a service's `cache-service.json` may list a subset in `environments`). VPC and subnet ids
 * are placeholders of the right shape: put the real private subnets (one per Availability Zone) here
 * before deploying. The platform creates Secrets Manager and ElastiCache API interface endpoints with
 * private DNS in that VPC unless `platform.secretsManagerEndpoint` / `platform.elasticacheEndpoint` say
 * otherwise: a VPC that already has one needs `{ mode: 'existing', securityGroupId }`, one with a NAT
 * may use `{ mode: 'none', httpsEgressCidrs }` (docs/architecture.md, "The API endpoints").
 */
export const ENVIRONMENTS: readonly Environment[] = [
  {
    name: 'dev',
    region: 'eu-west-1',
    platform: {
      owner: 'team-platform',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'],
      cache: {
        engine: 'valkey',
        majorEngineVersion: '8',
        usageLimits: { dataStorageGb: { maximum: 5 }, ecpuPerSecond: { maximum: 5000 } },
        // dev is torn down and rebuilt freely
        preventDestroy: false,
      },
    },
  },
  {
    name: 'prod',
    region: 'eu-west-1',
    // deploys refuse to run until stateBucket is set: prod state holds service passwords
    protected: true,
    passwordRotationSchedule: 'rate(7 days)',
    platform: {
      owner: 'team-platform',
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      subnetIds: ['subnet-0f1e2d3c4b5a69711', 'subnet-0f1e2d3c4b5a69722', 'subnet-0f1e2d3c4b5a69733'],
      cache: {
        engine: 'valkey',
        majorEngineVersion: '8',
        usageLimits: { dataStorageGb: { minimum: 1, maximum: 100 }, ecpuPerSecond: { minimum: 1000, maximum: 200_000 } },
        snapshotRetentionLimit: 7,
        dailySnapshotTime: '03:00',
        // preventDestroy stays at its default (true): replacing the prod cache must be a deliberate change
      },
    },
  },
];
