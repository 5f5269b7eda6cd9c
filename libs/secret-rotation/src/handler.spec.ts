import { readSettings } from './handler';

describe('readSettings', () => {
  it('needs no variable: AUTH test required, 300 s per wait for `active`, 5 s per AUTH', () => {
    expect(readSettings({})).toEqual({ authTest: 'required', activeTimeoutMs: 300_000, authTimeoutMs: 5000 });
  });

  it('reads the optional variables', () => {
    expect(
      readSettings({ ROTATION_AUTH_TEST: 'skip', ROTATION_USER_ACTIVE_TIMEOUT_SECONDS: '120', ROTATION_AUTH_TIMEOUT_MS: '2500' }),
    ).toEqual({ authTest: 'skip', activeTimeoutMs: 120_000, authTimeoutMs: 2500 });
  });

  it('names the variable, the value and the rule', () => {
    expect(() => readSettings({ ROTATION_AUTH_TEST: 'maybe' })).toThrow(
      'ROTATION_AUTH_TEST="maybe" is invalid: expected "required" (default) or "skip"',
    );
    expect(() => readSettings({ ROTATION_USER_ACTIVE_TIMEOUT_SECONDS: '-1' })).toThrow(
      'ROTATION_USER_ACTIVE_TIMEOUT_SECONDS="-1" is invalid: expected a positive number',
    );
  });
});
