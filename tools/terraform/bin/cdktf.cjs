#!/usr/bin/env node
// usage (from an app folder): cdktf.cjs <cdktf command> [args...] [--verbose]
// Runs the cdktf CLI with the same Terraform environment as `validate` (the local provider mirror when
// there is one, a shared plugin cache otherwise), refuses to deploy or destroy "every environment"
// unless CACHE_PLATFORM_ENVIRONMENTS names them, refuses environment names the platform does not define
// and protected environments without remote state before anything is synthesized, refuses a Terraform CLI
// older than the stacks need, and reports common failures in one line (--verbose: cdktf's full output).
require('@swc-node/register');
const { parseWrapperArgs, preflightProblem, runCdktf, TERRAFORM_COMMANDS } = require('../src/cdktf-cli.ts');
const { checkTerraformVersion } = require('../src/version.ts');
// the one list of environments and the one reading of CACHE_PLATFORM_ENVIRONMENTS, as every app uses them
const { assertStateAllowed, selectEnvironments } = require('@cache-platform/platform-environments');

const { args, verbose } = parseWrapperArgs(process.argv.slice(2));
const command = args[0];
if (!command) {
  console.error('usage: cdktf.cjs <synth|diff|deploy|destroy|...> [args...] [--verbose]');
  process.exit(2);
}
const problem =
  preflightProblem(command, process.env, { select: (env) => selectEnvironments({ env }), assertStateAllowed }) ??
  (TERRAFORM_COMMANDS.includes(command) ? checkTerraformVersion() : undefined);
if (problem) {
  console.error(problem);
  process.exit(1);
}
runCdktf(args, { verbose }).then(
  (code) => process.exit(code),
  (error) => {
    console.error(verbose || !(error instanceof Error) ? error : error.message);
    process.exit(1);
  },
);
