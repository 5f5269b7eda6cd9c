export * from './bundle';
export * from './service-bundle';
