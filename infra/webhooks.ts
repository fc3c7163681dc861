// Webhook delivery's own infrastructure: the schedule that runs the dispatcher every minute (EventBridge
// Scheduler → Lambda, asynchronously, no Lambda retries; a failed run goes to a dead-letter queue with an
// alarm). Deliveries themselves never sit in a queue: each is an item with a due time in the table's
// sparse due index (shared/storage/webhooks.ts), so a failed run loses nothing — the next one finds them.

import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Every minute: the first attempt of an event leaves within a minute, and a 5 s retry within about one. */
export const DISPATCH_RATE_MINUTES = 1;

/** As the sweeper's: no Lambda retry beside the next minute's run, events older than a minute dropped. */
export const DISPATCHER_ASYNC_INVOKE = { retryAttempts: 0, maxEventAgeSeconds: 60 } as const;

export class WebhookDispatch extends Construct {
  readonly schedule: CfnSchedule;
  readonly role: Role;
  /** Failed dispatcher runs, with Lambda's error (an on-failure destination): for diagnosis, not redrive. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: { dispatcher: IFunction }) {
    super(scope, id);
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
