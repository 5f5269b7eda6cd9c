import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import {
  alarmTopicParameterName,
  CACHE_METRIC_NAMESPACE,
  ContractViolation,
  platformResourceNames,
  PLATFORM_PREFIX,
  ROTATION_METRIC_ENVIRONMENT_DIMENSION,
  ROTATION_METRIC_NAMES,
} from '@cache-platform/cache-contract';
import { validated } from '@cache-platform/stack-base';
import type { CacheCell } from './cache-cell';

/**
 * Namespace and dimension of ElastiCache Serverless metrics (dimension value: the cache name). Serverless
 * caches publish under `clusterId` only, not the node-based `CacheClusterId` (docs/architecture.md, with
 * the `list-metrics` evidence): an alarm on the wrong one never receives data.
 */
export const ELASTICACHE_NAMESPACE = 'AWS/ElastiCache';
export const SERVERLESS_CACHE_DIMENSION = 'clusterId';
/** ElastiCache Serverless accepts at most 65,000 connections per cache. */
export const SERVERLESS_MAX_CONNECTIONS = 65_000;
/** ElastiCache's data storage limits are in GB; bytes per GB as CloudWatch reports BytesUsedForCache. */
const BYTES_PER_GB = 1_000_000_000;

/** Where an environment's alarms go, and the thresholds of its cache alarms. */
export interface CacheAlarmSettings {
  /**
   * ARN of an existing standard SNS topic (an on-call integration, a chat channel) that receives
   * every alarm of the environment, the services' included.
   * @default a topic the platform creates: `cache-platform-<env>-alarms`
   */
  readonly topicArn?: string;
  /**
   * Alarm when a cache uses this percentage of its ECPU/s limit (3 minutes in a row); only for
   * cells with an `ecpuPerSecond.maximum`.
   * @default 80
   */
  readonly ecpuPercent?: number;
  /**
   * Alarm when a cache's data reaches this percentage of its storage limit; only for cells with a
   * `dataStorageGb.maximum`.
   * @default 80
   */
  readonly storagePercent?: number;
  /**
   * Alarm when at least this many commands were throttled per minute, 3 of 5 minutes.
   * @default 1
   */
  readonly throttledCommands?: number;
  /**
   * Alarm when a cache holds this many client connections (ElastiCache Serverless allows 65,000).
   * @default 52000
   */
  readonly connections?: number;
}

const DEFAULTS = { ecpuPercent: 80, storagePercent: 80, throttledCommands: 1, connections: 52_000 } as const;
// standard topics only: CloudWatch alarms cannot publish to FIFO topics
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** Validates alarm settings and fills in the defaults. */
export function resolveCacheAlarmSettings(settings: CacheAlarmSettings = {}): Required<Omit<CacheAlarmSettings, 'topicArn'>> & {
  topicArn?: string;
} {
  const resolved = { ...DEFAULTS, ...settings };
  if (resolved.topicArn !== undefined && !SNS_TOPIC_ARN.test(resolved.topicArn)) {
    throw new ContractViolation(
      'alarm topic ARN',
      resolved.topicArn,
      'expected the ARN of a standard SNS topic: arn:aws:sns:<region>:<account>:<name>',
    );
  }
  for (const key of ['ecpuPercent', 'storagePercent'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !(value > 0 && value <= 100)) {
      throw new ContractViolation(`alarm threshold ${key}`, value, 'must be a percentage above 0 and at most 100');
    }
  }
  if (!Number.isInteger(resolved.throttledCommands) || resolved.throttledCommands < 1) {
    throw new ContractViolation('alarm threshold throttledCommands', resolved.throttledCommands, 'must be an integer of at least 1');
  }
  if (!Number.isInteger(resolved.connections) || resolved.connections < 1 || resolved.connections > SERVERLESS_MAX_CONNECTIONS) {
    throw new ContractViolation(
      'alarm threshold connections',
      resolved.connections,
      `must be an integer from 1 to ${SERVERLESS_MAX_CONNECTIONS} (the serverless connection limit)`,
    );
  }
  return resolved;
}

