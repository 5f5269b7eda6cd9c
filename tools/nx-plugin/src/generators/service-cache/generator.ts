import {
  formatFiles,
  generateFiles,
  joinPathFragments,
  logger,
  offsetFromRoot,
  visitNotIgnoredFiles,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { basename, join } from 'node:path';
import {
  assertAuthMode,
  assertKeyspace,
  assertKeyspacesDisjoint,
  assertPurpose,
  assertServiceName,
  assertTagValue,
  ContractViolation,
  ContractViolations,
  MissingValue,
  throwViolations,
  DEFAULT_CELL,
  DEFAULT_HANDLER_ENTRY,
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
  name: 'pass the service name first, e.g. nx g service-cache orders-api --owner=team-orders --purpose="..."',
  owner: 'pass it, e.g. --owner=team-orders',
  purpose: 'pass it, e.g. --purpose="cache product lookups in front of the catalog DB"',
} as const;

/**
 * Every problem of a run, collected so that one refusal names them all (a bad name, a claimed
 * keyspace and an unknown cell are three lines of one error, not three runs).
 */
class Problems {
  readonly found: ContractViolation[] = [];

  /** `check`'s result, or undefined when it refused (its violations are kept). */
  check<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      // each keeps the location the group had (a manifest's path), so no line loses its file
      if (error instanceof ContractViolations) this.found.push(...error.violations.map((v) => (error.where ? v.at(error.where) : v)));
      else if (error instanceof ContractViolation) this.found.push(error);
      else throw error;
      return undefined;
    }
  }

  add(violation: ContractViolation): undefined {
    this.found.push(violation);
    return undefined;
  }

  /** Throws the one problem as it is, or all of them in one message. */
  throwAny(): void {
    throwViolations(this.found);
  }
}

/**
 * Checks everything before writing anything, so a refused run leaves the tree untouched. Every
 * failure is reported at once, each naming the value and the rule (or the missing flag and an example).
 */
