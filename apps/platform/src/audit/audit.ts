import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertServiceManifest, SERVICE_MANIFEST_FILE, type ServiceManifest } from '@cache-platform/cache-contract';
import {
  desiredPlatformUser,
  desiredServiceUsers,
  planRedisUserChange,
  type LiveAccount,
  type UserPlan,
} from '@cache-platform/guardrails/planner';
import type { Environment } from '@cache-platform/platform-environments';
import { PLATFORM_PURPOSE } from '../ownership';

/** Every service manifest of the workspace (`apps/**`, three levels, as the generator's `--directory` allows). */
export function workspaceManifests(workspaceRoot: string): ServiceManifest[] {
  const found: ServiceManifest[] = [];
  const walk = (dir: string, depth: number) => {
    if (!existsSync(dir)) return;
    const file = join(dir, SERVICE_MANIFEST_FILE);
    if (existsSync(file)) {
      found.push(assertServiceManifest(JSON.parse(readFileSync(file, 'utf8')), file));
      return;
    }
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !['node_modules', 'dist', 'cdktf.out', 'src', 'state'].includes(entry.name))
        walk(join(dir, entry.name), depth - 1);
    }
  };
  walk(join(workspaceRoot, 'apps'), 3);
  return found.sort((a, b) => a.service.localeCompare(b.service));
}

/** The plan that would bring the environment's live users to what the workspace says. */
export function auditPlan(environment: Environment, manifests: readonly ServiceManifest[], live: LiveAccount): UserPlan {
  const target = {
    name: environment.name,
    engine: environment.platform.engine,
    majorEngineVersion: environment.platform.majorEngineVersion,
  };
  const desired = [
    ...desiredServiceUsers(manifests, target),
    desiredPlatformUser(environment.name, { owner: environment.platform.owner, purpose: PLATFORM_PURPOSE }),
  ];
  return planRedisUserChange({ environment: environment.name, desired, live });
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
export function formatDriftTable(environment: string, rows: readonly DriftRow[]): string {
  if (rows.length === 0) return `audit ${environment}: in sync (every user, tag and group membership as the workspace says)`;
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
    `audit ${environment}: ${rows.length} drift(s); nothing was changed (the audit is read-only)`,
  ].join('\n');
}
