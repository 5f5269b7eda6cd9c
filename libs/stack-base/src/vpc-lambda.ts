// The parts every platform Lambda shares (a service's CacheFunction, the platform's rotation
// function): an execution role with VPC access, a managed log group with a retention, and a
// function on the platform's runtime and architecture in the VPC. Functions, not a construct: the
// resources are created in the caller's scope under the ids they always had, so Terraform addresses
// of deployed functions do not move.
import type { Construct } from 'constructs';
import { AssetType, TerraformAsset, type ITerraformDependable } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from '@cache-platform/cache-contract';

/** Managed policy that lets a VPC Lambda create its network interfaces and write its logs. */
export const LAMBDA_VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';

export interface LambdaExecutionRoleProps {
  readonly name: string;
  readonly description: string;
  readonly tags: Record<string, string>;
  /** @default a `partition` data source in the scope */
  readonly partition?: DataAwsPartition;
}

/** The function's role (`role`): assumable by Lambda only, with the managed VPC access policy (`vpc-access`). */
export function lambdaExecutionRole(
  scope: Construct,
  props: LambdaExecutionRoleProps,
): { role: IamRole; vpcAccess: IamRolePolicyAttachment } {
  const role = new IamRole(scope, 'role', {
    name: props.name,
    description: props.description,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    tags: props.tags,
  });
  const partition = props.partition ?? new DataAwsPartition(scope, 'partition');
  const vpcAccess = new IamRolePolicyAttachment(scope, 'vpc-access', {
    role: role.name,
    policyArn: `arn:${partition.partition}:iam::aws:policy/${LAMBDA_VPC_ACCESS_POLICY}`,
  });
  return { role, vpcAccess };
}

export interface VpcFunctionProps {
  readonly role: IamRole;
  readonly functionName: string;
  /** @default none */
  readonly description?: string;
  /** folder with the bundled handler, packaged as a zip at synth (`bundle`) */
  readonly bundleDir: string;
  readonly handler: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly logRetentionDays: number;
  /** @default none */
  readonly variables?: Record<string, string>;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** tags of the function */
  readonly tags: Record<string, string>;
  /** @default the function's tags */
  readonly logTags?: Record<string, string>;
  /** what the function waits for, given its log group (Lambda checks the role's ENI rights at create) */
  readonly dependsOn: (logGroup: CloudwatchLogGroup) => ITerraformDependable[];
}

/**
 * The log group (`logs`, managed so it carries tags and a retention instead of Lambda's untagged,
 * kept-forever one), the bundle (`bundle`) and the function (`function`) on {@link LAMBDA_RUNTIME}.
 */
export function vpcFunction(
  scope: Construct,
  props: VpcFunctionProps,
): { logGroup: CloudwatchLogGroup; asset: TerraformAsset; function: LambdaFunction } {
  const logGroup = new CloudwatchLogGroup(scope, 'logs', {
    name: `/aws/lambda/${props.functionName}`,
    retentionInDays: props.logRetentionDays,
    tags: props.logTags ?? props.tags,
  });
  const asset = new TerraformAsset(scope, 'bundle', { path: props.bundleDir, type: AssetType.ARCHIVE });
  const fn = new LambdaFunction(scope, 'function', {
    functionName: props.functionName,
    ...(props.description ? { description: props.description } : {}),
    role: props.role.arn,
    handler: props.handler,
    runtime: LAMBDA_RUNTIME,
    architectures: [LAMBDA_ARCHITECTURE],
    memorySize: props.memorySize,
    timeout: props.timeout,
    filename: asset.path,
    sourceCodeHash: asset.assetHash,
    ...(props.variables ? { environment: { variables: { ...props.variables } } } : {}),
    vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: props.securityGroupIds },
    tags: props.tags,
    dependsOn: props.dependsOn(logGroup),
  });
  return { logGroup, asset, function: fn };
}
