import { assertEnvironmentName } from '@cache-platform/cache-contract';
import type { StateBucketConfig } from '@cache-platform/stack-base';

/** Where one environment lives: shared by the platform stack and every service stack of that name. */
export interface DeploymentEnvironment {
  /** AWS region, e.g. `eu-west-1`: a service must run where the platform's exports are */
  readonly region: string;
  /**
   * Remote state for every stack of this environment.
   * @default local state inside each app (`<app>/state/`)
   */
  readonly stateBucket?: StateBucketConfig;
}

/**
 * The environments, in one place: adding `staging` here gives it to the platform and to every service
 * (each service's `src/environments.ts` may still pick a subset).
 */
export const ENVIRONMENTS = {
  dev: { region: 'eu-west-1' },
  prod: { region: 'eu-west-1' },
} as const satisfies Record<string, DeploymentEnvironment>;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

for (const name of Object.keys(ENVIRONMENTS)) assertEnvironmentName(name);
