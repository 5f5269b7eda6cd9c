module.exports = { ...require('../../jest.preset.cjs'), displayName: 'local-cache', rootDir: __dirname };
