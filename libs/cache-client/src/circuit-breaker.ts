import { monotonicMs } from './time';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Circuit breaker settings. */
export interface CircuitOptions {
  /**
   * Consecutive failures (errors or timeouts) that open the circuit.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * Milliseconds the circuit stays open before one request probes Redis again.
   * @default 5000
   */
  readonly cooldownMs?: number;
}

/** Internal settings on top of the public {@link CircuitOptions}. */
export interface CircuitBreakerSettings extends CircuitOptions {
  /**
   * Milliseconds a probe may legitimately take (it may have to connect): before then it is not
   * considered stuck, even when that is longer than the cool-down.
   * @default 0 (the cool-down alone decides)
   */
  readonly probeBudgetMs?: number;
}

/**
 * Counts consecutive cache failures. Open: every request skips Redis (straight to the loader) until
 * the cool-down ends; then exactly one request probes (half-open) while the others keep skipping.
 * The probe's success closes the circuit, its failure re-opens it for another cool-down.
 */
export class CircuitBreaker {
  private stateValue: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private probeStartedAt = 0;
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly probeBudgetMs: number;

  constructor(
    options: CircuitBreakerSettings = {},
    private readonly onChange: (state: CircuitState) => void = () => undefined,
    private readonly now: () => number = monotonicMs,
  ) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 5000;
    this.probeBudgetMs = options.probeBudgetMs ?? 0;
  }

  get state(): CircuitState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.stateValue;
  }

  /** True when this request may use Redis. In half-open, only the first caller gets true (the probe). */
  allow(): boolean {
    if (this.stateValue === 'closed') return true;
    // a probe that never reported back (its caller vanished) must not keep the circuit open forever
    const stuck = this.probing && this.now() - this.probeStartedAt >= Math.max(this.cooldownMs, this.probeBudgetMs);
    if (this.state === 'half-open' && (!this.probing || stuck)) {
      this.probing = true;
      this.probeStartedAt = this.now();
      this.set('half-open');
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.stateValue !== 'closed') this.set('closed');
  }

  failure(): void {
    this.failures++;
    if (this.stateValue === 'closed' && this.failures < this.failureThreshold) return;
    this.probing = false;
    this.openedAt = this.now();
    this.set('open');
  }

  private set(state: CircuitState): void {
    const changed = this.stateValue !== state;
    this.stateValue = state;
    if (changed) this.onChange(state);
  }
}
