// The evsessions stack: the table (stateful), the Lambda functions, the HTTP API (stateless), and what
// operates them (alarms on a topic, a dashboard: infra/operations.ts). Deploy with `npx cdk deploy`; the
// outputs give the API URL, the table name the token CLI needs, the alarm topic and the dashboard.

import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { allRoutes } from '../shared/api/routes.js';
import { loadConfig } from '../shared/config.js';
import { corsPolicy } from '../shared/http/cors.js';
import type { FunctionName } from '../shared/http/route.js';
import { Api } from './api.js';
import { DailyJob, type DailyJobSettings } from './daily-job.js';
import { Database } from './database.js';
import { FUNCTIONS, type FunctionSpec, JOB_FUNCTIONS, type WorkerName } from './functions.js';
import { EvsFunction, type LogLevel } from './lambdas.js';
import { LiveSessions } from './live-sessions.js';
import { OcppGateway } from './ocpp-gateway.js';
import { type AlarmDestinations, Operations } from './operations.js';
import { PublicChargingSweep, StripeKeysSecret } from './public-charging.js';
import { WebSite } from './web.js';
import { WebhookDispatch } from './webhooks.js';

export interface EvSessionsStackProps extends StackProps {
  /** Stage-wide API throttle. */
  throttle?: { rateLimit: number; burstLimit: number };
  logRetention?: RetentionDays;
  /** Browser origins allowed by CORS (explicit; none means CORS off). */
  corsOrigins?: string[];
  /**
   * Who holds and captures public charging payments: the built-in provider (default; no money moves,
   * for development and operators who bill separately) or Stripe (a secret for its keys is created).
   */
  payments?: 'local' | 'stripe';
  /** The daily aggregation job (infra/daily-job.ts); left out when not given. */
  dailyJob?: { workerEntry: string; settings?: Partial<DailyJobSettings> };
  /** How long raw readings are kept (their TTL), in days; default DEFAULT_READINGS_RETENTION_DAYS. */
  readingsRetentionDays?: number | undefined;
  /** What the functions log (LOG_LEVEL, and Lambda's application log level); default info. */
  logLevel?: LogLevel;
  /** Who the alarms notify besides the stack's topic (e-mail subscriptions, an existing topic). */
  alarms?: AlarmDestinations;
  /** The fleet dashboard on CloudFront (infra/web.ts), its origin allowed by the API's CORS; default true. */
  web?: boolean;
  /** The OCPP-J gateway for chargers that connect directly (infra/ocpp-gateway.ts); left out when not given. */
  ocppGateway?: { certificateArn: string } | undefined;
}

export class EvSessionsStack extends Stack {
  readonly database: Database;
  readonly functions: Record<FunctionName | 'authorizer' | WorkerName, EvsFunction>;
  readonly api: Api;
  readonly sweep: PublicChargingSweep;
  readonly webhookDispatch: WebhookDispatch;
  readonly stripeKeys: StripeKeysSecret | undefined;
  readonly dailyJob: DailyJob | undefined;
  /** The real-time path; present with the daily job, its safety net. */
  readonly live: LiveSessions | undefined;
  readonly operations: Operations;
  readonly web: WebSite | undefined;
  readonly ocppGateway: OcppGateway | undefined;

  constructor(scope: Construct, id: string, props: EvSessionsStackProps = {}) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    // Every function gets it: writers set the readings' TTL by it, readers never serve what it expired.
    const environment = {
      READINGS_RETENTION_DAYS: String(
        loadConfig({ READINGS_RETENTION_DAYS: String(props.readingsRetentionDays ?? '') })
          .readingsRetentionDays,
      ),
    };
    this.database = new Database(this, 'Database');
    this.operations = new Operations(this, 'Operations', props.alarms);

    const cursorSecret = new Secret(this, 'ContinuationTokenKey', {
      description: 'evsessions: key that seals continuation tokens (AES-256-GCM)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only seals continuation tokens, which live at most 24 h; rotating it would just invalidate page links in flight. Replace it by redeploying if it leaks.',
    });

    this.stripeKeys = props.payments === 'stripe' ? new StripeKeysSecret(this, 'StripeKeys') : undefined;

