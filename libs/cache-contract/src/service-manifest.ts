import { ACCESS_PROFILES, type AccessProfile } from './access-string';
import { ContractViolation, MissingValue, throwViolations, violationOf } from './errors';
import { assertAlarmThreshold, DEFAULT_SERVICE_ALARM_THRESHOLDS, SERVICE_ALARM_KEYS, type ServiceAlarmThresholds } from './metrics';
import {
  assertCellName,
  assertEnvironmentName,
  assertKeyspace,
  assertServiceName,
  DNS_LABEL_PATTERN,
  HYPHENLESS_LABEL_PATTERN,
  MAX_CELL_NAME_LENGTH,
  MAX_ENVIRONMENT_NAME_LENGTH,
  MAX_KEYSPACE_LENGTH,
  MAX_SERVICE_NAME_LENGTH,
} from './naming';
import { assertTagValue, MAX_TAG_VALUE_LENGTH } from './tags';
import { AUTH_MODES, type AuthMode } from './secret-payload';

/**
 * `cache-service.json`, in every service app: the whole definition of one service on the shared
 * cache. The service stack is built from it by `@cache-platform/service-access`, Nx infers the
 * service's targets from it, the generator reads every manifest to refuse a keyspace that is already
 * claimed, and local tooling creates matching ACL users from it.
 */
export interface ServiceManifest {
  /** service name: lower case, one DNS-like label, at most 28 characters, not reserved */
  readonly service: string;
  /** every key of the service lives under `<keyspace>:` (one segment, unique per environment) */
  readonly keyspace: string;
  /** owning team */
  readonly owner: string;
  /** why the service needs the cache */
  readonly purpose: string;
  readonly authMode: AuthMode;
  readonly accessProfile: AccessProfile;
  /** the handler's entry file, relative to the app folder (bundled to `dist/handler`) */
  readonly handler: string;
  /** the environments this service runs in; absent: every environment of the platform */
  readonly environments?: readonly string[];
  /** the Lambda's settings (defaults: 256 MB, 10 s, logs kept 30 days, no extra security groups) */
  readonly function: ServiceFunctionSettings;
  /** a module of the app that adds the team's own resources to each stack (see service-access) */
  readonly stackExtension?: string;
  /** the cell (shared cache) the service uses in every environment; absent: the default cell */
  readonly cell?: string;
  /** alarm thresholds that differ from the defaults (`DEFAULT_SERVICE_ALARM_THRESHOLDS`) */
  readonly alarms?: Partial<ServiceAlarmThresholds>;
}

/** Settings of a service's Lambda, from the manifest's `function` object. */
export interface ServiceFunctionSettings {
  /** memory in MB */
  readonly memorySize?: number;
  /** timeout in seconds */
  readonly timeoutSeconds?: number;
  /** days CloudWatch Logs keeps the function's logs */
  readonly logRetentionDays?: number;
  /**
   * Extra security groups per environment, for what the loader reads (a database, an API). Security
   * group ids differ between VPCs, hence one list per environment name.
   */
  readonly securityGroupIds?: Readonly<Record<string, readonly string[]>>;
}

export const SERVICE_MANIFEST_FILE = 'cache-service.json';
/** Where the JSON schema of the manifest lives, relative to the workspace root. */
export const SERVICE_MANIFEST_SCHEMA_PATH = 'libs/cache-contract/cache-service.schema.json';
/** Handler entry when the manifest does not name one. */
export const DEFAULT_HANDLER_ENTRY = 'src/handler/index.ts';
/** Where the bundler writes a service's handler and the service stack packages it from (app-relative). */
export const SERVICE_BUNDLE_DIR = 'dist/handler';

/** Lambda's own limits, and the values CloudWatch Logs accepts for retention. */
export const LAMBDA_MEMORY_MB = { minimum: 128, maximum: 10_240, default: 256 } as const;
export const LAMBDA_TIMEOUT_SECONDS = { minimum: 1, maximum: 900, default: 10 } as const;
export const DEFAULT_LOG_RETENTION_DAYS = 30;
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
export const SECURITY_GROUP_ID_PATTERN = '^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$';
const SECURITY_GROUP_ID = new RegExp(SECURITY_GROUP_ID_PATTERN);
// a relative TypeScript file inside the app: no absolute paths, no `..`, no backslashes
const APP_FILE_PATTERN = '^(?!/)(?!.*(?:^|/)\\.\\.(?:/|$))[A-Za-z0-9_./-]+\\.ts$';
const APP_FILE = new RegExp(APP_FILE_PATTERN);

