import { Construct } from 'constructs';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { DataAwsVpcEndpoint } from '@cdktf/provider-aws/lib/data-aws-vpc-endpoint';
import { platformResourceNames, type PlatformResourceNames } from '@cache-platform/cache-contract';
import { validated } from '@cache-platform/stack-base';
import { assertSubnetIds, assertVpcId } from './validation';
import {
  assertInterfaceEndpoints,
  INTERFACE_ENDPOINTS,
  type EndpointCallers,
  type InterfaceEndpointField,
  type InterfaceEndpointService,
  type InterfaceEndpointSettings,
} from './endpoints';

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
   * How the cache clients reach Secrets Manager (every service reads its secret; the rotation function
   * reads and writes them): the platform's own interface endpoint, the VPC's existing one, or none
   * (a NAT or other route). See {@link InterfaceEndpointSettings}.
   * @default { mode: 'create' }
   */
  readonly secretsManagerEndpoint?: InterfaceEndpointSettings;
  /**
   * How the cache clients reach the ElastiCache API (the rotation function's DescribeUsers and
   * ModifyUser), with the same three choices.
   * @default { mode: 'create' }
   */
  readonly elasticacheEndpoint?: InterfaceEndpointSettings;
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
 * - the clients' route to the Secrets Manager and ElastiCache APIs, per API (see ./endpoints.ts):
 *   the platform's interface endpoint admitting HTTPS from the clients group (and from the callers the
 *   environment adds, through a group of their own on that endpoint), the VPC's existing endpoint
 *   (egress to its group), or CIDRs of a NAT or other route (egress to them).
 *
 * Security groups are created without inline rules; Terraform then removes AWS's default allow-all
 * egress, so every allowed flow is one of the rules below.
 */
export class CacheNetwork extends Construct {
  /** attached to the serverless cache */
  readonly cacheSecurityGroup: SecurityGroup;
  /** attached by every service that talks to the cache */
  readonly clientSecurityGroup: SecurityGroup;
  /** attached to the interface endpoints the platform creates, when it creates any */
  readonly endpointSecurityGroup?: SecurityGroup;
  /** the platform's endpoints (mode `create`) */
  readonly secretsManagerEndpoint?: VpcEndpoint;
  readonly elasticacheEndpoint?: VpcEndpoint;
  /** the VPC's own endpoints the platform relies on (mode `existing`), as the plan finds them */
  readonly existingEndpoints: Partial<Record<InterfaceEndpointService, DataAwsVpcEndpoint>> = {};
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

    const choice = validated(this, () =>
      assertInterfaceEndpoints(props.environment, {
        secretsManagerEndpoint: props.secretsManagerEndpoint,
        elasticacheEndpoint: props.elasticacheEndpoint,
      }),
    );
    const fields = Object.keys(INTERFACE_ENDPOINTS) as InterfaceEndpointField[];
    const withMode = <M extends InterfaceEndpointSettings['mode']>(mode: M) =>
      fields.flatMap((field) => {
        const settings = choice[field];
        return settings.mode === mode
          ? [{ field, service: INTERFACE_ENDPOINTS[field], settings: settings as Extract<InterfaceEndpointSettings, { mode: M }> }]
          : [];
      });
    const created = withMode('create');
    const existing = withMode('existing');
    const routed = withMode('none');
    // the region names endpoint services; read only when there is one to name
    let region: DataAwsRegion | undefined;
    const serviceName = (service: InterfaceEndpointService) =>
      `com.amazonaws.${(region ??= new DataAwsRegion(this, 'region')).name}.${service}`;

    if (created.length > 0) {
      // one group for the platform's interface endpoints (its name, description and rule descriptions
      // predate the second endpoint and stay: changing them would replace the group)
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
      for (const { service, settings } of created) {
        const callersGroup = this.endpointCallers(service, settings.allowedCallers, vpcId, names, tags);
        const endpoint = new VpcEndpoint(this, `${service}-endpoint`, {
          vpcId,
          serviceName: serviceName(service),
          vpcEndpointType: 'Interface',
          // VPC-wide: the service's default hostname resolves to this endpoint for every caller in the VPC
          privateDnsEnabled: true,
          subnetIds: [...this.subnetIds],
          securityGroupIds: [this.endpointSecurityGroup.id, ...(callersGroup ? [callersGroup.id] : [])],
          tags: tags(`${names.cacheName}-${service}`),
        });
        if (service === 'secretsmanager') this.secretsManagerEndpoint = endpoint;
        else this.elasticacheEndpoint = endpoint;
      }
    }