    const entries = Object.entries(FUNCTIONS) as [
      FunctionName | 'authorizer' | WorkerName,
      (typeof FUNCTIONS)[keyof typeof FUNCTIONS],
    ][];
    this.functions = Object.fromEntries(
      entries.map(([name, spec]) => [
        name,
        new EvsFunction(this, `Fn-${name}`, {
          name,
          spec,
          table: this.database.table,
          cursorSecret,
          paymentSecret: this.stripeKeys?.secret,
          logRetention,
          logLevel: props.logLevel,
          environment,
        }),
      ]),
    ) as Record<FunctionName | 'authorizer' | WorkerName, EvsFunction>;

    this.web = props.web === false ? undefined : new WebSite(this, 'Web');
    const {
      authorizer,
      'public-charging-sweeper': sweeper,
      'webhook-dispatcher': dispatcher,
      ...httpFunctions
    } = this.functions;
    this.sweep = new PublicChargingSweep(this, 'PublicChargingSweep', { sweeper: sweeper.fn });
    this.webhookDispatch = new WebhookDispatch(this, 'WebhookDispatch', {
      dispatcher: dispatcher.fn,
      dispatcherTimeoutSeconds: FUNCTIONS['webhook-dispatcher'].timeoutSeconds,
    });
    for (const [name, spec] of entries) {
      if (spec.recordsWebhookEvents) recordsWebhookEvents(this.functions[name], this.webhookDispatch.queue);
    }
    this.api = new Api(this, 'Api', {
      routes: allRoutes,
      functions: Object.fromEntries(Object.entries(httpFunctions).map(([name, f]) => [name, f.fn])) as Record<
        FunctionName,
        EvsFunction['fn']
      >,
      authorizer: authorizer.fn,
      defaultFunction: 'meta',
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      cors: corsPolicy([...(props.corsOrigins ?? []), ...(this.web ? [this.web.origin] : [])]),
      logRetention,
    });

    this.dailyJob = props.dailyJob
      ? new DailyJob(this, 'DailyJob', {
          table: this.database.table,
          logRetention,
          workerEntry: props.dailyJob.workerEntry,
          settings: props.dailyJob.settings,
          environment,
          logLevel: props.logLevel,
          alarmActions: this.operations.alarmActions,
        })
      : undefined;

    // The real-time path: readings → FIFO queue → live worker (infra/live-sessions.ts). Only with the daily
    // job: it is the real-time path's safety net (a failed notification, a dead-lettered run).
    this.live = this.dailyJob
      ? new LiveSessions(this, 'LiveSessions', {
          table: this.database.table,
          logRetention,
          readings: this.functions.readings,
          environment,
          logLevel: props.logLevel,
        })
      : undefined;

    // The job's workers record charge_session.* events (functions/worker.ts, functions/live-worker.ts).
    if (this.dailyJob && JOB_FUNCTIONS.worker.recordsWebhookEvents)
      recordsWebhookEvents(this.dailyJob.worker, this.webhookDispatch.queue);
    if (this.live && JOB_FUNCTIONS['live-worker'].recordsWebhookEvents)
      recordsWebhookEvents(this.live.worker, this.webhookDispatch.queue);

