module.exports = { ...require('../../jest.preset.cjs'), displayName: 'platform-environments', rootDir: __dirname };
