export { checkMigration, MIGRATION_STEPS, MigrationCheckError, type CheckOptions, type MigrationReport, type StepResult } from './check';
export { formatReport } from './report';
export { analyseHandler, LEGACY_REDIS_VARIABLES, type HandlerFacts } from './source';
