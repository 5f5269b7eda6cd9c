#!/usr/bin/env node
// usage (from an app folder): cdktf.cjs <cdktf command> [args...] [--verbose] [--first-deploy]
// Runs the cdktf CLI with the same Terraform environment as `validate` (the local provider mirror when
// there is one, a shared plugin cache otherwise; cdktf's registry-only provider-lock step skipped).
// Before anything is synthesized it refuses, in one line: deploy/diff/destroy of "every environment"
// (CACHE_PLATFORM_ENVIRONMENTS unset), environment names the platform does not define, protected
// environments without remote state, a Terraform CLI older than the stacks need, a deploy onto the sample
// VPC and subnet ids, a deploy (without --first-deploy) or destroy whose local state file is missing, and
// a platform destroy while services remain (their local state, or with remote state their keyspace
// claims in SSM). cdktf's common failures are condensed to one line each (--verbose: its full output).
// Every failure exits 1.
require('@swc-node/register');
const { parseWrapperArgs, preflightProblem, resourceProblem, runCdktf, TERRAFORM_COMMANDS, WRAPPER_USAGE } = require('../src/cdktf-cli.ts');
const { checkTerraformVersion } = require('../src/version.ts');
const { remoteDependentsProblem } = require('../src/claims-guard.ts');
// the one list of environments and the one reading of CACHE_PLATFORM_ENVIRONMENTS, as every app uses them
const {
  appStacks,
  assertEnvironmentNetwork,
  assertStateAllowed,
  selectEnvironments,
  workspaceRootOf,
} = require('@cache-platform/platform-environments');

const { args, verbose, firstDeploy, help } = parseWrapperArgs(process.argv.slice(2));
const command = args[0];
if (!command || (help && command.startsWith('-'))) {
  console.log(WRAPPER_USAGE);
  process.exit(help ? 0 : 2);
}
const select = (env) => selectEnvironments({ env });
const problem = help
  ? undefined
  : (preflightProblem(command, process.env, { select, assertStateAllowed }) ??
    (TERRAFORM_COMMANDS.includes(command) ? checkTerraformVersion() : undefined) ??
    resourceProblem(command, process.env, {
      select,
      // an apply against the sample VPC fails at AWS after a full init: refused here, naming the file
      assertDeployable: (environment) => assertEnvironmentNetwork(environment, { deploy: true }),
      appStacks: (env) => appStacks(process.cwd(), { env }),
      firstDeploy,
      root: workspaceRootOf(process.cwd()),
    }));
async function main() {
  // the platform's destroy with remote state: services that still claim keyspaces in SSM hold it
  const remote =
    problem ?? (!help && command === 'destroy' ? await remoteDependentsProblem(appStacks(process.cwd(), { env: process.env })) : undefined);
  if (remote) {
    console.error(remote);
    return 1;
  }
  // cdktf's own codes (130 after an interrupted prompt, say) are not a contract: a failure is 1
  return (await runCdktf(args, { verbose })) === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(verbose || !(error instanceof Error) ? error : error.message);
    process.exit(1);
  },
);
