import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  assertEnvironmentName,
  MANAGED_BY,
  OWNERSHIP_TAG_KEYS,
  ownershipTags,
  TERRAFORM_REQUIRED_VERSION,
} from '@cache-platform/cache-contract';

/** Where a stack keeps its Terraform state. */
export interface StateBucketConfig {
  /** S3 bucket holding the state */
  readonly bucket: string;
  /**
   * Region of the bucket.
   * @default the stack's region
   */
  readonly region?: string;
  /**
   * Key prefix; the stack's state lives at `<keyPrefix>/<stack id>.tfstate`.
   * @default "cache-platform"
   */
  readonly keyPrefix?: string;
  /**
   * Legacy DynamoDB lock table. Locking uses S3 lock files (`use_lockfile`) whether or not this is set.
   * @default no DynamoDB table
   */
  readonly dynamodbTable?: string;
}

/** Settings every platform and service stack shares. */
export interface AwsStackSettingsProps {
  /** environment name (contract rules: lower case, at most 10 characters) */
  readonly environment: string;
  /** AWS region, e.g. `eu-west-1` */
  readonly region: string;
  /** the service (or `platform`) that owns every resource in the stack */
  readonly service: string;
  /** team accountable for the stack */
  readonly owner: string;
  /** why the stack exists */
  readonly purpose: string;
  /**
   * Remote state. Without it state stays in a local file inside the app folder
   * (`<app>/state/<stack id>.tfstate`), never in an absolute temporary path.
   * @default local state inside the app
   */
  readonly stateBucket?: StateBucketConfig;
  /**
   * Extra provider settings, e.g. endpoints of a local AWS emulator in tests.
   * @default none
   */
  readonly providerOverrides?: Record<string, unknown>;
}

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Configures the AWS provider (with ownership `default_tags`), the state backend and the Terraform
 * version every stack needs (`required_version`: an older CLI stops before planning instead of
 * failing on the write-only secret argument halfway through an apply).
 * Returns the provider so constructs can pass it on when they need to.
 */
export function configureAwsStack(stack: TerraformStack, props: AwsStackSettingsProps): AwsProvider {
  assertEnvironmentName(props.environment);
  if (!REGION.test(props.region)) {
    throw new Error(`invalid region ${JSON.stringify(props.region)}: expected an AWS region name such as "eu-west-1"`);
  }
  const tags = ownershipTags({ service: props.service, owner: props.owner, purpose: props.purpose, environment: props.environment });
  // cdktf 0.21 has no typed setting for the terraform block's required_version
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  const provider = new AwsProvider(stack, 'aws', {
    region: props.region,
    defaultTags: [{ tags }],
    ...props.providerOverrides,
  });

  const stackId = stack.node.id;
  if (props.stateBucket) {
    const { bucket, region, keyPrefix = 'cache-platform', dynamodbTable } = props.stateBucket;
    if (!BUCKET.test(bucket)) {
      throw new Error(
        `invalid state bucket ${JSON.stringify(bucket)}: S3 bucket names are 3-63 lower-case letters, digits, dots and hyphens`,
      );
    }
    const backend = new S3Backend(stack, {
      bucket,
      key: `${keyPrefix.replace(/\/+$/, '')}/${stackId}.tfstate`,
      region: region ?? props.region,
      encrypt: true,
      ...(dynamodbTable ? { dynamodbTable } : {}),
    });
    // S3-native locking (Terraform >= 1.10); cdktf 0.21 has no typed prop for it yet
    backend.addOverride('use_lockfile', true);
  } else {
    // relative to cdktf.out/stacks/<stack id>, where Terraform runs: lands in <app>/state/
    new LocalBackend(stack, { path: `../../../state/${stackId}.tfstate` });
  }
  return provider;
}

export { OWNERSHIP_TAG_KEYS, MANAGED_BY, TERRAFORM_REQUIRED_VERSION };
