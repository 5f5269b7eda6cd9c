export * from './desired';
export * from './plan';
