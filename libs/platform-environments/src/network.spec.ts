import { assertEnvironmentNetwork, selectEnvironments, type Environment } from './index';

const env = (name: string, vpcId: string, subnetIds: string[]): Environment => ({
  name,
  region: 'eu-west-1',
  platform: { owner: 't', vpcId, subnetIds },
});
const real = env('dev', 'vpc-0123456789abcdef0', ['subnet-0123456789abcdef0', 'subnet-89abcdef']);

describe('environment network ids', () => {
  it('refuses a VPC or subnet id of the wrong shape at synth (selection), naming the file, environment and field', () => {
    const broken = env('dev', 'vpc-123', ['subnet-0123456789abcdef0', 'subnet-XYZ']);
    const attempt = () => selectEnvironments({ environments: [broken], env: {} });
    expect(attempt).toThrow('libs/platform-environments/src/environments.ts (environment dev): 2 problems:');
    expect(attempt).toThrow('invalid platform.vpcId "vpc-123": must be "vpc-" followed by 8 or 17 lower-case hexadecimal digits');
    expect(attempt).toThrow(
      'invalid platform.subnetIds[1] "subnet-XYZ": must be "subnet-" followed by 8 or 17 lower-case hexadecimal digits',
    );
  });

  it('checks only the selected environments: a broken prod does not stop a dev synth', () => {
    const prod = env('prod', 'vpc-nope', []);
    expect(selectEnvironments({ environments: [real, prod], env: { CACHE_PLATFORM_ENVIRONMENTS: 'dev' } })).toEqual([real]);
    expect(() => selectEnvironments({ environments: [real, prod], env: {} })).toThrow(
      '(environment prod): invalid platform.vpcId "vpc-nope"',
    );
  });

  it('lets the sample ids through a synth, but not a deploy, in one line naming every field that still holds one', () => {
    const sample = env('dev', 'vpc-0a1b2c3d4e5f60718', ['subnet-0123456789abcdef0', 'subnet-0a1b2c3d4e5f60722']);
    expect(() => assertEnvironmentNetwork(sample)).not.toThrow();
    const attempt = () => assertEnvironmentNetwork(sample, { deploy: true });
    expect(attempt).toThrow(
      'libs/platform-environments/src/environments.ts (environment dev): invalid platform.vpcId, platform.subnetIds[1] ' +
        '["vpc-0a1b2c3d4e5f60718","subnet-0a1b2c3d4e5f60722"]: these are the sample ids environments.ts ships with',
    );
    expect(() => assertEnvironmentNetwork(real, { deploy: true })).not.toThrow();
  });
});
