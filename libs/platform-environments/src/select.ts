import {
  assertEnvironmentName,
  assertRotationSchedule,
  ContractViolation,
  ENVIRONMENTS_ENV_VAR,
  selectedEnvironmentNames,
} from '@cache-platform/cache-contract';
import { ENVIRONMENTS, type Environment } from './environments';
import { assertEnvironmentNetwork } from './network';

export { ENVIRONMENTS_ENV_VAR };

export interface SelectEnvironmentsOptions {
  /**
   * The environments the app runs in (a service manifest's `environments`); each must exist.
   * @default every environment
   */
  readonly only?: readonly string[];
  /** where `only` came from, named in its error (e.g. the manifest's path) */
  readonly source?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default ENVIRONMENTS */
  readonly environments?: readonly Environment[];
}

/**
 * The environments an app should synthesize: its own (all, or `only`), narrowed by
 * CACHE_PLATFORM_ENVIRONMENTS, so `CACHE_PLATFORM_ENVIRONMENTS=dev nx run-many -t deploy` never touches
 * prod. The list itself is checked first ({@link assertEnvironments}). A name no environment has is an error, never an empty deploy; a known environment the app
 * does not run in is simply not selected (a dev-only service has nothing to deploy to prod).
 */
export function selectEnvironments(options: SelectEnvironmentsOptions = {}): Environment[] {
  const all = options.environments ?? ENVIRONMENTS;
  // the list is code anyone may edit: checked wherever it is read, not only by a spec
  assertEnvironments(all);
  const known = all.map((e) => e.name);
  if (options.only) {
    const unknown = options.only.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new ContractViolation(
        'environments',
        options.only,
        `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a platform environment (known: ${known.join(', ')})`,
        options.source,
      );
    }
  }
  const only = options.only;
  const own = only ? all.filter((e) => only.includes(e.name)) : [...all];
  const env = options.env ?? process.env;
  const raw = env[ENVIRONMENTS_ENV_VAR];
  const wanted = selectedEnvironmentNames(env);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ContractViolation(
      ENVIRONMENTS_ENV_VAR,
      raw,
      `unknown environment(s) ${unknown.join(', ')}; the platform defines ${known.join(', ')}`,
    );
  }
  const selected = wanted.length === 0 ? own : own.filter((e) => wanted.includes(e.name));
  // every synth (platform and services) selects here: a VPC or subnet id of the wrong shape stops it
  // with the file and field, not deep inside a construct
  for (const environment of selected) assertEnvironmentNetwork(environment);
  return selected;
}

/** Checks the list itself: names follow the contract and appear once; rotation schedules are ones Secrets Manager takes. */
export function assertEnvironments(environments: readonly Environment[]): void {
  const seen = new Set<string>();
  for (const { name, passwordRotationSchedule } of environments) {
    assertEnvironmentName(name);
    if (passwordRotationSchedule !== undefined) assertRotationSchedule(passwordRotationSchedule, `password rotation schedule of ${name}`);
    if (seen.has(name)) throw new ContractViolation('environment name', name, 'is listed more than once');
    seen.add(name);
  }
}
