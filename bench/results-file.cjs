// Where a bench writes its figures. By default under tmp/bench/ (git-ignored): running a bench from the
// README leaves `git status` clean and `npm test`'s format check green. `--record` also writes the
// tracked file under bench/ that docs/benchmarks.md cites, for the run that updates the record.
// Both are formatted by the workspace's Prettier (the tracked file must pass `prettier --check`).
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const WORKSPACE = resolve(__dirname, '..');
const RECORD_FLAG = '--record';
const PRETTIER = require.resolve('prettier/bin/prettier.cjs');

/**
 * Writes `results` as formatted JSON; returns the paths written.
 * @param {string} name file name, e.g. `cells-scale-results.json`
 * @param {unknown} results
 * @param {{ record?: boolean, root?: string }} [options] record: also the tracked bench/<name> (default: --record was given)
 * @returns {string[]}
 */
function writeResults(name, results, options = {}) {
  const root = options.root ?? WORKSPACE;
  const record = options.record ?? process.argv.includes(RECORD_FLAG);
  // the workspace's Prettier with the tracked file's settings, so the scratch copy is byte for byte what
  // --record writes (the CLI: Prettier's API loads its plugins by dynamic import, which jest cannot run)
  const text = execFileSync(process.execPath, [PRETTIER, '--stdin-filepath', join(WORKSPACE, 'bench', name)], {
    cwd: WORKSPACE,
    input: JSON.stringify(results),
    encoding: 'utf8',
  });
  const paths = [join(root, 'tmp', 'bench', name), ...(record ? [join(root, 'bench', name)] : [])];
  for (const path of paths) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return paths;
}

module.exports = { RECORD_FLAG, writeResults };
