// @ts-check
// The Nx plugin that makes every `cache-service.json` a project with every service target. Plain
// CommonJS on purpose: Nx loads plugins on every project-graph computation (in Nx's own process here:
// the root .env sets NX_ISOLATE_PLUGINS=false; otherwise in a worker of their own), and a TypeScript
// plugin makes Nx register a TypeScript transpiler first, which measured 1.5-2 s per `nx` command on
// our machines (docs/benchmarks.md); this file loads in about 20 ms.
// `// @ts-check` and the JSDoc types keep it typechecked with the rest of the project.
const { readFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');

/** Manifests the plugin reads: every service app holds one. */
const SERVICE_MANIFEST_FILE = 'cache-service.json';
const SERVICE_MANIFEST_GLOB = `**/${SERVICE_MANIFEST_FILE}`;
/** Projects whose change must rebuild, re-synth and re-test every service. */
const SERVICE_IMPLICIT_DEPENDENCIES = ['service-access', 'lambda-bundle', 'terraform-tools', 'guardrails'];
const SERVICE_TAGS = ['type:app', 'kind:service'];
/** Variables that change what synth produces: part of its hash, so a cached synth of dev never stands in for prod (the name is the contract's ENVIRONMENTS_ENV_VAR; plugin.spec holds it to that). */
const SYNTH_ENV_INPUTS = [{ env: 'CACHE_PLATFORM_ENVIRONMENTS' }];
/** The opt-out that lets integration tests skip a missing tool: a skipped run must never be replayed as a full one. */
const TEST_ENV_INPUTS = [{ env: 'CACHE_PLATFORM_ALLOW_MISSING_TOOLS' }];

/** @param {string} projectRoot the relative path from the project folder back to the workspace */
function pathToRoot(projectRoot) {
  return projectRoot
    .split('/')
    .map(() => '..')
    .join('/');
}

/**
 * @typedef {object} CdktfAppOptions What a cdktf app adds to the targets every cdktf app gets.
 * @property {string} entry the app's synth entry, relative to the app folder
 * @property {import('@nx/devkit').TargetDependencyConfig[] | string[]} bundles the bundle targets its
 *   stacks package, run before synth, diff and deploy: a service its own `bundle`; the platform its
 *   dependencies' (`^bundle`: the rotation function)
 * @property {Array<string | { env: string }>} [synthInputs] what else the synth reads
 * @property {Array<import('@nx/devkit').TargetDependencyConfig | string>} [deployDependsOn] deployed first
 * @property {boolean} [destroyNeedsBundles] cdktf destroy synthesizes again: the bundles must exist
 */

/**
 * The one rule for every cdktf app (each service and the platform): synth (with the policy pack),
 * validate, diff, deploy, destroy and typecheck. Commands run from the app folder, so `cdktf` there
 * and `nx run` behave the same; synth and validate run through the plugin's batchable executors.
 * @param {string} projectRoot
 * @param {CdktfAppOptions} options
 * @returns {Record<string, import('@nx/devkit').TargetConfiguration>}
 */
function cdktfAppTargets(projectRoot, options) {
  const toRoot = pathToRoot(projectRoot);
  /** @param {string} command @param {Record<string, unknown>} [extra] */
  const inApp = (command, extra = {}) => ({ executor: 'nx:run-commands', options: { cwd: projectRoot, command, ...extra } });
  // cdktf's own update checks stay off: the tool runs offline and in CI
  /** @param {string} args */
  const cdktf = (args) => inApp(`node ${toRoot}/tools/terraform/bin/cdktf.cjs ${args}`, { env: { CHECKPOINT_DISABLE: '1' } });
  const bundles = options.bundles;
  return {
    synth: {
      ...batchable('synth', `node ${toRoot}/tools/terraform/bin/synth.cjs ${options.entry}`, projectRoot),
      dependsOn: [...bundles],
      cache: true,
      inputs: ['production', '^production', ...(options.synthInputs ?? []), ...SYNTH_ENV_INPUTS],
      outputs: ['{projectRoot}/cdktf.out'],
    },
    validate: {
      ...batchable('validate', `node tools/terraform/bin/validate.cjs ${projectRoot}`, '.'),
      dependsOn: ['synth'],
      // runs the Terraform and provider installed on this machine, which no input describes
      cache: false,
    },
    // `synth` first: it runs the policy pack (docs/policy.md), and the cdktf CLI's own synth does not
    diff: { ...cdktf('diff'), dependsOn: [...bundles, 'synth'], cache: false },
    deploy: {
      // refuses to run without CACHE_PLATFORM_ENVIRONMENTS, so no deploy (nor the platform deploy it
      // depends on) ever reaches every environment by default
      ...cdktf("deploy '*' --auto-approve"),
      dependsOn: [...bundles, 'synth', ...(options.deployDependsOn ?? [])],
      cache: false,
    },
    destroy: { ...cdktf("destroy '*'"), ...(options.destroyNeedsBundles ? { dependsOn: [...bundles] } : {}), cache: false },
    typecheck: {
      executor: 'nx:run-commands',
      options: { command: `tsc --noEmit -p ${projectRoot}/tsconfig.json` },
      cache: true,
      inputs: ['default', '^production'],
    },
  };
}

/**
 * The same command, run by the plugin's executor of that target: alone it runs the command; under
 * `nx --batch` every project's task of the batch runs in one process (executors/batch.cjs).
 * @param {'bundle' | 'synth' | 'validate'} target @param {string} command @param {string} cwd
 */
function batchable(target, command, cwd) {
  return { executor: `@cache-platform/nx-plugin:${target}`, options: { cwd, command } };
}

/**
 * The targets every service app gets (no project.json restates them): a change here reaches every
 * service at once. The cdktf app rule, with the service's own handler bundle, plus its checks.
 * @param {string} projectRoot
 * @returns {Record<string, import('@nx/devkit').TargetConfiguration>}
 */
function serviceTargets(projectRoot) {
  const toRoot = pathToRoot(projectRoot);
  /** @param {string} command @param {Record<string, unknown>} [extra] */
  const inApp = (command, extra = {}) => ({ executor: 'nx:run-commands', options: { cwd: projectRoot, command, ...extra } });
  return {
    bundle: {
      ...batchable('bundle', `node ${toRoot}/tools/lambda-bundle/bin/bundle.cjs`, projectRoot),
      cache: true,
      inputs: ['production', '^production'],
      outputs: ['{projectRoot}/dist/handler'],
    },
    ...cdktfAppTargets(projectRoot, {
      entry: `${toRoot}/libs/service-access/src/main.ts`,
      bundles: ['bundle'],
      // the platform's exports must exist before a service can read them; `synth` runs the policy pack.
      // `params: 'forward'`: the wrapper's flags after `--` (--first-deploy, --verbose) reach the
      // platform deploy this run starts too, not only the service's
      deployDependsOn: [{ projects: ['platform'], target: 'deploy', params: 'forward' }],
    }),
    // the six migration steps, judged on the synthesized stacks and the handler source
    // (docs/migration.md); `--json` for CI; exits 1 while a step is missing
    'migration-check': {
      ...inApp(`node ${toRoot}/tools/migration-check/bin/migration-check.cjs`),
      dependsOn: ['synth'],
      // reads the synth output, which is cached itself: the check takes well under a second
      cache: false,
    },
    // what the service owns per environment (user, secret, keyspace, cell, Lambda, grants, alarms),
    // read from the synthesized stacks; `--json` for scripts
    describe: {
      ...inApp(`node ${toRoot}/tools/nx-plugin/bin/describe.cjs`),
      dependsOn: ['synth'],
      cache: false,
    },
    // the workspace's shared jest preset and ESLint config: an app carries no copy of either. An app
    // with no tests yet (adopted with --existing) passes with a notice instead of failing `npm test`
    test: {
      ...inApp(`node ${toRoot}/tools/nx-plugin/bin/service-test.cjs`),
      cache: true,
      inputs: ['default', '^production', '{workspaceRoot}/jest.preset.cjs', ...TEST_ENV_INPUTS],
    },
    lint: {
      ...inApp('eslint .'),
      cache: true,
      inputs: ['default', '^production', '{workspaceRoot}/eslint.config.mjs'],
    },
  };
}

/**
 * The project name of a service app: the one reader of `cache-service.json` outside the workspace
 * model (libs/platform-environments `readWorkspace`), allowed for two reasons. The model is
 * TypeScript, and this file stays plain JavaScript so Nx needs no transpiler (see the top); and Nx
 * computes the project graph before any task, so a manifest the model refuses (bad JSON, a bad
 * field) must still leave a project here, or no `nx` command could run to report it. So it reads
 * the `service` field and nothing else, never throws, and falls back to the folder name; the synth,
 * through the model, reports the manifest's problems with the file, field, value and rule.
 * test/workspace-model.spec.ts holds the names to the model's (the sample apps and a service under
 * services/payments), and bin/service-test.cjs takes the name from Nx (NX_TASK_TARGET_PROJECT)
 * rather than read it again.
 * @param {string} workspaceRoot
 * @param {string} manifestPath
 */
function serviceName(workspaceRoot, manifestPath) {
  try {
    const parsed = JSON.parse(readFileSync(join(workspaceRoot, manifestPath), 'utf8'));
    if (typeof parsed.service === 'string' && parsed.service.trim() !== '') return parsed.service;
  } catch {
    // invalid JSON: the synth says so; the project still exists under its folder name
  }
  return basename(dirname(manifestPath));
}

/**
 * @param {string} workspaceRoot
 * @param {string} manifestPath
 * @returns {import('@nx/devkit').CreateNodesResult}
 */
function serviceProject(workspaceRoot, manifestPath) {
  const root = dirname(manifestPath);
  return {
    projects: {
      [root]: {
        name: serviceName(workspaceRoot, manifestPath),
        root,
        sourceRoot: `${root}/src`,
        projectType: 'application',
        tags: [...SERVICE_TAGS],
        implicitDependencies: [...SERVICE_IMPLICIT_DEPENDENCIES],
        targets: serviceTargets(root),
      },
    },
  };
}

/**
 * One project per `cache-service.json`. (Nx 23 names this export `createNodes`; `createNodesV2` is
 * its deprecated alias with the same signature.)
 * @type {import('@nx/devkit').CreateNodes}
 */
const createNodes = [
  SERVICE_MANIFEST_GLOB,
  (manifestPaths, _options, context) => manifestPaths.map((path) => [path, serviceProject(context.workspaceRoot, path)]),
];

module.exports = {
  name: '@cache-platform/nx-plugin',
  createNodes,
  serviceTargets,
  cdktfAppTargets,
  SERVICE_MANIFEST_FILE,
  SERVICE_MANIFEST_GLOB,
  SERVICE_IMPLICIT_DEPENDENCIES,
  SERVICE_TAGS,
  TEST_ENV_INPUTS,
};
