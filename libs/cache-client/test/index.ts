// Test utilities for anything that needs a real Redis with the platform's ACL rules: this
// library's tests, and service handler tests through '@cache-platform/cache-client/testing'.
export {
  testServerAccessString,
  requireRedisServer,
  startRedis,
  startRedisCluster,
  type RedisClusterHandle,
  type RedisServer,
  type StartRedisClusterOptions,
  type StartRedisOptions,
  type TestServiceUser,
} from './redis-harness';
export { createTestTls, type CreateTestTlsOptions, type TestTls } from './tls';
export { freePort, waitForPort } from './ports';
export { memoryLogger, mutableSecretSource, waitFor, type MutableSecretSource } from './helpers';
export { startSecretsManagerStub, type SecretsManagerStub } from './secrets-manager-stub';
export { missingCommands, startMotoProcess, type MotoProcess } from './moto-process';
