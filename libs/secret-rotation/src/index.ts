// The platform's Secrets Manager rotation function for service ElastiCache users. The Lambda entry
// point is src/handler.ts (bundled on its own); this entry exports the steps and their ports.
export {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
  runRotationStep,
  RotationError,
  DEFAULT_WAIT,
  ROTATION_STEPS,
  type RotationDeps,
  type RotationEvent,
  type RotationLogRecord,
  type RotationStep,
  type RotationTarget,
  type StepResult,
  type WaitOptions,
} from './rotation';
export { AWSCURRENT, AWSPENDING, type AuthCheck, type SecretsPort, type UsersPort, type UserState } from './ports';
export { generatePassword, PASSWORD_ALPHABET, PASSWORD_LENGTH } from './password';
export { tlsAuthCheck, AuthCheckError, type AuthCheckOptions } from './auth-check';
export { awsSecretsPort } from './aws-secrets';
export { awsUsersPort } from './aws-users';