/** Checks an integer against an inclusive range. */
export function assertIntegerInRange(subject: string, value: unknown, range: { minimum: number; maximum: number }, unit: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.minimum || value > range.maximum) {
    throw new ContractViolation(subject, value, `must be an integer from ${range.minimum} to ${range.maximum} ${unit}`);
  }
  return value;
}

export function assertMemorySize(value: unknown): number {
  return assertIntegerInRange('memory size', value, LAMBDA_MEMORY_MB, 'MB');
}

export function assertTimeoutSeconds(value: unknown): number {
  return assertIntegerInRange('timeout', value, LAMBDA_TIMEOUT_SECONDS, 'seconds');
}

export function assertLogRetentionDays(value: unknown): number {
  if (typeof value !== 'number' || !LOG_RETENTION_DAYS.includes(value)) {
    throw new ContractViolation('log retention', value, `must be one of ${LOG_RETENTION_DAYS.join(', ')} days`);
  }
  return value;
}

export function assertSecurityGroupId(value: unknown): string {
  if (typeof value !== 'string' || !SECURITY_GROUP_ID.test(value)) {
    throw new ContractViolation('security group id', value, 'expected "sg-" followed by 8 or 17 lower-case hex digits');
  }
  return value;
}

type FieldCheck = (value: unknown) => unknown;
type JsonSchema = Record<string, unknown>;

/** One field of the manifest: whether it is required, its check, and its JSON schema, side by side. */
interface FieldSpec {
  readonly required: boolean;
  /** the authority: the schema below only mirrors it for editors */
  readonly check: FieldCheck;
  readonly schema: JsonSchema;
}

const oneOf = (allowed: readonly string[]) => (value: unknown) => {
  if (!allowed.includes(value as string)) throw new ContractViolation('', value, `must be one of ${allowed.join(', ')}`);
  return value;
};
const appFile = (value: unknown) => {
  if (typeof value !== 'string' || !APP_FILE.test(value)) {
    throw new ContractViolation('', value, 'must be a relative path to a .ts file inside the app folder (no "..")');
  }
  return value;
};
// owner and purpose become tag values and the keyspace claim: AWS's tag rules are theirs
const tagValue = (value: unknown) => assertTagValue('', value);

/**
 * The shortest purpose accepted: the tag is read by whoever finds the Redis user in an audit, and
 * "cache" or "x" tells them nothing. Ten characters is about three words.
 */
export const MIN_PURPOSE_LENGTH = 10;

/** A manifest's (or `--purpose`'s) purpose: a tag value long enough to say why. */
export function assertPurpose(value: unknown, subject = 'purpose'): string {
  const purpose = assertTagValue(subject, value);
  if (purpose.trim().length < MIN_PURPOSE_LENGTH) {
    throw new ContractViolation(
      subject,
      value,
      `must say why the service needs the cache in at least ${MIN_PURPOSE_LENGTH} characters, e.g. "cache product lookups in front of the catalog DB"`,
    );
  }
  return purpose;
}
// checked with the fields that depend on each other, in assertServiceManifest
const checkedBelow: FieldCheck = () => undefined;

const label = (maxLength: number): JsonSchema => ({ type: 'string', pattern: DNS_LABEL_PATTERN, maxLength });
const environmentNameSchema: JsonSchema = { type: 'string', pattern: HYPHENLESS_LABEL_PATTERN, maxLength: MAX_ENVIRONMENT_NAME_LENGTH };

