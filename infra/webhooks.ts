// Webhook delivery's own infrastructure. The dispatcher Lambda is run two ways:
// - by the webhook queue (SQS, batches of up to 10 messages, failed messages back to the queue and after
//   MAX_QUEUE_RECEIVES to its dead-letter queue): functions that record events send it the deliveries they
//   made, so first attempts leave within seconds;
// - every minute by EventBridge Scheduler (asynchronously, no Lambda retries; a failed run goes to a
//   dead-letter queue): every delivery due, retries included.
// The deliveries themselves are items with a due time in the table's sparse due index
// (shared/storage/webhooks.ts), not queue messages: a lost message or a failed run loses nothing, the next
// minute's run finds them. Both dead-letter queues have alarms (infra/operations.ts, via the stack).

import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Every minute: the first attempt of an event leaves within a minute, and a 5 s retry within about one. */
export const DISPATCH_RATE_MINUTES = 1;

/** As the sweeper's: no Lambda retry beside the next minute's run, events older than a minute dropped. */
export const DISPATCHER_ASYNC_INVOKE = { retryAttempts: 0, maxEventAgeSeconds: 60 } as const;

/** A queue message whose attempts failed this often (table errors) goes to the dead-letter queue. */
export const MAX_QUEUE_RECEIVES = 3;

export class WebhookDispatch extends Construct {
  readonly schedule: CfnSchedule;
  readonly role: Role;
  /** Failed dispatcher runs, with Lambda's error (an on-failure destination): for diagnosis, not redrive. */
  readonly deadLetters: Queue;
  /** Deliveries just recorded, for their first attempt at once. */
  readonly queue: Queue;
  readonly queueDeadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: { dispatcher: IFunction; dispatcherTimeoutSeconds: number },
  ) {
    super(scope, id);
    this.queueDeadLetters = new Queue(this, 'QueueDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queueDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the webhook queue.',
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for a Lambda event source: six times the function's timeout.
      visibilityTimeout: Duration.seconds(6 * props.dispatcherTimeoutSeconds),
      deadLetterQueue: { queue: this.queueDeadLetters, maxReceiveCount: MAX_QUEUE_RECEIVES },
    });
    props.dispatcher.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the webhook dispatcher's on-failure destination, which SQS redrive does not declare.",
    });
    props.dispatcher.configureAsyncInvoke({
      retryAttempts: DISPATCHER_ASYNC_INVOKE.retryAttempts,
      maxEventAge: Duration.seconds(DISPATCHER_ASYNC_INVOKE.maxEventAgeSeconds),
      onFailure: new SqsDestination(this.deadLetters),
    });
    // Our own role: it can invoke exactly the dispatcher, and only for this account's schedules.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'evsessions: lets EventBridge Scheduler invoke the webhook dispatcher',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [props.dispatcher.functionArn],
      }),
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: 'evsessions: attempt due webhook deliveries (first attempts and retries)',
      scheduleExpression: `rate(${DISPATCH_RATE_MINUTES} minute)`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.dispatcher.functionArn,
        roleArn: this.role.roleArn,
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
  }
}
