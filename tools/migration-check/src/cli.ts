import { checkMigration, MigrationCheckError } from './check';
import { formatReport } from './report';

const USAGE = 'usage: migration-check [<app folder>] [--json] [--handler=<entry file>]';
const HELP = [
  "checks the six migration steps (docs/migration.md) on the app's synthesized stacks and handler source",
  '  <app folder>        default: the working directory (npx nx run <service>:migration-check runs there)',
  '  --json              the report as JSON, for CI',
  "  --handler=<file>    the handler entry, when it is not the manifest's",
  'exit 0: all six steps done; 1: a step is missing; 2: nothing to check (no synthesized stacks, bad arguments)',
].join('\n');

/**
 * `migration-check [<app folder>] [--json] [--handler=<file>]`: the app folder defaults to the
 * working directory (the Nx target runs in the app folder). Exit 0 when all six steps are done, 1
 * while one is missing, 2 when there is nothing to check (no synthesized stacks, bad arguments).
 */
export function main(argv: readonly string[], write: (text: string) => void = (t) => process.stdout.write(t)): number {
  let json = false;
  let handler: string | undefined;
  const folders: string[] = [];
  for (const arg of argv) {
    if (arg === '--json' || arg === '--json=true') json = true;
    else if (arg === '--json=false') json = false;
    else if (arg.startsWith('--handler=')) handler = arg.slice('--handler='.length);
    else if (arg === '--help' || arg === '-h') {
      write(`${USAGE}\n${HELP}\n`);
      return 0;
    } else if (arg.startsWith('-')) {
      process.stderr.write(`unknown option ${JSON.stringify(arg)}\n${USAGE}\n`);
      return 2;
    } else folders.push(arg);
  }
  if (folders.length > 1) {
    process.stderr.write(`one app folder at a time (got ${folders.join(', ')})\n${USAGE}\n`);
    return 2;
  }
  try {
    const report = checkMigration(folders[0] ?? '.', { handler });
    write((json ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n');
    return report.done === report.total ? 0 : 1;
  } catch (error) {
    if (!(error instanceof MigrationCheckError) && !(error instanceof Error && error.name === 'ContractViolation')) throw error;
    process.stderr.write(`migration-check: ${error.message}\n`);
    return 2;
  }
}
