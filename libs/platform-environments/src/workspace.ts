import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  assertServiceManifest,
  ContractViolation,
  SERVICE_MANIFEST_FILE,
  throwViolations,
  type EnvironmentCells,
  type ServiceManifest,
} from '@cache-platform/cache-contract';
import { environmentCells } from './environment-cells';
import { ENVIRONMENTS, type Environment } from './environments';
import { assertEnvironments } from './select';

/*
 * The one model of the workspace: which services exist (wherever the generator's `--directory` put
 * them), which folders are cdktf apps, and the environments with their cells. Every tool reads the
 * workspace through this module, so the synth's quota check, the audit, the policy context, the
 * migration check, the bundler, the local runner and the generator cannot disagree on what a service
 * is. The Nx plugin (plain CommonJS, loaded without a TypeScript transpiler) keeps its own glob;
 * tools/nx-plugin/test/workspace-model.spec.ts proves it finds exactly the services found here.
 */

/** The file that makes a folder a cdktf app (services and the platform app alike). */
export const CDKTF_APP_FILE = 'cdktf.json';

/**
 * Folders never walked: dependencies, build output and tool state, at any depth. Each is git-ignored
 * at any depth too (`.gitignore`), which is what keeps Nx's project glob, the generator's tree walk
 * and this walk in agreement.
 */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.nx',
  'dist',
  'cdktf.out',
  'coverage',
  'tmp',
  '.terraform',
  '.cdktf-state',
]);

/** One service app of the workspace. Paths are relative to the workspace root, with `/`. */
export interface WorkspaceService {
  /** the app folder, e.g. `apps/orders-api` or `services/payments/orders-api` */
  readonly root: string;
  /** the validated manifest */
  readonly manifest: ServiceManifest;
  /** the manifest file, e.g. `apps/orders-api/cache-service.json`; errors name it */
  readonly source: string;
}

export interface Workspace {
  /** absolute path of the workspace root */
  readonly root: string;
  /** every service, sorted by manifest path */
  readonly services: readonly WorkspaceService[];
  /** every folder holding a `cdktf.json` (the services and the platform app), relative, sorted */
  readonly cdktfApps: readonly string[];
  /** the environments, checked (names, duplicates, rotation schedules, cell lists) */
  readonly environments: readonly Environment[];
  /** the cells of each environment, the default cell first */
  readonly cells: readonly EnvironmentCells[];
}

/**
 * What the walk reads, so the generator walks its `Tree` by the same rule as every tool walks the
 * disk. Paths are relative to the workspace root with `/` (the root itself is `''`).
 */
export interface WorkspaceFiles {
  list(dir: string): ReadonlyArray<{ readonly name: string; readonly isDirectory: boolean }>;
  read(path: string): string;
}

/** The workspace on disk, under `root`. Symbolic links are not followed (Nx does not follow them either). */
export function diskFiles(root: string): WorkspaceFiles {
  return {
    list: (dir) => readdirSync(join(root, dir), { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() })),
    read: (path) => readFileSync(join(root, path), 'utf8'),
  };
}

/**
 * Parses and validates one manifest's text. `source` is the file, named in every error: invalid JSON
 * becomes a violation naming the file and the parser's complaint, never a bare SyntaxError.
 */
export function parseServiceManifest(text: string, source: string): ServiceManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ContractViolation('JSON', (error as Error).message, 'the manifest must be valid JSON', source);
  }
  return assertServiceManifest(parsed, source);
}

/**
 * The manifest of the app in `appDir` (the bundler, the migration check and a service's synth run
 * inside one app folder). Errors name the file as `appDir/cache-service.json`.
 */
export function readServiceManifest(appDir: string): ServiceManifest;
export function readServiceManifest(appDir: string, options: { readonly optional: true }): ServiceManifest | undefined;
export function readServiceManifest(appDir: string, options?: { readonly optional: true }): ServiceManifest | undefined {
  const path = join(appDir, SERVICE_MANIFEST_FILE);
  if (!existsSync(path)) {
    if (options?.optional) return undefined;
    throw new ContractViolation('service app', appDir, `has no ${SERVICE_MANIFEST_FILE}`);
  }
  return parseServiceManifest(readFileSync(path, 'utf8'), path);
}

/**
 * Every service and every cdktf app under the root of `files`, in one walk that descends into every
 * folder but {@link SKIPPED_FOLDERS} (a service nested in another app's folder is still a service,
 * as it is a project to Nx). Refuses two manifests with one service name, naming both files.
 */
export function findServices(files: WorkspaceFiles): { services: WorkspaceService[]; cdktfApps: string[] } {
  const services: WorkspaceService[] = [];
  const cdktfApps: string[] = [];
  const walk = (dir: string) => {
    for (const entry of files.list(dir)) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.name === SERVICE_MANIFEST_FILE) {
        services.push({ root: dir === '' ? '.' : dir, manifest: parseServiceManifest(files.read(path), path), source: path });
      } else if (entry.name === CDKTF_APP_FILE) {
        cdktfApps.push(dir === '' ? '.' : dir);
      }
    }
  };
  walk('');
  services.sort((a, b) => a.source.localeCompare(b.source));
  const problems: ContractViolation[] = [];
  const first = new Map<string, WorkspaceService>();
  for (const service of services) {
    const earlier = first.get(service.manifest.service);
    if (earlier) {
      problems.push(
        new ContractViolation(
          'field service',
          service.manifest.service,
          `is already the service of ${earlier.source}: a service name is one Nx project, one Redis user and one secret`,
          service.source,
        ),
      );
    } else first.set(service.manifest.service, service);
  }
  throwViolations(problems);
  return { services, cdktfApps: cdktfApps.sort() };
}

export interface ReadWorkspaceOptions {
  /** @default ENVIRONMENTS */
  readonly environments?: readonly Environment[];
  /** @default the disk under `root` */
  readonly files?: WorkspaceFiles;
}

/**
 * Reads the workspace at `root`: its services, cdktf apps, environments and cells, all checked. Every
 * error names the file (or environment), the field, the value and the rule. A manifest naming an
 * environment the platform does not define is refused here, for every tool, not only at its synth.
 */
export function readWorkspace(root: string, options: ReadWorkspaceOptions = {}): Workspace {
  const environments = options.environments ?? ENVIRONMENTS;
  assertEnvironments(environments);
  const cells = environments.map(environmentCells);
  const { services, cdktfApps } = findServices(options.files ?? diskFiles(resolve(root)));
  const known = environments.map((e) => e.name);
  const problems: ContractViolation[] = [];
  for (const { manifest, source } of services) {
    const unknown = (manifest.environments ?? []).filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      problems.push(
        new ContractViolation(
          'field environments',
          manifest.environments,
          `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a platform environment (known: ${known.join(', ')})`,
          source,
        ),
      );
    }
  }
  throwViolations(problems);
  return { root: resolve(root), services, cdktfApps, environments, cells };
}

/** The nearest folder at or above `from` that holds a file `name` (absolute), or undefined at the file system root. */
export function nearestFolderWith(from: string, name: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, name))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The workspace root above `from` (the nearest folder with an `nx.json`), or undefined. */
export function workspaceRootOf(from: string): string | undefined {
  return nearestFolderWith(from, 'nx.json');
}

/** The workspace root above `from`; throws when there is none. */
export function findWorkspaceRoot(from: string): string {
  const root = workspaceRootOf(from);
  if (root === undefined) throw new ContractViolation('workspace', from, 'no nx.json in this folder or any above it');
  return root;
}
