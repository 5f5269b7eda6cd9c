#!/usr/bin/env node
// usage: migration-check.cjs [<app folder>] [--json]   (the `migration-check` target runs it in the app folder)
require('@swc-node/register');
process.exitCode = require('../src/cli.ts').main(process.argv.slice(2));
