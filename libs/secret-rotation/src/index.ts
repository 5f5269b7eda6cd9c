// The platform's Secrets Manager rotation function for service ElastiCache users. The Lambda entry
// point is src/handler.ts (bundled on its own); this entry exports the steps and their ports.
export {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
  runRotationStep,
  syncConnection,
  SYNC_CONNECTION,
  RotationError,
  DEFAULT_WAIT,
  ROTATION_STEPS,
  type RotationDeps,
  type RotationEvent,
  type RotationLogRecord,
  type RotationStep,
  type RotationTarget,
  type StepResult,
  type SyncConnectionRequest,
  type SyncConnectionResult,
  type WaitOptions,
} from './rotation';
export {
  AWSCURRENT,
  AWSPENDING,
  type AuthCheck,
  type CellEndpoint,
  type ExportsPort,
  type SecretState,
  type SecretsPort,
  type UsersPort,
  type UserState,
} from './ports';
export { awsExportsPort } from './aws-exports';
export { generatePassword, PASSWORD_ALPHABET, PASSWORD_LENGTH } from './password';
export { tlsAuthCheck, AuthCheckError, type AuthCheckOptions } from './auth-check';
export { awsSecretsPort } from './aws-secrets';
export { awsUsersPort } from './aws-users';
export {
  reportRotationAge,
  rotationReportEmf,
  type OverdueSecret,
  type RotationReport,
  type RotationReportRequest,
} from './rotation-report';
