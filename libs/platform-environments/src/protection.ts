import { ContractViolation } from '@cache-platform/cache-contract';
import type { Environment } from './environments';

/**
 * Refuses to act on a protected environment with local state. Run by the cdktf wrapper before cdktf
 * starts (so before any synth or AWS call) for `diff`, `deploy` and `destroy`: the state of an
 * environment holds each password-auth service's bootstrap password (the ElastiCache user resource
 * keeps it), which must not land in a file on someone's machine.
 */
export function assertStateAllowed(environment: Pick<Environment, 'name' | 'protected' | 'stateBucket'>, command: string): void {
  if (!environment.protected || environment.stateBucket) return;
  throw new ContractViolation(
    'environment',
    environment.name,
    `refusing to ${command} a protected environment with local state: its Terraform state holds service passwords; ` +
      `set stateBucket (an encrypted, versioned S3 bucket) for ${environment.name} in libs/platform-environments/src/environments.ts`,
  );
}
