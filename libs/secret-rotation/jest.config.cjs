// The integration suites start redis-server and moto_server processes: give them room on a 2-core machine.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'secret-rotation', rootDir: __dirname, testTimeout: 60000 };
