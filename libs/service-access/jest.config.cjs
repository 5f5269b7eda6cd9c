module.exports = { ...require('../../jest.preset.cjs'), displayName: 'service-access', rootDir: __dirname };
