// Public charging's own infrastructure: the schedule that runs the sweeper every minute (EventBridge
// Scheduler → Lambda, asynchronously: no Lambda retries, a failed run goes to a dead-letter queue), and,
// when payments go through Stripe, the secret holding its keys.

import { Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STRIPE_SECRET_PLACEHOLDER } from '../shared/payments/stripe-secret.js';

/**
 * Every minute: the created timeout is 10 minutes, so a walk-away's connector is free at most a minute
 * after it; a sweep that fails is simply followed by the next one.
 */
export const SWEEP_RATE_MINUTES = 1;

/**
 * Lambda's handling of a sweep that failed: no retry (Lambda's default is two, which would run beside the
 * next minute's sweep), dropped once older than a minute (the least Lambda allows), then the dead-letter
 * queue, whose alarm says the sweeper is failing. The work itself is never lost: it stays due in the table.
 */
export const SWEEPER_ASYNC_INVOKE = { retryAttempts: 0, maxEventAgeSeconds: 60 } as const;

export class PublicChargingSweep extends Construct {
  readonly schedule: CfnSchedule;
  readonly role: Role;
  /** Failed sweeps, with Lambda's error (an on-failure destination): for diagnosis, not for redrive. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: { sweeper: IFunction }) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the sweeper's on-failure destination, which SQS redrive does not declare.",
    });
    props.sweeper.configureAsyncInvoke({
      retryAttempts: SWEEPER_ASYNC_INVOKE.retryAttempts,
      maxEventAge: Duration.seconds(SWEEPER_ASYNC_INVOKE.maxEventAgeSeconds),
      onFailure: new SqsDestination(this.deadLetters),
    });
    // Our own role rather than the L2 target's: that one also grants every version (`<arn>:*`); this
    // can invoke exactly the sweeper, and only on behalf of this account's schedules.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'evsessions: lets EventBridge Scheduler invoke the public-charging sweeper',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [props.sweeper.functionArn],
      }),
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: 'evsessions: expire abandoned public sessions, free connectors, retry pending effects',
      scheduleExpression: `rate(${SWEEP_RATE_MINUTES} minute)`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.sweeper.functionArn,
        roleArn: this.role.roleArn,
        // No retries and a short event age: a missed run is covered by the next one a minute later.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
  }
}

/**
 * The Stripe keys as JSON `{ secretKey, publishableKey, accountId? }`; the operator fills the value. It is
 * created holding the placeholder (empty keys), so until then payments fail with "not configured yet",
 * not with a JSON error about a random string Secrets Manager would otherwise generate.
 */
export class StripeKeysSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description:
        'evsessions: Stripe keys for public charging, JSON {"secretKey","publishableKey","accountId"?}; set the value after deploying',
      // No secret in it: empty keys, which the functions recognise as "not configured yet".
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(STRIPE_SECRET_PLACEHOLDER)),
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Stripe API keys are rolled in the Stripe dashboard, which no rotation Lambda can do; after rolling, put the new keys into this secret (functions re-read it on their next cold start).',
    });
  }
}
