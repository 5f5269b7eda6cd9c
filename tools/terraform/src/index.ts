export * from './mirror';
export * from './terraform';
export * from './validate';
export * from './version';
