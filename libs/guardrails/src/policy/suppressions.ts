import { readFileSync } from 'node:fs';
import { nearestFolderWith } from '@cache-platform/platform-environments';

/** Where an app keeps its suppressions: next to its `cdktf.json`. */
export const SUPPRESSIONS_FILE = 'policy-suppressions.json';

/** Shortest reason accepted: a reason is a sentence somebody can review, not a placeholder. */
export const MIN_REASON_LENGTH = 10;

/** One accepted exception: a rule does not apply to one resource, for a written reason. */
export interface Suppression {
  /** rule id, e.g. `CP009` */
  readonly rule: string;
  /** the resource's Terraform address (`aws_lambda_function.x_ABC123`) or construct path (`orders-api-dev/legacy/function`) */
  readonly resource: string;
  /** why the exception is acceptable; shown in every report */
  readonly reason: string;
  /** the stacks it applies to (those of the app whose file holds it); absent: every stack checked */
  readonly stacks?: readonly string[];
}

/** Thrown for a suppression file that cannot be accepted (a missing reason, an unknown rule). */
export class SuppressionError extends Error {
  override readonly name = 'SuppressionError';
}

/**
 * Validates suppressions: each names a known rule and a resource and gives a reason of at least
 * {@link MIN_REASON_LENGTH} characters. Every problem is reported at once.
 */
export function parseSuppressions(value: unknown, source: string, knownRules: readonly string[]): Suppression[] {
  const list = Array.isArray(value) ? value : (value as { suppressions?: unknown } | null)?.suppressions;
  if (!Array.isArray(list)) throw new SuppressionError(`${source}: expected {"suppressions": [{"rule", "resource", "reason"}, ...]}`);
  const problems: string[] = [];
  const accepted: Suppression[] = [];
  list.forEach((entry: unknown, i) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const label = `suppression #${i + 1} (${JSON.stringify(e['rule'] ?? null)} on ${JSON.stringify(e['resource'] ?? null)})`;
    const before = problems.length;
    if (typeof e['rule'] !== 'string' || !knownRules.includes(e['rule'])) {
      problems.push(`${label}: rule must be one of ${knownRules.join(', ')}`);
    }
    if (typeof e['resource'] !== 'string' || e['resource'].trim() === '') {
      problems.push(`${label}: resource must name a Terraform address or construct path`);
    }
    const reason = e['reason'];
    if (typeof reason !== 'string' || reason.trim() === '') {
      problems.push(`${label}: has no reason; a suppression must say why the rule does not apply ("reason": "...")`);
    } else if (reason.trim().length < MIN_REASON_LENGTH) {
      problems.push(
        `${label}: reason ${JSON.stringify(reason)} is too short to review; say why in at least ${MIN_REASON_LENGTH} characters`,
      );
    }
    if (problems.length === before)
      accepted.push({ rule: e['rule'] as string, resource: (e['resource'] as string).trim(), reason: (reason as string).trim() });
  });
  if (problems.length > 0)
    throw new SuppressionError(`${source}: refused ${problems.length} suppression problem(s):\n  - ${problems.join('\n  - ')}`);
  return accepted;
}

export function readSuppressionsFile(file: string, knownRules: readonly string[]): Suppression[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SuppressionError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseSuppressions(parsed, file, knownRules);
}

/**
 * The app folder a stack folder belongs to: the nearest ancestor (or itself) holding `cdktf.json`.
 * Its suppressions file applies to every stack synthesized from it.
 */
export function appFolderOf(dir: string): string | undefined {
  return nearestFolderWith(dir, 'cdktf.json');
}
