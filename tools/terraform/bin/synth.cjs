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
console.log(`synthesized ${stacks.length} stack(s) in ${Date.now() - t0} ms: ${stacks.join(', ') || '(none)'}`);
