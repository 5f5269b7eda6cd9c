import { type TfResource, type TfStack } from '@cache-platform/stack-analysis';

/** What a rule reports about one resource. */
export interface Violation {
  /** the offending resource */
  readonly resource: TfResource;
  /** what is wrong, with the offending value */
  readonly message: string;
}

/** Everything a rule may look at: the stacks it checks and, for cross-stack rules, the others. */
export interface PolicyContext {
  /** the stacks under check: findings are reported on their resources only */
  readonly stacks: readonly TfStack[];
  /**
   * Further stacks that cross-stack rules (one keyspace, one service) compare against but never
   * report on: the other apps' synthesized stacks of the workspace.
   */
  readonly contextStacks: readonly TfStack[];
}

/** One policy rule. Each lives in its own module under `rules/`. */
export interface PolicyRule {
  /** stable id (`CP001`): suppressions and docs name it; never reuse or renumber one */
  readonly id: string;
  /** short name, e.g. `keyspace-patterns` */
  readonly name: string;
  /** why the rule exists, in one line (docs/policy.md repeats it) */
  readonly rationale: string;
  /** how to fix a finding */
  readonly fix: string;
  /** the check, over one stack; cross-stack rules read `context` */
  check(stack: TfStack, context: PolicyContext): Violation[];
}