export function normalizeOptions(
  tree: Tree,
  schema: ServiceCacheGeneratorSchema,
  environments: readonly Environment[] = ENVIRONMENTS,
): NormalizedServiceCacheOptions {
  const problems = new Problems();
  const existing = schema.existing === true;
  const given = (value: string | undefined): value is string => typeof value === 'string' && value.trim() !== '';

  // the flags on their own
  const service = given(schema.name)
    ? problems.check(() => assertServiceName(schema.name))
    : problems.add(new MissingValue('service name', REQUIRED_FLAGS.name));
  const keyspace =
    schema.keyspace !== undefined
      ? problems.check(() => assertKeyspace(schema.keyspace))
      : service !== undefined
        ? problems.check(() => assertKeyspace(service))
        : undefined;
  const authMode = problems.check(() => assertAuthMode(schema.authMode ?? 'password', 'authMode'));
  const owner =
    schema.owner === undefined
      ? problems.add(new MissingValue('--owner', REQUIRED_FLAGS.owner))
      : problems.check(() => assertTagValue('--owner', schema.owner.trim()));
  const purpose =
    schema.purpose === undefined
      ? problems.add(new MissingValue('--purpose', REQUIRED_FLAGS.purpose))
      : problems.check(() => assertPurpose(schema.purpose.trim(), '--purpose'));
  if (existing && schema.directory !== undefined) {
    problems.add(new ContractViolation('--directory', schema.directory, 'is for a new app: --existing adopts the app where it is'));
  }
  if (!existing && schema.handler !== undefined) {
    problems.add(new ContractViolation('--handler', schema.handler, 'is for --existing: a new service gets src/handler/index.ts'));
  }
  const directory = existing ? undefined : problems.check(() => newAppDirectory(schema.directory));

  // the flags against the workspace
  const workspace = problems.check(() => readWorkspace(tree));
  let projectRoot: string | undefined;
  let handler: string | undefined = existing ? undefined : DEFAULT_HANDLER_ENTRY;
  let wired = false;
  if (workspace && service !== undefined) {
    const { services, projects } = workspace;
    if (existing) {
      const app = adoptedApp(problems, tree, workspace, service, schema.handler);
      wired = app.wired;
      projectRoot = app.root;
      handler = app.handler;
    } else if (directory !== undefined) {
      projectRoot = joinPathFragments(directory, service);
      // service apps are inferred from their manifests (no project.json), other projects from project.json
      const clash = [...projects, ...services.map((s) => ({ name: s.manifest.service, root: s.root }))].find((p) => p.name === service);
      if (clash) {
        problems.add(new ContractViolation('service name', service, `a project with that name already exists at ${clash.root}`));
      } else if (tree.exists(projectRoot) && tree.children(projectRoot).length > 0) {
        problems.add(new ContractViolation('service name', service, `the folder ${projectRoot} already exists and is not empty`));
      }
    }
  }
  let cell: string | undefined;
  if (workspace && !wired) {
    // checked under the name as given, valid or not: a claimed keyspace or a full cell is news either way
    const claimant = service ?? String(schema.name ?? '');
    if (keyspace !== undefined) {
      const claims: KeyspaceClaim[] = workspace.services.map((s) => ({ keyspace: s.manifest.keyspace, service: s.manifest.service }));
      problems.check(() => assertKeyspacesDisjoint([...claims, { keyspace, service: claimant }]));
    }
    cell = problems.check(() =>
      placeService(
        environments.map(environmentCells),
        workspace.services.map((s) => ({ ...s.manifest, source: s.source })),
        { service: claimant, requested: schema.cell },
      ),
    );
  }
  problems.throwAny();
  // every check above passed: these are all set (a refusal has thrown)
  if (
    service === undefined ||
    keyspace === undefined ||
    authMode === undefined ||
    owner === undefined ||
    purpose === undefined ||
    projectRoot === undefined ||
    handler === undefined ||
    cell === undefined
  ) {
    throw new Error('service-cache generator: an option passed no check and raised no problem (a bug in normalizeOptions)');
  }
  const manifest = newManifest({ service, keyspace, owner, purpose, authMode, handler, cell });
  if (existing) {
    // the manifest as the synth will read it: a handler path the contract refuses is refused now
    parseServiceManifest(manifestFile(manifest, offsetFromRoot(projectRoot)), joinPathFragments(projectRoot, SERVICE_MANIFEST_FILE));
  }
  return { manifest, projectRoot, existing };
}

/** `--directory` for a new app: a relative folder that Nx and the platform tools both read. */
function newAppDirectory(flag: string | undefined): string {
  const directory = (flag ?? 'apps').replace(/\/+$/, '');
  if (directory.startsWith('/') || directory.split('/').includes('..')) {
    throw new ContractViolation('directory', flag, 'must be a relative folder inside the workspace');
  }
  const skipped = directory.split('/').find((part) => SKIPPED_FOLDERS.has(part));
  if (skipped !== undefined) {
    throw new ContractViolation(
      'directory',
      flag,
      `${skipped} holds build output or tool state, which neither Nx nor any platform tool reads: a service there would exist for none of them`,
    );
  }
  return directory;
}

/**
 * `--existing`: the Nx app to adopt (its project.json names it), adopted without touching its code.
 * Records a problem when the app is not found, is already wired (has a manifest), its handler entry
 * cannot be found, or a file adoption writes is already there.
 */
