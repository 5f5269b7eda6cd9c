import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import {
  assertLogRetentionDays,
  assertTimeoutSeconds,
  DEFAULT_LOG_RETENTION_DAYS,
  keyspaceClaimsPath,
  LAMBDA_ARCHITECTURE,
  LAMBDA_RUNTIME,
  ROTATION_REPORT_ACTION,
  MANAGED_BY,
  OWNERSHIP_TAG_KEYS,
  platformExportNames,
  platformParameterRoot,
  platformResourceNames,
  serviceResourcePatterns,
} from '@cache-platform/cache-contract';
import { lambdaExecutionRole, refuse, validated, vpcFunction } from '@cache-platform/stack-base';
import { assertKmsKeyArn } from './validation';

/** Runtime and architecture of the rotation function: those of the service Lambdas (the contract's). */
export const ROTATION_FUNCTION_RUNTIME = LAMBDA_RUNTIME;
export const ROTATION_FUNCTION_ARCHITECTURE = LAMBDA_ARCHITECTURE;
/** `ModifyUser` then waiting for the user to be `active` again takes minutes, twice per rotation. */
export const DEFAULT_ROTATION_TIMEOUT_SECONDS = 300;

/** What the rotation function calls, and nothing more (see libs/secret-rotation/README.md). */
export const ROTATION_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;
export const ROTATION_USER_READ_ACTIONS = ['elasticache:DescribeUsers'] as const;
export const ROTATION_USER_WRITE_ACTIONS = ['elasticache:ModifyUser'] as const;
/** The connection sync reads a cell's endpoint from the platform's exports (never from its caller). */
export const ROTATION_EXPORT_READ_ACTIONS = ['ssm:GetParameters'] as const;
/** The daily rotation report lists the environment's services from their keyspace claims. */
export const ROTATION_REPORT_READ_ACTIONS = ['ssm:GetParametersByPath'] as const;
/** How often the rotation report runs (EventBridge schedule). */
export const ROTATION_REPORT_SCHEDULE = 'rate(1 day)';

export interface PasswordRotationFunctionProps {
  /** environment name: scopes the function's permissions to that environment's service secrets and users */
  readonly environment: string;
  /** folder holding the bundled rotation handler (`index.js` exporting `handler`) */
  readonly bundleDir: string;
  /** subnets of the cache: the function tests the new password with an AUTH against it */
  readonly subnetIds: readonly string[];
  /** the cache clients security group (reaches the cache and the platform's interface endpoints) */
  readonly securityGroupIds: readonly string[];
  /**
   * Function timeout in seconds (1-900).
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /**
   * Days its CloudWatch log group keeps logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Customer managed KMS key of the environment's service secrets (`secretsKmsKeyArn`): the function
   * may `kms:Decrypt` and `kms:GenerateDataKey` with it, through Secrets Manager only.
   * @default none (secrets under Secrets Manager's AWS managed key)
   */
  readonly secretsKmsKeyArn?: string;
  /**
   * Extra tags on every resource (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/**
 * The platform's Secrets Manager rotation function for service passwords (password-auth services'
 * secrets point their `aws_secretsmanager_secret_rotation` at it). Its role may rotate exactly this
 * environment's service secrets and change exactly its service users, named by ARN patterns from the
 * contract and, for `ModifyUser`, by their ownership tags as well: no `*` resource for either service.
 */
export class PasswordRotationFunction extends Construct {
  readonly role: IamRole;
  readonly function: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  /** lets Secrets Manager invoke the function, for this account's service secrets of this environment only */
  readonly invokePermission: LambdaPermission;
  /** the daily rotation report's schedule (its EMF metric feeds the overdue-rotation alarm) */
  readonly reportSchedule: CloudwatchEventRule;
  /** the IAM policy document of the role's inline policy (JSON with tokens) */
  readonly policyDocument: string;

