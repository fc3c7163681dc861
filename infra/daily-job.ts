// The daily aggregation job on AWS:
//
//   EventBridge Scheduler (daily, cron in a time zone; retries, then a dead-letter queue)
//     → planner λ (async: 2 retries, then the same dead-letter queue) — Query on the capture index only
//     → entity queue (one message per entity; visibility = 6 × worker timeout; 5 deliveries, then its DLQ)
//     → worker λ (event source: batches of 10, partial batch responses, bounded concurrency)
//
// Both dead-letter queues have an alarm on visible messages. Each function has its own role with exactly
// the table actions of its catalog entry (infra/functions.ts) and the queue rights granted here.

import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  MAX_RECEIVE_COUNT,
  QUEUE_VISIBILITY_TIMEOUT_SECONDS,
  WORKER_BATCH_SIZE,
  WORKER_BATCH_WINDOW_SECONDS,
  WORKER_MAX_CONCURRENCY,
} from '../shared/pipeline/settings.js';
import { isIanaTimeZone } from '../shared/time-zones.js';
import { JOB_FUNCTIONS } from './functions.js';
import { EvsFunction, type LogLevel } from './lambdas.js';

/** When the job runs each day, and how hard its workers may press on the table. */
export interface DailyJobSettings {
  /** Local time of day, `HH:MM`. Default 02:00: after midnight in the zone, so the day just ended is complete. */
  time: string;
  /** IANA zone the time is in (the schedule follows its DST changes). Default UTC. */
  timeZone: string;
  /** The event source's MaximumConcurrency (2–1000). */
  workerMaxConcurrency: number;
}

export const DEFAULT_DAILY_JOB_SETTINGS: DailyJobSettings = {
  time: '02:00',
  timeZone: 'UTC',
  workerMaxConcurrency: WORKER_MAX_CONCURRENCY,
};

/** Scheduler retries for a failed delivery to the planner, within an hour; then the dead-letter queue. */
export const SCHEDULE_RETRY = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } as const;
/** Lambda's own retries of a planner invocation that failed (it runs asynchronously), within an hour. */
export const PLANNER_ASYNC_RETRY = { retryAttempts: 2, maxEventAgeSeconds: 3600 } as const;
/** Dead letters are kept the longest SQS allows, to be looked at and redriven. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * The settings from CDK context (`-c dailyJobTime=03:30 -c dailyJobTimeZone=Europe/Berlin
 * -c dailyJobMaxConcurrency=20`), defaults for what is not given; throws on a value that cannot be used.
 */
export function dailyJobSettingsFromContext(context: (key: string) => unknown): DailyJobSettings {
  const settings = { ...DEFAULT_DAILY_JOB_SETTINGS };
  const time = context('dailyJobTime');
  if (time !== undefined) {
    if (typeof time !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time))
      throw new Error(`dailyJobTime must be HH:MM (00:00–23:59), not ${JSON.stringify(time)}`);
    settings.time = time;
  }
  const timeZone = context('dailyJobTimeZone');
  if (timeZone !== undefined) {
    if (typeof timeZone !== 'string' || !isIanaTimeZone(timeZone))
      throw new Error(`dailyJobTimeZone must be an IANA time zone, not ${JSON.stringify(timeZone)}`);
    settings.timeZone = timeZone;
  }
  const concurrency = context('dailyJobMaxConcurrency');
  if (concurrency !== undefined) {
    const value = Number(concurrency);
    if (!Number.isInteger(value) || value < 2 || value > 1000)
      throw new Error(`dailyJobMaxConcurrency must be an integer 2–1000, not ${JSON.stringify(concurrency)}`);
    settings.workerMaxConcurrency = value;
  }
  return settings;
}

/** `cron(M H * * ? *)`: every day at the given local time. */
export function dailyCron(time: string): string {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return `cron(${minute} ${hour} * * ? *)`;
}

export interface DailyJobProps {
  table: Table;
  logRetention: RetentionDays;
  /** The worker's Lambda entry (functions/worker.ts): it wires the per-entity processor. */
  workerEntry: string;
  settings?: Partial<DailyJobSettings>;
  /** Where the dead-letter alarms notify (an SNS topic action, say); none by default. */
  alarmActions?: IAlarmAction[];
  /** What the job's functions log; default info. */
  logLevel?: LogLevel | undefined;
  /** Variables every function of the stack gets (the readings' retention: the worker reads readings by it). */
  environment?: Record<string, string>;
}

