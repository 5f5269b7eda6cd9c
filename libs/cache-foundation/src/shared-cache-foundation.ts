import { Construct } from 'constructs';
import { CacheNetwork } from './network';
import type { InterfaceEndpointSettings } from './endpoints';
import { PasswordRotationFunction, type PasswordRotationFunctionProps } from './password-rotation';

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
   * Extra tags on every resource (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/**
 * What every cell of an environment shares: the network boundary (the cache and clients security
 * groups, the API endpoints) and the password rotation function. The cells themselves
 * ({@link CacheCell}: cache, user group, exports) sit next to it, the default cell among them. It owns
 * nothing service-specific: services add their own user, association, secret and Lambda and attach
 * the clients security group.
 */
export class SharedCacheFoundation extends Construct {
  readonly network: CacheNetwork;
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
  }
}
