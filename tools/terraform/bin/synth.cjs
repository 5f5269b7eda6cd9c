#!/usr/bin/env node
// usage (from an app folder): synth.cjs src/main.ts [--verbose]
// Empties cdktf.out first, so a stack that is no longer synthesized (an environment left out by
// CACHE_PLATFORM_ENVIRONMENTS, a removed environment) can never be validated or deployed from a stale copy.
const { rmSync, readdirSync, existsSync } = require('node:fs');
const { resolve, join } = require('node:path');
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
const t0 = Date.now();
rmSync('cdktf.out', { recursive: true, force: true });
require('@swc-node/register');
try {
  require(resolve(entry));
} catch (error) {
  // an unknown environment, an invalid manifest, a cell over its quota: the message names the value,
  // the rule and the file; the stack trace only says where the check lives
  console.error(verbose || !(error instanceof Error) ? error : `synth failed: ${error.message} (--verbose shows the stack trace)`);
  process.exit(1);
}
const stacksDir = join('cdktf.out', 'stacks');
const stacks = existsSync(stacksDir) ? readdirSync(stacksDir) : [];
const t1 = Date.now();
console.log(`synthesized ${stacks.length} stack(s) in ${t1 - t0} ms: ${stacks.join(', ') || '(none)'}`);
// the policy pack reads what was just written (so escape hatches and overrides are checked too);
// a finding fails the synth, and nothing downstream (validate, deploy) runs on a stack that broke it
if (stacks.length > 0) {
  const { checkSynthesizedApp, formatPolicyReport } = require('@cache-platform/guardrails/policy');
  const report = checkSynthesizedApp(process.cwd());
  const text = formatPolicyReport(report);
  if (report.findings.length > 0) {
    console.error(text);
    console.error('synth failed the policy pack (docs/policy.md: each rule, and how to suppress one with a reason)');
    process.exit(1);
  }
  console.log(`${text} (${Date.now() - t1} ms)`);
}
