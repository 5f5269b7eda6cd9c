import { ENVIRONMENTS, type DeploymentEnvironment } from '@cache-platform/platform-environments';

/** Where this service runs. Each environment must have a deployed platform stack of the same name. */
export type ServiceEnvironment = DeploymentEnvironment;

// every platform environment (region and state bucket come from the shared list); pick a subset to
// keep this service out of one, e.g. `{ dev: ENVIRONMENTS.dev }`
export const environments: Record<string, ServiceEnvironment> = { ...ENVIRONMENTS };
