// The Lambda entry point (bundled to dist/handler/index.mjs, handler `index.handler`): Secrets
// Manager invokes it four times per rotation with { SecretId, ClientRequestToken, Step }.
import { tlsAuthCheck } from './auth-check';
import { awsSecretsPort } from './aws-secrets';
import { awsExportsPort } from './aws-exports';
import { awsUsersPort } from './aws-users';
import { ROTATION_REPORT_ACTION } from '@cache-platform/cache-contract';
import { reportRotationAge, rotationReportEmf, type RotationReport, type RotationReportRequest } from './rotation-report';
import {
  DEFAULT_WAIT,
  runRotationStep,
  SYNC_CONNECTION,
  syncConnection,
  type RotationDeps,
  type RotationEvent,
  type StepResult,
  type SyncConnectionRequest,
  type SyncConnectionResult,
} from './rotation';

/** Optional settings, read from the environment at cold start; every one has a default. */
export interface RotationSettings {
  /** `required` (default): testSecret AUTHs with the pending password; `skip`: DescribeUsers only */
  readonly authTest: 'required' | 'skip';
  /** bound of each wait for the user to be `active` */
  readonly activeTimeoutMs: number;
  /** bound of the AUTH check (connect, TLS, reply) */
  readonly authTimeoutMs: number;
}

export const ENV = {
  authTest: 'ROTATION_AUTH_TEST',
  activeTimeoutSeconds: 'ROTATION_USER_ACTIVE_TIMEOUT_SECONDS',
  authTimeoutMs: 'ROTATION_AUTH_TIMEOUT_MS',
} as const;

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected a positive number`);
  return value;
}

/** Reads {@link RotationSettings}; an invalid value is an error naming the variable and the rule. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): RotationSettings {
  const authTest = env[ENV.authTest] || 'required';
  if (authTest !== 'required' && authTest !== 'skip') {
    throw new Error(`${ENV.authTest}=${JSON.stringify(authTest)} is invalid: expected "required" (default) or "skip"`);
  }
  return {
    authTest,
    activeTimeoutMs: positiveNumber(env, ENV.activeTimeoutSeconds, DEFAULT_WAIT.timeoutMs / 1000) * 1000,
    authTimeoutMs: positiveNumber(env, ENV.authTimeoutMs, 5000),
  };
}

/** The real dependencies: AWS SDK adapters, TLS AUTH check, JSON log lines on stdout. */
export function createDeps(settings: RotationSettings = readSettings()): RotationDeps {
  return {
    secrets: awsSecretsPort(),
    users: awsUsersPort(),
    exports: awsExportsPort(),
    authCheck: settings.authTest === 'required' ? tlsAuthCheck({ timeoutMs: settings.authTimeoutMs }) : undefined,
    wait: { timeoutMs: settings.activeTimeoutMs },
    log: (record) => console.log(JSON.stringify({ level: 'info', ...record })),
  };
}

let deps: RotationDeps | undefined;

/** Leave this much of the invocation for the error to be reported before Lambda ends it. */
const MARGIN_MS = 5000;

/**
 * Secrets Manager sends rotation steps (`{ SecretId, ClientRequestToken, Step }`); the service stacks'
 * Terraform sends `{ action: "sync-connection", ... }` when a service's connection changes.
 */
export async function handler(
  event: RotationEvent | SyncConnectionRequest | RotationReportRequest,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<StepResult | SyncConnectionResult | RotationReport> {
  deps ??= createDeps();
  if ((event as RotationReportRequest)?.action === ROTATION_REPORT_ACTION) {
    // the daily schedule: one EMF line, which the overdue-rotation alarm watches
    // the report reads the alarm settings from the platform exports: without them it cannot run
    if (!deps.exports) throw new Error('rotation report: no platform exports to read (deps.exports is not set)');
    const report = await reportRotationAge({ secrets: deps.secrets, exports: deps.exports }, event as RotationReportRequest);
    console.log(rotationReportEmf(report));
    return report;
  }
  const remaining = context?.getRemainingTimeInMillis?.();
  const deadline = remaining === undefined ? undefined : Date.now() + remaining - MARGIN_MS;
  const sync = (event as SyncConnectionRequest)?.action === SYNC_CONNECTION;
  try {
    return sync
      ? await syncConnection({ ...deps, deadline }, event as SyncConnectionRequest)
      : await runRotationStep({ ...deps, deadline }, event as RotationEvent);
  } catch (error) {
    // RotationError messages hold no password (rotation.ts redacts what upstream errors might quote)
    const rotation = event as RotationEvent;
    const where = sync
      ? { action: SYNC_CONNECTION, secretId: (event as SyncConnectionRequest).secretId }
      : { step: rotation?.Step, secretId: rotation?.SecretId };
    console.log(JSON.stringify({ level: 'error', ...where, error: (error as Error).message }));
    throw error;
  }
}
