// Entry point `@cache-platform/cache-contract/testing`: fixtures for other projects' tests (a valid
// service manifest, a scratch workspace). Never imported by production code.
export * from '../test/index';
