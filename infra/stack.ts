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
import { Database } from './database.js';
import { FUNCTIONS } from './functions.js';
import { EvsFunction } from './lambdas.js';

export interface EvSessionsStackProps extends StackProps {
  /** Stage-wide API throttle. */
  throttle?: { rateLimit: number; burstLimit: number };
  logRetention?: RetentionDays;
  /** Browser origins allowed by CORS (explicit; none means CORS off). */
  corsOrigins?: string[];
  /** How long raw readings are kept (their TTL), in days; default DEFAULT_READINGS_RETENTION_DAYS. */
  readingsRetentionDays?: number;
}

export class EvSessionsStack extends Stack {
  readonly database: Database;
  readonly functions: Record<FunctionName | 'authorizer', EvsFunction>;
  readonly api: Api;

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

    const entries = Object.entries(FUNCTIONS) as [
      FunctionName | 'authorizer',
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
          logRetention,
          environment,
        }),
      ]),
    ) as Record<FunctionName | 'authorizer', EvsFunction>;

    const { authorizer, ...httpFunctions } = this.functions;
    this.api = new Api(this, 'Api', {
      routes: allRoutes,
      functions: Object.fromEntries(Object.entries(httpFunctions).map(([name, f]) => [name, f.fn])) as Record<
        FunctionName,
        EvsFunction['fn']
      >,
      authorizer: authorizer.fn,
      defaultFunction: 'meta',
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      cors: corsPolicy(props.corsOrigins ?? []),
      logRetention,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'TableName', {
      value: this.database.table.tableName,
      description: 'The table; pass to `npm run token -- --table` or use --stack',
    });
  }
}
