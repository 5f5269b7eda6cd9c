import { join } from 'node:path';
import { ENVIRONMENTS } from '@cache-platform/platform-environments';
import { auditPlan, driftRows, formatDriftTable, workspaceManifests } from './audit';
import { accountClients, AccountReadError, readAccount, type AccountClients } from './read-account';

const USAGE = `usage: npx nx run platform:audit -- --env <environment> [--json]
exit 0: in sync; 1: drift (printed); 2: the account could not be read (the failing call is named)`;

export interface AuditCliOptions {
  /** @default the workspace holding this file */
  readonly workspaceRoot?: string;
  /** @default clients for the environment's region */
  readonly clients?: AccountClients;
}

/** `platform:audit`: returns the exit code. */
export async function main(argv: readonly string[], options: AuditCliOptions = {}): Promise<number> {
  let name: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--env') name = argv[++i];
    else if (arg.startsWith('--env=')) name = arg.slice('--env='.length);
    else if (arg === '--json') json = true;
    else {
      console.error(`audit: unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
      return 2;
    }
  }
  const environment = ENVIRONMENTS.find((e) => e.name === name);
  if (!environment) {
    console.error(
      `audit: ${name ? `unknown environment ${JSON.stringify(name)}` : 'name an environment'} (known: ${ENVIRONMENTS.map((e) => e.name).join(', ')})\n${USAGE}`,
    );
    return 2;
  }
  const manifests = workspaceManifests(options.workspaceRoot ?? join(__dirname, '..', '..', '..', '..'));
  let live;
  try {
    live = await readAccount(environment.name, options.clients ?? accountClients(environment.region));
  } catch (error) {
    if (!(error instanceof AccountReadError)) throw error;
    console.error(`audit ${environment.name}: cannot read the account (${environment.region}): ${error.message}`);
    return 2;
  }
  const plan = auditPlan(environment, manifests, live);
  const rows = driftRows(plan);
  if (json) console.log(JSON.stringify({ environment: environment.name, inSync: rows.length === 0, drift: rows, plan }, null, 2));
  else console.log(formatDriftTable(environment.name, rows));
  return rows.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`audit: ${(error as Error).message}`);
      process.exitCode = 2;
    },
  );
}
