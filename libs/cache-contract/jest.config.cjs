module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cache-contract', rootDir: __dirname };
