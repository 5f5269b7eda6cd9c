module.exports = { ...require('../../jest.preset.cjs'), displayName: 'terraform-tools', rootDir: __dirname };
