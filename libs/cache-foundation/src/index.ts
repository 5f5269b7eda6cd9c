export * from './validation';
export * from './network';
export * from './user-group';
export * from './serverless-cache';
export * from './exports';
export * from './shared-cache-foundation';
export * from './password-rotation';