export class DailyJob extends Construct {
  readonly planner: EvsFunction;
  readonly worker: EvsFunction;
  readonly entityQueue: Queue;
  readonly entityDeadLetters: Queue;
  /** Runs that never reached the planner, or whose planner failed after its retries. */
  readonly runDeadLetters: Queue;
  readonly schedule: CfnSchedule;
  readonly schedulerRole: Role;
  readonly alarms: { entityDeadLetters: Alarm; runDeadLetters: Alarm };

  constructor(scope: Construct, id: string, props: DailyJobProps) {
    super(scope, id);
    const settings = { ...DEFAULT_DAILY_JOB_SETTINGS, ...props.settings };
    const secureQueue = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };

    this.runDeadLetters = new Queue(this, 'RunDeadLetters', {
      ...secureQueue,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.entityDeadLetters = new Queue(this, 'EntityDeadLetters', {
      ...secureQueue,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.entityQueue = new Queue(this, 'EntityQueue', {
      ...secureQueue,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_TIMEOUT_SECONDS),
      // A day's messages are consumed within the day; four days cover a weekend of failed redrives.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.entityDeadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.planner = new EvsFunction(this, 'Planner', {
      name: 'planner',
      spec: JOB_FUNCTIONS.planner,
      table: props.table,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      environment: { ...props.environment, JOB_QUEUE_URL: this.entityQueue.queueUrl },
      asyncInvoke: {
        retryAttempts: PLANNER_ASYNC_RETRY.retryAttempts,
        maxEventAge: Duration.seconds(PLANNER_ASYNC_RETRY.maxEventAgeSeconds),
        deadLetterQueue: this.runDeadLetters,
      },
    });
    // SendMessageBatch is authorised as sqs:SendMessage.
    this.planner.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [this.entityQueue.queueArn],
      }),
    );

    this.worker = new EvsFunction(this, 'Worker', {
      name: 'worker',
      spec: { ...JOB_FUNCTIONS.worker, entry: props.workerEntry },
      table: props.table,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      ...(props.environment ? { environment: props.environment } : {}),
    });
    // The event source grants the worker what consuming takes (receive, delete, change visibility).
    this.worker.fn.addEventSource(
      new SqsEventSource(this.entityQueue, {
        batchSize: WORKER_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(WORKER_BATCH_WINDOW_SECONDS),
        reportBatchItemFailures: true,
        maxConcurrency: settings.workerMaxConcurrency,
      }),
    );

    const stack = this.planner.fn.stack;
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'evsessions daily job: EventBridge Scheduler invokes the planner, or dead-letters the run',
    });
    this.schedulerRole.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.planner.fn.functionArn],
      }),
    );
    this.schedulerRole.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [this.runDeadLetters.queueArn],
      }),
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: `evsessions daily job at ${settings.time} ${settings.timeZone}`,
      scheduleExpression: dailyCron(settings.time),
      scheduleExpressionTimezone: settings.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.planner.fn.functionArn,
        roleArn: this.schedulerRole.roleArn,
        // The scheduled time is the run's as-of instant: a retried delivery plans the same run.
        input: JSON.stringify({
          scheduledTime: '<aws.scheduler.scheduled-time>',
          executionId: '<aws.scheduler.execution-id>',
        }),
        retryPolicy: SCHEDULE_RETRY,
        deadLetterConfig: { arn: this.runDeadLetters.queueArn },
      },
    });

    const deadLetterAlarm = (name: string, queue: Queue, what: string) => {
      const alarm = new Alarm(this, name, {
        alarmDescription: `evsessions daily job: ${what}. Inspect the messages, fix the cause, then redrive them.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      for (const action of props.alarmActions ?? []) alarm.addAlarmAction(action);
      return alarm;
    };
    this.alarms = {
      entityDeadLetters: deadLetterAlarm(
        'EntityDeadLettersAlarm',
        this.entityDeadLetters,
        `entities failed ${MAX_RECEIVE_COUNT} times in a row`,
      ),
      runDeadLetters: deadLetterAlarm(
        'RunDeadLettersAlarm',
        this.runDeadLetters,
        'a daily run was not planned',
      ),
    };
  }
}
