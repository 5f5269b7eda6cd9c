// Entry point `@cache-platform/cache-client/testing` (through the existing path alias): the
// real-Redis test harness for other projects' tests. Never imported by runtime code, so never bundled.
export * from '../test/index';
