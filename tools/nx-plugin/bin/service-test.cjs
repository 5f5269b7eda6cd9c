#!/usr/bin/env node
// usage: service-test.cjs [jest options]   (a service's `test` target runs it in the app folder)
// Jest with the workspace's shared preset. An app with no tests yet (an app adopted with
// `nx g service-cache --existing` often has none) passes with a notice naming what to add, rather
// than failing every `npm test` with jest's "No tests found".
const { spawnSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { basename, join, relative } = require('node:path');

const workspaceRoot = join(__dirname, '..', '..', '..');
/** jest.preset.cjs's testMatch, `**\/?(*.)+(spec|test).ts`, as a file-name test */
const TEST_FILE = /^(?:.+\.)?(?:spec|test)\.ts$/;
/** folders jest never reads tests from here: installs, build output, tool state */
const SKIPPED = new Set(['node_modules', 'dist', 'cdktf.out', 'state', '.terraform', 'coverage']);

/** @param {string} dir @returns {boolean} */
function hasTests(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name) && hasTests(join(dir, entry.name))) return true;
    } else if (TEST_FILE.test(entry.name)) return true;
  }
  return false;
}

const app = process.cwd();
if (!hasTests(app)) {
  // Nx names the project of every task it runs (NX_TASK_TARGET_PROJECT, nx/src/tasks-runner/task-env),
  // and the plugin took that name from the manifest: no second reader of cache-service.json here. Run
  // by hand, the folder names the app.
  const name = process.env.NX_TASK_TARGET_PROJECT || basename(app);
  const where = relative(workspaceRoot, app) || '.';
  console.log(
    `notice: ${name} has no tests yet (no *.spec.ts or *.test.ts in ${where}), so its test target passes. ` +
      'Add a first handler test, e.g. src/handler/handler.spec.ts (docs/migration.md, "An app without tests").',
  );
  process.exit(0);
}
const jest = require.resolve('jest/bin/jest', { paths: [workspaceRoot] });
const run = spawnSync(
  process.execPath,
  [jest, '--config', join(workspaceRoot, 'jest.preset.cjs'), '--rootDir', '.', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
