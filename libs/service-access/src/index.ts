export * from './grant';
export * from './platform-imports';
export * from './service-cache-access';
export * from './cache-function';
export * from './service-stack';
export * from './service-app';
export { SECRET_ARN_ENV_VAR } from '@cache-platform/cache-contract';
export type { ServiceResourceNames } from '@cache-platform/cache-contract';
export * from './alarms';
