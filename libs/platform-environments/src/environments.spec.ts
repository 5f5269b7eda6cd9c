import { ContractViolation } from '@cache-platform/cache-contract';
import { assertEnvironments, ENVIRONMENTS, ENVIRONMENTS_ENV_VAR, selectEnvironments, type Environment } from './index';

const fake = (name: string): Environment => ({ name, region: 'eu-west-1', platform: { owner: 't', vpcId: 'vpc-00000000', subnetIds: [] } });
const three = [fake('dev'), fake('staging'), fake('prod')];
const names = (list: Environment[]) => list.map((e) => e.name);

describe('ENVIRONMENTS', () => {
  it('names every environment by the contract rules, once, each with a region', () => {
    expect(ENVIRONMENTS.length).toBeGreaterThan(0);
    expect(() => assertEnvironments(ENVIRONMENTS)).not.toThrow();
    for (const environment of ENVIRONMENTS) expect(environment.region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
  });

  it('refuses a list naming an environment twice', () => {
    expect(() => assertEnvironments([fake('dev'), fake('dev')])).toThrow('invalid environment name "dev": is listed more than once');
  });
});

describe('selectEnvironments', () => {
  it('selects every environment by default', () => {
    expect(names(selectEnvironments({ environments: three, env: {} }))).toEqual(['dev', 'staging', 'prod']);
  });

  it('selects only the named ones, in the list order', () => {
    expect(names(selectEnvironments({ environments: three, env: { [ENVIRONMENTS_ENV_VAR]: 'prod, dev' } }))).toEqual(['dev', 'prod']);
  });

  it('refuses an unknown name instead of deploying nothing', () => {
    expect(() => selectEnvironments({ environments: three, env: { [ENVIRONMENTS_ENV_VAR]: 'dev,qa' } })).toThrow(
      'invalid CACHE_PLATFORM_ENVIRONMENTS "dev,qa": unknown environment(s) qa; the platform defines dev, staging, prod',
    );
  });

  it('keeps a service to its own environments, and selects nothing where it does not run', () => {
    expect(names(selectEnvironments({ environments: three, only: ['dev'], env: {} }))).toEqual(['dev']);
    expect(names(selectEnvironments({ environments: three, only: ['dev'], env: { [ENVIRONMENTS_ENV_VAR]: 'prod' } }))).toEqual([]);
  });

  it('names the source of a subset that lists an environment the platform does not have', () => {
    const attempt = () => selectEnvironments({ environments: three, only: ['dev', 'qa'], source: 'apps/x/cache-service.json', env: {} });
    expect(attempt).toThrow(ContractViolation);
    expect(attempt).toThrow(
      'apps/x/cache-service.json: invalid environments ["dev","qa"]: qa is not a platform environment (known: dev, staging, prod)',
    );
  });
});
