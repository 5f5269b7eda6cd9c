import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { ServiceCacheAccess } from './service-cache-access';

/** Newest Node.js runtime the hashicorp/aws 5.100.0 schema accepts. */
export const CACHE_FUNCTION_RUNTIME = 'nodejs22.x';
export const CACHE_FUNCTION_ARCHITECTURE = 'arm64';
/** Managed policy that lets a VPC Lambda create its network interfaces and write its logs. */
export const LAMBDA_VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';

// Lambda refuses these names: the runtime sets them itself
const RESERVED_ENVIRONMENT = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);
const ENVIRONMENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const HANDLER = /^([^\s/\\.][^\s]*)\.([A-Za-z_$][\w$]*)$/;
const BUNDLE_EXTENSIONS = ['.js', '.mjs', '.cjs'];
// the values CloudWatch Logs accepts for retention_in_days
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export interface CacheFunctionProps {
  /** the service's cache access: supplies the secret, the grants and the VPC settings */
  readonly access: ServiceCacheAccess;
  /**
   * Folder holding the bundled handler (esbuild output such as `index.js` or `index.mjs`); a relative
   * path resolves from the working directory of the synth. Packaged as a zip by cdktf at synth time
   * (no archive provider); the bundle must exist before synth.
   */
  readonly bundleDir: string;
  /**
   * `<file>.<export>` of the handler inside the bundle.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /**
   * Memory in MB, 128-10240.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout in seconds, 1-900.
   * @default 10
   */
  readonly timeoutSeconds?: number;
  /**
   * Extra environment variables, merged with the cache wiring. May not set `REDIS_SECRET_ARN`
   * (the wiring owns it) or names the Lambda runtime reserves.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * More security groups for the function, for what the loader reads (a database, an API, a NAT).
   * The platform's "cache clients" group only reaches the cache and the Secrets Manager endpoint.
   * @default none: the function reaches only the cache and Secrets Manager
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * Days CloudWatch Logs keeps the function's logs (the log group is managed here, with ownership tags).
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/**
 * A Lambda wired to the service's cache access: its own role (VPC access + read of exactly the
 * service's secret, plus `elasticache:Connect` for IAM auth), `REDIS_SECRET_ARN`, the cache's
 * subnets and the platform's "cache clients" security group.
 */
export class CacheFunction extends Construct {
  readonly role: IamRole;
  readonly function: LambdaFunction;
  readonly asset: TerraformAsset;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: CacheFunctionProps) {
    super(scope, id);
    const { access } = props;
    const handler = props.handler ?? 'index.handler';
    const memorySize = props.memorySize ?? 256;
    const timeout = props.timeoutSeconds ?? 10;
    checkIntegerRange('memory size', memorySize, 128, 10240, 'MB');
    checkIntegerRange('timeout', timeout, 1, 900, 'seconds');
    const match = HANDLER.exec(handler);
    if (!match) {
      throw new Error(`invalid handler ${JSON.stringify(handler)}: expected "<file>.<export>", e.g. "index.handler"`);
    }
    const bundleDir = resolve(props.bundleDir);
    checkBundle(bundleDir, match[1], handler);
    const environment = mergeEnvironment(access.lambdaEnvironment(), props.environment ?? {});
    const logRetentionDays = props.logRetentionDays ?? 30;
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
      throw new Error(`invalid log retention ${JSON.stringify(logRetentionDays)}: must be one of ${LOG_RETENTION_DAYS.join(', ')} days`);
    }
    const extraSecurityGroups = [...(props.securityGroupIds ?? [])];
    for (const id of extraSecurityGroups) {
      // tokens (references resolved at apply) cannot be checked here
      if (!id.includes('${') && !SECURITY_GROUP_ID.test(id)) {
        throw new Error(`invalid security group id ${JSON.stringify(id)}: expected "sg-" followed by 8 or 17 lower-case hex digits`);
      }
    }

    const names = access.names;
    this.role = new IamRole(this, 'role', {
      name: names.lambdaRoleName,
      description: `Runs ${names.lambdaFunctionName}: VPC access and read of its cache secret only`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags: access.tags,
    });
    const partition = new DataAwsPartition(this, 'partition');
    const vpcAccess = new IamRolePolicyAttachment(this, 'vpc-access', {
      role: this.role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/${LAMBDA_VPC_ACCESS_POLICY}`,
    });
    access.grantSecretRead(this.role);
    if (access.authMode === 'iam') access.grantConnect(this.role);

    // managed here so it carries ownership tags and a retention limit (Lambda would create it untagged, kept forever)
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${names.lambdaFunctionName}`,
      retentionInDays: logRetentionDays,
      tags: access.tags,
    });

    this.asset = new TerraformAsset(this, 'bundle', { path: bundleDir, type: AssetType.ARCHIVE });
    const vpc = access.lambdaVpcConfig();
    this.function = new LambdaFunction(this, 'function', {
      functionName: names.lambdaFunctionName,
      role: this.role.arn,
      handler,
      runtime: CACHE_FUNCTION_RUNTIME,
      architectures: [CACHE_FUNCTION_ARCHITECTURE],
      memorySize,
      timeout,
      filename: this.asset.path,
      sourceCodeHash: this.asset.assetHash,
      environment: { variables: environment },
      vpcConfig: { subnetIds: vpc.subnetIds, securityGroupIds: [...vpc.securityGroupIds, ...extraSecurityGroups] },
      tags: access.tags,
      // Lambda checks at create time that the role may create ENIs; the first invocations should not
      // race the secret grant, the log group, or the user joining the group (WRONGPASS until it has)
      dependsOn: [vpcAccess, this.logGroup, access.userGroupAssociation, ...access.grantsFor(this.role)],
    });
  }
}

function checkIntegerRange(subject: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`invalid ${subject} ${JSON.stringify(value)}: must be an integer from ${min} to ${max} ${unit}`);
  }
}

function checkBundle(dir: string, file: string, handler: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`invalid bundle folder ${JSON.stringify(dir)}: it does not exist; build the handler bundle (esbuild) before synth`);
  }
  if (!BUNDLE_EXTENSIONS.some((ext) => existsSync(join(dir, file + ext)))) {
    throw new Error(
      `invalid bundle folder ${JSON.stringify(dir)}: handler ${JSON.stringify(handler)} needs ${BUNDLE_EXTENSIONS.map((ext) => file + ext).join(' or ')} in it`,
    );
  }
}

function mergeEnvironment(wiring: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(extra)) {
    if (name in wiring) {
      throw new Error(`invalid environment variable ${JSON.stringify(name)}: it is set by the cache wiring and must not be overridden`);
    }
    if (!ENVIRONMENT_NAME.test(name)) {
      throw new Error(`invalid environment variable ${JSON.stringify(name)}: names start with a letter and hold only letters, digits and _`);
    }
    if (RESERVED_ENVIRONMENT.has(name)) {
      throw new Error(`invalid environment variable ${JSON.stringify(name)}: reserved by the Lambda runtime`);
    }
    if (typeof value !== 'string') {
      throw new Error(`invalid environment variable ${JSON.stringify(name)}: the value must be a string (got ${typeof value})`);
    }
  }
  return { ...extra, ...wiring };
}
