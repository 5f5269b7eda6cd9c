#!/usr/bin/env node
// usage (from an app folder): synth.cjs src/main.ts
// Empties cdktf.out first, so a stack that is no longer synthesized (an environment left out by
// CACHE_PLATFORM_ENVIRONMENTS, a removed environment) can never be validated or deployed from a stale copy.
const { rmSync, readdirSync, existsSync } = require('node:fs');
const { resolve, join } = require('node:path');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: synth.cjs <app entry, e.g. src/main.ts>');
  process.exit(2);
}
const t0 = Date.now();
rmSync('cdktf.out', { recursive: true, force: true });
require('@swc-node/register');
require(resolve(entry));
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