  constructor(scope: Construct, id: string, props: PasswordRotationFunctionProps) {
    super(scope, id);
    const names = validated(this, () => platformResourceNames(props.environment));
    const patterns = serviceResourcePatterns(props.environment);
    const timeout = validated(this, () => assertTimeoutSeconds(props.timeoutSeconds ?? DEFAULT_ROTATION_TIMEOUT_SECONDS));
    const logRetentionDays = validated(this, () => assertLogRetentionDays(props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS));
    const bundleDir = resolve(props.bundleDir);
    if (!existsSync(join(bundleDir, 'index.js')) && !existsSync(join(bundleDir, 'index.mjs'))) {
      refuse(
        this,
        'rotation bundle folder',
        bundleDir,
        'it needs index.js (or index.mjs) exporting handler: run `npx nx run secret-rotation:bundle` before synth',
      );
    }

    const partition = new DataAwsPartition(this, 'partition');
    const region = new DataAwsRegion(this, 'region');
    const account = new DataAwsCallerIdentity(this, 'account');
    const arn = (service: string, resource: string) =>
      `arn:${partition.partition}:${service}:${region.name}:${account.accountId}:${resource}`;
    const secretArns = arn('secretsmanager', patterns.secretArnResource);
    const secretsKey =
      props.secretsKmsKeyArn === undefined ? undefined : validated(this, () => assertKmsKeyArn(props.secretsKmsKeyArn as string));
    const userArns = arn('elasticache', patterns.userArnResource);
    // GetParametersByPath is authorized on the path itself
    const claimsPathArn = arn('ssm', `parameter${keyspaceClaimsPath(props.environment)}`);
    // the environment's export parameters, default cell and other cells: `parameter` + the name without its leading slash
    const exportArns = [
      platformExportNames(props.environment).endpointAddress,
      `${platformParameterRoot(props.environment)}/cells/*/exports/x`,
    ].map((name) => arn('ssm', `parameter${name.slice(0, name.lastIndexOf('/'))}/*`));

    const { role, vpcAccess } = lambdaExecutionRole(this, {
      name: names.rotationRoleName,
      description: `Rotates the cache passwords of services in ${props.environment}: their secrets and ElastiCache users only`,
      tags: { Name: names.rotationRoleName, ...props.tags },
      partition,
    });
    this.role = role;
    this.policyDocument = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'RotateServiceSecrets', Effect: 'Allow', Action: [...ROTATION_SECRET_ACTIONS], Resource: secretArns },
        { Sid: 'ReadServiceUsers', Effect: 'Allow', Action: [...ROTATION_USER_READ_ACTIONS], Resource: userArns },
        { Sid: 'ReadCellEndpoints', Effect: 'Allow', Action: [...ROTATION_EXPORT_READ_ACTIONS], Resource: exportArns },
        { Sid: 'ListClaimedServices', Effect: 'Allow', Action: [...ROTATION_REPORT_READ_ACTIONS], Resource: claimsPathArn },
        // secrets under the environment's customer managed key: read and written through Secrets Manager only
        ...(secretsKey
          ? [
              {
                Sid: 'UseServiceSecretsKey',
                Effect: 'Allow',
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Resource: secretsKey,
                Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region.name}.amazonaws.com` } },
              },
            ]
          : []),
        {
          Sid: 'SetServiceUserPasswords',
          Effect: 'Allow',
          Action: [...ROTATION_USER_WRITE_ACTIONS],
          Resource: userArns,
          // a user named like a service user but not created by the platform in this environment stays out of reach
          Condition: {
            StringEquals: {
              [`aws:ResourceTag/${OWNERSHIP_TAG_KEYS.managedBy}`]: MANAGED_BY,
              [`aws:ResourceTag/${OWNERSHIP_TAG_KEYS.environment}`]: props.environment,
            },
          },
        },
      ],
    });
    const policy = new IamRolePolicy(this, 'policy', { name: 'rotate-service-passwords', role: this.role.id, policy: this.policyDocument });

    const parts = vpcFunction(this, {
      role: this.role,
      functionName: names.rotationFunctionName,
      description: `Secrets Manager rotation of service cache passwords in ${props.environment} (dual-password overlap)`,
      bundleDir,
      handler: 'index.handler',
      memorySize: 256,
      timeout,
      logRetentionDays,
      subnetIds: [...props.subnetIds],
      securityGroupIds: [...props.securityGroupIds],
      tags: { Name: names.rotationFunctionName, ...props.tags },
      dependsOn: (logGroup) => [vpcAccess, policy, logGroup],
    });
    this.logGroup = parts.logGroup;
    this.function = parts.function;
    this.invokePermission = new LambdaPermission(this, 'secretsmanager-invoke', {
      statementId: 'SecretsManagerRotatesServiceSecrets',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: account.accountId,
      sourceArn: secretArns,
    });

    this.reportSchedule = new CloudwatchEventRule(this, 'report-schedule', {
      name: `${names.rotationFunctionName}-report`,
      description: `Daily report of ${props.environment} service secrets that missed their rotation`,
      scheduleExpression: ROTATION_REPORT_SCHEDULE,
      tags: { Name: `${names.rotationFunctionName}-report`, ...props.tags },
    });
    new CloudwatchEventTarget(this, 'report-target', {
      rule: this.reportSchedule.name,
      arn: this.function.arn,
      input: JSON.stringify({ action: ROTATION_REPORT_ACTION, environment: props.environment }),
    });
    new LambdaPermission(this, 'events-invoke', {
      statementId: 'EventBridgeRunsTheRotationReport',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'events.amazonaws.com',
      sourceAccount: account.accountId,
      sourceArn: this.reportSchedule.arn,
    });
  }

  get functionName(): string {
    return this.function.functionName;
  }

  get functionArn(): string {
    return this.function.arn;
  }
}
