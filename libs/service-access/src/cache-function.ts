import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Construct } from 'constructs';
import type { TerraformAsset } from 'cdktf';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import {
  assertLogRetentionDays,
  assertMemorySize,
  assertSecurityGroupId,
  assertTimeoutSeconds,
  DEFAULT_LOG_RETENTION_DAYS,
  LAMBDA_ARCHITECTURE,
  LAMBDA_MEMORY_MB,
  LAMBDA_RUNTIME,
  LAMBDA_TIMEOUT_SECONDS,
  type ServiceFunctionSettings,
} from '@cache-platform/cache-contract';
import type { Grant, IGrantable } from './grant';
import type { ServiceCacheAccess } from './service-cache-access';
import { isUnresolved, lambdaExecutionRole, refuse, validated, vpcFunction } from '@cache-platform/stack-base';

/** The platform's Lambda runtime and architecture (defined once, in the contract). */
export const CACHE_FUNCTION_RUNTIME = LAMBDA_RUNTIME;
export const CACHE_FUNCTION_ARCHITECTURE = LAMBDA_ARCHITECTURE;
export { LAMBDA_VPC_ACCESS_POLICY } from '@cache-platform/stack-base';

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

/** The manifest's function settings, as construct props (extra security groups as one list). */
export interface CacheFunctionProps extends Omit<ServiceFunctionSettings, 'securityGroupIds'> {
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
   * Days CloudWatch Logs keeps the function's logs (the log group is managed here, with ownership tags).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Extra environment variables, merged with the cache wiring. May not set `REDIS_SECRET_ARN`
   * (the wiring owns it) or names the Lambda runtime reserves. More can be added with
   * {@link CacheFunction.addEnvironment}.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * More security groups for the function, for what the loader reads (a database, an API, a NAT).
   * The platform's "cache clients" group only reaches the cache and the Secrets Manager endpoint.
   * @default none: the function reaches only the cache and Secrets Manager
   */
  readonly securityGroupIds?: readonly string[];
}

/**
 * A Lambda wired to the service's cache access: its own role (VPC access + read of exactly the
 * service's secret, plus `elasticache:Connect` for IAM auth), `REDIS_SECRET_ARN`, the cache's
 * subnets and the platform's "cache clients" security group. Grant it more with any grant method
 * that takes a grantee (it is one: its role).
 */
export class CacheFunction extends Construct implements IGrantable {
  readonly role: IamRole;
  readonly function: LambdaFunction;
  readonly asset: TerraformAsset;
  readonly logGroup: CloudwatchLogGroup;
  /** the grants the cache wiring gave the role */
  readonly grants: readonly Grant[];
  private readonly variables: Record<string, string>;
  private readonly wiring: Record<string, string>;

  constructor(scope: Construct, id: string, props: CacheFunctionProps) {
    super(scope, id);
    const { access } = props;
    const handler = props.handler ?? 'index.handler';
    const memorySize = validated(this, () => assertMemorySize(props.memorySize ?? LAMBDA_MEMORY_MB.default));
    const timeout = validated(this, () => assertTimeoutSeconds(props.timeoutSeconds ?? LAMBDA_TIMEOUT_SECONDS.default));
    const logRetentionDays = validated(this, () => assertLogRetentionDays(props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS));
    const match = HANDLER.exec(handler);
    if (!match) refuse(this, 'handler', handler, 'expected "<file>.<export>", e.g. "index.handler"');
    const bundleDir = resolve(props.bundleDir);
    this.checkBundle(bundleDir, match[1], handler);
    const extraSecurityGroups = [...(props.securityGroupIds ?? [])];
    for (const groupId of extraSecurityGroups) {
      // references resolved at apply cannot be checked here
      if (!isUnresolved(groupId)) validated(this, () => assertSecurityGroupId(groupId));
    }
    this.wiring = access.lambdaEnvironment();
    this.variables = { ...this.wiring };
    for (const [name, value] of Object.entries(props.environment ?? {})) this.checkVariable(name, value);
    Object.assign(this.variables, props.environment, this.wiring);

    const names = access.names;
    const { role, vpcAccess } = lambdaExecutionRole(this, {
      name: names.lambdaRoleName,
      description: `Runs ${names.lambdaFunctionName}: VPC access and read of its cache secret only`,
      tags: access.tags,
    });
    this.role = role;
    this.grants = [access.grantSecretRead(this), ...(access.authMode === 'iam' ? [access.grantConnect(this)] : [])];

    const vpc = access.lambdaVpcConfig();
    const parts = vpcFunction(this, {
      role,
      functionName: names.lambdaFunctionName,
      bundleDir,
      handler,
      memorySize,
      timeout,
      logRetentionDays,
      variables: this.variables,
      subnetIds: vpc.subnetIds,
      securityGroupIds: [...vpc.securityGroupIds, ...extraSecurityGroups],
      tags: access.tags,
      // Lambda checks at create time that the role may create ENIs; the first invocations should not
      // race the secret grant, the log group, or the user joining the group (WRONGPASS until it has)
      dependsOn: (logGroup) => [vpcAccess, logGroup, access.userGroupAssociation, ...this.grants.flatMap((g) => g.dependables)],
    });
    this.logGroup = parts.logGroup;
    this.asset = parts.asset;
    this.function = parts.function;
  }

  /** The role, for grant methods. */
  get grantPrincipal(): IamRole {
    return this.role;
  }

  /** Adds an environment variable (a table name, a queue URL) under the same rules as `environment`. */
  addEnvironment(name: string, value: string): this {
    this.checkVariable(name, value);
    this.variables[name] = value;
    this.function.putEnvironment({ variables: { ...this.variables } });
    return this;
  }

  private checkVariable(name: string, value: unknown): void {
    if (name in this.wiring) refuse(this, 'environment variable', name, 'it is set by the cache wiring and must not be overridden');
    if (!ENVIRONMENT_NAME.test(name))
      refuse(this, 'environment variable', name, 'names start with a letter and hold only letters, digits and _');
    if (RESERVED_ENVIRONMENT.has(name)) refuse(this, 'environment variable', name, 'reserved by the Lambda runtime');
    if (typeof value !== 'string') refuse(this, 'environment variable', name, `the value must be a string (got ${typeof value})`);
  }

  private checkBundle(dir: string, file: string, handler: string): void {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      refuse(this, 'bundle folder', dir, 'it does not exist; build the handler bundle (esbuild) before synth');
    }
    if (!BUNDLE_EXTENSIONS.some((ext) => existsSync(join(dir, file + ext)))) {
      refuse(
        this,
        'bundle folder',
        dir,
        `handler ${JSON.stringify(handler)} needs ${BUNDLE_EXTENSIONS.map((ext) => file + ext).join(' or ')} in it`,
      );
    }
  }
}
