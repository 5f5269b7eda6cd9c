#!/usr/bin/env node
// Thin launcher: compiles the TypeScript CLI on the fly (swc) so there is no build step to forget.
require('@swc-node/register');
require('../src/validate-cli.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
