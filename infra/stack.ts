// The evsessions stack: the table (stateful), the Lambda functions, and the HTTP API (stateless).
// Deploy with `npx cdk deploy`; the outputs give the API URL and the table name the token CLI needs.

import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
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
import { FUNCTIONS, type WorkerName } from './functions.js';
import { EvsFunction } from './lambdas.js';
import { PublicChargingSweep, StripeKeysSecret } from './public-charging.js';
import { WebSite } from './web.js';

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
  readingsRetentionDays?: number;
  /** The fleet dashboard on CloudFront (infra/web.ts), its origin allowed by the API's CORS; default true. */
  web?: boolean;
}

export class EvSessionsStack extends Stack {
  readonly database: Database;
  readonly functions: Record<FunctionName | 'authorizer' | WorkerName, EvsFunction>;
  readonly api: Api;
  readonly sweep: PublicChargingSweep;
  readonly stripeKeys: StripeKeysSecret | undefined;
  readonly dailyJob: DailyJob | undefined;
  readonly web: WebSite | undefined;

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
          environment,
        }),
      ]),
    ) as Record<FunctionName | 'authorizer' | WorkerName, EvsFunction>;

    this.web = props.web === false ? undefined : new WebSite(this, 'Web');
    const { authorizer, 'public-charging-sweeper': sweeper, ...httpFunctions } = this.functions;
    this.sweep = new PublicChargingSweep(this, 'PublicChargingSweep', { sweeper: sweeper.fn });
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
        })
      : undefined;

    this.web?.deploy(this.api.stage.url);

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'Base URL of the API' });
    if (this.web)
      new CfnOutput(this, 'DashboardUrl', { value: this.web.origin, description: 'The fleet dashboard' });
    new CfnOutput(this, 'TableName', {
      value: this.database.table.tableName,
      description: 'The table; pass to `npm run token -- --table` or use --stack',
    });
  }
}
