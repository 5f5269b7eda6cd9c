// the access-string evaluator lives in @cache-platform/stack-analysis (tools use it too); this
// package keeps exporting it for its existing callers
export * from '@cache-platform/stack-analysis/acl/access-string';
export * from './policy';
export * from './planner';
