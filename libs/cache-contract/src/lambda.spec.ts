import { bundleTargetOf, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './lambda';

describe('the platform Lambda runtime, defined once', () => {
  it('is a Node.js runtime the bundler can target', () => {
    expect(LAMBDA_RUNTIME).toBe('nodejs22.x');
    expect(LAMBDA_ARCHITECTURE).toBe('arm64');
    expect(bundleTargetOf(LAMBDA_RUNTIME)).toBe('node22');
    expect(bundleTargetOf('nodejs24.x')).toBe('node24');
  });

  it('refuses a runtime that is not Node.js, naming it', () => {
    expect(() => bundleTargetOf('python3.12')).toThrow('invalid Lambda runtime "python3.12": expected "nodejs<major>.x"');
  });
});
