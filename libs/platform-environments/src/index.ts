export * from './environments';
export * from './select';
