module.exports = { ...require('../../jest.preset.cjs'), displayName: 'stack-base', rootDir: __dirname };
