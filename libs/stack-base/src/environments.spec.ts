import { ENVIRONMENTS_ENV_VAR, selectEnvironments } from './environments';

describe('selectEnvironments', () => {
  const all = { dev: 1, staging: 2, prod: 3 };
  it('selects every environment by default', () => {
    expect(selectEnvironments(all, {})).toEqual([['dev', 1], ['staging', 2], ['prod', 3]]);
  });
  it('selects only the named ones', () => {
    expect(selectEnvironments(all, { [ENVIRONMENTS_ENV_VAR]: 'prod, dev' })).toEqual([['dev', 1], ['prod', 3]]);
  });
  it('refuses an unknown name instead of deploying nothing', () => {
    expect(() => selectEnvironments(all, { [ENVIRONMENTS_ENV_VAR]: 'dev,qa' })).toThrow(
      'invalid CACHE_PLATFORM_ENVIRONMENTS "dev,qa": unknown environment(s) qa; this app defines dev, staging, prod',
    );
  });
});
