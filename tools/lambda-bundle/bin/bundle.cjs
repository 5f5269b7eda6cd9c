#!/usr/bin/env node
// usage: bundle.cjs <entry.ts> <outdir>   (run from the app folder)
require('@swc-node/register');
const { bundleHandler } = require('../src/bundle.ts');
const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  console.error('usage: bundle.cjs <entry.ts> <outdir>');
  process.exit(2);
}
const t0 = Date.now();
bundleHandler({ entry, outdir })
  .then((r) => {
    console.log(`bundled ${r.file}: ${(r.bytes / 1024).toFixed(0)} KB in ${Date.now() - t0} ms`);
    for (const i of r.largestInputs) console.log(`  ${(i.bytes / 1024).toFixed(0).padStart(5)} KB  ${i.path}`);
  })
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
