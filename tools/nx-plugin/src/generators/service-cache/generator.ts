import { formatFiles, generateFiles, joinPathFragments, offsetFromRoot, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { basename, join } from 'node:path';
import {
  assertAuthMode,
  assertKeyspace,
  assertKeyspacesDisjoint,
  assertServiceName,
  ContractViolation,
  DEFAULT_CELL,
  DEFAULT_HANDLER_ENTRY,
  ownershipTags,
  SERVICE_MANIFEST_FILE,
  SERVICE_MANIFEST_SCHEMA_PATH,
  type KeyspaceClaim,
  type ServiceManifest,
  placeService,
} from '@cache-platform/cache-contract';
import {
  ENVIRONMENTS,
  environmentCells,
  findServices,
  parseServiceManifest,
  SKIPPED_FOLDERS,
  type Environment,
  type WorkspaceFiles,
  type WorkspaceService,
} from '@cache-platform/platform-environments';

import type { ServiceCacheGeneratorSchema } from './schema';

/** The extension point every generated service gets: the team's own resources, next to the wiring. */
export const STACK_EXTENSION_FILE = 'src/stack.ts';

/** Options after defaults and validation: nothing below this point can fail on user input. */
export interface NormalizedServiceCacheOptions {
  readonly manifest: ServiceManifest;
  readonly projectRoot: string;
  /** adopting an existing app (`--existing`): its handler code is not written */
  readonly existing: boolean;
}

/** Handler entries looked for in an existing app when `--handler` is not given, in this order. */
export const EXISTING_HANDLER_CANDIDATES = ['src/handler/index.ts', 'src/handler.ts', 'src/index.ts', 'src/main.ts'];
/** Files adoption writes into an existing app; any of them already there stops it (it would be overwritten). */
const ADOPTION_FILES = [SERVICE_MANIFEST_FILE, STACK_EXTENSION_FILE, 'MIGRATION.md', 'cdktf.json'];

/** The flags a run without a terminal must pass, each with an example. */
const REQUIRED_FLAGS = {
  owner: '--owner=team-orders',
  purpose: '--purpose="cache product lookups in front of the catalog DB"',
} as const;

/**
 * Checks everything before writing anything, so a refused run leaves the tree untouched. Each
 * failure names the value and the rule (or the missing flag and an example).
 */
export function normalizeOptions(
  tree: Tree,
  schema: ServiceCacheGeneratorSchema,
  environments: readonly Environment[] = ENVIRONMENTS,
): NormalizedServiceCacheOptions {
  if (schema.existing) return inCell(tree, normalizeExisting(tree, schema), schema, environments);
  if (schema.handler !== undefined) {
    throw new ContractViolation('--handler', schema.handler, 'is for --existing: a new service gets src/handler/index.ts');
  }
  const service = assertServiceName(schema.name);
  const keyspace = assertKeyspace(schema.keyspace ?? service);
  const authMode = assertAuthMode(schema.authMode ?? 'password', 'authMode');
  const { owner, purpose } = ownership(schema, service);

  const directory = (schema.directory ?? 'apps').replace(/\/+$/, '');
  if (directory.startsWith('/') || directory.split('/').includes('..')) {
    throw new ContractViolation('directory', schema.directory, 'must be a relative folder inside the workspace');
  }
  const skipped = directory.split('/').find((part) => SKIPPED_FOLDERS.has(part));
  if (skipped !== undefined) {
    throw new ContractViolation(
      'directory',
      schema.directory,
      `${skipped} holds build output or tool state, which neither Nx nor any platform tool reads: a service there would exist for none of them`,
    );
  }
  const projectRoot = joinPathFragments(directory, service);

  // service apps are inferred from their manifests (no project.json), other projects from project.json
  const { services, projects } = readWorkspace(tree);
  const clash = [...projects, ...services.map((s) => ({ name: s.manifest.service, root: s.root }))].find((p) => p.name === service);
  if (clash) throw new ContractViolation('service name', service, `a project with that name already exists at ${clash.root}`);
  if (tree.exists(projectRoot) && tree.children(projectRoot).length > 0) {
    throw new ContractViolation('service name', service, `the folder ${projectRoot} already exists and is not empty`);
  }
  const claims: KeyspaceClaim[] = services.map((s) => ({ keyspace: s.manifest.keyspace, service: s.manifest.service }));
  assertKeyspacesDisjoint([...claims, { keyspace, service }]);

  return inCell(
    tree,
    {
      manifest: newManifest({ service, keyspace, owner, purpose, authMode, handler: DEFAULT_HANDLER_ENTRY }),
      projectRoot,
      existing: false,
    },
    schema,
    environments,
  );
}

/**
 * Puts the new service in the cell with room for one more user in every environment (the
 * users-per-group quota), or the `--cell` asked for; refuses, naming the cell, the count and the quota,
 * when it is full (or every cell is). Runs before anything is written. The default cell is left
 * implicit, so a one-cell workspace's manifests stay as they were.
 */
function inCell(
  tree: Tree,
  options: NormalizedServiceCacheOptions,
  schema: ServiceCacheGeneratorSchema,
  environments: readonly Environment[],
): NormalizedServiceCacheOptions {
  const { services } = readWorkspace(tree);
  const cell = placeService(
    environments.map(environmentCells),
    services.map((s) => ({ ...s.manifest, source: s.source })),
    { service: options.manifest.service, requested: schema.cell },
  );
  return cell === DEFAULT_CELL ? options : { ...options, manifest: { ...options.manifest, cell } };
}

function newManifest(
  fields: Pick<ServiceManifest, 'service' | 'keyspace' | 'owner' | 'purpose' | 'authMode' | 'handler'>,
): ServiceManifest {
  return { ...fields, accessProfile: 'readwrite', function: {}, stackExtension: STACK_EXTENSION_FILE };
}

/** `--owner` and `--purpose`, required, held to the tag rules they will meet at synth time. */
function ownership(schema: ServiceCacheGeneratorSchema, service: string): { owner: string; purpose: string } {
  for (const [flag, example] of Object.entries(REQUIRED_FLAGS)) {
    if (schema[flag as keyof typeof REQUIRED_FLAGS] === undefined) {
      throw new ContractViolation(`--${flag}`, undefined, `is required: pass it, e.g. ${example}`);
    }
  }
  const owner = schema.owner.trim();
  const purpose = schema.purpose.trim();
  ownershipTags({ service, owner, purpose, environment: 'dev' });
  return { owner, purpose };
}

/**
 * `--existing`: adopts an Nx app that already exists (its project.json names it) without touching
 * its code. Refuses, before writing anything, when the app is not found, is already wired (has a
 * manifest), its keyspace is claimed, its handler entry cannot be found, or a file adoption writes
 * is already there.
 */
function normalizeExisting(tree: Tree, schema: ServiceCacheGeneratorSchema): NormalizedServiceCacheOptions {
  const service = assertServiceName(schema.name);
  const keyspace = assertKeyspace(schema.keyspace ?? service);
  const authMode = assertAuthMode(schema.authMode ?? 'password', 'authMode');
  if (schema.directory !== undefined) {
    throw new ContractViolation('--directory', schema.directory, 'is for a new app: --existing adopts the app where it is');
  }
  const { services, projects } = readWorkspace(tree);
  const wired = services.find((s) => s.manifest.service === service);
  if (wired) {
    throw new ContractViolation(
      '--existing',
      service,
      `is already wired to the shared cache: ${joinPathFragments(wired.root, SERVICE_MANIFEST_FILE)} exists`,
    );
  }
  const project = projects.find((p) => p.name === service);
  if (!project) {
    const names = projects.map((p) => p.name).sort();
    throw new ContractViolation(
      '--existing',
      service,
      `no Nx project with that name (a project.json "name") in the workspace${names.length ? ` (projects: ${names.join(', ')})` : ''}: name an existing app, or leave out --existing to create a new one`,
    );
  }
  const projectRoot = project.root;
  const { owner, purpose } = ownership(schema, service);
  const manifestPath = joinPathFragments(projectRoot, SERVICE_MANIFEST_FILE);
  if (tree.exists(manifestPath)) {
    throw new ContractViolation('--existing', service, `is already wired to the shared cache: ${manifestPath} exists`);
  }
  const claims: KeyspaceClaim[] = services.map((s) => ({ keyspace: s.manifest.keyspace, service: s.manifest.service }));
  assertKeyspacesDisjoint([...claims, { keyspace, service }]);

  const candidates = schema.handler !== undefined ? [schema.handler] : EXISTING_HANDLER_CANDIDATES;
  const handler = candidates.find((entry) => tree.exists(joinPathFragments(projectRoot, entry)));
  if (!handler) {
    throw new ContractViolation(
      schema.handler !== undefined ? '--handler' : 'handler entry',
      schema.handler ?? candidates.join(', '),
      schema.handler !== undefined
        ? `is not a file in ${projectRoot}`
        : `none of these is in ${projectRoot}: pass the entry file with --handler=<path inside the app>`,
    );
  }
  const clashes = ADOPTION_FILES.map((file) => joinPathFragments(projectRoot, file)).filter((path) => tree.exists(path));
  if (clashes.length > 0) {
    throw new ContractViolation(
      '--existing',
      service,
      `adoption writes ${clashes.join(', ')}, which already exist: move them aside (a hand-wired cdktf.json is replaced by the platform's service stack) and run again`,
    );
  }
  const manifest = newManifest({ service, keyspace, owner, purpose, authMode, handler });
  // the manifest as the synth will read it: a handler path the contract refuses is refused now
  parseServiceManifest(manifestFile(manifest, offsetFromRoot(projectRoot)), manifestPath);
  return { manifest, projectRoot, existing: true };
}

/**
 * The generator's view of the workspace: every service, found by the workspace model's own walk over
 * the generator's tree (so the generator counts exactly the services every tool counts, wherever
 * `--directory` put them), and every project.json project, in a walk that skips git-ignored folders.
 * Not Nx's `getProjects`/`glob`: they go through the native workspace context, which hangs on a
 * generator test's tree.
 */
export function readWorkspace(tree: Tree): {
  services: WorkspaceService[];
  projects: Array<{ name: string; root: string }>;
} {
  const { services } = findServices(treeFiles(tree));
  const projects: Array<{ name: string; root: string }> = [];
  visitNotIgnoredFiles(tree, '', (path) => {
    if (path.split('/').pop() !== 'project.json') return;
    const root = path === 'project.json' ? '.' : path.slice(0, -'/project.json'.length);
    const text = tree.read(path, 'utf-8') ?? '';
    let parsed: { name?: string };
    try {
      parsed = JSON.parse(text) as { name?: string };
    } catch (error) {
      throw new ContractViolation('JSON', (error as Error).message, 'a project.json must be valid JSON', path);
    }
    projects.push({ name: parsed.name ?? basename(root), root });
  });
  return { services, projects };
}

/** The generator's tree as the workspace model reads files: what the run has written so far counts. */
function treeFiles(tree: Tree): WorkspaceFiles {
  return {
    list: (dir) => tree.children(dir).map((name) => ({ name, isDirectory: !tree.isFile(dir === '' ? name : `${dir}/${name}`) })),
    read: (path) => tree.read(path, 'utf-8') ?? '',
  };
}

/** The manifest as written: the schema for editors first, then the fields a team reads most. */
function manifestFile(manifest: ServiceManifest, toRoot: string): string {
  const { service, keyspace, owner, purpose, authMode, accessProfile, handler, stackExtension, cell } = manifest;
  const file = {
    $schema: `${toRoot}${SERVICE_MANIFEST_SCHEMA_PATH}`,
    service,
    keyspace,
    owner,
    purpose,
    authMode,
    accessProfile,
    handler,
    stackExtension,
    ...(cell ? { cell } : {}),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Writes the files a team owns; everything else is inferred from the manifest. The caller formats. */
export function writeServiceFiles(tree: Tree, options: NormalizedServiceCacheOptions): void {
  const { manifest, projectRoot, existing } = options;
  const toRoot = offsetFromRoot(projectRoot);
  const substitutions = { ...manifest, projectRoot, existing, offsetFromRoot: toRoot, manifestJson: manifestFile(manifest, toRoot) };
  // an adopted app keeps its own tsconfig.json (and its handler code: the handler templates are not written)
  const tsconfig = joinPathFragments(projectRoot, 'tsconfig.json');
  const keptTsconfig = existing ? tree.read(tsconfig) : null;
  generateFiles(tree, join(__dirname, 'files'), projectRoot, substitutions);
  if (keptTsconfig) tree.write(tsconfig, keptTsconfig);
  if (!existing) generateFiles(tree, join(__dirname, 'files-handler'), projectRoot, substitutions);
}

export async function serviceCacheGenerator(
  tree: Tree,
  schema: ServiceCacheGeneratorSchema,
  environments: readonly Environment[] = ENVIRONMENTS,
): Promise<void> {
  const options = normalizeOptions(tree, schema, environments);
  writeServiceFiles(tree, options);
  await formatFiles(tree);
}

export default serviceCacheGenerator;
