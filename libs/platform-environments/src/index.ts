export * from './environments';
export * from './select';
export * from './protection';
export * from './environment-cells';
export * from './workspace';
export * from './stacks';
export * from './network';
export * from './describe';
