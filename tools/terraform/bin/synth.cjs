#!/usr/bin/env node
// usage (from an app folder): synth.cjs src/main.ts [--verbose]
// Empties cdktf.out first, so a stack that is no longer synthesized (an environment left out by
// CACHE_PLATFORM_ENVIRONMENTS, a removed environment) can never be validated or deployed from a stale copy.
const { synthApp } = require('./synth-app.cjs');
const USAGE = [
  'usage (from an app folder): synth.cjs <app entry, e.g. src/main.ts> [--verbose]',
  '',
  'Synthesizes the app into cdktf.out (emptied first), then runs the policy pack on what was written.',
  'CACHE_PLATFORM_ENVIRONMENTS=<env>[,<env>] limits the environments; --verbose (or nx --verbose) shows',
  'the stack trace of a failed synth.',
].join('\n');
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const verbose = argv.includes('--verbose') || process.env.NX_VERBOSE_LOGGING === 'true';
const entry = argv.find((a) => !a.startsWith('--'));
if (!entry) {
  console.error(USAGE);
  process.exit(2);
}
process.exitCode = synthApp(process.cwd(), entry, { verbose }) ? 0 : 1;
