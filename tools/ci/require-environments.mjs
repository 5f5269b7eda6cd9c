#!/usr/bin/env node
// Guard for destructive targets: refuse to act on "every environment" by default.
const action = process.argv[2] ?? 'this command';
if (!process.env.CACHE_PLATFORM_ENVIRONMENTS) {
  console.error(`refusing to ${action} every environment: set CACHE_PLATFORM_ENVIRONMENTS=<env>[,<env>] to choose (e.g. CACHE_PLATFORM_ENVIRONMENTS=dev)`);
  process.exit(1);
}
