import { CircuitBreaker, type CircuitState } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const changes: CircuitState[] = [];
  const make = () =>
    new CircuitBreaker(
      { failureThreshold: 3, cooldownMs: 1000 },
      (s) => changes.push(s),
      () => now,
    );
  beforeEach(() => {
    now = 0;
    changes.length = 0;
  });

  it('opens after the threshold of consecutive failures, not before', () => {
    const breaker = make();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('lets exactly one probe through after the cool-down; success closes it', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    now = 999;
    expect(breaker.allow()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens for a full cool-down when the probe fails', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    now = 1500;
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    now = 2400;
    expect(breaker.allow()).toBe(false);
    now = 2500;
    expect(breaker.allow()).toBe(true);
  });

  it('allows a new probe when the previous one never reported back', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    now = 1000;
    expect(breaker.allow()).toBe(true);
    now = 1500;
    expect(breaker.allow()).toBe(false);
    now = 2000;
    expect(breaker.allow()).toBe(true);
  });

  it('does not take a probe for stuck while it is within its own budget (it may be connecting)', () => {
    const breaker = new CircuitBreaker(
      { failureThreshold: 1, cooldownMs: 300, probeBudgetMs: 1250 },
      () => undefined,
      () => now,
    );
    breaker.failure();
    now = 300;
    expect(breaker.allow()).toBe(true);
    now = 1000;
    expect(breaker.allow()).toBe(false);
    now = 1550;
    expect(breaker.allow()).toBe(true);
  });
});
