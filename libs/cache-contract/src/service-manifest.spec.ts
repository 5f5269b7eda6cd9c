import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_PROFILES } from './access-string';
import { ContractViolation, ContractViolations } from './errors';
import { AUTH_MODES } from './secret-payload';
import {
  assertServiceManifest,
  DEFAULT_HANDLER_ENTRY,
  MIN_PURPOSE_LENGTH,
  LOG_RETENTION_DAYS,
  SERVICE_MANIFEST_SCHEMA_PATH,
  serviceManifestJsonSchema,
} from './service-manifest';

const FILE = 'apps/orders-api/cache-service.json';
const manifest = {
  service: 'orders-api',
  keyspace: 'orders',
  owner: 'team-orders',
  purpose: 'cache lookups',
  authMode: 'password',
  accessProfile: 'readwrite',
};

function problemOf(value: unknown): ContractViolation {
  try {
    assertServiceManifest(value, FILE);
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error('expected a violation');
}

describe('service manifest', () => {
  it('accepts the required fields and fills the defaults in', () => {
    expect(assertServiceManifest(manifest, FILE)).toEqual({ ...manifest, handler: DEFAULT_HANDLER_ENTRY, function: {} });
  });

  it('accepts every optional field', () => {
    const full = {
      $schema: '../../libs/cache-contract/cache-service.schema.json',
      ...manifest,
      handler: 'src/lambda.ts',
      environments: ['dev', 'prod'],
      function: { memorySize: 512, timeoutSeconds: 20, logRetentionDays: 90, securityGroupIds: { prod: ['sg-0123456789abcdef0'] } },
      stackExtension: 'src/stack.ts',
    };
    // the parsed manifest leaves out the editor's schema pointer
    const expected: Record<string, unknown> = { ...full };
    delete expected['$schema'];
    expect(assertServiceManifest(full, FILE)).toEqual(expected);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ owner: '' }, 'invalid field owner "": must be a non-empty string'],
    [{ authMode: 'token' }, 'invalid field authMode "token": must be one of password, iam'],
    [{ accessProfile: 'admin' }, 'invalid field accessProfile "admin": must be one of readwrite, readonly'],
    [{ keyspace: 'a:b' }, 'invalid field keyspace "a:b": must not contain ":"'],
    [
      { owners: 'x' },
      'invalid field owners "x": unknown field; allowed fields are service, keyspace, owner, purpose, authMode, accessProfile, handler,',
    ],
    [
      { handler: '../other/index.ts' },
      'invalid field handler "../other/index.ts": must be a relative path to a .ts file inside the app folder',
    ],
    [{ handler: '/abs/index.ts' }, 'invalid field handler "/abs/index.ts"'],
    [{ environments: [] }, 'invalid field environments []: must be a non-empty list of environment names'],
    [{ environments: ['dev', 'dev'] }, 'invalid field environments ["dev","dev"]: lists an environment more than once'],
    [{ environments: ['prod-eu'] }, 'invalid field environments[0] "prod-eu": must not contain hyphens'],
    [{ function: { memorySize: 100 } }, 'invalid field function.memorySize 100: must be an integer from 128 to 10240 MB'],
    [{ function: { timeoutSeconds: 1.5 } }, 'invalid field function.timeoutSeconds 1.5: must be an integer from 1 to 900 seconds'],
    [{ function: { logRetentionDays: 2 } }, 'invalid field function.logRetentionDays 2: must be one of 1, 3, 5'],
    [
      { function: { memory: 512 } },
      'invalid field function.memory 512: unknown field; allowed fields are memorySize, timeoutSeconds, logRetentionDays, securityGroupIds',
    ],
    [
      { function: { securityGroupIds: ['sg-0123456789abcdef0'] } },
      'invalid field function.securityGroupIds ["sg-0123456789abcdef0"]: must map environment names to lists of security group ids',
    ],
    [
      { environments: ['dev'], function: { securityGroupIds: { prod: [] } } },
      `invalid field function.securityGroupIds key "prod": is not one of this service's environments (dev)`,
    ],
  ])('refuses %j naming the file, the field, the value and the rule', (override, message) => {
    const problem = problemOf({ ...manifest, ...override });
    expect(problem.message).toContain(`${FILE}: `);
    expect(problem.message).toContain(message);
  });

  it('names a missing required field', () => {
    const withoutOwner: Record<string, unknown> = { ...manifest };
    delete withoutOwner['owner'];
    expect(problemOf(withoutOwner).message).toBe(`${FILE}: field owner is required`);
    const withoutEither: Record<string, unknown> = { ...withoutOwner };
    delete withoutEither['purpose'];
    expect(problemOf(withoutEither).message).toBe(`${FILE}: 2 problems:\n  - field owner is required\n  - field purpose is required`);
  });

  it('reports every problem at once', () => {
    const problem = problemOf({ ...manifest, owner: '', memory: 1, function: { timeoutSeconds: 0 } });
    expect(problem).toBeInstanceOf(ContractViolations);
    expect((problem as ContractViolations).violations).toHaveLength(3);
    expect(problem.message.split('\n')).toEqual([
      `${FILE}: 3 problems:`,
      '  - invalid field owner "": must be a non-empty string',
      expect.stringContaining('  - invalid field memory 1: unknown field'),
      '  - invalid field function.timeoutSeconds 0: must be an integer from 1 to 900 seconds',
    ]);
  });

  it('refuses anything but an object', () => {
    expect(problemOf([]).message).toBe(`${FILE}: invalid service manifest []: must be a JSON object`);
  });
});

