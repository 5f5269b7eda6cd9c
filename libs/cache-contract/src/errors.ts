/**
 * Thrown when a value breaks one or more of the contract's rules. The message always names the
 * offending value and every rule it breaks (so nobody fixes a name one rule per run), and where the
 * value came from when that is known (a construct path such as `orders-api-dev/handler`, or a file such
 * as `apps/orders-api/cache-service.json`), so a synth, a generator run or a Lambda cold start fails
 * with something a person can act on.
 */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  /** every rule the value breaks, in plain words, in the order the checks run */
  readonly rules: readonly string[];
  /** the rules joined into one sentence (`rule; rule`), as shown in the message */
  readonly rule: string;

  constructor(
    /** what kind of value was checked, e.g. `service name` */
    readonly subject: string,
    /** the offending value, as given */
    readonly value: unknown,
    /** the rule it broke, or every rule it broke */
    rule: string | readonly string[],
    /** where the value came from: a construct path or a file */
    readonly where?: string,
  ) {
    const rules = typeof rule === 'string' ? [rule] : [...rule];
    const joined = rules.join('; ');
    super(`${where ? `${where}: ` : ''}invalid ${subject} ${JSON.stringify(value)}: ${joined}`);
    this.rules = Object.freeze(rules);
    this.rule = joined;
  }

  /** The violation without its location: one line of a {@link ContractViolations} list. */
  get statement(): string {
    return `invalid ${this.subject} ${JSON.stringify(this.value)}: ${this.rule}`;
  }

  /** The same violation, located: `at` is a construct path or a file. Keeps an existing location. */
  at(where: string): ContractViolation {
    return this.where ? this : new ContractViolation(this.subject, this.value, this.rules, where);
  }
}

/**
 * A value that was not given at all: `--owner is required: pass it, e.g. --owner=team-orders`, never
 * `invalid --owner undefined`. `hint` says how to give it (may be empty).
 */
export class MissingValue extends ContractViolation {
  constructor(subject: string, hint = '', where?: string) {
    super(subject, undefined, hint, where);
    this.message = `${where ? `${where}: ` : ''}${this.statement}`;
  }

  override get statement(): string {
    return `${this.subject} is required${this.rule ? `: ${this.rule}` : ''}`;
  }

  override at(where: string): ContractViolation {
    return this.where ? this : new MissingValue(this.subject, this.rule, where);
  }
}

/**
 * Several violations found in one pass (a manifest with three bad fields), reported together so
 * nobody fixes them one run at a time. Each entry is a full {@link ContractViolation}.
 */
export class ContractViolations extends ContractViolation {
  constructor(
    readonly violations: readonly ContractViolation[],
    where?: string,
  ) {
    const first = firstOf(violations);
    super(first.subject, first.value, first.rules, where ?? first.where);
    const located = (v: ContractViolation) => (v.where && v.where !== this.where ? `${v.where}: ` : '');
    this.message = `${this.where ? `${this.where}: ` : ''}${violations.length} problems:\n${violations
      .map((v) => `  - ${located(v)}${v.statement}`)
      .join('\n')}`;
  }
}

function firstOf(violations: readonly ContractViolation[]): ContractViolation {
  const [first] = violations;
  if (!first) throw new RangeError('ContractViolations needs at least one violation');
  return first;
}

/** Throws nothing, the one violation, or all of them at once. */
export function throwViolations(violations: readonly ContractViolation[], where?: string): void {
  const [only, ...more] = violations;
  if (!only) return;
  if (more.length === 0) throw where ? only.at(where) : only;
  throw new ContractViolations(violations, where);
}

/**
 * Runs `check` and returns the violation it throws (or undefined), so a validator can collect every
 * problem instead of stopping at the first. Anything that is not a violation is re-thrown.
 */
export function violationOf(check: () => unknown): ContractViolation | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
}
