import { ContractViolation } from './errors';
import { assertKeyspace } from './naming';

/** The Redis key pattern a keyspace owns: every key of the service lives under `<keyspace>:`. */
export function keyPattern(keyspace: string): string {
  return `${assertKeyspace(keyspace)}:*`;
}

/** The prefix the runtime client puts in front of every key. */
export function keyPrefix(keyspace: string): string {
  return `${assertKeyspace(keyspace)}:`;
}

/**
 * True when some key could match both keyspaces' patterns. With the naming rules (one segment,
 * no ':'), two valid keyspaces overlap only when they are equal; the check is written for the
 * general prefix case anyway, so that loosening the naming rules can never silently break isolation.
 */
export function keyspacesOverlap(a: string, b: string): boolean {
  const pa = `${a}:`;
  const pb = `${b}:`;
  return pa.startsWith(pb) || pb.startsWith(pa);
}

/** A keyspace and the service that claims it. */
export interface KeyspaceClaim {
  readonly keyspace: string;
  readonly service: string;
  /** the manifest that makes the claim, named in the error when known */
  readonly source?: string;
}

const of = (claim: KeyspaceClaim) => (claim.source ? ` (${claim.source})` : '');

/**
 * Validates a set of claims: every keyspace valid, none claimed twice, none overlapping another.
 * Throws naming both services, and both manifests where the claims carry them.
 */
export function assertKeyspacesDisjoint(claims: readonly KeyspaceClaim[]): void {
  for (const claim of claims) assertKeyspace(claim.keyspace);
  claims.forEach((b, j) => {
    for (const a of claims.slice(0, j)) {
      if (a.keyspace === b.keyspace) {
        throw new ContractViolation(
          'keyspace',
          b.keyspace,
          `is already claimed by service ${JSON.stringify(a.service)}${of(a)}; keyspaces must be unique`,
          b.source,
        );
      }
      if (keyspacesOverlap(a.keyspace, b.keyspace)) {
        throw new ContractViolation(
          'keyspace',
          b.keyspace,
          `overlaps keyspace ${JSON.stringify(a.keyspace)} of service ${JSON.stringify(a.service)}${of(a)}; one service could read the other's keys`,
          b.source,
        );
      }
    }
  });
}
