import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ContractViolation } from '@cache-platform/cache-contract';

/*
 * The one way the infrastructure libraries' constructs validate input: every check throws a ContractViolation
 * (value and rule), and `validated` adds the construct path, so a synth of twenty stacks says which
 * construct in which stack refused what.
 */

/** Runs `check`; a ContractViolation it throws is re-thrown located at the construct's path. */
export function validated<T>(scope: IConstruct, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ContractViolation) throw error.at(scope.node.path);
    throw error;
  }
}

/** Throws a ContractViolation located at the construct. */
export function refuse(scope: IConstruct, subject: string, value: unknown, rule: string): never {
  throw new ContractViolation(subject, value, rule, scope.node.path);
}

/**
 * A value only known at apply time (a reference to another resource): such values are checked by
 * AWS, not here.
 */
export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}
