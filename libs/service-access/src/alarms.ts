import { Construct } from 'constructs';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import {
  alarmTopicParameterName,
  assertAlarmThreshold,
  CACHE_METRIC_NAMES,
  CACHE_METRIC_NAMESPACE,
  CACHE_REQUEST_METRICS,
  cacheMetricDimensions,
  DEFAULT_SERVICE_ALARM_THRESHOLDS,
  SERVICE_ALARM_KEYS,
  type ServiceAlarmThresholds,
  type ServiceResourceNames,
} from '@cache-platform/cache-contract';
import { validated } from '@cache-platform/stack-base';

/** Every service alarm looks at 5-minute sums. */
export const SERVICE_ALARM_PERIOD_SECONDS = 300;
export const LAMBDA_NAMESPACE = 'AWS/Lambda';

export interface ServiceAlarmsProps {
  /** environment name: selects the alarm topic the platform exported */
  readonly environment: string;
  /** the service's keyspace: the dimension of its cache metrics */
  readonly keyspace: string;
  /** the service's derived names (alarm names start with `<service>-<environment>`) */
  readonly names: ServiceResourceNames;
  /** the Lambda's name (a token is fine) */
  readonly functionName: string;
  /** thresholds that differ from `DEFAULT_SERVICE_ALARM_THRESHOLDS` (the manifest's `alarms`) */
  readonly thresholds?: Partial<ServiceAlarmThresholds>;
  /** ownership tags */
  readonly tags?: Record<string, string>;
}

type AlarmConfig = Partial<Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmActions' | 'okActions' | 'tags' | 'treatMissingData'>>;

/**
 * A service's alarms, notifying the environment's alarm topic (the platform exports its ARN):
 * - on the cache client's own EMF metrics (namespace, dimension and names from the contract, the
 *   ones the runtime writes): cache error ratio, circuit opens, timeouts. The service keeps
 *   answering from its source when the cache fails, so without these a cache problem is invisible;
 * - on its Lambda: errors and throttles.
 * Thresholds come from the contract's defaults, overridden by the manifest's `alarms`.
 */
export class ServiceAlarms extends Construct {
  readonly thresholds: ServiceAlarmThresholds;
  readonly topicArn: string;
  readonly alarms: { readonly [K in keyof ServiceAlarmThresholds]: CloudwatchMetricAlarm };

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.thresholds = validated(this, () => {
      const merged = { ...DEFAULT_SERVICE_ALARM_THRESHOLDS, ...props.thresholds };
      for (const key of SERVICE_ALARM_KEYS) assertAlarmThreshold(key, merged[key]);
      return merged;
    });
    const topic = new DataAwsSsmParameter(this, 'topic-arn', { name: validated(this, () => alarmTopicParameterName(props.environment)) });
    this.topicArn = topic.insecureValue;
    const base = props.names.userId;
    const dimensions = cacheMetricDimensions(props.keyspace);
    const cacheMetric = (metricName: string) => ({
      namespace: CACHE_METRIC_NAMESPACE,
      metricName,
      dimensions,
      statistic: 'Sum',
      period: SERVICE_ALARM_PERIOD_SECONDS,
    });
    const lambdaMetric = (metricName: string) => ({
      namespace: LAMBDA_NAMESPACE,
      metricName,
      dimensions: { FunctionName: props.functionName },
      statistic: 'Sum',
      period: SERVICE_ALARM_PERIOD_SECONDS,
    });
    const alarm = (key: keyof ServiceAlarmThresholds, suffix: string, config: AlarmConfig) =>
      new CloudwatchMetricAlarm(this, key, {
        alarmName: `${base}-${suffix}`,
        alarmActions: [this.topicArn],
        okActions: [this.topicArn],
        // the client writes only counters that moved, and an idle function has no data: both are fine
        treatMissingData: 'notBreaching',
        tags: props.tags,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 1,
        threshold: this.thresholds[key],
        ...config,
      });

    // ratio = errors / requests; a counter missing from a 5-minute window is zero (FILL), and a
    // window without requests divides by zero, which CloudWatch drops (missing data: not breaching)
    const requests = CACHE_REQUEST_METRICS.map((name) => ({ name, id: name.replace(/^Cache/, '').toLowerCase() }));
    const requestIds = requests.map((r) => r.id);
    this.alarms = {
      errorRatePercent: alarm('errorRatePercent', 'cache-error-rate', {
        alarmDescription: `${base}: over ${this.thresholds.errorRatePercent} % of cache requests failed in 5 minutes (the service answered from its source)`,
        metricQuery: [
          { id: 'errors', metric: { ...metricOf(cacheMetric(CACHE_METRIC_NAMES.errors)) } },
          ...requests.map(({ name, id }) => ({ id, metric: metricOf(cacheMetric(name)) })),
          {
            id: 'rate',
            expression: `100 * FILL(errors, 0) / (${requestIds.map((id) => `FILL(${id}, 0)`).join(' + ')})`,
            label: 'cache error rate (%)',
            returnData: true,
          },
        ],
      }),
      circuitOpens: alarm('circuitOpens', 'cache-circuit-opens', {
        alarmDescription: `${base}: the cache circuit opened (the cache was unusable; requests went to the source)`,
        ...cacheMetric(CACHE_METRIC_NAMES.circuitOpens),
      }),
      timeouts: alarm('timeouts', 'cache-timeouts', {
        alarmDescription: `${base}: cache commands timed out`,
        ...cacheMetric(CACHE_METRIC_NAMES.timeouts),
      }),
      functionErrors: alarm('functionErrors', 'function-errors', {
        alarmDescription: `${base}: the Lambda function failed invocations`,
        ...lambdaMetric('Errors'),
      }),
      functionThrottles: alarm('functionThrottles', 'function-throttles', {
        alarmDescription: `${base}: the Lambda function was throttled (requests were refused)`,
        ...lambdaMetric('Throttles'),
      }),
    };
  }
}

/** A single-metric description as a metric-math `metric` block (stat instead of statistic). */
function metricOf(m: { namespace: string; metricName: string; dimensions: Record<string, string>; statistic: string; period: number }) {
  return { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.statistic, period: m.period };
}
