module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cache-foundation', rootDir: __dirname };
