export * from './stack';
export * from './iam';
export * from './hcl-literal';
export * from './redis-users';
export * from './service-user-access';
export * from './acl/access-string';
