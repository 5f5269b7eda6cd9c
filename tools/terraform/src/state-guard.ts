import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Refusals that protect real resources from a missing local state file. An environment without a
 * `stateBucket` keeps each stack's state in `<app>/state/<stack>.tfstate` on the machine that deployed
 * it; from any other clone Terraform sees no state, so `destroy` "destroys" nothing and reports success
 * while the resources live on, and `deploy` tries to create everything again. The platform's destroy
 * also waits for the service stacks that read its exports (their local state still holds resources).
 * Environments with remote state (S3) are not checked here: every clone sees the same state (the
 * platform's destroy there reads the services' keyspace claims instead: ./claims-guard.ts).
 */

/** The wrapper's flag for the one deploy that may run without a state file. */
export const FIRST_DEPLOY_FLAG = '--first-deploy';

/** A stack of the app, as libs/platform-environments' `appStacks` describes it. */
export interface GuardedStack {
  readonly stackId: string;
  readonly environment: { readonly name: string; readonly region?: string };
  /** undefined: remote state */
  readonly localState?: string;
}

export interface GuardedDependent extends GuardedStack {
  readonly service: string;
  /** the service's project folder, relative to the workspace root */
  readonly app: string;
}

export interface GuardedApp {
  readonly kind: 'platform' | 'service';
  /** nx project name: `platform` or the service */
  readonly app: string;
  readonly stacks: readonly GuardedStack[];
  readonly dependents: readonly GuardedDependent[];
}

export interface StateGuardOptions {
  /** the user said this deploy creates the stacks (FIRST_DEPLOY_FLAG) */
  readonly firstDeploy?: boolean;
  /** paths in messages are relative to this folder (the workspace root) */
  readonly root?: string;
}

/** Resources recorded in a local state file; a file that cannot be read counts as holding some. */
export function stateResourceCount(path: string): number {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as { resources?: unknown[] };
    return Array.isArray(state.resources) ? state.resources.length : 1;
  } catch {
    return 1;
  }
}

/** Why `command` must not run on these stacks, or undefined. One line, naming the file and what to do. */
export function stateProblem(command: string, app: GuardedApp, options: StateGuardOptions = {}): string | undefined {
  if (command !== 'deploy' && command !== 'destroy') return undefined;
  const show = (path: string) => (options.root ? relative(options.root, path) : path);
  for (const stack of app.stacks) {
    if (stack.localState === undefined || existsSync(stack.localState)) continue;
    const file = show(stack.localState);
    if (command === 'destroy') {
      return (
        `refusing to destroy ${stack.stackId}: its state file ${file} does not exist, so Terraform would destroy nothing ` +
        `and report success while the resources live on; run destroy in the clone that deployed ${stack.environment.name}, ` +
        `or copy its ${file} here first`
      );
    }
    if (!options.firstDeploy) {
      return (
        `refusing to deploy ${stack.stackId}: its state file ${file} does not exist; if ${stack.stackId} was never deployed, ` +
        `run again with ${FIRST_DEPLOY_FLAG} (npx nx run ${app.app}:deploy -- ${FIRST_DEPLOY_FLAG}); if it was deployed from ` +
        `another clone, copy that clone's ${file} here first (a deploy without it would create every resource again)`
      );
    }
  }
  if (command === 'destroy' && app.kind === 'platform') {
    const live = app.dependents.filter(
      (d) => d.localState !== undefined && existsSync(d.localState) && stateResourceCount(d.localState) > 0,
    );
    if (live.length > 0) {
      const environments = [...new Set(live.map((d) => d.environment.name))].join(',');
      const listed = live.map((d) => `${d.stackId} (${show(d.localState ?? '')}: ${stateResourceCount(d.localState ?? '')} resources)`);
      const commands = [...new Set(live.map((d) => `npx nx run ${d.service}:destroy`))];
      return (
        `refusing to destroy the platform: service stacks still read its exports: ${listed.join(', ')}; destroy them first ` +
        `(CACHE_PLATFORM_ENVIRONMENTS=${environments} ${commands.join(', then ')}; README "Tear down the platform")`
      );
    }
  }
  return undefined;
}
