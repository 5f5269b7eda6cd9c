// @ts-check
// The Nx plugin for the cdktf apps that are not services (the platform): the same rule as every
// service's synth, validate, diff, deploy, destroy and typecheck (plugin.cjs `cdktfAppTargets`), with
// the options nx.json gives for what such an app adds. A project.json keeps only the app's own
// targets (the platform's audit) and dependencies. Plain CommonJS for the reason plugin.cjs gives.
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { cdktfAppTargets, SERVICE_MANIFEST_FILE } = require('./plugin.cjs');

const CDKTF_APP_GLOB = '**/cdktf.json';

/**
 * @typedef {object} CdktfAppPluginOptions
 * @property {string} [entry] the synth entry, relative to the app folder (default `src/main.ts`)
 * @property {Array<import('@nx/devkit').TargetDependencyConfig | string>} [bundles] bundle targets the
 *   stacks package (default `^bundle`: the bundles of the projects the app depends on)
 * @property {string[]} [synthInputs] what else the synth reads
 * @property {boolean} [destroyNeedsBundles] default true: cdktf destroy synthesizes the app again
 */

/**
 * A cdktf app is a folder with a `cdktf.json` and a `project.json` (so a test fixture's cdktf.json is
 * no project); one with a `cache-service.json` is a service, whose targets plugin.cjs infers.
 * @param {string} workspaceRoot
 * @param {string} configPath
 */
function isPlatformApp(workspaceRoot, configPath) {
  const root = join(workspaceRoot, dirname(configPath));
  return existsSync(join(root, 'project.json')) && !existsSync(join(root, SERVICE_MANIFEST_FILE));
}

/** @type {import('@nx/devkit').CreateNodes<CdktfAppPluginOptions>} */
const createNodes = [
  CDKTF_APP_GLOB,
  (configPaths, options, context) =>
    configPaths
      .filter((path) => isPlatformApp(context.workspaceRoot, path))
      .map((path) => {
        const root = dirname(path);
        const targets = cdktfAppTargets(root, {
          entry: options?.entry ?? 'src/main.ts',
          bundles: options?.bundles ?? ['^bundle'],
          synthInputs: options?.synthInputs ?? [],
          destroyNeedsBundles: options?.destroyNeedsBundles ?? true,
        });
        return [path, { projects: { [root]: { root, targets } } }];
      }),
];

module.exports = { name: '@cache-platform/nx-plugin/cdktf-apps', createNodes, CDKTF_APP_GLOB };
