import {
  buildAccessString,
  ContractViolation,
  DEFAULT_CELL,
  DISABLED_DEFAULT_ACCESS_STRING,
  ownershipTags,
  platformResourceNames,
  serverlessTarget,
  serviceResourceNames,
  type CacheEngine,
  type ServiceManifest,
} from '@cache-platform/cache-contract';

/** One cell of an environment as the planner sees it: its name and, when it differs, its cache's engine. */
export interface PlannedCell {
  readonly name: string;
  /** @default the environment's engine */
  readonly engine?: CacheEngine;
  /** @default the environment's version */
  readonly majorEngineVersion?: string;
}

/** What the planner needs of an environment: its name, the engine its cache runs, and its cells. */
export interface PlannedEnvironment {
  readonly name: string;
  /** @default the platform's default engine (valkey) */
  readonly engine?: CacheEngine;
  readonly majorEngineVersion?: string;
  /**
   * Every cell of the environment (from `environmentCells` of platform-environments), each with its
   * own user group and disabled `default` user.
   * @default the default cell alone
   */
  readonly cells?: readonly PlannedCell[];
}

/** The cells of an environment, the default cell first when none are named. */
export function plannedCells(environment: PlannedEnvironment): readonly PlannedCell[] {
  return environment.cells && environment.cells.length > 0 ? environment.cells : [{ name: DEFAULT_CELL }];
}

/** The cell a service's manifest names in this environment; a cell the environment lacks is an error naming both. */
function cellFor(environment: PlannedEnvironment, service: string, name: string): PlannedCell {
  const cells = plannedCells(environment);
  const cell = cells.find((c) => c.name === name);
  if (!cell) {
    throw new ContractViolation(
      'cell',
      name,
      `service ${JSON.stringify(service)} names a cell environment ${JSON.stringify(environment.name)} does not have (cells: ${cells
        .map((c) => c.name)
        .join(', ')})`,
    );
  }
  return cell;
}

/** A Redis user the workspace says should exist in one environment. */
export interface DesiredUser {
  /** the service, or `platform` for the platform's own disabled `default` user */
  readonly service: string;
  readonly environment: string;
  /** the keyspace the user is scoped to; undefined for the platform's disabled user */
  readonly keyspace: string | undefined;
  readonly owner: string;
  readonly purpose: string;
  readonly userId: string;
  readonly userName: string;
  readonly accessString: string;
  /** the cell whose user group must hold the user */
  readonly cell: string;
  /** that cell's user group (contract naming: `cache-platform-<env>[-<cell>]-users`) */
  readonly userGroupId: string;
  /** the ownership tags the user should carry */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The one place the planner builds an access string, exactly as service-access does for the stack:
 * the service's keyspace and profile on the serverless target of the cell it names.
 */
export function desiredAccessString(manifest: ServiceManifest, environment: PlannedEnvironment): string {
  const cell = cellFor(environment, manifest.service, manifest.cell ?? DEFAULT_CELL);
  return buildAccessString(
    manifest.keyspace,
    manifest.accessProfile,
    serverlessTarget(cell.engine ?? environment.engine, cell.majorEngineVersion ?? environment.majorEngineVersion),
  );
}

/** The service users of one environment: every manifest that runs there (its `environments`, or all). */
export function desiredServiceUsers(manifests: readonly ServiceManifest[], environment: PlannedEnvironment): DesiredUser[] {
  return manifests
    .filter((m) => m.environments === undefined || m.environments.includes(environment.name))
    .map((manifest) => {
      const names = serviceResourceNames(manifest.service, environment.name);
      const cell = cellFor(environment, manifest.service, manifest.cell ?? DEFAULT_CELL).name;
      return {
        service: manifest.service,
        environment: environment.name,
        keyspace: manifest.keyspace,
        owner: manifest.owner,
        purpose: manifest.purpose,
        userId: names.userId,
        userName: names.userName,
        accessString: desiredAccessString(manifest, environment),
        cell,
        userGroupId: platformResourceNames(environment.name, cell).userGroupId,
        tags: ownershipTags({ service: manifest.service, owner: manifest.owner, purpose: manifest.purpose, environment: environment.name }),
      };
    })
    .sort((a, b) => a.userId.localeCompare(b.userId));
}

/** The platform's own disabled user named `default` of one cell (default: the default cell), which that cell's group must hold. */
export function desiredPlatformUser(
  environment: string,
  ownership: { owner: string; purpose: string },
  cell: string = DEFAULT_CELL,
): DesiredUser {
  const names = platformResourceNames(environment, cell);
  return {
    service: 'platform',
    environment,
    keyspace: undefined,
    owner: ownership.owner,
    purpose: ownership.purpose,
    userId: names.disabledDefaultUserId,
    userName: 'default',
    accessString: DISABLED_DEFAULT_ACCESS_STRING,
    cell,
    userGroupId: names.userGroupId,
    tags: ownershipTags({ service: 'platform', owner: ownership.owner, purpose: ownership.purpose, environment }),
  };
}

/** The disabled `default` user of every cell of the environment. */
export function desiredPlatformUsers(environment: PlannedEnvironment, ownership: { owner: string; purpose: string }): DesiredUser[] {
  return plannedCells(environment).map((cell) => desiredPlatformUser(environment.name, ownership, cell.name));
}
