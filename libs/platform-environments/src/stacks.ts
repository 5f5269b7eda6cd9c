import { join, resolve } from 'node:path';
import { SERVICE_MANIFEST_FILE } from '@cache-platform/cache-contract';
import type { Environment } from './environments';
import { selectEnvironments } from './select';
import { readServiceManifest, readWorkspace, workspaceRootOf } from './workspace';

/** Stack id (and state file name) of an environment's platform stack. */
export function platformStackId(environment: string): string {
  return `platform-${environment}`;
}

/** Stack id (and state file name) of a service in an environment. */
export function serviceStackId(service: string, environment: string): string {
  return `${service}-${environment}`;
}

/** Where a stack of an environment without `stateBucket` keeps its state (libs/stack-base's LocalBackend path). */
export function localStatePath(appDir: string, stackId: string): string {
  return join(resolve(appDir), 'state', `${stackId}.tfstate`);
}

/** One stack an app deploys, and where its state is. */
export interface AppStack {
  readonly stackId: string;
  readonly environment: Environment;
  /** the local state file; undefined when the environment keeps state in its `stateBucket` */
  readonly localState?: string;
}

/** A service stack that reads the platform's exports in an environment. */
export interface DependentStack extends AppStack {
  readonly service: string;
  /** the service's app folder, relative to the workspace root */
  readonly app: string;
}

/** What the cdktf wrapper acts on in an app folder. */
export interface AppStacks {
  /** `platform`, or the service's name */
  readonly app: string;
  readonly kind: 'platform' | 'service';
  readonly stacks: readonly AppStack[];
  /**
   * For the platform app: the service stacks of the workspace that read its exports, per selected
   * environment (whatever their state). Empty for a service.
   */
  readonly dependents: readonly DependentStack[];
}

function stack(appDir: string, stackId: string, environment: Environment): AppStack {
  return { stackId, environment, localState: environment.stateBucket ? undefined : localStatePath(appDir, stackId) };
}

/**
 * The stacks the app in `appDir` synthesizes for the selected environments: a folder with a
 * `cache-service.json` is a service (its manifest's `environments` narrow the selection), any other
 * cdktf app of the workspace is the platform. Read from the same list and the same selection as the
 * synth, so the wrapper checks exactly the state files the deploy would use.
 */
export function appStacks(appDir: string, options: { env?: NodeJS.ProcessEnv; environments?: readonly Environment[] } = {}): AppStacks {
  const dir = resolve(appDir);
  const manifest = readServiceManifest(dir, { optional: true });
  if (manifest) {
    const manifestPath = join(dir, SERVICE_MANIFEST_FILE);
    const selected = selectEnvironments({ ...options, only: manifest.environments, source: manifestPath });
    return {
      app: manifest.service,
      kind: 'service',
      stacks: selected.map((e) => stack(dir, serviceStackId(manifest.service, e.name), e)),
      dependents: [],
    };
  }
  const selected = selectEnvironments(options);
  const root = workspaceRootOf(dir);
  // every service wherever it lives (--directory), as the synth's quota check counts them
  const services = root ? readWorkspace(root, { environments: options.environments }).services : [];
  const dependents: DependentStack[] = [];
  for (const environment of selected) {
    for (const { manifest, root: app } of services) {
      if (manifest.environments && !manifest.environments.includes(environment.name)) continue;
      dependents.push({
        ...stack(resolve(root ?? '', app), serviceStackId(manifest.service, environment.name), environment),
        service: manifest.service,
        app,
      });
    }
  }
  return { app: 'platform', kind: 'platform', stacks: selected.map((e) => stack(dir, platformStackId(e.name), e)), dependents };
}
