#!/usr/bin/env node
// Run by `postinstall` (package.json). Nx 23 exits 130 ("interrupted") instead of 1 when a task fails
// and the tasks that depend on it are skipped: skipped tasks get no task result, and the check for an
// interrupted run (`didCommandComplete` in nx/dist/src/tasks-runner/run-command.js) takes a missing
// result for a Ctrl-C. `nx run orders-api:deploy` with a failing `platform:deploy` (no credentials, no
// state) then reported 130. Nx 24 fixed it (it tracks skipped statuses: run-outcome.js). This patch makes
// a missing result count as "skipped after a failure" when a task failed, as Nx 24 does; it touches
// nothing when the text is not the one Nx 23 ships (another Nx version: the fix is upstream, or the
// text moved and `tools/ci/patch-nx.spec.ts` fails to say so).
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const MARK = '/* cache-platform: skipped-after-failure is not an interruption (tools/ci/patch-nx.cjs) */';
const ORIGINAL = `            if (!taskResults[task.id])
                return false;`;
const PATCHED = `            if (!taskResults[task.id])
                ${MARK} return Object.values(taskResults).some((r) => r.status === 'failure');`;

/** The patched text of run-command.js; undefined when it is patched already or not the text Nx 23 ships. */
function patchRunCommand(source) {
  if (source.includes(MARK) || !source.includes(ORIGINAL)) return undefined;
  return source.replace(ORIGINAL, PATCHED);
}

function runCommandPath(root = join(__dirname, '..', '..')) {
  return join(root, 'node_modules', 'nx', 'dist', 'src', 'tasks-runner', 'run-command.js');
}

function main() {
  const file = runCommandPath();
  if (!existsSync(file)) return;
  const major = Number(require(join(file, '..', '..', '..', '..', 'package.json')).version.split('.')[0]);
  if (major !== 23) return;
  const patched = patchRunCommand(readFileSync(file, 'utf8'));
  if (patched !== undefined) writeFileSync(file, patched);
}

module.exports = { MARK, patchRunCommand, runCommandPath };
if (require.main === module) main();
