#!/usr/bin/env node
// The policy pack's cost inside a synth: for each synthesized app, `checkSynthesizedApp(<app>)`, the
// call tools/terraform/bin/synth.cjs makes after writing cdktf.out (read the app's stacks and every
// other app's as context, run every rule, suppressions included). The first call in a fresh process
// (module load of the rules included) is what one synth pays; the warm runs show the rules' own cost.
// Also the rules alone per stack (parsed stacks, runPolicy only).
// Usage: npx nx run-many -t synth && node -r @swc-node/register bench/policy.bench.cjs [runs=30]
const { readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { loadavg, cpus } = require('node:os');

const workspace = resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 30);
const ms = (ns) => Number(ns) / 1e6;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))];
const fmt = (v) => v.toFixed(1);

const t0 = process.hrtime.bigint();
const policy = require('@cache-platform/guardrails/policy');
const loadMs = ms(process.hrtime.bigint() - t0);

const apps = policy.synthesizedApps(workspace);
if (apps.length === 0) throw new Error('no synthesized app: run `npx nx run-many -t synth` first');
console.log(`machine: ${cpus().length} x ${cpus()[0].model}, node ${process.version}, load average ${loadavg().map(fmt).join(' ')}`);
console.log(`module load (rules, stack model, acl table): ${fmt(loadMs)} ms`);

for (const app of apps) {
  const name = app.slice(workspace.length + 1);
  const stacks = readdirSync(join(app, 'cdktf.out', 'stacks')).length;
  const first = process.hrtime.bigint();
  const report = policy.checkSynthesizedApp(app);
  const firstMs = ms(process.hrtime.bigint() - first);
  if (report.findings.length > 0) throw new Error(`${name} has findings: ${policy.formatPolicyReport(report)}`);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    policy.checkSynthesizedApp(app);
    times.push(ms(process.hrtime.bigint() - start));
  }
  console.log(
    `${name}: ${stacks} stack(s), ${report.rules.length} rules; first call ${fmt(firstMs)} ms (${fmt(firstMs / stacks)} ms/stack); ` +
      `warm median ${fmt(median(times))} ms (${fmt(median(times) / stacks)} ms/stack), p95 ${fmt(p95(times))} ms, over ${runs} runs`,
  );
}

// the rules alone, on already parsed stacks
const { readStacks } = require('@cache-platform/stack-analysis');
const { runPolicy } = require('../libs/guardrails/src/policy/runner');
for (const app of apps) {
  for (const stack of readStacks(join(app, 'cdktf.out'))) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      runPolicy({ stacks: [stack] });
      times.push(ms(process.hrtime.bigint() - start));
    }
    console.log(
      `  rules only, ${stack.name} (${stack.resources.length} resources): median ${fmt(median(times))} ms, p95 ${fmt(p95(times))} ms`,
    );
  }
}
