import {
  assertCellName,
  assertCellQuotas,
  assertMaxUsersPerGroup,
  ContractViolation,
  DEFAULT_CELL,
  DEFAULT_MAX_USERS_PER_GROUP,
  throwViolations,
  type CellMember,
  type EnvironmentCells,
} from '@cache-platform/cache-contract';
import type { CellCacheSettings } from '@cache-platform/cache-foundation';
import type { Environment } from './environments';
import type { WorkspaceService } from './workspace';

/**
 * One cell of an environment (see the contract's cells.ts): a shared cache with its own user group,
 * exports and limits. Settings left out are the environment's `platform` settings. The entry named
 * like the default cell (`main`) may only set `maxUsers`: the default cell's cache is `platform`.
 */
export interface CellSettings extends Omit<CellCacheSettings, 'tags'> {
  /** cell name (lower-case letters and digits, at most 6); `main` is the default cell */
  readonly name: string;
  /**
   * The account's users-per-group quota for this cell's group, the disabled `default` user included:
   * the cell holds `maxUsers - 1` services. Raise it only after AWS raised the quota.
   * @default 100
   */
  readonly maxUsers?: number;
}

/** The cells of an environment as the quota check sees them: the default cell first. */
export function environmentCells(environment: Environment): EnvironmentCells {
  const configured = environment.cells ?? [];
  const problems: ContractViolation[] = [];
  const seen = new Set<string>();
  for (const cell of configured) {
    const where = `environment ${environment.name}`;
    try {
      assertCellName(cell.name);
      if (cell.maxUsers !== undefined) assertMaxUsersPerGroup(cell.maxUsers);
    } catch (error) {
      if (error instanceof ContractViolation) problems.push(error.at(where));
      else throw error;
    }
    if (seen.has(cell.name)) problems.push(new ContractViolation('cell name', cell.name, 'is listed more than once', where));
    seen.add(cell.name);
    const extra = Object.keys(cell).filter((key) => key !== 'name' && key !== 'maxUsers');
    if (cell.name === DEFAULT_CELL && extra.length > 0) {
      problems.push(
        new ContractViolation(
          `settings of the default cell ${JSON.stringify(DEFAULT_CELL)}`,
          extra,
          "the default cell's cache is set by the environment's `platform`; only maxUsers may be set here",
          where,
        ),
      );
    }
  }
  throwViolations(problems);
  const quota = (name: string) => configured.find((c) => c.name === name)?.maxUsers ?? DEFAULT_MAX_USERS_PER_GROUP;
  return {
    environment: environment.name,
    cells: [
      { name: DEFAULT_CELL, maxUsers: quota(DEFAULT_CELL) },
      ...configured.filter((c) => c.name !== DEFAULT_CELL).map((c) => ({ name: c.name, maxUsers: quota(c.name) })),
    ],
  };
}

/** The cells beyond the default one, with the environment's platform settings filled in. */
export function additionalCells(environment: Environment): Array<Omit<CellSettings, 'maxUsers'>> {
  environmentCells(environment);
  const { engine, majorEngineVersion, usageLimits, kmsKeyArn, snapshotRetentionLimit, dailySnapshotTime, preventDestroy } =
    environment.platform;
  const inherited = { engine, majorEngineVersion, usageLimits, kmsKeyArn, snapshotRetentionLimit, dailySnapshotTime, preventDestroy };
  return (environment.cells ?? [])
    .filter((c) => c.name !== DEFAULT_CELL)
    .map((cell) => {
      const settings: CellSettings = { ...inherited, ...cell };
      // the quota is the check's business; the cache construct takes only cache settings
      delete (settings as { maxUsers?: number }).maxUsers;
      return settings;
    });
}

/** The engine and version of a cell's cache (the default cell's, or a cell's own over the environment's). */
export function cellCacheSettings(environment: Environment, cell?: string): Pick<CellSettings, 'engine' | 'majorEngineVersion'> {
  const { engine, majorEngineVersion } = environment.platform;
  const own = cell === undefined || cell === DEFAULT_CELL ? undefined : additionalCells(environment).find((c) => c.name === cell);
  return own ? { engine: own.engine, majorEngineVersion: own.majorEngineVersion } : { engine, majorEngineVersion };
}

/** A manifest as the quota check sees it. */
export function cellMember({ manifest, source }: Pick<WorkspaceService, 'manifest' | 'source'>): CellMember {
  return {
    service: manifest.service,
    keyspace: manifest.keyspace,
    cell: manifest.cell,
    environments: manifest.environments,
    source,
  };
}

/**
 * The synth-time check: in every given environment, each service's cell exists, no cell holds more
 * services than its users-per-group quota allows, and keyspaces are disjoint across the cells. It
 * reads every manifest of the workspace, so the platform synth and every service synth see the same
 * count; the message names the environment, the cell, the count and the quota.
 */
export function assertWorkspaceCells(
  environments: readonly Environment[],
  services: ReadonlyArray<Pick<WorkspaceService, 'manifest' | 'source'>>,
): void {
  const members = services.map(cellMember);
  for (const environment of environments) assertCellQuotas(environmentCells(environment), members);
}
