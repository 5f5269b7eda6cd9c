export * from './errors';
export * from './naming';
export * from './keyspace';
export * from './access-string';
export * from './exports';
export * from './tags';
export * from './secret-payload';
