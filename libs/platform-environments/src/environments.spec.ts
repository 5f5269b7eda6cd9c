import { assertEnvironmentName } from '@cache-platform/cache-contract';
import { ENVIRONMENTS } from './index';

describe('ENVIRONMENTS', () => {
  it('names every environment by the contract rules and gives it a region', () => {
    expect(Object.keys(ENVIRONMENTS).length).toBeGreaterThan(0);
    for (const [name, environment] of Object.entries(ENVIRONMENTS)) {
      expect(assertEnvironmentName(name)).toBe(name);
      expect(environment.region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    }
  });
});
