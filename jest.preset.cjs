// Shared jest settings: @swc/jest strips types (typecheck is its own target), paths come from tsconfig.base.json.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  const key = '^' + alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('\\*', '(.*)') + '$';
  moduleNameMapper[key] = path.join(__dirname, target.replace('*', '$1'));
}

// The AWS SDK announces on every Node 20 process that it will require Node 22 (the Lambdas run
// nodejs22.x; the workspace still supports Node 20): noise in every test run, said once in the README.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|test).ts'],
  // the default per-file lines, and a line as each slow test ends (tools/ci/jest-progress.cjs)
  reporters: ['default', path.join(__dirname, 'tools', 'ci', 'jest-progress.cjs')],
};
