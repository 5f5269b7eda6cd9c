export * from './rule';
export * from './stack';
export * from './runner';
export * from './suppressions';
export * from './check';
export { RULES, secretsCustomerKeyRule } from './rules';