    // an existing endpoint: HTTPS egress to the group it carries (one rule per group), after the plan
    // has found the endpoint and checked what can be checked from here
    const existingGroups = new Map<string, InterfaceEndpointService[]>();
    for (const { field, service, settings } of existing) {
      const found = new DataAwsVpcEndpoint(this, `${service}-existing-endpoint`, {
        vpcId,
        serviceName: serviceName(service),
        state: 'available',
        ...(settings.endpointId ? { id: settings.endpointId } : {}),
        lifecycle: {
          postcondition: [
            {
              condition: '${self.private_dns_enabled}',
              errorMessage: `environment ${props.environment}: ${field} is "existing", but the ${service} endpoint \${self.id} in ${vpcId} has private DNS off, so the default ${service} hostname does not lead to it: turn its private DNS on, or set ${field} to "create" or "none"`,
            },
            {
              condition: `\${contains(self.security_group_ids, ${JSON.stringify(settings.securityGroupId)})}`,
              errorMessage: `environment ${props.environment}: ${field}.securityGroupId ${settings.securityGroupId} is not attached to the ${service} endpoint \${self.id} (it has \${join(", ", self.security_group_ids)}): name one of its groups that admits the cache clients on 443`,
            },
          ],
        },
      });
      this.existingEndpoints[service] = found;
      existingGroups.set(settings.securityGroupId, [...(existingGroups.get(settings.securityGroupId) ?? []), service]);
    }
    for (const [group, services] of existingGroups) {
      new VpcSecurityGroupEgressRule(this, `client-out-443-${group}`, {
        securityGroupId: this.clientSecurityGroup.id,
        referencedSecurityGroupId: group,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: `cache clients to the existing ${services.join(' and ')} endpoint of the VPC`,
        tags: tags(`${names.clientSecurityGroupName}-out-443-${group}`),
      });
    }

    // no endpoint: HTTPS egress to the CIDRs of the route the environment names (one rule per CIDR)
    const routedCidrs = new Map<string, InterfaceEndpointService[]>();
    for (const { service, settings } of routed) {
      for (const cidr of settings.httpsEgressCidrs) routedCidrs.set(cidr, [...(routedCidrs.get(cidr) ?? []), service]);
    }
    for (const [cidr, services] of routedCidrs) {
      new VpcSecurityGroupEgressRule(this, `client-out-443-${cidrId(cidr)}`, {
        securityGroupId: this.clientSecurityGroup.id,
        cidrIpv4: cidr,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: `cache clients to the ${services.join(' and ')} API without an endpoint (NAT or other route)`,
        tags: tags(`${names.clientSecurityGroupName}-out-443-${cidrId(cidr)}`),
      });
    }
  }

  /** The extra callers' own group on one endpoint, admitting them on 443; none without callers. */
  private endpointCallers(
    service: InterfaceEndpointService,
    callers: EndpointCallers | undefined,
    vpcId: string,
    names: PlatformResourceNames,
    tags: (name: string) => Record<string, string>,
  ): SecurityGroup | undefined {
    const groups = callers?.securityGroupIds ?? [];
    const cidrs = callers?.cidrs ?? [];
    if (groups.length === 0 && cidrs.length === 0) return undefined;
    const name = service === 'secretsmanager' ? names.secretsManagerCallersSecurityGroupName : names.elasticacheCallersSecurityGroupName;
    const group = new SecurityGroup(this, `${service}-callers-sg`, {
      name,
      description: `Callers of the ${service} interface endpoint beyond the cache clients (its private DNS answers for the whole VPC)`,
      vpcId,
      tags: tags(name),
    });
    const rule = (suffix: string, source: { referencedSecurityGroupId: string } | { cidrIpv4: string }) =>
      new VpcSecurityGroupIngressRule(this, `${service}-callers-in-443-${suffix}`, {
        securityGroupId: group.id,
        ...source,
        ipProtocol: 'tcp',
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: `${service} API from an allowed caller outside the cache clients`,
        tags: tags(`${name}-in-443-${suffix}`),
      });
    for (const id of groups) rule(id, { referencedSecurityGroupId: id });
    for (const cidr of cidrs) rule(cidrId(cidr), { cidrIpv4: cidr });
    return group;
  }
}

/** A CIDR as part of a construct id and a Name tag (`10.0.0.0/16` -> `10-0-0-0-16`). */
function cidrId(cidr: string): string {
  return cidr.replace(/[./]/g, '-');
}
