// The real-Redis suites start redis-server processes: give them room on a 2-core machine.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cache-client', rootDir: __dirname, testTimeout: 30000 };
