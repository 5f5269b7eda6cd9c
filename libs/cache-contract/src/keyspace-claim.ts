import { ContractViolation } from './errors';
import { keyspaceClaimsPath } from './exports';
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

/**
 * One SSM GetParametersByPath call, made with the caller's own client and retry settings (the contract
 * loads no SDK): `(input) => client.send(new GetParametersByPathCommand(input))` fits as it is.
 */
export type GetParametersByPathPage = (input: { Path: string; Recursive: boolean; NextToken?: string | undefined }) => Promise<{
  Parameters?: readonly { Name?: string | undefined; Value?: string | undefined }[] | undefined;
  NextToken?: string | undefined;
}>;

/**
 * A keyspace claim found in SSM: its record, or, when its value is unreadable, why (parseKeyspaceClaim's
 * refusal, located at the SSM parameter). An unreadable claim still holds its keyspace.
 */
export type FoundKeyspaceClaim =
  | { readonly keyspace: string; readonly record: KeyspaceClaimRecord; readonly problem?: undefined }
  | { readonly keyspace: string; readonly record?: undefined; readonly problem: ContractViolation };

/**
 * Every keyspace claim of `environment`, all pages, in the order SSM lists them: the one read of the
 * claims for the rotation report, the platform's destroy guard and the audit. Each caller decides what
 * an unreadable claim means to it (the report refuses it, the guard and the audit count it as held).
 */
export async function listKeyspaceClaims(environment: string, getPage: GetParametersByPathPage): Promise<FoundKeyspaceClaim[]> {
  const path = keyspaceClaimsPath(environment);
  const claims: FoundKeyspaceClaim[] = [];
  let token: string | undefined;
  do {
    // not recursive: a claim is a direct child of the path, and nothing a stack writes lies deeper
    const page = await getPage({ Path: path, Recursive: false, NextToken: token });
    for (const parameter of page.Parameters ?? []) {
      const keyspace = (parameter.Name ?? '').slice(path.length + 1);
      try {
        claims.push({ keyspace, record: parseKeyspaceClaim(keyspace, parameter.Value ?? '') });
      } catch (error) {
        if (!(error instanceof ContractViolation)) throw error;
        claims.push({ keyspace, problem: error.at(`SSM parameter ${parameter.Name ?? path}`) });
      }
    }
    token = page.NextToken;
  } while (token);
  return claims;
}
