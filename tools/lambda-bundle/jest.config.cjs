module.exports = { ...require('../../jest.preset.cjs'), displayName: 'lambda-bundle', rootDir: __dirname };