export interface PlatformAlarmsProps {
  /** environment name (contract rules) */
  readonly environment: string;
  /** every cell of the environment, the default cell first */
  readonly cells: readonly CacheCell[];
  /** @default a platform-created topic and the default thresholds */
  readonly settings?: CacheAlarmSettings;
  /**
   * The rotation function's name: alarms on its errors and on the daily report of overdue rotations.
   * @default no rotation alarms
   */
  readonly rotationFunctionName?: string;
  /** @default none */
  readonly tags?: Record<string, string>;
}

/**
 * The environment's alarm topic and each cache's alarms: ECPU and storage approaching the configured
 * limits, throttled commands, current connections. The topic's ARN is exported to SSM
 * (`alarmTopicParameterName(env)`), where every service stack reads it for its own alarms.
 *
 * The created topic is encrypted with a customer managed key of its own (CloudWatch cannot publish to
 * a topic under the AWS managed `alias/aws/sns`, so the key's policy admits CloudWatch alarms of this
 * account and region), and its policy refuses publishing without TLS (policy rule CP019).
 */
export class PlatformAlarms extends Construct {
  readonly topic?: SnsTopic;
  readonly topicKey?: KmsKey;
  readonly topicPolicy?: SnsTopicPolicy;
  /** the ARN alarms notify: the configured one or the created topic's */
  readonly topicArn: string;
  readonly topicParameter: SsmParameter;
  /** every cache alarm, by `<cell>/<alarm>` */
  readonly alarms: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    const settings = validated(this, () => resolveCacheAlarmSettings(props.settings));
    const tags = (name: string) => ({ Name: name, ...props.tags });
    if (settings.topicArn === undefined) {
      const name = `${PLATFORM_PREFIX}-${props.environment}-alarms`;
      const partition = new DataAwsPartition(this, 'partition').partition;
      const region = new DataAwsRegion(this, 'region').name;
      const account = new DataAwsCallerIdentity(this, 'account').accountId;
      const root = `arn:${partition}:iam::${account}:root`;
      // CloudWatch publishes on behalf of this account's alarms in this region only (no confused deputy)
      const fromAlarms = {
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
      };
      this.topicKey = new KmsKey(this, 'topic-key', {
        description: `encrypts the cache platform alarm topic (${props.environment})`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        // a key policy names the key itself as "*"
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'AccountAdministersTheKey', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
            {
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: fromAlarms,
            },
          ],
        }),
        tags: tags(`${name}-key`),
      });
      this.topic = new SnsTopic(this, 'topic', {
        name,
        displayName: `cache platform alarms (${props.environment})`,
        kmsMasterKeyId: this.topicKey.arn,
        tags: tags(name),
      });
      this.topicArn = this.topic.arn;
      this.topicPolicy = new SnsTopicPolicy(this, 'topic-policy', {
        arn: this.topic.arn,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AccountManagesTheTopic',
              Effect: 'Allow',
              Principal: { AWS: root },
              Action: [
                'sns:GetTopicAttributes',
                'sns:SetTopicAttributes',
                'sns:AddPermission',
                'sns:RemovePermission',
                'sns:DeleteTopic',
                'sns:Subscribe',
                'sns:ListSubscriptionsByTopic',
                'sns:Publish',
              ],
              Resource: this.topic.arn,
            },
            {
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: this.topic.arn,
              Condition: fromAlarms,
            },
            {
              Sid: 'DenyPublishWithoutTls',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: this.topic.arn,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      });
    } else {
      this.topicArn = settings.topicArn;
    }
    const parameterName = validated(this, () => alarmTopicParameterName(props.environment));
    this.topicParameter = new SsmParameter(this, 'topic-arn', {
      name: parameterName,
      type: 'String',
      value: this.topicArn,
      description: 'cache platform export: SNS topic that receives the alarms of the platform and of every service',
      tags: tags(parameterName),
    });

    if (props.rotationFunctionName !== undefined) {
      const prefix = `${PLATFORM_PREFIX}-${props.environment}-rotation`;
      const rotationAlarm = (key: string, config: Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], 'alarmName'>) => {
        const alarmName = `${prefix}-${key}`;
        this.alarms[`rotation/${key}`] = new CloudwatchMetricAlarm(this, `rotation-${key}`, {
          alarmName,
          alarmActions: [this.topicArn],
          okActions: [this.topicArn],
          tags: tags(alarmName),
          ...config,
        });
      };
      // a failed step is retried by Secrets Manager, but every failure means a password did not move
      rotationAlarm('errors', {
        alarmDescription: `the password rotation function of ${props.environment} failed: a rotation, a connection sync or the daily report did not complete; its log names the secret and the step`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricName: 'Errors',
        namespace: 'AWS/Lambda',
        dimensions: { FunctionName: props.rotationFunctionName },
        statistic: 'Sum',
        period: 300,
      });
      // the daily report counts password secrets past their schedule plus a margin, or with rotation off
      rotationAlarm('overdue', {
        alarmDescription: `a service secret of ${props.environment} has not rotated within its schedule plus a margin, or its rotation was turned off; the rotation function's report line lists which`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        evaluationPeriods: 1,
        // no report yet (the first runs a day after deploy) is not an overdue secret; a report that stops
        // is a function error, which the errors alarm catches
        treatMissingData: 'missing',
        metricName: ROTATION_METRIC_NAMES.overdue,
        namespace: CACHE_METRIC_NAMESPACE,
        dimensions: { [ROTATION_METRIC_ENVIRONMENT_DIMENSION]: props.environment },
        statistic: 'Maximum',
        period: 86_400,
      });
    }

    for (const cell of props.cells) {
      const cacheName = platformResourceNames(props.environment, cell.cellName).cacheName;
      const alarm = (key: string, config: Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], 'alarmName'>) => {
        const alarmName = `${cacheName}-${key}`;
        this.alarms[`${cell.cellName}/${key}`] = new CloudwatchMetricAlarm(this, `${cell.cellName}-${key}`, {
          alarmName,
          alarmActions: [this.topicArn],
          okActions: [this.topicArn],
          // no data means no traffic (or a cache not created yet), not trouble
          treatMissingData: 'notBreaching',
          tags: tags(alarmName),
          ...config,
        });
      };
      const dimensions = { [SERVERLESS_CACHE_DIMENSION]: cell.cache.name };
      const metric = (metricName: string, stat: string, period: number) => ({
        metricName,
        namespace: ELASTICACHE_NAMESPACE,
        dimensions,
        statistic: stat,
        period,
      });

      const ecpuLimit = cell.cache.usageLimits?.ecpuPerSecond?.maximum;
      if (ecpuLimit !== undefined) {
        // the metric is ECPUs consumed per minute; the limit is per second
        const threshold = (ecpuLimit * settings.ecpuPercent) / 100;
        alarm('ecpu', {
          alarmDescription: `${cacheName} uses over ${settings.ecpuPercent} % of its ${ecpuLimit} ECPU/s limit: requests will be throttled at the limit; raise it or move services to another cell`,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          threshold,
          evaluationPeriods: 3,
          metricQuery: [
            {
              id: 'ecpu',
              metric: { metricName: 'ElastiCacheProcessingUnits', namespace: ELASTICACHE_NAMESPACE, dimensions, stat: 'Sum', period: 60 },
            },
            { id: 'ecpus', expression: 'ecpu / PERIOD(ecpu)', label: 'ECPU per second', returnData: true },
          ],
        });
      }
      const storageLimit = cell.cache.usageLimits?.dataStorageGb?.maximum;
      if (storageLimit !== undefined) {
        alarm('storage', {
          alarmDescription: `${cacheName} holds over ${settings.storagePercent} % of its ${storageLimit} GB storage limit: at the limit it evicts keys`,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          threshold: (storageLimit * BYTES_PER_GB * settings.storagePercent) / 100,
          evaluationPeriods: 1,
          ...metric('BytesUsedForCache', 'Maximum', 300),
        });
      }
      alarm('throttled', {
        alarmDescription: `${cacheName} throttles commands: the workload grows faster than the cache scales, or it is at its ECPU limit`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: settings.throttledCommands,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        ...metric('ThrottledCmds', 'Sum', 60),
      });
      alarm('connections', {
        alarmDescription: `${cacheName} holds over ${settings.connections} client connections (the serverless limit is ${SERVERLESS_MAX_CONNECTIONS})`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: settings.connections,
        evaluationPeriods: 1,
        ...metric('CurrConnections', 'Maximum', 300),
      });
    }
  }
}
