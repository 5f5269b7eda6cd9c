import { join, resolve } from 'node:path';
import { workspaceRootOf } from '@cache-platform/platform-environments';
import { checkDirs, synthesizedApps } from './check';
import { formatPolicyReport } from './runner';

const USAGE = `usage: npm run policy -- [--workspace] [--suppressions <file>] [--json] [<dir>...]
  <dir>            a stack folder (holding cdk.tf.json), a cdktf.out folder or an app folder
  --workspace      also read every app's cdktf.out of the workspace for the cross-stack rules (CP008);
                   without <dir>: check every synthesized app of the workspace
  --suppressions   use this file instead of each app's policy-suppressions.json
  --json           print the report as JSON
exit 0: no finding; 1: findings; 2: bad usage, unreadable stacks or a refused suppression`;

/** `npm run policy -- <dir>`: returns the exit code. Relative paths are taken from where npm was run. */
export function main(argv: readonly string[], cwd = process.env['INIT_CWD'] ?? process.cwd()): number {
  const dirs: string[] = [];
  let workspaceContext = false;
  let json = false;
  let suppressionsFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--workspace') workspaceContext = true;
    else if (arg === '--json') json = true;
    else if (arg === '--suppressions') {
      const next = argv[++i];
      if (!next) return usage('--suppressions needs a file');
      suppressionsFile = resolve(cwd, next);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else if (arg.startsWith('-')) return usage(`unknown option ${arg}`);
    else dirs.push(resolve(cwd, arg));
  }
  if (dirs.length === 0 && workspaceContext) {
    // `--workspace` alone: every synthesized app of the workspace, each with its own suppressions
    const root = workspaceRootOf(cwd);
    if (root) dirs.push(...synthesizedApps(root).map((app) => join(app, 'cdktf.out')));
    if (dirs.length === 0) return usage('no synthesized app in the workspace: run `npx nx run-many -t synth` first');
  }
  if (dirs.length === 0) return usage('name at least one folder');
  let report;
  try {
    report = checkDirs({ dirs, workspaceContext, suppressionsFile });
  } catch (error) {
    console.error(`policy: ${(error as Error).message}`);
    return 2;
  }
  console.log(json ? JSON.stringify(report, null, 2) : formatPolicyReport(report));
  return report.findings.length === 0 ? 0 : 1;
}

function usage(problem: string): number {
  console.error(`policy: ${problem}\n${USAGE}`);
  return 2;
}