describe('cache-service.schema.json', () => {
  const schema = serviceManifestJsonSchema() as {
    properties: Record<string, { enum?: unknown[]; properties?: Record<string, { enum?: unknown[] }> }>;
    required: string[];
  };

  it('is the committed file, written from the contract (npm run manifest-schema)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', SERVICE_MANIFEST_SCHEMA_PATH), 'utf8'));
    expect(committed).toEqual(schema);
  });

  it('knows the same fields and values as the validator', () => {
    const fields = Object.keys(schema.properties);
    // the validator's list of allowed fields is the schema's, in the same order ($schema last)
    expect(problemOf({ ...manifest, notAField: 1 }).message).toContain(
      `allowed fields are ${fields.filter((f) => f !== '$schema').join(', ')}, $schema`,
    );
    expect(schema.required).toEqual(['service', 'keyspace', 'owner', 'purpose', 'authMode', 'accessProfile']);
    expect(schema.properties['authMode']!.enum).toEqual([...AUTH_MODES]);
    expect(schema.properties['accessProfile']!.enum).toEqual([...ACCESS_PROFILES]);
    expect(schema.properties['function']!.properties!['logRetentionDays']!.enum).toEqual([...LOG_RETENTION_DAYS]);
  });
});

describe('one field table: the validator and the schema agree', () => {
  type StringSchema = { type?: string; pattern?: string; maxLength?: number; minLength?: number };
  const schema = serviceManifestJsonSchema() as { properties: Record<string, StringSchema & { items?: StringSchema }> };
  /** what an editor's JSON schema check says about a string (the subset our string fields use) */
  const schemaAccepts = (s: StringSchema, value: string) =>
    (s.pattern === undefined || new RegExp(s.pattern).test(value)) &&
    (s.maxLength === undefined || value.length <= s.maxLength) &&
    (s.minLength === undefined || value.length >= s.minLength);
  const validatorAccepts = (field: string, value: unknown) => {
    try {
      assertServiceManifest(field === 'environments' ? { ...manifest, environments: [value] } : { ...manifest, [field]: value }, FILE);
      return true;
    } catch {
      return false;
    }
  };

  // names the schema can judge (reserved names and keyspace uniqueness are the validator's alone)
  const samples: Record<string, string[]> = {
    service: ['orders-api', 'a', 'Orders', 'orders--api', 'orders-', '1orders', 'x'.repeat(28), 'x'.repeat(29), 'ord:ers'],
    keyspace: ['orders', 'orders-v2', 'orders:v2', 'orders*', 'x'.repeat(32), 'x'.repeat(33)],
    cell: ['b', 'cell2', 'b-2', 'B', '2b', 'x'.repeat(6), 'x'.repeat(7)],
    environments: ['dev', 'prod1', 'eu-prod', 'Dev', 'x'.repeat(10), 'x'.repeat(11)],
    purpose: [
      'cache product lookups',
      'cache',
      'x'.repeat(MIN_PURPOSE_LENGTH - 1),
      'x'.repeat(MIN_PURPOSE_LENGTH),
      'x'.repeat(256),
      'x'.repeat(257),
    ],
    owner: ['team-orders', 'x'.repeat(256), 'x'.repeat(257)],
  };
  it.each(Object.keys(samples))('%s: every sample is accepted by both or refused by both', (field) => {
    const fieldSchema = field === 'environments' ? schema.properties[field]!.items! : schema.properties[field]!;
    const verdicts = samples[field]!.map((value) => ({
      value,
      schema: schemaAccepts(fieldSchema, value),
      validator: validatorAccepts(field, value),
    }));
    expect(verdicts.filter((v) => v.schema !== v.validator)).toEqual([]);
    // the samples exercise both answers
    expect(new Set(verdicts.map((v) => v.validator))).toEqual(new Set([true, false]));
  });

  it(`refuses a purpose too short to say why (under ${MIN_PURPOSE_LENGTH} characters, spaces around it not counted)`, () => {
    expect(problemOf({ ...manifest, purpose: 'cache' }).message).toBe(
      `${FILE}: invalid field purpose "cache": must say why the service needs the cache in at least ${MIN_PURPOSE_LENGTH} characters, e.g. "cache product lookups in front of the catalog DB"`,
    );
    expect(problemOf({ ...manifest, purpose: '   cache    ' }).message).toContain(`at least ${MIN_PURPOSE_LENGTH} characters`);
    expect(schema.properties['purpose']!.minLength).toBe(MIN_PURPOSE_LENGTH);
  });

  it('refuses in the manifest what AWS tagging would refuse later (purpose over 256 characters, characters tags do not allow)', () => {
    expect(problemOf({ ...manifest, purpose: 'x'.repeat(257) }).message).toContain('field purpose');
    expect(problemOf({ ...manifest, purpose: 'x'.repeat(257) }).message).toContain('must be at most 256 characters (it has 257)');
    expect(problemOf({ ...manifest, owner: 'team #orders' }).message).toContain(
      'AWS tag values allow only letters, digits, spaces and _ . : / = + - @',
    );
  });
});
