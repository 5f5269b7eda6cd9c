import { CACHE_METRIC_NAMESPACE, ROTATION_METRIC_NAMES } from '@cache-platform/cache-contract';
import { reportRotationAge, rotationReportEmf, type SecretState, type SecretsPort } from './index';
import { FakeExports } from '../test/fakes';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6);

/** DescribeSecret answers by secret name; a name it does not know is ResourceNotFoundException. */
function secrets(states: Record<string, Partial<SecretState>>): SecretsPort {
  return {
    async describe(name: string) {
      const state = states[name];
      if (!state) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { rotationEnabled: true, versions: {}, ...state };
    },
  } as unknown as SecretsPort;
}

const rotated = (daysAgo: number, schedule = 'rate(7 days)'): Partial<SecretState> => ({
  rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cache-platform-prod-rotation',
  scheduleExpression: schedule,
  lastRotatedMs: NOW - daysAgo * DAY,
});

describe('the daily rotation report', () => {
  const exports = new FakeExports();
  exports.claims.push('on-time', 'late', 'cancelled', 'iam-svc', 'not-deployed-yet', 'cron-late');
  const states = {
    'cache-platform/prod/on-time/redis': rotated(7.5),
    'cache-platform/prod/late/redis': rotated(9),
    'cache-platform/prod/cancelled/redis': { ...rotated(2), rotationEnabled: false },
    // an IAM service: no rotation function was ever configured
    'cache-platform/prod/iam-svc/redis': { rotationEnabled: false },
    'cache-platform/prod/cron-late/redis': { ...rotated(40, 'cron(0 4 1 * ? *)'), nextRotationMs: NOW - 3 * DAY },
  };

  it('names the password secrets past schedule + margin and the ones whose rotation was turned off', async () => {
    const report = await reportRotationAge(
      { secrets: secrets(states), exports, now: () => NOW },
      { action: 'report-rotation-age', environment: 'prod' },
    );
    expect(report.checked).toBe(4);
    expect(report.overdue).toEqual([
      { secret: 'cache-platform/prod/late/redis', reason: 'late', ageDays: 9 },
      { secret: 'cache-platform/prod/cancelled/redis', reason: 'disabled', ageDays: 2 },
      { secret: 'cache-platform/prod/cron-late/redis', reason: 'late', ageDays: 40 },
    ]);
  });

  it('a larger margin forgives a day late', async () => {
    const report = await reportRotationAge(
      { secrets: secrets(states), exports, now: () => NOW },
      { action: 'report-rotation-age', environment: 'prod', marginDays: 3 },
    );
    expect(report.overdue.map((o) => o.secret)).toEqual(['cache-platform/prod/cancelled/redis']);
  });

  it('writes one EMF line with the count the alarm watches, in the platform namespace', () => {
    const line = JSON.parse(
      rotationReportEmf(
        { action: 'report-rotation-age', environment: 'prod', checked: 4, overdue: [{ secret: 's', reason: 'late', ageDays: 9 }] },
        NOW,
      ),
    );
    expect(line._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: CACHE_METRIC_NAMESPACE,
      Dimensions: [['Environment']],
      Metrics: [
        { Name: ROTATION_METRIC_NAMES.overdue, Unit: 'Count' },
        { Name: ROTATION_METRIC_NAMES.checked, Unit: 'Count' },
      ],
    });
    expect(line).toMatchObject({ Environment: 'prod', [ROTATION_METRIC_NAMES.overdue]: 1, [ROTATION_METRIC_NAMES.checked]: 4 });
  });

  it('refuses a bad environment name or margin', async () => {
    await expect(
      reportRotationAge({ secrets: secrets({}), exports }, { action: 'report-rotation-age', environment: 'Prod!' }),
    ).rejects.toThrow(/environment/);
    await expect(
      reportRotationAge({ secrets: secrets({}), exports }, { action: 'report-rotation-age', environment: 'prod', marginDays: -1 }),
    ).rejects.toThrow(/invalid marginDays -1/);
  });
});
