export * from './stack-settings';
export * from './validation';
