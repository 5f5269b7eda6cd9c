import type { ServiceManifest } from '@cache-platform/cache-contract';
import {
  desiredPlatformUsers,
  desiredServiceUsers,
  planRedisUserChange,
  type LiveAccount,
  type PlannedEnvironment,
  type UserPlan,
} from '@cache-platform/guardrails/planner';
import { environmentCells, type Environment } from '@cache-platform/platform-environments';
import { PLATFORM_PURPOSE } from '../ownership';

/** The environment as the planner sees it: every cell (from platform-environments) with its cache's engine. */
export function plannedEnvironment(environment: Environment): PlannedEnvironment {
  return {
    name: environment.name,
    engine: environment.platform.cache?.engine,
    majorEngineVersion: environment.platform.cache?.majorEngineVersion,
    cells: environmentCells(environment).cells.map(({ name, cache: { engine, majorEngineVersion } }) => ({
      name,
      engine,
      majorEngineVersion,
    })),
  };
}

/**
 * The plan that would bring the environment's live users, in every cell, to what the workspace says;
 * `knownEnvironments` (every environment's name) lets it tell another environment's users by their ids.
 */
export function auditPlan(
  environment: Environment,
  manifests: readonly ServiceManifest[],
  live: LiveAccount,
  knownEnvironments: readonly string[],
): UserPlan {
  const target = plannedEnvironment(environment);
  const desired = [
    ...desiredServiceUsers(manifests, target),
    ...desiredPlatformUsers(target, { owner: environment.platform.owner, purpose: PLATFORM_PURPOSE }),
  ];
  return planRedisUserChange({ environment: environment.name, desired, live, knownEnvironments });
}

/** One line of the drift report. */
export interface DriftRow {
  readonly owner: string;
  readonly purpose: string;
  readonly service: string;
  readonly user: string;
  readonly differs: string;
  readonly action: string;
}

const UNKNOWN = '(unknown)';

export function driftRows(plan: UserPlan): DriftRow[] {
  return [
    ...plan.conflicts.map((c) => ({
      owner: c.owner ?? UNKNOWN,
      purpose: c.purpose ?? UNKNOWN,
      service: c.claimedBy,
      user: '-',
      differs: c.reason,
      action: 'resolve keyspace conflict',
    })),
    ...plan.actions.map((a) => ({
      owner: a.owner ?? UNKNOWN,
      purpose: a.purpose ?? UNKNOWN,
      service: a.service ?? UNKNOWN,
      user: a.userId,
      differs: a.reason,
      action: a.kind,
    })),
  ];
}

/** A plain-text table, columns padded to their widest cell (long cells are not cut: they are the evidence). */
export function formatDriftTable(environment: string, rows: readonly DriftRow[], plan?: Pick<UserPlan, 'otherEnvironments'>): string {
  const others = otherEnvironmentsNote(plan?.otherEnvironments ?? []);
  if (rows.length === 0) return `audit ${environment}: in sync (every user, tag and group membership as the workspace says)${others}`;
  const header: DriftRow = {
    owner: 'OWNER',
    purpose: 'PURPOSE',
    service: 'SERVICE',
    user: 'USER',
    differs: 'WHAT DIFFERS',
    action: 'ACTION',
  };
  const columns: (keyof DriftRow)[] = ['owner', 'purpose', 'service', 'user', 'action', 'differs'];
  const widths = columns.map((c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
  const line = (r: DriftRow) =>
    columns
      .map((c, i) => (i === columns.length - 1 ? r[c] : r[c].padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    `audit ${environment}: ${rows.length} drift(s); nothing was changed (the audit is read-only)${others}`,
  ].join('\n');
}

/** `; left alone: 3 user(s) of environment prod`, or nothing. */
function otherEnvironmentsNote(users: UserPlan['otherEnvironments']): string {
  if (users.length === 0) return '';
  const counts = new Map<string, number>();
  for (const user of users) counts.set(user.environment, (counts.get(user.environment) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([env, n]) => `${n} user(s) of environment ${env}`);
  return `; left alone: ${parts.join(', ')}`;
}