function adoptedApp(
  problems: Problems,
  tree: Tree,
  { services, projects }: ReturnType<typeof readWorkspace>,
  service: string,
  handlerFlag: string | undefined,
): { wired: boolean; root?: string; handler?: string } {
  const wiredService = services.find((s) => s.manifest.service === service);
  if (wiredService) {
    problems.add(
      new ContractViolation(
        '--existing',
        service,
        `is already wired to the shared cache: ${joinPathFragments(wiredService.root, SERVICE_MANIFEST_FILE)} exists`,
      ),
    );
    return { wired: true };
  }
  const project = projects.find((p) => p.name === service);
  if (!project) {
    const names = projects.map((p) => p.name).sort();
    problems.add(
      new ContractViolation(
        '--existing',
        service,
        `no Nx project with that name (a project.json "name") in the workspace${names.length ? ` (projects: ${names.join(', ')})` : ''}: name an existing app, or leave out --existing to create a new one`,
      ),
    );
    return { wired: false };
  }
  const root = project.root;
  const manifestPath = joinPathFragments(root, SERVICE_MANIFEST_FILE);
  if (tree.exists(manifestPath)) {
    problems.add(new ContractViolation('--existing', service, `is already wired to the shared cache: ${manifestPath} exists`));
    return { wired: true };
  }
  const candidates = handlerFlag !== undefined ? [handlerFlag] : EXISTING_HANDLER_CANDIDATES;
  const handler = candidates.find((entry) => tree.exists(joinPathFragments(root, entry)));
  if (!handler) {
    problems.add(
      new ContractViolation(
        handlerFlag !== undefined ? '--handler' : 'handler entry',
        handlerFlag ?? candidates.join(', '),
        handlerFlag !== undefined
          ? `is not a file in ${root}`
          : `none of these is in ${root}: pass the entry file with --handler=<path inside the app>`,
      ),
    );
  }
  const clashes = ADOPTION_FILES.map((file) => joinPathFragments(root, file)).filter((path) => tree.exists(path));
  if (clashes.length > 0) {
    problems.add(
      new ContractViolation(
        '--existing',
        service,
        `adoption writes ${clashes.join(', ')}, which already exist: move them aside (a hand-wired cdktf.json is replaced by the platform's service stack) and run again`,
      ),
    );
  }
  return { wired: false, root, handler };
}

/** The default cell is left implicit, so a one-cell workspace's manifests stay as they were. */
function newManifest(
  fields: Pick<ServiceManifest, 'service' | 'keyspace' | 'owner' | 'purpose' | 'authMode' | 'handler'> & { cell: string },
): ServiceManifest {
  const { cell, ...rest } = fields;
  return {
    ...rest,
    accessProfile: 'readwrite',
    function: {},
    stackExtension: STACK_EXTENSION_FILE,
    ...(cell === DEFAULT_CELL ? {} : { cell }),
  };
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

/**
 * What to run after the files are written, with this service's name filled in: a first run should not
 * need the README open. (`describe` lists what it will own per environment once synthesized.)
 */
export function nextSteps(options: NormalizedServiceCacheOptions): string {
  const { manifest, projectRoot, existing } = options;
  const name = manifest.service;
  const lines = [
    `next steps for ${name} (${projectRoot}):`,
    `  npx nx test ${name}                      # its tests`,
    `  npx nx run ${name}:validate              # bundle, synth, terraform validate`,
    `  npx nx run ${name}:describe              # what it owns per environment: user, secret, keyspace, cell, Lambda, alarms`,
    existing
      ? `  npx nx run ${name}:migration-check       # the six migration steps: which are still missing (docs/migration.md)`
      : `  npx nx run ${name}:migration-check       # the six migration steps, all done for a new service`,
    `  CACHE_PLATFORM_ENVIRONMENTS=dev npx nx run ${name}:deploy   # with AWS credentials; deploys the platform first`,
  ];
  return lines.join('\n');
}

export async function serviceCacheGenerator(
  tree: Tree,
  schema: ServiceCacheGeneratorSchema,
  environments: readonly Environment[] = ENVIRONMENTS,
): Promise<GeneratorCallback> {
  const options = normalizeOptions(tree, schema, environments);
  writeServiceFiles(tree, options);
  await formatFiles(tree);
  // runs once the files are on disk (not on --dry-run)
  return () => logger.info(nextSteps(options));
}

export default serviceCacheGenerator;
