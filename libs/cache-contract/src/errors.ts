/**
 * Thrown when a value breaks one of the contract's rules. The message always names the offending
 * value and the rule, so a synth, a generator run or a Lambda cold start fails with something a
 * person can act on.
 */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';

  constructor(
    /** what kind of value was checked, e.g. `service name` */
    readonly subject: string,
    /** the offending value, as given */
    readonly value: unknown,
    /** the rule it broke, in plain words */
    readonly rule: string,
  ) {
    super(`invalid ${subject} ${JSON.stringify(value)}: ${rule}`);
  }
}
