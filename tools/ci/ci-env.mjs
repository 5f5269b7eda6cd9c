// The settings every CI-like run uses, in one place: `.ci/run` exports them (node tools/ci/ci-env.mjs
// --export) and `npm run affected:test` passes them to Nx, so a developer's affected run tests exactly
// what CI tests.
export const CI_ENV = {
  CI: 'true',
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  // cdktf/Terraform: no update checks (offline machines, reproducible output)
  CHECKPOINT_DISABLE: '1',
  // integration tests fail when moto_server, terraform or redis-server is missing; never skip
  CACHE_PLATFORM_ALLOW_MISSING_TOOLS: '0',
};

if (process.argv.includes('--export')) {
  for (const [name, value] of Object.entries(CI_ENV)) console.log(`export ${name}=${value}`);
}
