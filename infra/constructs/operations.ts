import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, type ILogGroup, type IFilterPattern } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ApiFunction } from './api-function.ts';

/** Namespace of the Powertools metrics and of the log-derived metrics. */
export const METRICS_NAMESPACE = 'DataComplianceCertificates';

/**
 * The name of one of the stage's alarms: `dcc-<stage>-<id>`. Every alarm that notifies the alarm
 * topic is named this way, because the topic and its key let CloudWatch act only for alarms whose
 * names start with {@link alarmNamePrefix}.
 */
export function alarmName(stage: string, id: string): string {
  return `${alarmNamePrefix(stage)}${id}`;
}

/** The common start of the stage's alarm names. */
export function alarmNamePrefix(stage: string): string {
  return `dcc-${stage}-`;
}

/**
 * Conditions under which CloudWatch may publish to the alarm topic and use its key: on behalf of
 * this account, and of this stage's alarms in this region only (confused-deputy protection: no
 * other account's alarm, nor another stage's, can reach the stage's subscribers through CloudWatch).
 * Built from CloudFormation pseudo parameters, so the ARN is right in every partition.
 */
export function cloudWatchSourceConditions(stage: string): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmNamePrefix(stage)}*` },
  };
}

/** Log-derived metrics (metric filters), dimensioned by the Powertools `service` field. */
export const LogMetrics = {
  kmsSignFailures: 'KmsSignFailures',
  apiThrottledRequests: 'ApiThrottledRequests',
} as const;

/**
 * Error names that mean "KMS refused or failed to sign". The KMS adapter lets KMS errors through
 * unchanged (and raises `SignerError` for an answer it cannot use); the HTTP chain logs them as
 * `error` (a name, for transient ones turned into 503) or `error.name` (an Error object, for the
 * rest turned into 500). The signing functions' other dependency is DynamoDB, none of whose
 * error names match.
 */
export const KMS_FAILURE_NAMES = [
  'KMSInternalException',
  'KMSInvalidStateException',
  'KMSInvalidSignatureException',
  'DisabledException',
  'KeyUnavailableException',
  'DependencyTimeoutException',
  'InvalidKeyUsageException',
  'IncorrectKeyException',
  'NotFoundException',
  'InvalidGrantTokenException',
  'SignerError',
] as const;

/**
 * The CloudWatch Logs regex of {@link KMS_FAILURE_NAMES}, plus any other `KMS…` exception.
 * Anchored alternatives only: CloudWatch's regex dialect has no groups.
 */
export const KMS_FAILURE_REGEX = ['^KMS', ...KMS_FAILURE_NAMES.filter((n) => !n.startsWith('KMS')).map((n) => `^${n}$`)].join('|');

/** Matches a signing function's log line that reports a KMS failure (either logging shape). */
export function kmsFailurePattern(): IFilterPattern {
  return FilterPattern.any(
    FilterPattern.regexValue('$.error', '=', KMS_FAILURE_REGEX),
    FilterPattern.regexValue('$.error.name', '=', KMS_FAILURE_REGEX),
  );
}

/** Properties of {@link Operations}. */
export interface OperationsProps {
  /** Stage name, part of the topic and alarm names. */
  readonly stage: string;
  /** Powertools service name; the dimension of the log-derived metrics. */
  readonly serviceName: string;
  readonly api: HttpApi;
  /** The API's access log group (JSON lines with `status` and `service`). */
  readonly accessLogGroup: ILogGroup;
  /** Every function of the API. */
  readonly functions: readonly ApiFunction[];
  /** The functions that call `kms:Sign`. */
  readonly signingFunctions: readonly ApiFunction[];
  /**
   * Address subscribed to the alarm topic.
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * 5xx share of API requests (percent) that raises the alarm.
   *
   * @default 5
   */
  readonly serverErrorRatePercent?: number;
}

/**
 * Alarms and where they go: an encrypted SNS topic; API 5xx rate; API throttling (429, from the
 * access log) and Lambda throttles; unhandled errors per function (init failures, timeouts and
 * crashes: the HTTP chain turns every other error into a response); and KMS sign failures in the
 * signing functions, counted from their logs because the chain answers them with 503/500 and the
 * Lambda Errors metric never sees them.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly #stage: string;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.#stage = props.stage;

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the topic
    // has its own key that CloudWatch may use (for this stage's alarms only).
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOwnAlarms = cloudWatchSourceConditions(props.stage);
    const topicKey = new Key(this, 'TopicKey', {
      description: `Data compliance certificates (${props.stage}): alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsEncryptNotifications',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      topicName: `dcc-${props.stage}-alarms`,
      displayName: `Data compliance certificates (${props.stage}) alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which let the account's principals publish;
    // enforceSSL alone leaves a lone Deny, so without this Allow no alarm would ever be delivered.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const fiveMinutes = Duration.minutes(5);
    const oneMinute = Duration.minutes(1);

    // API: share of 5xx, with a floor so that one failure among three requests at night does not page.
    const requests = props.api.metricCount({ period: oneMinute, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period: oneMinute, statistic: 'Sum' });
    this.alarm('Api5xxRate', {
      metric: new MathExpression({
        expression: 'IF(requests >= 10, 100 * errors / requests, 0)',
        usingMetrics: { requests, errors: serverErrors },
        period: oneMinute,
        label: 'API 5xx rate (%)',
      }),
      threshold: props.serverErrorRatePercent ?? 5,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: `More than ${props.serverErrorRatePercent ?? 5}% of API requests answered 5xx in 3 of 5 minutes.`,
    });

    // API throttling: HTTP APIs have no 429 metric of their own, the access log has the status.
    props.accessLogGroup.addMetricFilter('ThrottledRequests', {
      filterPattern: FilterPattern.numberValue('$.status', '=', 429),
      metricNamespace: METRICS_NAMESPACE,
      metricName: LogMetrics.apiThrottledRequests,
      metricValue: '1',
      dimensions: { service: '$.service' },
    });
    this.alarm('ApiThrottled', {
      metric: this.logMetric(LogMetrics.apiThrottledRequests, props.serviceName, fiveMinutes),
      threshold: 10,
      evaluationPeriods: 1,
      description: 'The API stage refused at least 10 requests with 429 in 5 minutes (stage throttling).',
    });

    for (const fn of props.functions) {
      const name = fn.node.id;
      this.alarm(`${name}Errors`, {
        metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name}: an invocation failed outside the HTTP chain (init failure, timeout or crash).`,
      });
      this.alarm(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name}: Lambda throttled an invocation (concurrency exhausted).`,
      });
    }

    for (const fn of props.signingFunctions) {
      fn.functionLogGroup.addMetricFilter('KmsSignFailures', {
        filterPattern: kmsFailurePattern(),
        metricNamespace: METRICS_NAMESPACE,
        metricName: LogMetrics.kmsSignFailures,
        metricValue: '1',
        dimensions: { service: '$.service' },
      });
    }
    if (props.signingFunctions.length > 0) {
      this.alarm('KmsSignFailures', {
        metric: this.logMetric(LogMetrics.kmsSignFailures, props.serviceName, fiveMinutes),
        threshold: 1,
        evaluationPeriods: 1,
        description: 'KMS refused or failed a signature (throttling, disabled key, missing permission): certificates or status lists are not being signed.',
      });
    }
  }

  private logMetric(metricName: string, serviceName: string, period: Duration): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: serviceName },
      statistic: 'Sum',
      period,
    });
  }

  private alarm(
    id: string,
    options: { metric: IMetric; threshold: number; evaluationPeriods: number; datapointsToAlarm?: number; description: string },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: alarmName(this.#stage, id),
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not a failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
