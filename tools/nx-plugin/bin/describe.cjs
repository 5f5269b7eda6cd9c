#!/usr/bin/env node
// usage: describe.cjs [<app folder>] [--json]   (the `describe` target runs it in the app folder, after synth)
require('@swc-node/register');
process.exitCode = require('../src/describe/describe.ts').main(process.argv.slice(2));
