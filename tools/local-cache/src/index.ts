export * from './local-run';
