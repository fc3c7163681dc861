// The real-time path on AWS:
//
//   readings λ ──SendMessage (after storing readings that may change sessions)──▶ live queue (SQS FIFO)
//     MessageGroupId = tenant#entity (one run per entity at a time, in order)
//     MessageDeduplicationId = tenant#entity#bucket (a burst of uploads is one run)
//     delivery delay = the bucket (the run sees every reading of its bucket); 5 deliveries, then its DLQ
//   ──▶ live-worker λ (event source: batches of LIVE_BATCH_SIZE, partial batch responses)
//       per message: processEntity in live mode without writing; if it would write, the daily worker's
//       lease → processEntity → rollups → release
//
// The readings function may only send to the queue (sqs:SendMessage on it, nothing else); the worker's
// table rights are its catalog entry's (infra/functions.ts). Alarms: the dead-letter queue's depth and the
// age of the oldest message (a backlog means sessions are late), handed to the stack's Operations.

import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  LIVE_BATCH_SIZE,
  LIVE_BUCKET_SECONDS,
  LIVE_VISIBILITY_TIMEOUT_SECONDS,
  MAX_RECEIVE_COUNT,
} from '../shared/pipeline/settings.js';
import { JOB_FUNCTIONS } from './functions.js';
import { EvsFunction, type LogLevel } from './lambdas.js';

export interface LiveSessionsProps {
  table: Table;
  logRetention: RetentionDays;
  /** The readings function: it gets the queue's URL and the right to send to it, nothing more. */
  readings: { fn: IFunction & { addEnvironment(key: string, value: string): unknown }; role: Role };
  logLevel?: LogLevel | undefined;
  environment?: Record<string, string>;
}

export class LiveSessions extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly worker: EvsFunction;

  constructor(scope: Construct, id: string, props: LiveSessionsProps) {
    super(scope, id);
    const secureQueue = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, fifo: true };
    this.deadLetters = new Queue(this, 'DeadLetters', { ...secureQueue, retentionPeriod: Duration.days(14) });
    this.queue = new Queue(this, 'Queue', {
      ...secureQueue,
      // Deduplication ids are ours (entity and bucket), never the body's hash.
      contentBasedDeduplication: false,
      deliveryDelay: Duration.seconds(LIVE_BUCKET_SECONDS),
      visibilityTimeout: Duration.seconds(LIVE_VISIBILITY_TIMEOUT_SECONDS),
      // A message older than a day is the daily job's to process anyway.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.worker = new EvsFunction(this, 'Worker', {
      name: 'live-worker',
      spec: JOB_FUNCTIONS['live-worker'],
      table: props.table,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      ...(props.environment ? { environment: props.environment } : {}),
    });
    this.worker.fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: LIVE_BATCH_SIZE, reportBatchItemFailures: true }),
    );

    props.readings.fn.addEnvironment('LIVE_QUEUE_URL', this.queue.queueUrl);
    props.readings.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
  }
}
