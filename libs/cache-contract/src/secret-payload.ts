import { ContractViolation } from './errors';
import { assertKeyspace } from './naming';

/**
 * The JSON document stored in each service's Secrets Manager secret. Infrastructure writes it,
 * the runtime reads it, rotation rewrites it: this type is the one shape all three agree on.
 *
 * `username`, `password` and `user_arn` are the names the AWS rotation template for ElastiCache
 * users expects; the rest are ours.
 */
export interface CacheSecretPayload {
  /** schema version of this document */
  readonly schemaVersion: typeof SECRET_SCHEMA_VERSION;
  /** primary endpoint address (ElastiCache Serverless: one DNS name for the whole cluster) */
  readonly host: string;
  /** primary endpoint port (6379 on ElastiCache Serverless) */
  readonly port: number;
  /** read-from-replica port (6380 on ElastiCache Serverless) */
  readonly readerPort?: number;
  /** Redis user name (equal to the ElastiCache user id) */
  readonly username: string;
  /** current password; empty only when `authMode` is `iam` */
  readonly password: string;
  /** the service's keyspace: every key lives under `<keyspace>:` */
  readonly keyspace: string;
  /** TLS on the wire; always true on ElastiCache Serverless */
  readonly tls: boolean;
  /** how the client authenticates */
  readonly authMode: AuthMode;
  /** serverless cache name, needed to sign IAM auth tokens */
  readonly cacheName: string;
  /** ARN of the ElastiCache user, needed by rotation (`ModifyUser`) */
  readonly user_arn: string;
  /** true for ElastiCache Serverless and other cluster-mode caches */
  readonly clusterMode: boolean;
}

export type AuthMode = 'password' | 'iam';
export const AUTH_MODES: readonly AuthMode[] = ['password', 'iam'];
export const SECRET_SCHEMA_VERSION = 1 as const;

/** Validates an auth mode; `subject` names it as the caller's user knows it (a prop, a CLI option). */
export function assertAuthMode(value: unknown, subject = 'auth mode'): AuthMode {
  if (!AUTH_MODES.includes(value as AuthMode)) {
    throw new ContractViolation(subject, value, `must be one of ${AUTH_MODES.join(', ')}`);
  }
  return value as AuthMode;
}

/** Environment variable through which a Lambda learns which secret holds its cache credentials. */
export const SECRET_ARN_ENV_VAR = 'REDIS_SECRET_ARN';

/** Raised when a secret document does not match {@link CacheSecretPayload}. Never carries the password. */
export class SecretPayloadError extends Error {
  override readonly name = 'SecretPayloadError';
  constructor(
    readonly field: string,
    readonly source: string,
    rule: string,
  ) {
    super(`cache secret ${source}: field "${field}" ${rule}`);
  }
}

type Check = (value: unknown) => string | undefined;

const nonEmptyString: Check = (v) =>
  typeof v !== 'string' ? `must be a string (got ${typeName(v)})` : v.trim() === '' ? 'must not be empty' : undefined;
const port: Check = (v) =>
  typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535 ? `must be an integer port 1-65535 (got ${describe(v)})` : undefined;
const boolean: Check = (v) => (typeof v !== 'boolean' ? `must be a boolean (got ${typeName(v)})` : undefined);

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

// values of non-secret fields may be shown; the password never is
function describe(v: unknown): string {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeName(v);
}

/**
 * Parses and validates a secret string. Throws {@link SecretPayloadError} naming the field and
 * `source` (the secret ARN); the message never contains the password or the raw document.
 */
export function parseCacheSecret(secretString: string | undefined, source: string): CacheSecretPayload {
  if (typeof secretString !== 'string' || secretString.trim() === '') {
    throw new SecretPayloadError('(document)', source, 'is missing: the secret has no SecretString');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(secretString);
  } catch {
    // the parser's message can quote part of the document, and so the password: drop it
    throw new SecretPayloadError('(document)', source, 'is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SecretPayloadError('(document)', source, `must be a JSON object (got ${typeName(doc)})`);
  }
  const d = doc as Record<string, unknown>;
  const require = (field: string, check: Check) => {
    if (!(field in d) || d[field] === undefined) throw new SecretPayloadError(field, source, 'is missing');
    const problem = check(d[field]);
    if (problem) throw new SecretPayloadError(field, source, problem);
  };
  const optional = (field: string, check: Check) => {
    if (d[field] === undefined || d[field] === null) return;
    const problem = check(d[field]);
    if (problem) throw new SecretPayloadError(field, source, problem);
  };

  if (d['schemaVersion'] !== SECRET_SCHEMA_VERSION) {
    throw new SecretPayloadError(
      'schemaVersion',
      source,
      `must be ${SECRET_SCHEMA_VERSION} (got ${describe(d['schemaVersion'])}); this client is older or newer than the secret`,
    );
  }
  require('host', nonEmptyString);
  require('port', port);
  optional('readerPort', port);
  require('username', nonEmptyString);
  require('keyspace', nonEmptyString);
  require('tls', boolean);
  require('clusterMode', boolean);
  require('cacheName', nonEmptyString);
  require('user_arn', nonEmptyString);
  require('authMode', (v) =>
    AUTH_MODES.includes(v as AuthMode)
      ? undefined
      : `must be one of ${AUTH_MODES.join(', ')} (got ${typeof v === 'string' ? JSON.stringify(v) : typeName(v)})`);
  if (d['authMode'] === 'password') require('password', nonEmptyString);
  else optional('password', (v) => (typeof v === 'string' ? undefined : `must be a string (got ${typeName(v)})`));
  try {
    assertKeyspace(d['keyspace']);
  } catch (error) {
    throw new SecretPayloadError('keyspace', source, (error as Error).message);
  }
  return d as unknown as CacheSecretPayload;
}
