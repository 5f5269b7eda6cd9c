#!/usr/bin/env node
// `npm run policy -- <dir>`: the policy pack over synthesized stacks (see docs/policy.md).
require('@swc-node/register');
process.exitCode = require('../src/policy/cli.ts').main(process.argv.slice(2));
