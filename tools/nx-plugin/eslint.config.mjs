import base from '../../eslint.config.mjs';
// templates are not compiled here: they are checked where they land, in a generated app
export default [...base, { ignores: ['src/generators/*/files/**'] }];
