import { ContractViolation } from './errors';
import { assertKeyspace, assertServiceName } from './naming';

/**
 * What a keyspace claim parameter (see `keyspaceClaimParameterName`) records: who holds the
 * keyspace and why. Service stacks write it; migration checks and people read it to find the owner
 * of a keyspace without guessing.
 */
export interface KeyspaceClaimRecord {
  /** the service that holds the keyspace */
  readonly service: string;
  /** the team accountable for it */
  readonly owner: string;
  /** why the service needs the cache */
  readonly purpose: string;
}

// SSM standard-tier parameters hold at most 4 KB; a claim is far below that unless a field is abused
const MAX_CLAIM_FIELD_LENGTH = 256;

function checkField(field: keyof KeyspaceClaimRecord, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ContractViolation(`keyspace claim ${field}`, value, 'must be a non-empty string');
  }
  if (value.length > MAX_CLAIM_FIELD_LENGTH) {
    throw new ContractViolation(
      `keyspace claim ${field}`,
      value,
      `must be at most ${MAX_CLAIM_FIELD_LENGTH} characters (it has ${value.length})`,
    );
  }
  return value;
}

/**
 * Renders the claim parameter's value: compact JSON with a fixed key order, so the same record
 * always produces the same string (a reordered document would show up as a diff on every plan).
 */
export function formatKeyspaceClaim(record: KeyspaceClaimRecord): string {
  const doc: KeyspaceClaimRecord = {
    service: assertServiceName(record.service),
    owner: checkField('owner', record.owner),
    purpose: checkField('purpose', record.purpose),
  };
  return JSON.stringify(doc);
}

/** Parses a claim parameter's value; throws naming the keyspace and the broken field. */
export function parseKeyspaceClaim(keyspace: string, value: string): KeyspaceClaimRecord {
  assertKeyspace(keyspace);
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw new ContractViolation(`claim of keyspace ${JSON.stringify(keyspace)}`, value, 'must be a JSON object {service, owner, purpose}');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ContractViolation(`claim of keyspace ${JSON.stringify(keyspace)}`, value, 'must be a JSON object {service, owner, purpose}');
  }
  const d = doc as Record<string, unknown>;
  return { service: assertServiceName(d['service']), owner: checkField('owner', d['owner']), purpose: checkField('purpose', d['purpose']) };
}
