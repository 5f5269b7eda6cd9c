import { ContractViolation, serviceResourceNames } from '@cache-platform/cache-contract';
import type { Environment } from './environments';
import type { Workspace } from './workspace';

/** The npm script that prints {@link describeEnvironments} (root package.json); generated docs name it, never the data. */
export const ENVIRONMENTS_COMMAND = 'npm run -s environments';

/** One environment as a service meets it: where it runs and the names its commands use. */
export interface ServiceEnvironmentView {
  readonly environment: string;
  readonly region: string;
  /** `remote (s3://bucket/prefix)` or `local (<app>/state/, a first deploy needs -- --first-deploy)` */
  readonly state: string;
  readonly protected: boolean;
  /** the ElastiCache user id (also the Redis user name) */
  readonly userId?: string;
  /** the handler function's name */
  readonly functionName?: string;
}

function stateOf(environment: Environment): string {
  const bucket = environment.stateBucket;
  if (bucket) return `remote (s3://${bucket.bucket}/${bucket.keyPrefix ?? 'cache-platform'})`;
  return environment.protected ? 'none (protected: set stateBucket before any deploy)' : 'local (first deploy: -- --first-deploy)';
}

/**
 * The environments read from the one environment list, for the workspace or for one service (the
 * subset its manifest's `environments` names). Text that must not go stale when the list changes
 * (a generated MIGRATION.md) points at this instead of copying it.
 */
export function environmentViews(workspace: Workspace, service?: string): ServiceEnvironmentView[] {
  if (service === undefined) {
    return workspace.environments.map((e) => ({
      environment: e.name,
      region: e.region,
      state: stateOf(e),
      protected: e.protected ?? false,
    }));
  }
  const found = workspace.services.find((s) => s.manifest.service === service);
  if (!found) {
    const names = workspace.services.map((s) => s.manifest.service).sort();
    throw new ContractViolation('service', service, `no cache-service.json names it (services: ${names.join(', ') || 'none'})`);
  }
  const only = found.manifest.environments;
  return workspace.environments
    .filter((e) => !only || only.includes(e.name))
    .map((e) => {
      const names = serviceResourceNames(service, e.name);
      return {
        environment: e.name,
        region: e.region,
        state: stateOf(e),
        protected: e.protected ?? false,
        userId: names.userId,
        functionName: names.lambdaFunctionName,
      };
    });
}

/** {@link environmentViews} as an aligned table, one environment a line, with a header naming the source. */
export function describeEnvironments(workspace: Workspace, service?: string): string {
  const views = environmentViews(workspace, service);
  const header = ['environment', 'region', ...(service ? ['redis user', 'function'] : []), 'state'];
  const rows = views.map((v) => [
    v.environment + (v.protected ? ' (protected)' : ''),
    v.region,
    ...(service ? [v.userId ?? '', v.functionName ?? ''] : []),
    v.state,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const narrowed = workspace.services.find((s) => s.manifest.service === service)?.manifest.environments;
  const title = service
    ? `${service} runs in (libs/platform-environments/src/environments.ts${narrowed ? `, narrowed by its cache-service.json "environments"` : ''}):`
    : 'platform environments (libs/platform-environments/src/environments.ts):';
  return [title, line(header), ...rows.map(line)].join('\n');
}
