import { ContractViolation, throwViolations } from './errors';
import { assertKeyspacesDisjoint } from './keyspace';
import { assertCellName, DEFAULT_CELL } from './naming';

/**
 * Cell quotas and placement: how many services a cell (one shared cache of an environment) may hold,
 * the synth-time check that none holds more, and where the generator puts a new service. A serverless
 * cache takes exactly one user group, and a user group holds at most 100 users by default (the
 * platform's disabled `default` user included), so one cache serves at most 99 services; more services,
 * or a smaller blast radius, need more cells.
 *
 * The other two views of a cell: the environment list's entries (platform-environments'
 * `environment-cells.ts`, quota and cache settings) and the construct that builds one (cache-foundation's
 * `CacheCell`).
 */

/** ElastiCache's default quota of users per user group (adjustable per account and region). */
export const DEFAULT_MAX_USERS_PER_GROUP = 100;
/** Users in every group that are not services: the platform's disabled user named `default`. */
export const PLATFORM_USERS_PER_GROUP = 1;

/** Validates a users-per-group quota: room for the disabled `default` user and at least one service. */
export function assertMaxUsersPerGroup(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < PLATFORM_USERS_PER_GROUP + 1) {
    throw new ContractViolation(
      'users-per-group quota',
      value,
      `must be an integer of at least ${PLATFORM_USERS_PER_GROUP + 1} (the disabled default user and one service)`,
    );
  }
  return value;
}

/** A cell as the quota check sees it. */
export interface CellQuota {
  readonly name: string;
  /** the account's users-per-group quota for this cell's group, `default` user included */
  readonly maxUsers: number;
}

/** The cells of one environment, the default cell among them. */
export interface EnvironmentCells {
  readonly environment: string;
  readonly cells: readonly CellQuota[];
}

/** A service as the quota check sees it (from its manifest). */
export interface CellMember {
  readonly service: string;
  readonly keyspace: string;
  /** absent: the default cell */
  readonly cell?: string;
  /** absent: every environment */
  readonly environments?: readonly string[];
  /** where it came from (the manifest's path), named in errors */
  readonly source?: string;
}

/** The cell a manifest's `cell` names (absent: the default cell). */
export function cellOf(member: { readonly cell?: string }): string {
  return member.cell ?? DEFAULT_CELL;
}

/** Services a cell can hold: its quota minus the platform's own users. */
export function cellCapacity(cell: CellQuota): number {
  return cell.maxUsers - PLATFORM_USERS_PER_GROUP;
}

function runsIn(member: CellMember, environment: string): boolean {
  return member.environments === undefined || member.environments.includes(environment);
}

function overQuota(environment: string, cell: CellQuota, count: number, hint: string): ContractViolation {
  return new ContractViolation(
    `service count of cell ${JSON.stringify(cell.name)} in environment ${JSON.stringify(environment)}`,
    count,
    `${count} services + ${PLATFORM_USERS_PER_GROUP} disabled default user = ${count + PLATFORM_USERS_PER_GROUP} users, ` +
      `over the users-per-group quota of ${cell.maxUsers}; ${hint}`,
  );
}

const FULL_HINT =
  'move a service to another cell (its manifest\'s "cell"), add a cell, or raise maxUsers after AWS raised the account\'s quota';

/**
 * The synth-time check of one environment: every service's cell exists there, no cell holds more
 * users than its group's quota, and keyspaces are disjoint across all cells (the keyspace claim
 * parameter is per environment, so two cells sharing a keyspace would still fail at apply; this says
 * so before). Throws every problem at once.
 */
export function assertCellQuotas(layout: EnvironmentCells, members: readonly CellMember[]): void {
  const { environment, cells } = layout;
  const problems: ContractViolation[] = [];
  const counts = new Map(cells.map((cell) => [cell.name, 0]));
  const present = members.filter((m) => runsIn(m, environment));
  for (const member of present) {
    const cell = cellOf(member);
    const count = counts.get(cell);
    if (count === undefined) {
      problems.push(
        new ContractViolation(
          'cell',
          cell,
          `service ${JSON.stringify(member.service)} names a cell environment ${JSON.stringify(environment)} does not have (cells: ${cells
            .map((c) => c.name)
            .join(', ')})`,
          member.source,
        ),
      );
    } else {
      counts.set(cell, count + 1);
    }
  }
  for (const cell of cells) {
    const count = counts.get(cell.name) ?? 0;
    if (count > cellCapacity(cell)) problems.push(overQuota(environment, cell, count, FULL_HINT));
  }
  throwViolations(problems);
  assertKeyspacesDisjoint(present.map((m) => ({ keyspace: m.keyspace, service: m.service, source: m.source })));
}

export interface PlaceServiceOptions {
  /** the new service */
  readonly service: string;
  /** the environments it will run in (absent: all of `layouts`) */
  readonly environments?: readonly string[];
  /** the cell asked for (`--cell`); absent: the first cell with room, the default cell first */
  readonly requested?: string;
}

/**
 * Where a new service goes: the requested cell, or the first cell (the default cell first, then in
 * configuration order) that exists and has room in every environment the service runs in. Throws,
 * naming the cell, the count and the quota, when the requested cell is full or every cell is.
 */
export function placeService(layouts: readonly EnvironmentCells[], members: readonly CellMember[], options: PlaceServiceOptions): string {
  const targets = layouts.filter((l) => options.environments === undefined || options.environments.includes(l.environment));
  const names: string[] = [];
  for (const layout of targets) for (const cell of layout.cells) if (!names.includes(cell.name)) names.push(cell.name);
  names.sort((a, b) => (a === DEFAULT_CELL ? -1 : b === DEFAULT_CELL ? 1 : 0));

  // the first reason a cell cannot take the service (undefined: it can)
  const refusal = (name: string): ContractViolation | undefined => {
    for (const layout of targets) {
      const cell = layout.cells.find((c) => c.name === name);
      if (!cell) {
        return new ContractViolation(
          'cell',
          name,
          `environment ${JSON.stringify(layout.environment)} has no such cell (cells: ${layout.cells.map((c) => c.name).join(', ')})`,
        );
      }
      const count = members.filter((m) => runsIn(m, layout.environment) && cellOf(m) === name).length;
      if (count + 1 > cellCapacity(cell)) {
        return overQuota(
          layout.environment,
          cell,
          count + 1,
          `cell ${JSON.stringify(name)} is full (${count} services already); pick another cell with --cell, add a cell, or raise maxUsers`,
        );
      }
    }
    return undefined;
  };

  if (options.requested !== undefined) {
    const problem = refusal(assertCellName(options.requested));
    if (problem) throw problem;
    return options.requested;
  }
  const reasons: ContractViolation[] = [];
  for (const name of names) {
    const problem = refusal(name);
    if (!problem) return name;
    reasons.push(problem);
  }
  throw new ContractViolation('service', options.service, [
    `every cell is full: add a cell to the environment or raise a cell's maxUsers`,
    ...reasons.map((r) => r.message),
  ]);
}
