import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createNodesFromFiles, type CreateNodes } from '@nx/devkit';
import { SERVICE_IMPLICIT_DEPENDENCIES, SERVICE_TAGS, serviceTargets } from './service-targets';

/** Manifests the plugin reads: every service app holds one. */
export const SERVICE_MANIFEST_GLOB = '**/cache-service.json';

/**
 * The project name of a service app. The plugin only reads the name: the manifest is validated by
 * the synth (with the file, field, value and rule), so a typo in one manifest never stops Nx itself.
 */
function serviceName(workspaceRoot: string, manifestPath: string): string {
  try {
    const parsed = JSON.parse(readFileSync(join(workspaceRoot, manifestPath), 'utf8')) as { service?: unknown };
    if (typeof parsed.service === 'string' && parsed.service.trim() !== '') return parsed.service;
  } catch {
    // invalid JSON: the synth says so; the project still exists under its folder name
  }
  return basename(dirname(manifestPath));
}

/**
 * Nx plugin: a project with every service target for each `cache-service.json`. (Nx 23 names this
 * export `createNodes`; `createNodesV2` is its deprecated alias with the same signature.)
 */
export const createNodes: CreateNodes = [
  SERVICE_MANIFEST_GLOB,
  (manifestPaths, options, context) =>
    createNodesFromFiles(
      (manifestPath, _options, ctx) => {
        const root = dirname(manifestPath);
        return {
          projects: {
            [root]: {
              name: serviceName(ctx.workspaceRoot, manifestPath),
              root,
              sourceRoot: `${root}/src`,
              projectType: 'application',
              tags: [...SERVICE_TAGS],
              implicitDependencies: [...SERVICE_IMPLICIT_DEPENDENCIES],
              targets: serviceTargets(root),
            },
          },
        };
      },
      manifestPaths,
      options,
      context,
    ),
];

export const name = '@cache-platform/nx-plugin';
