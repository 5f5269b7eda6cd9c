export * from './stack-settings';
export * from './environments';
