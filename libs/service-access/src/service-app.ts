import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { ContractViolation, SERVICE_BUNDLE_DIR, SERVICE_MANIFEST_FILE, type ServiceManifest } from '@cache-platform/cache-contract';
import {
  assertWorkspaceCells,
  readServiceManifest,
  readWorkspace,
  selectEnvironments,
  workspaceRootOf,
  type Environment,
  type WorkspaceService,
} from '@cache-platform/platform-environments';
import { ServiceStack, serviceStackId } from './service-stack';

/**
 * The extension point of a service: a module named by the manifest's `stackExtension` that exports
 * `extendStack`. It runs once per environment after the platform wiring, and adds what the team owns
 * (a table, a queue, a grant to its database) to the same stack; it may not change the wiring.
 */
export type StackExtension = (stack: ServiceStack) => void;

export interface ServiceAppOptions {
  /** the app folder: holds `cache-service.json` and `dist/handler` */
  readonly appDir: string;
  /**
   * The cdktf app to add the stacks to.
   * @default a new App writing to cdktf.out (or wherever the cdktf CLI asks through CDKTF_OUTDIR)
   */
  readonly app?: App;
  /** @default process.env (CACHE_PLATFORM_ENVIRONMENTS) */
  readonly env?: NodeJS.ProcessEnv;
  /** @default the workspace's ENVIRONMENTS */
  readonly environments?: readonly Environment[];
  /** passed to every stack, e.g. endpoints of a local AWS emulator in tests */
  readonly providerOverrides?: Record<string, unknown>;
  /**
   * The workspace whose manifests the cell quota check counts.
   * @default the nearest folder above the app with an nx.json (none: the app alone)
   */
  readonly workspaceRoot?: string;
}

function loadExtension(appDir: string, manifest: ServiceManifest, source: string): StackExtension | undefined {
  if (!manifest.stackExtension) return undefined;
  const path = resolve(appDir, manifest.stackExtension);
  if (!existsSync(path))
    throw new ContractViolation('field stackExtension', manifest.stackExtension, 'names a file that does not exist', source);
  // the synth runs with a TypeScript loader (swc) registered, so the team's .ts module loads as is
  const loaded = require(path) as { extendStack?: unknown };
  if (typeof loaded.extendStack !== 'function') {
    throw new ContractViolation(
      'field stackExtension',
      manifest.stackExtension,
      'the module must export a function extendStack(stack: ServiceStack)',
      source,
    );
  }
  return loaded.extendStack as StackExtension;
}

/**
 * Builds every stack of one service app from its manifest: one `ServiceStack` per selected
 * environment, each extended by the team's `stackExtension`. Returns the stacks; the caller synths.
 */
export function buildServiceApp(options: ServiceAppOptions): { app: App; stacks: ServiceStack[] } {
  const appDir = resolve(options.appDir);
  const manifest = readServiceManifest(appDir);
  const source = join(appDir, SERVICE_MANIFEST_FILE);
  const extend = loadExtension(appDir, manifest, source);
  // stack traces in the synthesized metadata only slow synth down and bloat the JSON
  const app = options.app ?? new App({ stackTraces: false });
  const selected = selectEnvironments({ only: manifest.environments, source, env: options.env, environments: options.environments });
  assertWorkspaceCells(
    selected,
    workspaceServices(options.workspaceRoot ?? workspaceRootOf(appDir), { root: appDir, manifest, source }, options.environments),
  );
  const stacks = selected.map((environment) => {
    const stack = new ServiceStack(app, serviceStackId(manifest.service, environment.name), {
      manifest,
      environment,
      bundleDir: join(appDir, SERVICE_BUNDLE_DIR),
      providerOverrides: options.providerOverrides,
    });
    extend?.(stack);
    return stack;
  });
  return { app, stacks };
}

/**
 * Every manifest the quota check counts: the workspace's, and this app's even where it lies outside
 * the workspace (a scratch app in a test). Counting all of them in every service's synth means the
 * service that would overfill a cell fails its own synth, before any deploy.
 */
function workspaceServices(
  root: string | undefined,
  own: WorkspaceService,
  environments: readonly Environment[] | undefined,
): WorkspaceService[] {
  const all = root ? [...readWorkspace(root, { environments }).services] : [];
  if (root && all.some((s) => resolve(root, s.source) === resolve(own.source))) return all;
  // built from outside the scanned tree (a copy under tmp/, say): this app is that service, wherever
  // it lives, so its own manifest stands in for the workspace's (Nx refuses two projects of one name)
  return [...all.filter((s) => s.manifest.service !== own.manifest.service), own];
}

/** The entry point of every service app's synth: build from the manifest, then write cdktf.out. */
export function synthServiceApp(options: ServiceAppOptions): ServiceStack[] {
  const { app, stacks } = buildServiceApp(options);
  app.synth();
  return stacks;
}
