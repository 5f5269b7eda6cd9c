module.exports = { ...require('../../jest.preset.cjs'), displayName: 'catalog-api', rootDir: __dirname };
