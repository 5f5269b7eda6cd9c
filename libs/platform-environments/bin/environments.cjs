#!/usr/bin/env node
// usage: environments.cjs [<service>]   (root package.json: npm run -s environments -- [<service>])
// Prints the platform's environments (name, region, state), or those one service runs in with the
// names its commands use, from the one environment list: generated docs point here instead of
// copying the list, so they never go stale when it changes.
require('@swc-node/register');
const { describeEnvironments, findWorkspaceRoot, readWorkspace } = require('../src/index.ts');

const args = process.argv.slice(2);
if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
  console.error('usage: environments.cjs [<service>]');
  process.exit(args.includes('--help') || args.includes('-h') ? 0 : 2);
}
try {
  const workspace = readWorkspace(findWorkspaceRoot(process.cwd()));
  console.log(describeEnvironments(workspace, args[0]));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
