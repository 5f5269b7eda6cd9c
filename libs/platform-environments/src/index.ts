export * from './environments';
export * from './select';
export * from './protection';