    const watched: Record<string, EvsFunction['fn']> = Object.fromEntries(
      Object.entries(this.functions).map(([name, f]) => [name, f.fn]),
    );
    if (this.dailyJob) {
      watched.planner = this.dailyJob.planner.fn;
      watched.worker = this.dailyJob.worker.fn;
    }
    if (this.live) {
      watched['live-worker'] = this.live.worker.fn;
      // A backlog on the live queue means sessions are listed late (goal: within 5 minutes).
      this.operations.alarm(
        'LiveQueueAgeAlarm',
        this.live.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        'the real-time queue holds a message older than 5 minutes: sessions are late (the daily job still reconciles them)',
        300,
      );
    }
    this.operations.watchApi(this.api.httpApi);
    this.operations.watchFunctions(watched);
    this.operations.watchTable(
      this.database.table,
      tableOperations([...entries.map(([, spec]) => spec), ...Object.values(JOB_FUNCTIONS)]),
    );
    this.operations.watchDeadLetters([
      {
        name: 'SweeperDeadLetters',
        queue: this.sweep.deadLetters,
        what: 'the public-charging sweeper failed (due sessions stay due: the next sweep retries them)',
      },
      {
        name: 'WebhookDispatcherDeadLetters',
        queue: this.webhookDispatch.deadLetters,
        what: 'the webhook dispatcher failed (due deliveries stay due: the next run retries them)',
      },
      {
        name: 'WebhookQueueDeadLetters',
        queue: this.webhookDispatch.queueDeadLetters,
        what: 'first attempts of webhook deliveries failed repeatedly (they stay due: the minute dispatch retries them)',
      },
      ...(this.live
        ? [
            {
              name: 'LiveDeadLetters',
              queue: this.live.deadLetters,
              what: 'the real-time path gave up on an entity (the daily job processes its readings anyway)',
            },
          ]
        : []),
      ...(this.dailyJob
        ? [
            {
              name: 'EntityDeadLetters',
              queue: this.dailyJob.entityDeadLetters,
              what: 'the daily job gave up on entities',
              alarm: this.dailyJob.alarms.entityDeadLetters,
            },
            {
              name: 'RunDeadLetters',
              queue: this.dailyJob.runDeadLetters,
              what: 'a daily run was not planned',
              alarm: this.dailyJob.alarms.runDeadLetters,
            },
          ]
        : []),
    ]);
    this.ocppGateway = props.ocppGateway
      ? new OcppGateway(this, 'OcppGateway', {
          table: this.database.table,
          certificateArn: props.ocppGateway.certificateArn,
          paymentSecret: this.stripeKeys?.secret,
          environment,
          webhookQueue: this.webhookDispatch.queue,
          logRetention,
          logLevel: props.logLevel,
          operations: this.operations,
        })
      : undefined;
    this.operations.addAlarmStatusWidget();

    // The API's endpoint, not the stage URL: a `$default` stage's URL ends in `/`, which turns the README's
    // `<ApiUrl>/v1/entities` into `//v1/entities` (a 404).
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.httpApi.apiEndpoint,
      description: 'Base URL of the API, without a trailing slash: <ApiUrl>/v1/entities',
    });
    this.web?.deploy(this.api.httpApi.apiEndpoint);
    if (this.web)
      new CfnOutput(this, 'WebAppUrl', {
        value: this.web.origin,
        description: 'The fleet dashboard (web app); DashboardName is the CloudWatch one',
      });
    new CfnOutput(this, 'TableName', {
      value: this.database.table.tableName,
      description: 'The table; pass to `npm run token -- --table` or use --stack',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.operations.topic.topicArn,
      description: 'Every alarm notifies this SNS topic: subscribe to it (or deploy with -c alarmEmail=…)',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.operations.dashboard.dashboardName,
      description: 'The CloudWatch dashboard of this stack',
    });
    if (this.ocppGateway)
      new CfnOutput(this, 'OcppGatewayHost', {
        value: this.ocppGateway.loadBalancer.loadBalancerDnsName,
        description:
          "Point the certificate's host name (CNAME) here; chargers connect to wss://<that name>/ocpp/<code>",
      });
    if (this.stripeKeys)
      new CfnOutput(this, 'StripeKeysSecretName', {
        value: this.stripeKeys.secret.secretName,
        description:
          'Put {"secretKey":"sk_…","publishableKey":"pk_…","accountId":"acct_…"(optional)} into this secret',
      });
  }
}

/** The DynamoDB operations the functions may call (their IAM actions), for the throttling alarm. */
function tableOperations(specs: FunctionSpec[]): string[] {
  const actions = new Set(specs.flatMap((spec) => spec.table?.actions ?? []));
  return [...actions]
    .map((action) => action.replace('dynamodb:', ''))
    .filter((op) => op !== 'ConditionCheckItem')
    .sort();
}

/** A function that records webhook events nudges the dispatcher through the queue (shared/webhooks/queue.ts). */
function recordsWebhookEvents(fn: EvsFunction, queue: { queueUrl: string; queueArn: string }): void {
  fn.fn.addEnvironment('WEBHOOK_QUEUE_URL', queue.queueUrl);
  // SendMessage only (grantSendMessages would add GetQueueAttributes and GetQueueUrl, unused).
  fn.role.addToPolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
}
