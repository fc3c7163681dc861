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
  /** How long raw readings are kept (READINGS_RETENTION_DAYS, default 35): the TTL of stored readings. */
  readingsRetentionDays: number;
}

/** A month of raw telemetry plus a few days' slack for a late daily run, as issue 3 asks. */
export const DEFAULT_READINGS_RETENTION_DAYS = 35;
/** DynamoDB's TTL ignores items whose ttl is more than five years in the past; ten years is a sane ceiling. */
const MAX_READINGS_RETENTION_DAYS = 3650;

function retentionDays(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_READINGS_RETENTION_DAYS;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > MAX_READINGS_RETENTION_DAYS) {
    // A typo here would silently delete or keep telemetry: refuse to start instead.
    throw new Error(
      `READINGS_RETENTION_DAYS must be a whole number of days, 1–${MAX_READINGS_RETENTION_DAYS}, not '${text}'`,
    );
  }
  return days;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  return {
    tableName: env.TABLE_NAME ?? 'evsessions',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    cursorSecret: env.CURSOR_SECRET || undefined,
    cursorSecretArn: env.CURSOR_SECRET_ARN || undefined,
    logLevel: (['debug', 'info', 'warn', 'error'].includes(logLevel)
      ? logLevel
      : 'info') as Config['logLevel'],
    readingsRetentionDays: retentionDays(env.READINGS_RETENTION_DAYS),
  };
}

let current: Config | undefined;

/** The process's configuration, read on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
