export * from './stack-settings';
