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

/** Lower-case letters, digits and single hyphens; starts with a letter; ends with a letter or digit. */
export const DNS_LABEL_PATTERN = '^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$';
/** A label without hyphens (environment and cell names: see assertEnvironmentName, assertCellName). */
export const HYPHENLESS_LABEL_PATTERN = '^[a-z][a-z0-9]*$';
const DNS_LABEL = new RegExp(DNS_LABEL_PATTERN);
// characters a Redis key pattern or hash tag gives a meaning to
const PATTERN_CHARACTERS = /[:*?[\]{}\\]/g;
// what is left once case, pattern characters and surrounding whitespace have their own rule
const OTHER_FORBIDDEN = /[^a-zA-Z0-9\-:*?[\]{}\\]/g;

function distinct(matches: RegExpMatchArray | null): string[] {
  return [...new Set(matches ?? [])];
}

function quoted(characters: readonly string[]): string {
  return characters.map((c) => JSON.stringify(c)).join(', ');
}

interface LabelRules {
  readonly maxLength: number;
  /** environments take no hyphens at all; services and keyspaces take single inner ones */
  readonly hyphens: boolean;
  /** whether the reserved names are refused */
  readonly reserved: boolean;
}

/**
 * Every rule a name breaks, in a fixed order (so the first rule of a value that breaks one is the same
 * as it always was). Each rule is checked on its own, and a character is blamed by one rule only:
 * `Orders_API` breaks "lower case" and "may only contain", but not "must start with a letter".
 * Empty list: the value is valid.
 */
function labelProblems(value: unknown, rules: LabelRules): string[] {
  if (typeof value !== 'string' || value.length === 0) return ['must be a non-empty string'];
  const trimmed = value.trim();
  if (trimmed.length === 0) return ['must be a non-empty string (it has only whitespace)'];
  const problems: string[] = [];
  if (trimmed !== value) problems.push('must not have leading or trailing whitespace');
  if (/[A-Z]/.test(value)) {
    problems.push('must be lower case (ElastiCache stores user ids lower-cased, so upper case would collide)');
  }
  const pattern = distinct(value.match(PATTERN_CHARACTERS));
  if (pattern.length > 0) {
    problems.push(
      `must not contain ${quoted(pattern)}: ':' '*' '?' '[' ']' '{' '}' '\\' change the meaning of a Redis key pattern or hash tag`,
    );
  }
  // judged on the trimmed value, case-insensitively: whitespace and case have their own rules above
  if (!/^[a-zA-Z]/.test(trimmed)) problems.push('must start with a letter (a-z)');
  if (rules.hyphens) {
    if (trimmed.includes('--')) problems.push('must not contain consecutive hyphens');
    if (trimmed.endsWith('-')) problems.push('must not end with a hyphen');
  }
  const other = distinct(trimmed.match(OTHER_FORBIDDEN));
  if (other.length > 0) {
    problems.push(`may only contain lower-case letters (a-z), digits (0-9) and hyphens (-), not ${quoted(other)}`);
  }
  if (value.length > rules.maxLength) problems.push(`must be at most ${rules.maxLength} characters (it has ${value.length})`);
  if (!rules.hyphens && trimmed.includes('-')) {
    problems.push(
      'must not contain hyphens (derived names are <service>-<environment>; a hyphen would let two service/environment pairs collide)',
    );
  }
  // safety net: the character rules above describe exactly DNS_LABEL; if they ever drift apart, still refuse
  if (problems.length === 0 && !DNS_LABEL.test(value)) {
    problems.push('may only contain lower-case letters (a-z), digits (0-9) and single hyphens, starting with a letter');
  }
  if (rules.reserved) {
    // compared lower-cased too, so that `Default` is not accepted after its case is fixed
    const normalised = trimmed.toLowerCase();
    if (RESERVED_NAMES.includes(normalised)) {
      const which = normalised === trimmed ? 'is reserved' : `is reserved once lower-cased, as ${JSON.stringify(normalised)}`;
      problems.push(`${which} (reserved names: ${RESERVED_NAMES.join(', ')})`);
    }
  }
  return problems;
}

function checkLabel(subject: string, value: unknown, rules: LabelRules): string {
  const problems = labelProblems(value, rules);
  if (problems.length > 0) throw new ContractViolation(subject, value, problems);
  return value as string;
}

/**
 * Validates a service name and returns it; throws {@link ContractViolation} naming every rule it
 * breaks.
 */
export function assertServiceName(name: unknown): string {
  return checkLabel('service name', name, { maxLength: MAX_SERVICE_NAME_LENGTH, hyphens: true, reserved: true });
}

/**
 * Validates an environment name (`dev`, `staging`, `prod1`, ...) and returns it. No hyphens: names are
 * derived as `<service>-<environment>`, and with hyphens `orders-eu` in `prod` and `orders` in `eu-prod`
 * would get the same user id, function name and (account-global) IAM role name.
 */
