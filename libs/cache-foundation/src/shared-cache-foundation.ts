import { Construct } from 'constructs';
import { CacheNetwork } from './network';
import type { InterfaceEndpointSettings } from './endpoints';
import type { PlatformExports } from './exports';
import { createCellResources } from './cells';
import type { SharedServerlessCache } from './serverless-cache';
import type { CacheUserGroup } from './user-group';
import { PasswordRotationFunction, type PasswordRotationFunctionProps } from './password-rotation';
import { CacheEngine, CacheUsageLimits } from './validation';

export interface SharedCacheFoundationProps {
  /** environment name (contract rules: lower case, at most 10 characters); every name derives from it */
  readonly environment: string;
  /** VPC of the cache (`vpc-` + 8 or 17 hex digits) */
  readonly vpcId: string;
  /**
   * 2-3 private subnets, each in a different Availability Zone, for the cache endpoint and the
   * Secrets Manager endpoint. Changing them replaces the cache.
   */
  readonly subnetIds: readonly string[];
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
   * Capacity and cost guard rails (data storage 1-5000 GB, 1,000-15,000,000 ECPU/s).
   * @default no limits
   */
  readonly usageLimits?: CacheUsageLimits;
  /**
   * Customer managed KMS key ARN for encryption at rest. Changing it replaces the cache.
   * @default an AWS owned key
   */
  readonly kmsKeyArn?: string;
  /**
   * Days automatic snapshots are kept (0-35).
   * @default AWS's default (none kept)
   */
  readonly snapshotRetentionLimit?: number;
  /**
   * Daily snapshot time, `HH:MM` UTC.
   * @default chosen by AWS
   */
  readonly dailySnapshotTime?: string;
  /**
   * How the cache clients reach Secrets Manager: `{ mode: 'create' }` (the platform's interface endpoint,
   * private DNS on, VPC-wide), `{ mode: 'existing', securityGroupId }` (the VPC's own endpoint) or
   * `{ mode: 'none', httpsEgressCidrs }` (a NAT or other route). See {@link InterfaceEndpointSettings}.
   * @default { mode: 'create' }
   */
  readonly secretsManagerEndpoint?: InterfaceEndpointSettings;
  /**
   * How the rotation function reaches the ElastiCache API (DescribeUsers, ModifyUser): the same choices.
   * @default { mode: 'create' }
   */
  readonly elasticacheEndpoint?: InterfaceEndpointSettings;
  /** the platform's password rotation function (see {@link PasswordRotationFunctionProps}) */
  readonly rotation: Pick<PasswordRotationFunctionProps, 'bundleDir' | 'timeoutSeconds' | 'logRetentionDays' | 'secretsKmsKeyArn'>;
  /**
   * Refuse plans that would destroy (or replace) the cache.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Extra tags on every resource (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/**
 * Everything the platform owns around the shared cache in one environment: network boundary,
 * user group with the disabled `default` user, the ElastiCache Serverless cache, the password rotation
 * function, and the SSM exports service stacks read. It owns nothing service-specific: services add their own user, association,
 * secret and Lambda next to it and attach the clients security group.
 */
export class SharedCacheFoundation extends Construct {
  readonly network: CacheNetwork;
  readonly users: CacheUserGroup;
  readonly cache: SharedServerlessCache;
  readonly exports: PlatformExports;
  readonly rotation: PasswordRotationFunction;

  constructor(scope: Construct, id: string, props: SharedCacheFoundationProps) {
    super(scope, id);
    this.network = new CacheNetwork(this, 'network', {
      environment: props.environment,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      secretsManagerEndpoint: props.secretsManagerEndpoint,
      elasticacheEndpoint: props.elasticacheEndpoint,
      tags: props.tags,
    });
    this.rotation = new PasswordRotationFunction(this, 'password-rotation', {
      ...props.rotation,
      environment: props.environment,
      subnetIds: this.network.subnetIds,
      securityGroupIds: [this.network.clientSecurityGroup.id],
      tags: props.tags,
    });
    // the default cell: ids, names and export paths as they were before cells
    ({
      users: this.users,
      cache: this.cache,
      exports: this.exports,
    } = createCellResources(this, {
      environment: props.environment,
      settings: props,
      network: this.network,
      rotationFunctionArn: this.rotation.functionArn,
      description: `Shared cache of the cache platform (${props.environment})`,
    }));
  }
}
