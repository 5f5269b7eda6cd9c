#!/usr/bin/env node
// usage: bundle.cjs [<entry.ts> <outdir>]   (run from the app folder)
// Without arguments, in a service app: the handler named by cache-service.json, into dist/handler.
require('@swc-node/register');
const { bundleHandler, serviceBundlePaths } = require('../src/index.ts');
const args = process.argv.slice(2);
if (args.length === 1 || args.length > 2) {
  console.error('usage: bundle.cjs [<entry.ts> <outdir>]');
  process.exit(2);
}
const t0 = Date.now();
Promise.resolve()
  .then(() => (args.length === 2 ? { entry: args[0], outdir: args[1] } : serviceBundlePaths(process.cwd())))
  .then((paths) => bundleHandler(paths))
  .then((r) => {
    console.log(`bundled ${r.file}: ${(r.bytes / 1024).toFixed(0)} KB in ${Date.now() - t0} ms`);
    for (const i of r.largestInputs) console.log(`  ${(i.bytes / 1024).toFixed(0).padStart(5)} KB  ${i.path}`);
  })
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
