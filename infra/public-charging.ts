// Public charging's own infrastructure: the schedule that runs the sweeper every minute (EventBridge
// Scheduler → Lambda), and, when payments go through Stripe, the secret holding its keys.

import { Duration, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * Every minute: the created timeout is 10 minutes, so a walk-away's connector is free at most a minute
 * after it; a sweep that fails is simply followed by the next one.
 */
export const SWEEP_RATE_MINUTES = 1;

export class PublicChargingSweep extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: { sweeper: IFunction }) {
    super(scope, id);
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'evsessions: expire abandoned public sessions, free connectors, retry pending effects',
      schedule: ScheduleExpression.rate(Duration.minutes(SWEEP_RATE_MINUTES)),
      timeWindow: TimeWindow.off(),
      // No retries and a short event age: a missed run is covered by the next one a minute later.
      target: new LambdaInvoke(props.sweeper, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
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
