import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { EXPORT_KEYS, PlatformExportNames, platformExportNames } from '@cache-platform/cache-contract';
import { refuse, validated } from '@cache-platform/stack-base';

/** The values behind every export name except `subnetIds`, which is a list. */
export type PlatformExportValues = { readonly [K in Exclude<keyof PlatformExportNames, 'subnetIds'>]: string | number };

export interface PlatformExportsProps {
  /** environment name (contract rules): selects `/cache-platform/<env>/exports/...` */
  readonly environment: string;
  /** one value per export name of the contract (tokens are fine) */
  readonly values: PlatformExportValues;
  /** subnet ids of the cache, exported as a `StringList` */
  readonly subnetIds: readonly string[];
  /**
   * Extra tags on every parameter (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

const DESCRIPTIONS: Readonly<Record<keyof PlatformExportNames, string>> = {
  endpointAddress: 'DNS name of the shared cache endpoint (primary and reader)',
  endpointPort: 'port of the primary endpoint (TLS)',
  readerPort: 'port of the read-from-replica endpoint (TLS)',
  cacheName: 'name of the serverless cache (IAM auth tokens are signed for it)',
  cacheArn: 'ARN of the serverless cache (elasticache:Connect resource)',
  engine: 'engine of the serverless cache: valkey or redis',
  userGroupId: 'user group that services join with their own association',
  clientSecurityGroupId: 'security group services attach to reach the cache and the Secrets Manager endpoint',
  subnetIds: 'subnets of the cache; services put their Lambdas in them',
  rotationFunctionArn: 'rotation function that password-auth service secrets rotate with',
};

/**
 * One SSM parameter per name in the contract's `platformExportNames(env)`: the only way identifiers
 * travel from the platform stack to service stacks. Nothing secret is exported, so plain `String`
 * (and `StringList` for subnets) parameters are enough and readable without KMS permissions.
 */
export class PlatformExports extends Construct {
  readonly names: PlatformExportNames;
  readonly parameters: { readonly [K in keyof PlatformExportNames]: SsmParameter };

  constructor(scope: Construct, id: string, props: PlatformExportsProps) {
    super(scope, id);
    this.names = validated(this, () => platformExportNames(props.environment));
    const missing = EXPORT_KEYS.filter((key) => key !== 'subnetIds' && (props.values as Record<string, unknown>)[key] === undefined);
    if (missing.length > 0)
      refuse(this, 'export values', props.values, `${missing.join(', ')} missing: every name in platformExportNames() must be written`);
    const subnetList = Token.isUnresolved(props.subnetIds) ? Fn.join(',', [...props.subnetIds]) : props.subnetIds.join(',');

    const parameters: Partial<Record<keyof PlatformExportNames, SsmParameter>> = {};
    for (const key of EXPORT_KEYS) {
      const value = key === 'subnetIds' ? subnetList : asString(props.values[key]);
      parameters[key] = new SsmParameter(this, key, {
        name: this.names[key],
        type: key === 'subnetIds' ? 'StringList' : 'String',
        value,
        description: `cache platform export: ${DESCRIPTIONS[key]}`,
        tags: { Name: this.names[key], ...props.tags },
      });
    }
    this.parameters = parameters as PlatformExports['parameters'];
  }
}

function asString(value: string | number): string {
  return typeof value === 'number' && !Token.isUnresolved(value) ? String(value) : Token.asString(value);
}
