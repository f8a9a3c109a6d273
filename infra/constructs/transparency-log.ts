import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Key, KeySpec } from 'aws-cdk-lib/aws-kms';
import { CfnEventSourceMapping, type CfnFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { OUTBOX_INDEX_NAME, OUTBOX_PENDING } from '#shared/adapters/dynamodb/table.ts';
import { ApiFunction, type FunctionEnvironment } from './api-function.ts';
import { alarmName } from './operations.ts';
import { retainedSigningKey } from './signing-keys.ts';

/**
 * Conditions on the log key's `kms:Sign`, by checkpoint signature: pure Ed25519 over the raw
 * checkpoint text (C2SP signed notes sign the note text itself, not a digest), or ECDSA P-256
 * over the raw 50-byte RFC 6962 tree head (KMS hashes it with SHA-256). Each is the only
 * signature the log makes.
 */
export const LOG_SIGN_CONDITIONS = {
  ed25519: { StringEquals: { 'kms:SigningAlgorithm': 'ED25519_SHA_512', 'kms:MessageType': 'RAW' } },
  rfc6962: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } },
} as const;

/** The KMS key spec of each checkpoint signature. */
export const LOG_KEY_SPECS = { ed25519: KeySpec.ECC_NIST_EDWARDS25519, rfc6962: KeySpec.ECC_NIST_P256 } as const;

/** Props of {@link TransparencyLog}. */
export interface TransparencyLogProps {
  readonly stage: string;
  /** The certificate table (with its stream): the outbox, the tiles and the tree head. */
  readonly table: ITableV2;
  /** The log's origin and note key name, e.g. `dcc.example.gov.cn/log`. */
  readonly origin: string;
  /**
   * The checkpoints' signed-note signature (and so the key spec): `ed25519` (KMS
   * `ECC_NIST_EDWARDS25519`) or `rfc6962` (KMS `ECC_NIST_P256`).
   * @default 'ed25519'
   */
  readonly signature?: 'ed25519' | 'rfc6962';
  /** @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  readonly environment: FunctionEnvironment;
  readonly topic: ITopic;
  readonly projectRoot: string;
  /** @default - the function construct's default */
  readonly logRetention?: RetentionDays;
  /** @default - the function construct's default */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Whether the integrator gets reserved concurrency 1, so that at most one runs at a time. Off,
   * concurrent runs are safe: the head's conditional write lets one batch commit, and a batch that
   * lost has written nothing and is built again on the new head; the reservation only saves that
   * wasted work. It is off by default because it needs an account concurrency quota above the 100
   * that Lambda keeps unreserved, and the deployment fails without one.
   * @default false
   */
  readonly reservedConcurrency?: boolean;
  /**
   * Seconds the oldest stream record may wait before the lag alarm fires.
   * @default 60
   */
  readonly maxLagSeconds?: number;
}

/**
 * The transparency log's integrator: its own KMS key (Ed25519, or P-256 for RFC 6962 checkpoint
 * signatures; only this function may sign with it), the function (reserved concurrency 1 when asked for; the head's conditional write keeps
 * concurrent runs from forking the log either way), fed by the table's stream
 * (filtered to pending outbox events, for latency) and a one-minute schedule (a safety net that
 * drains anything a failed stream batch left behind), and alarms on lag and errors.
 */
export class TransparencyLog extends Construct {
  readonly key: Key;
  readonly integrator: ApiFunction;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: TransparencyLogProps) {
    super(scope, id);
    const signature = props.signature ?? 'ed25519';
    const signConditions = LOG_SIGN_CONDITIONS[signature];
    this.key = retainedSigningKey(this, 'LogKey', {
      description: `Data compliance certificates (${props.stage}): transparency log checkpoint signing key`,
      keySpec: LOG_KEY_SPECS[signature],
    });

    const fn = new ApiFunction(this, 'Integrator', {
      entry: `${props.projectRoot}/functions/log-integrator.ts`,
      functionName: `dcc-${props.stage}-log-integrator`,
      description: `Transparency log integrator (${props.stage})`,
      environment: props.environment,
      timeout: Duration.seconds(60),
      projectRoot: props.projectRoot,
      ...(props.architecture ? { architecture: props.architecture } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
    });
    this.integrator = fn;
    if (props.reservedConcurrency === true) (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = 1;
    fn.addEnvironment('DCC_LOG_ORIGIN', props.origin);
    fn.addEnvironment('DCC_LOG_SIGNER', 'kms');
    fn.addEnvironment('DCC_LOG_KMS_KEY_ID', this.key.keyArn);
    fn.addEnvironment('DCC_LOG_SIGNATURE', signature);

    // Outbox query, event reads and marks, tiles, head: the table and the outbox index only.
    // Tiles are written in the commit's own transaction, so no BatchWriteItem; BatchGetItem
    // re-reads the events the outbox index lists.
    fn.bindTable({ table: props.table, access: 'read-write', indexes: [OUTBOX_INDEX_NAME] });
    fn.role?.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [props.table.tableArn] }));
    fn.role?.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.key.keyArn] }));
    fn.role?.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: [this.key.keyArn], conditions: signConditions }));
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'IntegratorSignsCheckpoints',
        principals: [fn.executionRole],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: signConditions,
      }),
    );

    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('TransparencyLog: the table needs a stream');
    // Stream reads on this table's stream only.
    fn.role?.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    // ListStreams has no resource-level permissions: IAM matches it only against "*" (Service
    // Authorization Reference; CDK's grantStreamRead does the same), and Lambda checks for it when
    // it creates the event source mapping. It lists stream ARNs, nothing of their records. A
    // policy of its own, so the acknowledgement below covers this one statement.
    const listStreams = new Policy(this, 'ListStreams', {
      statements: [new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] })],
    });
    if (fn.role) listStreams.attachToRole(fn.role);
    Validations.of(listStreams).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams supports no resource-level permissions, so "*" is its only resource; the event source mapping of the integrator needs it, and it reveals stream names, not data.',
    });
    const mapping = new CfnEventSourceMapping(this, 'OutboxStream', {
      functionName: fn.functionName,
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.LATEST,
      batchSize: 100,
      maximumBatchingWindowInSeconds: 1,
      // The records are only a nudge; the schedule catches up whatever a failed batch skipped.
      maximumRetryAttempts: 2,
      filterCriteria: { filters: [{ pattern: JSON.stringify({ dynamodb: { NewImage: { outboxPk: { S: [OUTBOX_PENDING] } } } }) }] },
    });
    mapping.node.addDependency(fn.role ?? fn, listStreams);
    new Rule(this, 'Schedule', {
      description: `Drains the transparency log outbox (${props.stage})`,
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });

    const lag = new Alarm(this, 'LagAlarm', {
      alarmName: alarmName(props.stage, 'LogIntegratorLag'),
      alarmDescription: 'Pending changes wait too long for the transparency log (stream iterator age).',
      metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: (props.maxLagSeconds ?? 60) * 1000,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const errors = new Alarm(this, 'ErrorAlarm', {
      alarmName: alarmName(props.stage, 'LogIntegratorErrors'),
      alarmDescription: 'The transparency log integrator fails.',
      metric: fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [lag, errors];
    for (const alarm of this.alarms) alarm.addAlarmAction(new SnsAction(props.topic));
  }
}
