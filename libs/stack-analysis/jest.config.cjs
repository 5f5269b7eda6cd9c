module.exports = { ...require('../../jest.preset.cjs'), displayName: 'stack-analysis', rootDir: __dirname };
