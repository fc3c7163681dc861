// Public charging's own infrastructure: the schedule that runs the sweeper every minute (EventBridge
// Scheduler → Lambda), and, when payments go through Stripe, the secret holding its keys.

import { Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * Every minute: the created timeout is 10 minutes, so a walk-away's connector is free at most a minute
 * after it; a sweep that fails is simply followed by the next one.
 */
export const SWEEP_RATE_MINUTES = 1;

export class PublicChargingSweep extends Construct {
  readonly schedule: CfnSchedule;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: { sweeper: IFunction }) {
    super(scope, id);
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

/** The Stripe keys as JSON `{ secretKey, publishableKey, accountId? }`; the operator fills the value. */
export class StripeKeysSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description:
        'evsessions: Stripe keys for public charging, JSON {"secretKey","publishableKey","accountId"?}; set the value after deploying',
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Stripe API keys are rolled in the Stripe dashboard, which no rotation Lambda can do; after rolling, put the new keys into this secret (functions re-read it on their next cold start).',
    });
  }
}
