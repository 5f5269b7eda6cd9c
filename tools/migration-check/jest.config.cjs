// The walk test synthesizes the legacy fixture once per step: give it room on a 2-core machine.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'migration-check',
  rootDir: __dirname,
  testTimeout: 120000,
  testPathIgnorePatterns: ['/node_modules/', '/test/fixtures/'],
};
