import { ContractViolation } from './errors';

/**
 * Naming rules for services, environments and keyspaces, and the AWS names derived from them.
 *
 * Every derived name has an AWS limit; rather than letting Terraform fail half-way through an
 * apply, the source names are capped so that every derived name fits.
 */

/** Longest service name: keeps `<service>-<env>` user ids, role and function names within AWS limits. */
export const MAX_SERVICE_NAME_LENGTH = 28;
/** Longest environment name. */
export const MAX_ENVIRONMENT_NAME_LENGTH = 10;
/** Longest keyspace: keys are `<keyspace>:<key>`, and short prefixes keep keys cheap. */
export const MAX_KEYSPACE_LENGTH = 32;
/** ElastiCache documents no maximum for user ids; we keep them within 40 so they stay readable in ARNs and tags. */
export const MAX_USER_ID_LENGTH = 40;
/** IAM role names: 64 characters at most. */
export const MAX_IAM_ROLE_NAME_LENGTH = 64;
/** Lambda function names: 64 characters at most. */
export const MAX_LAMBDA_NAME_LENGTH = 64;
/** Secrets Manager names: 512 characters at most. */
export const MAX_SECRET_NAME_LENGTH = 512;

/** Prefix of every platform-owned name (SSM paths, secret names, platform user ids). */
export const PLATFORM_PREFIX = 'cache-platform';

/**
 * Names a service or keyspace may not take: `default` is the Redis user every group must hold,
 * the others are platform-owned or would read as a wildcard.
 */
export const RESERVED_NAMES: readonly string[] = Object.freeze([
  'default',
  'platform',
  PLATFORM_PREFIX,
  'admin',
  'root',
  'all',
  'none',
  'shared',
]);

// lower-case letters, digits and single hyphens; starts with a letter; ends with a letter or digit
const DNS_LABEL = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

function checkLabel(subject: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ContractViolation(subject, value, 'must be a non-empty string');
  }
  if (value !== value.trim()) {
    throw new ContractViolation(subject, value, 'must not have leading or trailing whitespace');
  }
  if (/[A-Z]/.test(value)) {
    throw new ContractViolation(subject, value, 'must be lower case (ElastiCache stores user ids lower-cased, so upper case would collide)');
  }
  const glob = value.match(/[:*?[\]{}\\]/);
  if (glob) {
    throw new ContractViolation(
      subject,
      value,
      `must not contain ${JSON.stringify(glob[0])}: ':' '*' '?' '[' ']' '{' '}' '\\' change the meaning of a Redis key pattern or hash tag`,
    );
  }
  if (!/^[a-z]/.test(value)) {
    throw new ContractViolation(subject, value, 'must start with a letter (a-z)');
  }
  if (/--/.test(value)) {
    throw new ContractViolation(subject, value, 'must not contain consecutive hyphens');
  }
  if (value.endsWith('-')) {
    throw new ContractViolation(subject, value, 'must not end with a hyphen');
  }
  if (!DNS_LABEL.test(value)) {
    throw new ContractViolation(subject, value, 'may only contain lower-case letters (a-z), digits (0-9) and hyphens (-)');
  }
  if (value.length > maxLength) {
    throw new ContractViolation(subject, value, `must be at most ${maxLength} characters (it has ${value.length})`);
  }
  return value;
}

function checkNotReserved(subject: string, value: string): void {
  if (RESERVED_NAMES.includes(value)) {
    throw new ContractViolation(subject, value, `is reserved (reserved names: ${RESERVED_NAMES.join(', ')})`);
  }
}

/** Validates a service name and returns it; throws {@link ContractViolation} naming the rule. */
export function assertServiceName(name: unknown): string {
  const value = checkLabel('service name', name, MAX_SERVICE_NAME_LENGTH);
  checkNotReserved('service name', value);
  return value;
}

/**
 * Validates an environment name (`dev`, `staging`, `prod1`, ...) and returns it. No hyphens: names are
 * derived as `<service>-<environment>`, and with hyphens `orders-eu` in `prod` and `orders` in `eu-prod`
 * would get the same user id, function name and (account-global) IAM role name.
 */
