#!/usr/bin/env node
// usage: bundle.cjs [--verbose] [<entry.ts> <outdir>]   (run from the app folder)
// Without arguments, in a service app: the handler named by cache-service.json, into dist/handler.
// Prints one line; --verbose adds the five modules that weigh most in the bundle.
require('@swc-node/register');
const { bundleHandler, serviceBundlePaths } = require('../src/index.ts');
const USAGE = 'usage: bundle.cjs [--verbose] [<entry.ts> <outdir>]';
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(
    `${USAGE}\n` +
      'bundles a Lambda handler with esbuild for nodejs22.x / arm64\n' +
      "  <entry.ts> <outdir>  default: the service's handler (cache-service.json) into dist/handler\n" +
      '  --verbose            also list the five largest modules in the bundle',
  );
  process.exit(0);
}
const verbose = argv.includes('--verbose');
const args = argv.filter((a) => a !== '--verbose');
const unknown = args.find((a) => a.startsWith('-'));
if (unknown !== undefined || args.length === 1 || args.length > 2) {
  console.error(unknown !== undefined ? `bundle: unknown option ${JSON.stringify(unknown)}\n${USAGE}` : USAGE);
  process.exit(2);
}
const t0 = Date.now();
Promise.resolve()
  .then(() => (args.length === 2 ? { entry: args[0], outdir: args[1] } : serviceBundlePaths(process.cwd())))
  .then((paths) => bundleHandler(paths))
  .then((r) => {
    console.log(`bundled ${r.file}: ${(r.bytes / 1024).toFixed(0)} KB in ${Date.now() - t0} ms`);
    if (verbose) for (const i of r.largestInputs) console.log(`  ${(i.bytes / 1024).toFixed(0).padStart(5)} KB  ${i.path}`);
  })
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
