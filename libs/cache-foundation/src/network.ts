import { Construct } from 'constructs';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { platformResourceNames } from '@cache-platform/cache-contract';
import { validated } from '@cache-platform/stack-base';
import { assertSubnetIds, assertVpcId } from './validation';

/** ElastiCache Serverless listens on one DNS name: 6379 for the primary, 6380 for reads from a replica. */
export const SERVERLESS_PRIMARY_PORT = 6379;
export const SERVERLESS_READER_PORT = 6380;
export const SERVERLESS_PORTS: readonly number[] = [SERVERLESS_PRIMARY_PORT, SERVERLESS_READER_PORT];
export const HTTPS_PORT = 443;

export interface CacheNetworkProps {
  /** environment name (contract rules); names the security groups */
  readonly environment: string;
  /** VPC that holds the cache (`vpc-` + 8 or 17 hex digits) */
  readonly vpcId: string;
  /**
   * Subnets of the cache endpoint; the Secrets Manager endpoint goes into the same subnets.
   * Validated like the cache's: 2-3 well-formed, distinct ids.
   */
  readonly subnetIds: readonly string[];
  /**
   * Create a Secrets Manager interface endpoint (private DNS on) reachable from the client security
   * group. Lambdas in the VPC read their cache secret through it without a NAT gateway. Turn it off
   * when the VPC already has one with private DNS (AWS refuses a second) or reaches Secrets Manager
   * through a NAT; services then need their own route to it.
   * @default true
   */
  readonly secretsManagerEndpoint?: boolean;
  /**
   * Create an ElastiCache API interface endpoint (private DNS on) reachable from the client security
   * group: the platform's rotation function calls `ModifyUser`/`DescribeUsers` through it. Turn it off
   * when the VPC already has one with private DNS or reaches the ElastiCache API through a NAT.
   * @default true
   */
  readonly elasticacheEndpoint?: boolean;
  /**
   * Extra tags on every resource (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/**
 * The cache's network boundary:
 * - the cache security group admits 6379 and 6380 only from the clients security group, as one
 *   security-group-referencing rule per port (never a CIDR);
 * - the clients security group, owned by the platform, is what services attach to their Lambdas.
 *   Services never add rules to the cache security group, so the per-group rule limit (60) never
 *   caps the number of services;
 * - optionally, a Secrets Manager interface endpoint admitting HTTPS only from the clients group.
 *
 * Security groups are created without inline rules; Terraform then removes AWS's default allow-all
 * egress, so every allowed flow is one of the rules below.
 */
export class CacheNetwork extends Construct {
  /** attached to the serverless cache */
  readonly cacheSecurityGroup: SecurityGroup;
  /** attached by every service that talks to the cache */
  readonly clientSecurityGroup: SecurityGroup;
  /** attached to the Secrets Manager endpoint, when there is one */
  readonly endpointSecurityGroup?: SecurityGroup;
  readonly secretsManagerEndpoint?: VpcEndpoint;
  readonly elasticacheEndpoint?: VpcEndpoint;
  readonly subnetIds: readonly string[];

  constructor(scope: Construct, id: string, props: CacheNetworkProps) {
    super(scope, id);
    const names = platformResourceNames(props.environment);
    const vpcId = validated(this, () => assertVpcId(props.vpcId));
    this.subnetIds = validated(this, () => assertSubnetIds(props.subnetIds));
    const tags = (name: string) => ({ Name: name, ...props.tags });

    this.cacheSecurityGroup = new SecurityGroup(this, 'cache-sg', {
      name: names.cacheSecurityGroupName,
      description: 'ElastiCache Serverless cache: TLS 6379/6380 from the cache clients security group only',
      vpcId,
      tags: tags(names.cacheSecurityGroupName),
    });
    this.clientSecurityGroup = new SecurityGroup(this, 'client-sg', {
      name: names.clientSecurityGroupName,
      description: 'Attach to workloads that use the shared cache; grants egress to it',
      vpcId,
      tags: tags(names.clientSecurityGroupName),
    });

    for (const port of SERVERLESS_PORTS) {
      const role = port === SERVERLESS_PRIMARY_PORT ? 'primary' : 'reader';
      new VpcSecurityGroupIngressRule(this, `cache-in-${port}`, {
        securityGroupId: this.cacheSecurityGroup.id,
        referencedSecurityGroupId: this.clientSecurityGroup.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: `cache ${role} endpoint from cache clients`,
        tags: tags(`${names.cacheSecurityGroupName}-in-${port}`),
      });
      new VpcSecurityGroupEgressRule(this, `client-out-${port}`, {
        securityGroupId: this.clientSecurityGroup.id,
        referencedSecurityGroupId: this.cacheSecurityGroup.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: `cache clients to the cache ${role} endpoint`,
        tags: tags(`${names.clientSecurityGroupName}-out-${port}`),
      });
    }

    const wantSecretsManager = props.secretsManagerEndpoint ?? true;
    const wantElasticache = props.elasticacheEndpoint ?? true;
    if (wantSecretsManager || wantElasticache) {
      // one group for the platform's interface endpoints (its name and description predate the second
      // endpoint and stay: changing them would replace the group)
      this.endpointSecurityGroup = new SecurityGroup(this, 'endpoint-sg', {
        name: names.endpointSecurityGroupName,
        description: 'Secrets Manager interface endpoint: HTTPS from the cache clients security group only',
        vpcId,
        tags: tags(names.endpointSecurityGroupName),
      });
      new VpcSecurityGroupIngressRule(this, 'endpoint-in-443', {
        securityGroupId: this.endpointSecurityGroup.id,
        referencedSecurityGroupId: this.clientSecurityGroup.id,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: 'Secrets Manager API from cache clients',
        tags: tags(`${names.endpointSecurityGroupName}-in-443`),
      });
      new VpcSecurityGroupEgressRule(this, 'client-out-443', {
        securityGroupId: this.clientSecurityGroup.id,
        referencedSecurityGroupId: this.endpointSecurityGroup.id,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: 'cache clients to the Secrets Manager endpoint',
        tags: tags(`${names.clientSecurityGroupName}-out-443`),
      });
      const region = new DataAwsRegion(this, 'region');
      const endpoint = (id: string, service: string) =>
        new VpcEndpoint(this, id, {
          vpcId,
          serviceName: `com.amazonaws.${region.name}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: [...this.subnetIds],
          securityGroupIds: [this.endpointSecurityGroup!.id],
          tags: tags(`${names.cacheName}-${service}`),
        });
      if (wantSecretsManager) this.secretsManagerEndpoint = endpoint('secretsmanager-endpoint', 'secretsmanager');
      if (wantElasticache) this.elasticacheEndpoint = endpoint('elasticache-endpoint', 'elasticache');
    }
  }
}
