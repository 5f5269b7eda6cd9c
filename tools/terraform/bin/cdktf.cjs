#!/usr/bin/env node
// usage (from an app folder): cdktf.cjs <cdktf command> [args...]
// Runs the cdktf CLI with the same Terraform environment as `validate` (the local provider mirror when
// there is one, a shared plugin cache otherwise), and refuses to deploy or destroy "every environment"
// unless CACHE_PLATFORM_ENVIRONMENTS names them.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
require('@swc-node/register');
const { terraformEnv } = require('../src/terraform.ts');

const args = process.argv.slice(2);
const command = args[0];
if (!command) {
  console.error('usage: cdktf.cjs <synth|diff|deploy|destroy|...> [args...]');
  process.exit(2);
}
if (['deploy', 'destroy', 'diff'].includes(command) && !process.env.CACHE_PLATFORM_ENVIRONMENTS) {
  console.error(
    `refusing to ${command} every environment: set CACHE_PLATFORM_ENVIRONMENTS=<env>[,<env>] to choose (e.g. CACHE_PLATFORM_ENVIRONMENTS=dev)`,
  );
  process.exit(1);
}
const cli = join(require.resolve('cdktf-cli/package.json'), '..', 'bundle', 'bin', 'cdktf');
const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env: terraformEnv() });
process.exit(result.status ?? 1);
