import { ContractViolation, throwViolations } from '@cache-platform/cache-contract';
import type { Environment } from './environments';

/** Where the environments are defined: named in every message about their settings. */
export const ENVIRONMENTS_FILE = 'libs/platform-environments/src/environments.ts';

/**
 * The VPC and subnet ids `environments.ts` ships with: of the right shape, so a fresh clone synthesizes
 * and validates, but of no real VPC. A deploy refuses them: the apply would fail at AWS with
 * "InvalidVpcID.NotFound" after a full init and a partial apply.
 */
export const SAMPLE_NETWORK_IDS: readonly string[] = [
  'vpc-0a1b2c3d4e5f60718',
  'subnet-0a1b2c3d4e5f60711',
  'subnet-0a1b2c3d4e5f60722',
  'vpc-0f1e2d3c4b5a69788',
  'subnet-0f1e2d3c4b5a69711',
  'subnet-0f1e2d3c4b5a69722',
  'subnet-0f1e2d3c4b5a69733',
];

// AWS resource ids: the prefix and 8 (older) or 17 (current) lower-case hex digits, as libs/cache-foundation checks them
const resourceId = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
const VPC_ID = resourceId('vpc');
const SUBNET_ID = resourceId('subnet');

export interface NetworkCheckOptions {
  /** also refuse the sample ids (for `deploy`) */
  readonly deploy?: boolean;
}

/**
 * Checks an environment's `platform.vpcId` and `platform.subnetIds`: each of the right shape (always),
 * and, for a deploy, none of them the sample placeholders. Every problem at once, each naming the file,
 * the environment and the field.
 */
export function assertEnvironmentNetwork(environment: Pick<Environment, 'name' | 'platform'>, options: NetworkCheckOptions = {}): void {
  const where = `${ENVIRONMENTS_FILE} (environment ${environment.name})`;
  const problems: ContractViolation[] = [];
  const samples: Array<[string, string]> = [];
  const check = (field: string, value: unknown, shape: RegExp, prefix: string) => {
    if (typeof value !== 'string' || !shape.test(value)) {
      problems.push(new ContractViolation(field, value, `must be "${prefix}-" followed by 8 or 17 lower-case hexadecimal digits`, where));
    } else if (SAMPLE_NETWORK_IDS.includes(value)) {
      samples.push([field, value]);
    }
  };
  check('platform.vpcId', environment.platform.vpcId, VPC_ID, 'vpc');
  const subnets = environment.platform.subnetIds;
  if (Array.isArray(subnets)) subnets.forEach((id, i) => check(`platform.subnetIds[${i}]`, id, SUBNET_ID, 'subnet'));
  if (options.deploy && samples.length > 0) {
    // one problem for all of them: a fresh clone has every id of the environment still a sample
    problems.push(
      new ContractViolation(
        samples.map(([field]) => field).join(', '),
        samples.map(([, id]) => id),
        'these are the sample ids environments.ts ships with, not your network: set platform.vpcId to your VPC and ' +
          'platform.subnetIds to its private subnets (one per Availability Zone) before deploying (README, "Deploy")',
        where,
      ),
    );
  }
  throwViolations(problems);
}
