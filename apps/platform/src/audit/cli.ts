import { ContractViolation } from '@cache-platform/cache-contract';
import {
  assertWorkspaceCells,
  environmentCells,
  ENVIRONMENTS,
  findWorkspaceRoot,
  readWorkspace,
  type Environment,
} from '@cache-platform/platform-environments';
import { auditPlan, driftRows, formatDriftTable } from './audit';
import { accountClients, AccountReadError, readAccount, type AccountClients } from './read-account';

const USAGE = `usage: npx nx run platform:audit -- --env <environment> [--json]
audits one environment, every cell of it; users of other environments in the same account are left alone
exit 0: in sync; 1: drift (printed); 2: the account could not be read (the failing call is named) or the workspace is invalid`;

export interface AuditCliOptions {
  /** @default the workspace holding this file */
  readonly workspaceRoot?: string;
  /** @default clients for the environment's region */
  readonly clients?: AccountClients;
  /** @default the platform's environments (`ENVIRONMENTS`) */
  readonly environments?: readonly Environment[];
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
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else {
      console.error(`audit: unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
      return 2;
    }
  }
  const environments = options.environments ?? ENVIRONMENTS;
  const environment = environments.find((e) => e.name === name);
  if (!environment) {
    console.error(
      `audit: ${name ? `unknown environment ${JSON.stringify(name)}` : 'name an environment'} (known: ${environments.map((e) => e.name).join(', ')})\n${USAGE}`,
    );
    return 2;
  }
  let manifests;
  let cells;
  try {
    // the readers every synth uses: the same manifests, cells and quota check
    const { services } = readWorkspace(options.workspaceRoot ?? findWorkspaceRoot(__dirname), { environments });
    assertWorkspaceCells([environment], services);
    manifests = services.map((s) => s.manifest);
    cells = environmentCells(environment).cells.map((c) => c.name);
  } catch (error) {
    if (!(error instanceof ContractViolation)) throw error;
    console.error(`audit ${environment.name}: the workspace is invalid: ${error.message}`);
    return 2;
  }
  let live;
  try {
    live = await readAccount({ environment: environment.name, cells }, options.clients ?? accountClients(environment.region));
  } catch (error) {
    if (!(error instanceof AccountReadError)) throw error;
    console.error(`audit ${environment.name}: cannot read the account (${environment.region}): ${error.message}`);
    return 2;
  }
  const plan = auditPlan(
    environment,
    manifests,
    live,
    environments.map((e) => e.name),
  );
  const rows = driftRows(plan);
  if (json) {
    const report = {
      environment: environment.name,
      cells,
      inSync: rows.length === 0,
      drift: rows,
      otherEnvironments: plan.otherEnvironments,
      plan,
    };
    console.log(JSON.stringify(report, null, 2));
  } else console.log(formatDriftTable(environment.name, rows, plan));
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
