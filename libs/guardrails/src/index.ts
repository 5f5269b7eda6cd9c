export * from './acl/access-string';
export * from './policy';
export * from './planner';