export function assertEnvironmentName(name: unknown): string {
  return checkLabel('environment name', name, { maxLength: MAX_ENVIRONMENT_NAME_LENGTH, hyphens: false, reserved: false });
}

/**
 * Validates a keyspace and returns it. A keyspace is one segment: the access string grants
 * `~<keyspace>:*`, so a keyspace containing ':' or a glob character could reach into another's keys.
 */
export function assertKeyspace(keyspace: unknown): string {
  return checkLabel('keyspace', keyspace, { maxLength: MAX_KEYSPACE_LENGTH, hyphens: true, reserved: true });
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

/** Name of the cell every environment has; a manifest without `cell` is in it. */
export const DEFAULT_CELL = 'main';
/** Longest cell name: keeps `cache-platform-<env>-<cell>-default-off` within the 40-character user id. */
export const MAX_CELL_NAME_LENGTH = 6;
const CELL_NAME = new RegExp(HYPHENLESS_LABEL_PATTERN);

/**
 * Validates a cell name and returns it: lower-case letters and digits, starting with a letter, at most
 * 6 characters, no hyphens (cell resource names are `cache-platform-<env>-<cell>`; a hyphen would let
 * two environment/cell pairs collide).
 */
export function assertCellName(name: unknown): string {
  const problems: string[] = [];
  if (typeof name !== 'string' || name === '') throw new ContractViolation('cell name', name, 'must be a non-empty string');
  if (!CELL_NAME.test(name)) problems.push('may only contain lower-case letters (a-z) and digits (0-9), starting with a letter');
  if (name.length > MAX_CELL_NAME_LENGTH) problems.push(`must be at most ${MAX_CELL_NAME_LENGTH} characters (it has ${name.length})`);
  if (problems.length > 0) throw new ContractViolation('cell name', name, problems);
  return name;
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
  /** extra callers of the platform's Secrets Manager endpoint (only when the environment admits some) */
  readonly secretsManagerCallersSecurityGroupName: string;
  /** extra callers of the platform's ElastiCache API endpoint (only when the environment admits some) */
  readonly elasticacheCallersSecurityGroupName: string;
  /** the platform's Secrets Manager rotation function for service passwords */
  readonly rotationFunctionName: string;
  readonly rotationRoleName: string;
}

/**
 * Names of the platform's resources in one environment. `cell` names the cell whose cache, user group
 * and disabled default user are meant: the default cell (or none) keeps the names an environment had
 * before cells, other cells add `-<cell>` to them; the security groups are shared by every cell.
 */
export function platformResourceNames(environment: string, cell?: string): PlatformResourceNames {
  assertEnvironmentName(environment);
  const base = `${PLATFORM_PREFIX}-${environment}`;
  const cellBase = cell === undefined || cell === DEFAULT_CELL ? base : `${base}-${assertCellName(cell)}`;
  const source = `the environment name ${JSON.stringify(environment)} or the cell name ${JSON.stringify(cell)}`;
  return {
    cacheName: cellBase,
    userGroupId: `${cellBase}-users`,
    disabledDefaultUserId: checkDerived('ElastiCache user id', `${cellBase}-default-off`, MAX_USER_ID_LENGTH, source),
    cacheSecurityGroupName: `${base}-cache`,
    clientSecurityGroupName: `${base}-cache-clients`,
    endpointSecurityGroupName: `${base}-secretsmanager-endpoint`,
    secretsManagerCallersSecurityGroupName: `${base}-secretsmanager-callers`,
    elasticacheCallersSecurityGroupName: `${base}-elasticache-callers`,
    rotationFunctionName: `${base}-password-rotation`,
    rotationRoleName: `${base}-password-rotation`,
  };
}

/**
 * IAM resource patterns matching exactly the service-owned resources of one environment, for the
 * platform's rotation function: never `*`. Secret ARNs end in `-` and six random characters.
 */
export interface ServiceResourcePatterns {
  /** the resource part of every service secret's ARN: `secret:cache-platform/<env>/*\/redis-??????` */
  readonly secretArnResource: string;
  /** the resource part of every service user's ARN: `user:*-<env>` (user ids are `<service>-<env>`) */
  readonly userArnResource: string;
}

export function serviceResourcePatterns(environment: string): ServiceResourcePatterns {
  assertEnvironmentName(environment);
  return {
    secretArnResource: `secret:${PLATFORM_PREFIX}/${environment}/*/redis-??????`,
    userArnResource: `user:*-${environment}`,
  };
}

/**
 * The variable that narrows every synth, diff, deploy and destroy to the environments it names
 * (comma separated): read by the environment selection and by the cdktf wrapper's guards, and part of
 * the synth target's hash (tools/nx-plugin/plugin.cjs, which a spec holds to this name).
 */
export const ENVIRONMENTS_ENV_VAR = 'CACHE_PLATFORM_ENVIRONMENTS';

/** The names in {@link ENVIRONMENTS_ENV_VAR}, blanks ignored; empty when it is unset. */
export function selectedEnvironmentNames(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[ENVIRONMENTS_ENV_VAR] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
