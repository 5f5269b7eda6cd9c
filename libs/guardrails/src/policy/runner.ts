import type { PolicyContext, PolicyRule } from './rule';
import { RULES } from './rules';
import { type TfStack } from '@cache-platform/stack-analysis';
import type { Suppression } from './suppressions';

/** One broken rule on one resource. */
export interface Finding {
  readonly rule: string;
  readonly ruleName: string;
  readonly stack: string;
  /** the Terraform address */
  readonly address: string;
  /** the construct path, when cdktf recorded one */
  readonly path: string | undefined;
  readonly message: string;
  readonly fix: string;
}

/** A finding that a suppression accepted, with its reason. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

export interface PolicyReport {
  /** the stacks checked */
  readonly stacks: readonly string[];
  /** the rules run */
  readonly rules: readonly string[];
  /** unsuppressed findings: any of them fails the run */
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  /** suppressions that matched nothing (stale: the resource or the problem is gone) */
  readonly unusedSuppressions: readonly Suppression[];
}

export interface RunPolicyOptions {
  readonly stacks: readonly TfStack[];
  /** stacks that cross-stack rules compare against but never report on (other apps' output) */
  readonly contextStacks?: readonly TfStack[];
  /** @default every rule of the pack */
  readonly rules?: readonly PolicyRule[];
  readonly suppressions?: readonly Suppression[];
}

function matches(suppression: Suppression, finding: Finding): boolean {
  return (
    suppression.rule === finding.rule &&
    (suppression.resource === finding.address || suppression.resource === finding.path) &&
    (suppression.stacks === undefined || suppression.stacks.includes(finding.stack))
  );
}

/** Runs every rule over every stack; findings come out in stack, rule, address order. */
export function runPolicy(options: RunPolicyOptions): PolicyReport {
  const rules = options.rules ?? RULES;
  const context: PolicyContext = { stacks: options.stacks, contextStacks: options.contextStacks ?? [] };
  const suppressions = options.suppressions ?? [];
  const used = new Set<Suppression>();
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const stack of options.stacks) {
    for (const rule of rules) {
      for (const violation of rule.check(stack, context)) {
        const finding: Finding = {
          rule: rule.id,
          ruleName: rule.name,
          stack: stack.name,
          address: violation.resource.address,
          path: violation.resource.path,
          message: violation.message,
          fix: rule.fix,
        };
        const suppression = suppressions.find((s) => matches(s, finding));
        if (suppression) {
          used.add(suppression);
          suppressed.push({ ...finding, reason: suppression.reason });
        } else {
          findings.push(finding);
        }
      }
    }
  }
  return {
    stacks: options.stacks.map((s) => s.name),
    rules: rules.map((r) => r.id),
    findings,
    suppressed,
    unusedSuppressions: suppressions.filter((s) => !used.has(s)),
  };
}

const where = (f: Finding) => `${f.stack}: ${f.address}${f.path ? ` (${f.path})` : ''}`;

/** The report as text: every finding with rule id, resource, message and fix; every suppression with its reason. */
export function formatPolicyReport(report: PolicyReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.rule} ${f.ruleName}  ${where(f)}`, `  ${f.message}`, `  fix: ${f.fix}`);
  }
  for (const s of report.suppressed) {
    lines.push(`suppressed ${s.rule} ${s.ruleName}  ${where(s)}`, `  ${s.message}`, `  reason: ${s.reason}`);
  }
  for (const s of report.unusedSuppressions) {
    lines.push(`unused suppression ${s.rule} on ${s.resource} (matched nothing in the stacks checked): ${s.reason}`);
  }
  const summary =
    report.findings.length === 0
      ? `policy: ${report.stacks.length} stack(s) pass ${report.rules.length} rules`
      : `policy: ${report.findings.length} finding(s) in ${new Set(report.findings.map((f) => f.stack)).size} of ${report.stacks.length} stack(s)`;
  lines.push(`${summary}${report.suppressed.length ? `, ${report.suppressed.length} suppressed with a reason` : ''}`);
  return lines.join('\n');
}
