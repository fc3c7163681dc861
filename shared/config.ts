// Runtime configuration, read from the environment once. Domain code never reads it: handlers and
// storage adapters pass what they need down.

export interface Config {
  tableName: string;
  /** Set for the embedded database (dynalite / DynamoDB Local); unset on AWS. */
  dynamodbEndpoint: string | undefined;
  region: string;
  /** HMAC key for continuation tokens, given directly (local runs, tests). */
  cursorSecret: string | undefined;
  /** Secrets Manager secret holding the continuation-token key (AWS). */
  cursorSecretArn: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The daily job's queue, which the planner sends to (AWS). */
  jobQueueUrl: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  return {
    tableName: env.TABLE_NAME ?? 'evsessions',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    cursorSecret: env.CURSOR_SECRET || undefined,
    cursorSecretArn: env.CURSOR_SECRET_ARN || undefined,
    jobQueueUrl: env.JOB_QUEUE_URL || undefined,
    logLevel: (['debug', 'info', 'warn', 'error'].includes(logLevel)
      ? logLevel
      : 'info') as Config['logLevel'],
  };
}

let current: Config | undefined;

/** The process's configuration, read on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