export function assertEnvironmentName(name: unknown): string {
  const value = checkLabel('environment name', name, MAX_ENVIRONMENT_NAME_LENGTH);
  if (value.includes('-')) {
    throw new ContractViolation(
      'environment name',
      value,
      'must not contain hyphens (derived names are <service>-<environment>; a hyphen would let two service/environment pairs collide)',
    );
  }
  return value;
}

/**
 * Validates a keyspace and returns it. A keyspace is one segment: the access string grants
 * `~<keyspace>:*`, so a keyspace containing ':' or a glob character could reach into another's keys.
 */
export function assertKeyspace(keyspace: unknown): string {
  const value = checkLabel('keyspace', keyspace, MAX_KEYSPACE_LENGTH);
  checkNotReserved('keyspace', value);
  return value;
}

/** Non-throwing form of the checks, for prompts and generators: the message, or undefined when valid. */
export function describeNameProblem(kind: 'service' | 'environment' | 'keyspace', value: unknown): string | undefined {
  try {
    if (kind === 'service') assertServiceName(value);
    else if (kind === 'environment') assertEnvironmentName(value);
    else assertKeyspace(value);
    return undefined;
  } catch (error) {
    if (error instanceof ContractViolation) return error.message;
    throw error;
  }
}

/** Every AWS name derived for one service in one environment, each checked against its limit. */
export interface ServiceResourceNames {
  /** ElastiCache user id, also used as the Redis user name (IAM auth requires them equal). */
  readonly userId: string;
  readonly userName: string;
  readonly secretName: string;
  readonly lambdaFunctionName: string;
  readonly lambdaRoleName: string;
}

function checkDerived(subject: string, value: string, max: number, source: string): string {
  if (value.length > max) {
    throw new ContractViolation(subject, value, `is ${value.length} characters, over the AWS limit of ${max}; shorten ${source}`);
  }
  return value;
}

/** Derives the names of a service's AWS resources in one environment. */
export function serviceResourceNames(service: string, environment: string): ServiceResourceNames {
  assertServiceName(service);
  assertEnvironmentName(environment);
  const base = `${service}-${environment}`;
  const source = `the service name ${JSON.stringify(service)} or the environment name ${JSON.stringify(environment)}`;
  const userId = checkDerived('ElastiCache user id', base, MAX_USER_ID_LENGTH, source);
  return {
    userId,
    userName: userId,
    secretName: checkDerived('secret name', `${PLATFORM_PREFIX}/${environment}/${service}/redis`, MAX_SECRET_NAME_LENGTH, source),
    lambdaFunctionName: checkDerived('Lambda function name', `${base}-handler`, MAX_LAMBDA_NAME_LENGTH, source),
    lambdaRoleName: checkDerived('IAM role name', `${base}-cache-fn`, MAX_IAM_ROLE_NAME_LENGTH, source),
  };
}

/** Names of platform-owned resources in one environment. */
export interface PlatformResourceNames {
  /** Serverless cache name: forces replacement when changed. */
  readonly cacheName: string;
  readonly userGroupId: string;
  /** Id of the platform's disabled user named `default` (AWS's own `default` id is taken). */
  readonly disabledDefaultUserId: string;
  readonly cacheSecurityGroupName: string;
  readonly clientSecurityGroupName: string;
  readonly endpointSecurityGroupName: string;
}

export function platformResourceNames(environment: string): PlatformResourceNames {
  assertEnvironmentName(environment);
  const base = `${PLATFORM_PREFIX}-${environment}`;
  return {
    cacheName: base,
    userGroupId: `${base}-users`,
    disabledDefaultUserId: `${base}-default-off`,
    cacheSecurityGroupName: `${base}-cache`,
    clientSecurityGroupName: `${base}-cache-clients`,
    endpointSecurityGroupName: `${base}-secretsmanager-endpoint`,
  };
}
