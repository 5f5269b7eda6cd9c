export * from './stack-settings';
export * from './validation';
export * from './vpc-lambda';
