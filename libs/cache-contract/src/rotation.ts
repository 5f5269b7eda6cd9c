import { ContractViolation } from './errors';

/**
 * When Secrets Manager rotates a service's password: `rate(<n> days)` (1-1000), `rate(<n> hours)`
 * (4-24), or a six-field `cron(...)` expression, as `aws_secretsmanager_secret_rotation` takes it.
 */
export type RotationSchedule = string;

/** Every 30 days: the password a deploy's state saw is rotated away at once anyway (`rotate_immediately`). */
export const DEFAULT_ROTATION_SCHEDULE: RotationSchedule = 'rate(30 days)';

const RATE = /^rate\((\d+) (days?|hours?)\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;

/** Validates a rotation schedule expression; throws naming the value and the rule. */
export function assertRotationSchedule(value: unknown, subject = 'rotation schedule'): RotationSchedule {
  const rule =
    'expected "rate(<1-1000> days)", "rate(<4-24> hours)" or a six-field "cron(...)" expression (Secrets Manager rotation rules)';
  if (typeof value !== 'string') throw new ContractViolation(subject, value, rule);
  if (CRON.test(value)) return value;
  const rate = RATE.exec(value);
  if (!rate) throw new ContractViolation(subject, value, rule);
  const [, count, unit = ''] = rate;
  const amount = Number(count);
  const [min, max] = unit.startsWith('day') ? [1, 1000] : [4, 24];
  const singular = amount === 1;
  if (amount < min || amount > max || singular !== !unit.endsWith('s')) throw new ContractViolation(subject, value, rule);
  return value;
}

/**
 * Days between two rotations a schedule asks for, or undefined for a `cron(...)` schedule (its
 * interval is not one number; the rotation report uses Secrets Manager's NextRotationDate for those).
 */
export function rotationIntervalDays(schedule: RotationSchedule): number | undefined {
  const rate = RATE.exec(schedule);
  if (!rate) return undefined;
  const [, count, unit = ''] = rate;
  const amount = Number(count);
  return unit.startsWith('day') ? amount : amount / 24;
}

/**
 * What a service stack's Terraform invokes the platform's rotation function with when the service's
 * connection changes (`aws_lambda_invocation`): names only; the function reads the cell's endpoint
 * from the platform exports itself.
 */
export const SYNC_CONNECTION_ACTION = 'sync-connection';

export interface SyncConnectionRequest {
  readonly action: typeof SYNC_CONNECTION_ACTION;
  /** the service secret's ARN or name */
  readonly secretId: string;
  /** the cell whose cache the service uses */
  readonly cell: string;
  readonly keyspace: string;
  readonly authMode: 'password' | 'iam';
}

/** What the platform's daily rotation report is invoked with (an EventBridge schedule's input). */
export const ROTATION_REPORT_ACTION = 'report-rotation-age';

/** A secret is overdue once its schedule plus this many days passed without a successful rotation. */
export const DEFAULT_ROTATION_MARGIN_DAYS = 1;
