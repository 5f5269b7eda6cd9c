import {
  assertCellName,
  assertCellQuotas,
  assertMaxUsersPerGroup,
  ContractViolation,
  DEFAULT_CELL,
  DEFAULT_MAX_USERS_PER_GROUP,
  throwViolations,
  type CellMember,
  type CellQuota,
  type EnvironmentCells,
} from '@cache-platform/cache-contract';
import type { CacheSettings } from '@cache-platform/cache-foundation';
import type { Environment } from './environments';
import type { WorkspaceService } from './workspace';

/**
 * One entry of an environment's `cells`: a shared cache with its own user group, exports and limits
 * (the construct is cache-foundation's `CacheCell`; the quota check is the contract's). The entry named
 * like the default cell (`main`) sets the default cell's quota and settings.
 */
export interface CellSettings {
  /** cell name (lower-case letters and digits, at most 6); `main` is the default cell */
  readonly name: string;
  /**
   * The account's users-per-group quota for this cell's group, the disabled `default` user included:
   * the cell holds `maxUsers - 1` services. Raise it only after AWS raised the quota.
   * @default 100
   */
  readonly maxUsers?: number;
  /**
   * This cell's cache settings, each over the environment's `platform.cache`.
   * @default the environment's `platform.cache`
   */
  readonly cache?: CacheSettings;
}

/** A cell of an environment with everything resolved: its quota and its cache's settings. */
export interface EnvironmentCell extends CellQuota {
  /** the environment's `platform.cache` with the cell's own `cache` over it */
  readonly cache: CacheSettings;
}

/** The cells of an environment, each with its quota and cache settings: the default cell first, always. */
export interface ResolvedEnvironmentCells extends EnvironmentCells {
  readonly cells: readonly [EnvironmentCell, ...EnvironmentCell[]];
}

/**
 * The cells of an environment, checked (names, duplicates, quotas) and resolved: the default cell
 * first (present whether listed or not), then the others in configuration order. This is the one place
 * a cell's settings are put together: the platform builds one `CacheCell` from each, a service reads its
 * cell's engine from it, the quota check and the audit read the list.
 */
export function environmentCells(environment: Environment): ResolvedEnvironmentCells {
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
  }
  throwViolations(problems);
  const resolve = (name: string): EnvironmentCell => {
    const entry = configured.find((c) => c.name === name);
    return {
      name,
      maxUsers: entry?.maxUsers ?? DEFAULT_MAX_USERS_PER_GROUP,
      cache: { ...environment.platform.cache, ...entry?.cache },
    };
  };
  return {
    environment: environment.name,
    cells: [resolve(DEFAULT_CELL), ...configured.filter((c) => c.name !== DEFAULT_CELL).map((c) => resolve(c.name))],
  };
}

/** The cell `name` of an environment (absent: the default cell), or undefined when it has none such. */
export function environmentCell(environment: Environment, name: string = DEFAULT_CELL): EnvironmentCell | undefined {
  return environmentCells(environment).cells.find((cell) => cell.name === name);
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