/** Top-level fields: required ones first. `$schema` is for editors and otherwise ignored. */
const FIELDS: Readonly<Record<string, FieldSpec>> = {
  service: {
    required: true,
    check: assertServiceName,
    schema: {
      ...label(MAX_SERVICE_NAME_LENGTH),
      description: 'service name: lower-case letters, digits and single hyphens, starting with a letter',
    },
  },
  keyspace: {
    required: true,
    check: assertKeyspace,
    schema: { ...label(MAX_KEYSPACE_LENGTH), description: 'every key of the service lives under "<keyspace>:"; unique per environment' },
  },
  owner: {
    required: true,
    check: tagValue,
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_TAG_VALUE_LENGTH,
      description: 'owning team (ownership tag and keyspace claim)',
    },
  },
  purpose: {
    required: true,
    check: (value) => assertPurpose(value, ''),
    schema: {
      type: 'string',
      minLength: MIN_PURPOSE_LENGTH,
      maxLength: MAX_TAG_VALUE_LENGTH,
      description: 'why the service needs the cache, in a sentence',
    },
  },
  authMode: {
    required: true,
    check: oneOf(AUTH_MODES),
    schema: { enum: [...AUTH_MODES], description: 'password (rotated secret) or iam (SigV4 tokens)' },
  },
  accessProfile: {
    required: true,
    check: oneOf(ACCESS_PROFILES),
    schema: { enum: [...ACCESS_PROFILES], description: 'what the service may do inside its keyspace' },
  },
  handler: {
    required: false,
    check: appFile,
    schema: {
      type: 'string',
      pattern: APP_FILE_PATTERN,
      default: DEFAULT_HANDLER_ENTRY,
      description: 'handler entry file, relative to the app',
    },
  },
  environments: {
    required: false,
    check: checkedBelow,
    schema: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: environmentNameSchema,
      description: 'environments this service runs in; leave out for every environment of the platform',
    },
  },
  function: { required: false, check: checkedBelow, schema: {} },
  stackExtension: {
    required: false,
    check: appFile,
    schema: {
      type: 'string',
      pattern: APP_FILE_PATTERN,
      description: "module exporting extendStack(stack): the team's own resources next to the platform wiring",
    },
  },
  cell: {
    required: false,
    check: assertCellName,
    schema: {
      type: 'string',
      pattern: HYPHENLESS_LABEL_PATTERN,
      maxLength: MAX_CELL_NAME_LENGTH,
      description: 'the cell (shared cache) the service uses; leave out for the default cell',
    },
  },
  alarms: { required: false, check: checkedBelow, schema: {} },
  $schema: { required: false, check: () => undefined, schema: { type: 'string', description: 'path of this schema, for editors' } },
};
const FUNCTION_FIELDS: Readonly<Record<string, { check: FieldCheck; schema: JsonSchema }>> = {
  memorySize: {
    check: assertMemorySize,
    schema: { type: 'integer', minimum: LAMBDA_MEMORY_MB.minimum, maximum: LAMBDA_MEMORY_MB.maximum, default: LAMBDA_MEMORY_MB.default },
  },
  timeoutSeconds: {
    check: assertTimeoutSeconds,
    schema: {
      type: 'integer',
      minimum: LAMBDA_TIMEOUT_SECONDS.minimum,
      maximum: LAMBDA_TIMEOUT_SECONDS.maximum,
      default: LAMBDA_TIMEOUT_SECONDS.default,
    },
  },
  logRetentionDays: { check: assertLogRetentionDays, schema: { enum: [...LOG_RETENTION_DAYS], default: DEFAULT_LOG_RETENTION_DAYS } },
  securityGroupIds: {
    check: checkedBelow,
    schema: {
      type: 'object',
      description: 'extra security groups per environment, for what the loader reads',
      propertyNames: environmentNameSchema,
      additionalProperties: { type: 'array', items: { type: 'string', pattern: SECURITY_GROUP_ID_PATTERN } },
    },
  },
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a parsed manifest and returns it with defaults filled in. Every problem is reported at
 * once, each naming the field, the value and the rule; `source` (the file path) leads the message.
 */
export function assertServiceManifest(value: unknown, source: string): ServiceManifest {
  if (!isObject(value)) {
    throw new ContractViolation('service manifest', value, 'must be a JSON object', source);
  }
  const problems: ContractViolation[] = [];
  const field = (name: string, check: FieldCheck, fieldValue: unknown) => {
    const violation = violationOf(() => check(fieldValue));
    if (violation) problems.push(new ContractViolation(`field ${name}`, fieldValue, violation.rule));
  };
  for (const [name, fieldValue] of Object.entries(value)) {
    const known = FIELDS[name];
    if (!known) {
      problems.push(
        new ContractViolation(`field ${name}`, fieldValue, `unknown field; allowed fields are ${Object.keys(FIELDS).join(', ')}`),
      );
    } else {
      field(name, known.check, fieldValue);
    }
  }
  for (const [name, spec] of Object.entries(FIELDS)) {
    if (spec.required && !(name in value)) problems.push(new MissingValue(`field ${name}`));
  }

  const environments = value['environments'];
  if (environments !== undefined) {
    if (!Array.isArray(environments) || environments.length === 0) {
      problems.push(
        new ContractViolation(
          'field environments',
          environments,
          'must be a non-empty list of environment names (leave it out for every environment)',
        ),
      );
    } else {
      environments.forEach((name, i) => field(`environments[${i}]`, assertEnvironmentName, name));
      if (new Set(environments).size !== environments.length) {
        problems.push(new ContractViolation('field environments', environments, 'lists an environment more than once'));
      }
    }
  }

  const fn = value['function'];
  if (fn !== undefined && !isObject(fn)) {
    problems.push(
      new ContractViolation(
        'field function',
        fn,
        'must be an object with memorySize, timeoutSeconds, logRetentionDays and/or securityGroupIds',
      ),
    );
  } else if (fn) {
    for (const [name, fieldValue] of Object.entries(fn)) {
      const check = FUNCTION_FIELDS[name]?.check;
      if (!check) {
        problems.push(
          new ContractViolation(
            `field function.${name}`,
            fieldValue,
            `unknown field; allowed fields are ${Object.keys(FUNCTION_FIELDS).join(', ')}`,
          ),
        );
      } else {
        field(`function.${name}`, check, fieldValue);
      }
    }
    const groups = fn['securityGroupIds'];
    if (groups !== undefined && !isObject(groups)) {
      problems.push(
        new ContractViolation('field function.securityGroupIds', groups, 'must map environment names to lists of security group ids'),
      );
    } else if (groups) {
      for (const [environment, ids] of Object.entries(groups)) {
        field(`function.securityGroupIds key`, assertEnvironmentName, environment);
        if (Array.isArray(environments) && !environments.includes(environment)) {
          problems.push(
            new ContractViolation(
              'field function.securityGroupIds key',
              environment,
              `is not one of this service's environments (${environments.join(', ')})`,
            ),
          );
        }
        if (!Array.isArray(ids)) {
          problems.push(
            new ContractViolation(`field function.securityGroupIds.${environment}`, ids, 'must be a list of security group ids'),
          );
        } else {
          ids.forEach((id, i) => field(`function.securityGroupIds.${environment}[${i}]`, assertSecurityGroupId, id));
        }
      }
    }
  }
  const alarms = value['alarms'];
  if (alarms !== undefined && !isObject(alarms)) {
    problems.push(new ContractViolation('field alarms', alarms, `must be an object with any of ${SERVICE_ALARM_KEYS.join(', ')}`));
  } else if (alarms) {
    for (const [name, fieldValue] of Object.entries(alarms)) {
      if (!(SERVICE_ALARM_KEYS as string[]).includes(name)) {
        problems.push(
          new ContractViolation(`field alarms.${name}`, fieldValue, `unknown field; allowed fields are ${SERVICE_ALARM_KEYS.join(', ')}`),
        );
      } else {
        field(`alarms.${name}`, (v) => assertAlarmThreshold(name as keyof ServiceAlarmThresholds, v), fieldValue);
      }
    }
  }
  throwViolations(problems, source);

  const m = value as Record<string, never>;
  return {
    service: m['service'],
    keyspace: m['keyspace'],
    owner: m['owner'],
    purpose: m['purpose'],
    authMode: m['authMode'],
    accessProfile: m['accessProfile'],
    handler: m['handler'] ?? DEFAULT_HANDLER_ENTRY,
    ...(m['environments'] ? { environments: m['environments'] } : {}),
    function: m['function'] ?? {},
    ...(m['stackExtension'] ? { stackExtension: m['stackExtension'] } : {}),
    ...(m['cell'] ? { cell: m['cell'] } : {}),
    ...(m['alarms'] ? { alarms: m['alarms'] } : {}),
  };
}

/**
 * The JSON schema of `cache-service.json` (draft-07, which editors understand), built from the same
 * constants the validator uses; `libs/cache-contract/cache-service.schema.json` is this, written out
 * (a test keeps the two equal). The validator above stays the authority: the schema is for completion
 * and early red squiggles, and cannot express the keyspace uniqueness or reserved-name rules' reasons.
 */
export function serviceManifestJsonSchema(): Record<string, unknown> {
  const properties: Record<string, JsonSchema> = Object.fromEntries(Object.entries(FIELDS).map(([name, spec]) => [name, spec.schema]));
  properties['function'] = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(FUNCTION_FIELDS).map(([name, spec]) => [name, spec.schema])),
  };
  properties['alarms'] = {
    type: 'object',
    additionalProperties: false,
    description: 'alarm thresholds that differ from the defaults',
    properties: Object.fromEntries(
      SERVICE_ALARM_KEYS.map((key) => [
        key,
        key === 'errorRatePercent'
          ? { type: 'number', minimum: 0.1, maximum: 100, default: DEFAULT_SERVICE_ALARM_THRESHOLDS[key] }
          : { type: 'integer', minimum: 1, default: DEFAULT_SERVICE_ALARM_THRESHOLDS[key] },
      ]),
    ),
  };
  // `$schema` first, as editors show it
  const { $schema, ...rest } = properties;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'cache-service.json: one service on the shared cache',
    type: 'object',
    additionalProperties: false,
    required: Object.entries(FIELDS)
      .filter(([, spec]) => spec.required)
      .map(([name]) => name),
    properties: { $schema, ...rest },
  };
}
