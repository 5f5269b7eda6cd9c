import type { StateBucketConfig } from '@cache-platform/stack-base';

/** Where this service runs. Each environment must have a deployed platform stack of the same name. */
export interface ServiceEnvironment {
  readonly region: string;
  /** remote state; without it state stays in apps/enrollment-api/state/ */
  readonly stateBucket?: StateBucketConfig;
}

export const environments: Record<string, ServiceEnvironment> = {
  dev: { region: 'eu-west-1' },
  prod: { region: 'eu-west-1' },
};
