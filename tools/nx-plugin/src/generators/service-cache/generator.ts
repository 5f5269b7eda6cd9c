import { formatFiles, generateFiles, joinPathFragments, offsetFromRoot, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { basename, join } from 'node:path';
import {
  assertAuthMode,
  assertKeyspace,
  assertKeyspacesDisjoint,
  assertServiceManifest,
  assertServiceName,
  ContractViolation,
  DEFAULT_CELL,
  DEFAULT_HANDLER_ENTRY,
  placeService,
  ownershipTags,
  SERVICE_MANIFEST_FILE,
  SERVICE_MANIFEST_SCHEMA_PATH,
  type KeyspaceClaim,
  type ServiceManifest,
} from '@cache-platform/cache-contract';
import { ENVIRONMENTS, environmentCells, type Environment } from '@cache-platform/platform-environments';

import type { ServiceCacheGeneratorSchema } from './schema';

/** The extension point every generated service gets: the team's own resources, next to the wiring. */
export const STACK_EXTENSION_FILE = 'src/stack.ts';

/** Options after defaults and validation: nothing below this point can fail on user input. */
export interface NormalizedServiceCacheOptions {
  readonly manifest: ServiceManifest;
  readonly projectRoot: string;
}

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
  const service = assertServiceName(schema.name);
  const keyspace = assertKeyspace(schema.keyspace ?? service);
  const authMode = assertAuthMode(schema.authMode ?? 'password', 'authMode');
  for (const [flag, example] of Object.entries(REQUIRED_FLAGS)) {
    if (schema[flag as keyof typeof REQUIRED_FLAGS] === undefined) {
      throw new ContractViolation(`--${flag}`, undefined, `is required: pass it, e.g. ${example}`);
    }
  }
  const owner = schema.owner.trim();
  const purpose = schema.purpose.trim();
  // the same rules the tags will be held to at synth time, checked now
  ownershipTags({ service, owner, purpose, environment: 'dev' });

  const directory = (schema.directory ?? 'apps').replace(/\/+$/, '');
  if (directory.startsWith('/') || directory.split('/').includes('..')) {
    throw new ContractViolation('directory', schema.directory, 'must be a relative folder inside the workspace');
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
  // the cell with room for one more user in every environment (the users-per-group quota), or a refusal
  // naming the cell, the count and the quota; nothing is written before this point
  const cell = placeService(
    environments.map(environmentCells),
    services.map((s) => ({ ...s.manifest, source: `${s.root}/${SERVICE_MANIFEST_FILE}` })),
    { service, requested: schema.cell },
  );

  return {
    manifest: {
      service,
      keyspace,
      owner,
      purpose,
      authMode,
      accessProfile: 'readwrite',
      handler: DEFAULT_HANDLER_ENTRY,
      function: {},
      stackExtension: STACK_EXTENSION_FILE,
      // the default cell is left implicit, so a one-cell workspace's manifests stay as they were
      ...(cell === DEFAULT_CELL ? {} : { cell }),
    },
    projectRoot,
  };
}

/**
 * Every service manifest (validated: an invalid one names its file) and every project.json project
 * in the tree, in one walk that skips git-ignored folders. Not Nx's `getProjects`/`glob`: they go
 * through the native workspace context, which hangs on a generator test's tree.
 */
export function readWorkspace(tree: Tree): {
  services: Array<{ root: string; manifest: ServiceManifest }>;
  projects: Array<{ name: string; root: string }>;
} {
  const services: Array<{ root: string; manifest: ServiceManifest }> = [];
  const projects: Array<{ name: string; root: string }> = [];
  const folderOf = (path: string, file: string) => (path === file ? '.' : path.slice(0, -(file.length + 1)));
  visitNotIgnoredFiles(tree, '', (path) => {
    const file = path.split('/').pop();
    if (file !== SERVICE_MANIFEST_FILE && file !== 'project.json') return;
    const text = tree.read(path, 'utf-8') ?? '';
    const root = folderOf(path, file);
    if (file === SERVICE_MANIFEST_FILE) services.push({ root, manifest: assertServiceManifest(JSON.parse(text), path) });
    else projects.push({ name: (JSON.parse(text) as { name?: string }).name ?? basename(root), root });
  });
  return { services, projects };
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
  const { manifest, projectRoot } = options;
  const toRoot = offsetFromRoot(projectRoot);
  generateFiles(tree, join(__dirname, 'files'), projectRoot, {
    ...manifest,
    projectRoot,
    offsetFromRoot: toRoot,
    manifestJson: manifestFile(manifest, toRoot),
  });
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
