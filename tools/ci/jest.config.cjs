module.exports = { ...require('../../jest.preset.cjs'), displayName: 'ci-tools', rootDir: __dirname };
