// The daily rotation report: which password secrets of an environment went past their schedule
// plus a margin without a rotation (or had rotation turned off), written as one CloudWatch EMF line
// that the platform's overdue-rotation alarm watches. Invoked by an EventBridge schedule; reads
// only the environment's keyspace claims (which services exist) and each service secret's
// DescribeSecret (never a value).
import {
  DEFAULT_ROTATION_MARGIN_DAYS,
  CACHE_METRIC_NAMESPACE,
  ROTATION_METRIC_ENVIRONMENT_DIMENSION,
  ROTATION_METRIC_NAMES,
  ROTATION_REPORT_ACTION,
  assertEnvironmentName,
  rotationIntervalDays,
  serviceResourceNames,
} from '@cache-platform/cache-contract';
import type { ExportsPort, SecretsPort } from './ports';

const DAY_MS = 86_400_000;

export interface RotationReportRequest {
  readonly action: typeof ROTATION_REPORT_ACTION;
  readonly environment: string;
  /** @default DEFAULT_ROTATION_MARGIN_DAYS */
  readonly marginDays?: number;
}

export interface OverdueSecret {
  readonly secret: string;
  /** `disabled`: rotation configured once, now off (cancelled); `late`: schedule plus margin passed */
  readonly reason: 'disabled' | 'late';
  /** days since the last rotation (or the secret's creation) */
  readonly ageDays: number;
}

export interface RotationReport {
  readonly action: typeof ROTATION_REPORT_ACTION;
  readonly environment: string;
  /** password secrets looked at (secrets without rotation configured, IAM ones, are not counted) */
  readonly checked: number;
  readonly overdue: readonly OverdueSecret[];
}

/** Looks at every claimed service's secret; a secret that does not exist (yet) is skipped. */
export async function reportRotationAge(
  deps: { readonly secrets: SecretsPort; readonly exports: ExportsPort; readonly now?: () => number },
  request: RotationReportRequest,
): Promise<RotationReport> {
  const environment = assertEnvironmentName(request.environment);
  const marginDays = request.marginDays ?? DEFAULT_ROTATION_MARGIN_DAYS;
  if (!(typeof marginDays === 'number' && marginDays >= 0))
    throw new Error(`invalid marginDays ${JSON.stringify(marginDays)}: expected a number of days >= 0`);
  const now = (deps.now ?? Date.now)();
  const overdue: OverdueSecret[] = [];
  let checked = 0;
  for (const service of await deps.exports.claimedServices(environment)) {
    const secret = serviceResourceNames(service, environment).secretName;
    let state;
    try {
      state = await deps.secrets.describe(secret);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') continue;
      throw error;
    }
    if (!state.rotationLambdaArn) continue; // IAM auth: nothing to rotate
    checked++;
    const since = state.lastRotatedMs ?? state.createdMs ?? now;
    const ageDays = Math.floor(((now - since) / DAY_MS) * 10) / 10;
    if (!state.rotationEnabled) {
      overdue.push({ secret, reason: 'disabled', ageDays });
      continue;
    }
    const interval = state.scheduleExpression ? rotationIntervalDays(state.scheduleExpression) : undefined;
    const lateBySchedule = interval !== undefined && now - since > (interval + marginDays) * DAY_MS;
    const lateByNextDate = state.nextRotationMs !== undefined && now - state.nextRotationMs > marginDays * DAY_MS;
    if (lateBySchedule || lateByNextDate) overdue.push({ secret, reason: 'late', ageDays });
  }
  return { action: ROTATION_REPORT_ACTION, environment, checked, overdue };
}

/** The report as one CloudWatch embedded-metric-format line (Lambda's log turns it into metrics). */
export function rotationReportEmf(report: RotationReport, now: number = Date.now()): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: CACHE_METRIC_NAMESPACE,
          Dimensions: [[ROTATION_METRIC_ENVIRONMENT_DIMENSION]],
          Metrics: [
            { Name: ROTATION_METRIC_NAMES.overdue, Unit: 'Count' },
            { Name: ROTATION_METRIC_NAMES.checked, Unit: 'Count' },
          ],
        },
      ],
    },
    [ROTATION_METRIC_ENVIRONMENT_DIMENSION]: report.environment,
    [ROTATION_METRIC_NAMES.overdue]: report.overdue.length,
    [ROTATION_METRIC_NAMES.checked]: report.checked,
    overdue: report.overdue,
  });
}
