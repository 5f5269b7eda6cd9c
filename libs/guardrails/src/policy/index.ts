export * from './rule';
// the stack model lives in @cache-platform/stack-analysis; rules and their callers read stacks through it
export * from '@cache-platform/stack-analysis/stack';
export * from './runner';
export * from './suppressions';
export * from './check';
export { RULES, secretsCustomerKeyRule } from './rules';
