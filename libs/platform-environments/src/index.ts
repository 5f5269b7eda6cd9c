export * from './environments';
export * from './select';
export * from './protection';
export * from './cells';
export * from './workspace';
