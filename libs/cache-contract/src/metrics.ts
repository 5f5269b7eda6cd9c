import { ContractViolation } from './errors';
import { platformParameterRoot } from './exports';

/**
 * The runtime library's CloudWatch metrics as both sides see them: the cache client writes them as
 * EMF lines under this namespace with these dimensions and names, and the service stacks' alarms
 * watch exactly these. One definition, so an alarm can never watch a metric nobody writes.
 */

/** CloudWatch namespace of the cache client's EMF metrics. */
export const CACHE_METRIC_NAMESPACE = 'CachePlatform';
/** The dimension every cache client metric carries: the service's keyspace (unique per environment). */
export const CACHE_METRIC_KEYSPACE_DIMENSION = 'Keyspace';

/**
 * The rotation report's metric (written as an EMF line by the platform's rotation function once a
 * day, watched by the platform's overdue-rotation alarm): password secrets of the environment whose
 * schedule plus margin passed without a rotation, or whose rotation was turned off.
 */
export const ROTATION_METRIC_NAMES = { overdue: 'OverdueSecretRotations', checked: 'SecretRotationsChecked' } as const;
export const ROTATION_METRIC_ENVIRONMENT_DIMENSION = 'Environment';

/** The dimensions of a service's cache metrics. */
export function cacheMetricDimensions(keyspace: string): Record<string, string> {
  return { [CACHE_METRIC_KEYSPACE_DIMENSION]: keyspace };
}

/** EMF names of the counters the alarms use (the cache client's `COUNTERS` takes them from here). */
export const CACHE_METRIC_NAMES = {
  hits: 'CacheHits',
  staleHits: 'CacheStaleHits',
  negativeHits: 'CacheNegativeHits',
  misses: 'CacheMisses',
  errors: 'CacheErrors',
  timeouts: 'CacheTimeouts',
  failOpen: 'CacheFailOpen',
  circuitOpens: 'CacheCircuitOpens',
} as const;

/**
 * What a cache request ended as, one of these per `getOrLoad`/`get`: served from the cache (fresh,
 * stale or negative), a miss, or answered by the source because the cache failed. The error ratio
 * alarm divides `CacheErrors` by their sum.
 */
export const CACHE_REQUEST_METRICS: readonly string[] = [
  CACHE_METRIC_NAMES.hits,
  CACHE_METRIC_NAMES.staleHits,
  CACHE_METRIC_NAMES.negativeHits,
  CACHE_METRIC_NAMES.misses,
  CACHE_METRIC_NAMES.failOpen,
];

/** Thresholds of a service's alarms; the manifest's `alarms` overrides any of them. */
export interface ServiceAlarmThresholds {
  /** cache errors per 100 cache requests over 5 minutes */
  readonly errorRatePercent: number;
  /** times the circuit opened in 5 minutes */
  readonly circuitOpens: number;
  /** cache command timeouts in 5 minutes */
  readonly timeouts: number;
  /** Lambda invocation errors in 5 minutes */
  readonly functionErrors: number;
  /** Lambda throttles in 5 minutes */
  readonly functionThrottles: number;
}

/**
 * Defaults: a few percent of errors is a flaky cache (the service still answers from the source),
 * one circuit open means the cache was unusable for a while, and a throttle means requests were lost.
 */
export const DEFAULT_SERVICE_ALARM_THRESHOLDS: ServiceAlarmThresholds = {
  errorRatePercent: 5,
  circuitOpens: 1,
  timeouts: 10,
  functionErrors: 5,
  functionThrottles: 1,
};

export const SERVICE_ALARM_KEYS = Object.keys(DEFAULT_SERVICE_ALARM_THRESHOLDS) as (keyof ServiceAlarmThresholds)[];

/** Checks one threshold: a percentage from 0.1 to 100, a count from 1. */
export function assertAlarmThreshold(key: keyof ServiceAlarmThresholds, value: unknown): number {
  if (key === 'errorRatePercent') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0.1 || value > 100) {
      throw new ContractViolation(`alarm threshold ${key}`, value, 'must be a percentage from 0.1 to 100');
    }
  } else if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ContractViolation(`alarm threshold ${key}`, value, 'must be an integer of at least 1');
  }
  return value;
}

/**
 * The SSM parameter holding the ARN of the SNS topic that receives every alarm of an environment:
 * written by the platform stack (its own topic, or the one the environment config names), read by
 * every service stack.
 */
export function alarmTopicParameterName(environment: string): string {
  return `${platformParameterRoot(environment)}/alarms/topic-arn`;
}
