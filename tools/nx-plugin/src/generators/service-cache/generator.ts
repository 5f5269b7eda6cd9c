import {
  addProjectConfiguration,
  formatFiles,
  generateFiles,
  getProjects,
  joinPathFragments,
  names,
  offsetFromRoot,
  type Tree,
} from '@nx/devkit';
import { join } from 'node:path';
import {
  assertAuthMode,
  assertKeyspace,
  assertKeyspacesDisjoint,
  assertServiceManifest,
  assertServiceName,
  ownershipTags,
  type KeyspaceClaim,
  SERVICE_MANIFEST_FILE,
  type ServiceManifest,
} from '@cache-platform/cache-contract';

import type { ServiceCacheGeneratorSchema } from './schema';

/** Options after defaults and validation: nothing below this point can fail on user input. */
export interface NormalizedServiceCacheOptions {
  readonly manifest: ServiceManifest;
  readonly projectRoot: string;
}

/**
 * Checks everything before writing anything, so a refused run leaves the tree untouched. Each
 * failure is one error naming the value and the rule.
 */
export function normalizeOptions(tree: Tree, schema: ServiceCacheGeneratorSchema): NormalizedServiceCacheOptions {
  const service = assertServiceName(schema.name);
  const keyspace = assertKeyspace(schema.keyspace ?? service);
  const authMode = assertAuthMode(schema.authMode ?? 'password', 'authMode');
  const owner = (schema.owner ?? '').trim();
  const purpose = (schema.purpose ?? '').trim();
  // the same rules the tags will be held to at synth time, checked now
  ownershipTags({ service, owner, purpose, environment: 'dev' });

  const directory = (schema.directory ?? 'apps').replace(/\/+$/, '');
  if (directory.startsWith('/') || directory.split('/').includes('..')) {
    throw new Error(`invalid directory ${JSON.stringify(schema.directory)}: must be a relative folder inside the workspace`);
  }
  const projectRoot = joinPathFragments(directory, service);

  const projects = getProjects(tree);
  if (projects.has(service)) {
    throw new Error(`invalid service name ${JSON.stringify(service)}: a project with that name already exists at ${projects.get(service)!.root}`);
  }
  if (tree.exists(projectRoot) && tree.children(projectRoot).length > 0) {
    throw new Error(`invalid service name ${JSON.stringify(service)}: the folder ${projectRoot} already exists and is not empty`);
  }

  const claims: KeyspaceClaim[] = [];
  for (const [, project] of projects) {
    const manifest = readManifest(tree, project.root);
    if (manifest) claims.push({ keyspace: manifest.keyspace, service: manifest.service });
  }
  assertKeyspacesDisjoint([...claims, { keyspace, service }]);

  return { manifest: { service, keyspace, owner, purpose, authMode, accessProfile: 'readwrite' }, projectRoot };
}

export function readManifest(tree: Tree, projectRoot: string): ServiceManifest | undefined {
  const path = joinPathFragments(projectRoot, SERVICE_MANIFEST_FILE);
  if (!tree.exists(path)) return undefined;
  return assertServiceManifest(JSON.parse(tree.read(path, 'utf-8')!), path);
}

/** Writes the project configuration and the app files; the caller formats. */
export function writeServiceProject(tree: Tree, options: NormalizedServiceCacheOptions): void {
  const { manifest, projectRoot } = options;
  const toRoot = offsetFromRoot(projectRoot);
  const cwd = { cwd: projectRoot };
  addProjectConfiguration(tree, manifest.service, {
    root: projectRoot,
    sourceRoot: `${projectRoot}/src`,
    projectType: 'application',
    tags: ['type:app', 'kind:service'],
    targets: {
      bundle: {
        executor: 'nx:run-commands',
        options: { ...cwd, command: `node ${toRoot}tools/lambda-bundle/bin/bundle.cjs src/handler/index.ts dist/handler` },
        outputs: ['{projectRoot}/dist/handler'],
        cache: true,
      },
      synth: {
        executor: 'nx:run-commands',
        options: { ...cwd, command: `node ${toRoot}tools/terraform/bin/synth.cjs src/main.ts` },
        dependsOn: ['bundle'],
      },
      validate: {
        executor: 'nx:run-commands',
        options: { command: `node tools/terraform/bin/validate.cjs ${projectRoot}` },
        dependsOn: ['synth'],
      },
      diff: {
        executor: 'nx:run-commands',
        options: { ...cwd, command: `node ${toRoot}tools/terraform/bin/cdktf.cjs diff`, env: { CHECKPOINT_DISABLE: '1' } },
        dependsOn: ['bundle'],
      },
      deploy: {
        executor: 'nx:run-commands',
        // refuses to run without CACHE_PLATFORM_ENVIRONMENTS, so no deploy (nor the platform deploy it
        // depends on) ever reaches every environment by default
        options: { ...cwd, command: `node ${toRoot}tools/terraform/bin/cdktf.cjs deploy '*' --auto-approve`, env: { CHECKPOINT_DISABLE: '1' } },
        // the platform's exports must exist before a service can read them
        dependsOn: ['bundle', { projects: ['platform'], target: 'deploy' }],
      },
      destroy: {
        executor: 'nx:run-commands',
        options: {
          ...cwd,
          command: `node ${toRoot}tools/terraform/bin/cdktf.cjs destroy '*'`,
          env: { CHECKPOINT_DISABLE: '1' },
        },
      },
      typecheck: {
        executor: 'nx:run-commands',
        options: { command: `tsc --noEmit -p ${projectRoot}/tsconfig.json` },
      },
    },
  });
  generateFiles(tree, join(__dirname, 'files'), projectRoot, {
    ...manifest,
    ...names(manifest.service),
    projectRoot,
    offsetFromRoot: toRoot,
    manifestJson: JSON.stringify(manifest, null, 2),
    tmpl: '',
  });
}

export async function serviceCacheGenerator(tree: Tree, schema: ServiceCacheGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  writeServiceProject(tree, options);
  await formatFiles(tree);
}

export default serviceCacheGenerator;
