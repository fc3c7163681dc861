// Runtime configuration, read from the environment once. Domain code never reads it: handlers and
// storage adapters pass what they need down.

export interface Config {
  tableName: string;
  /** Set for the embedded database (dynalite / DynamoDB Local); unset on AWS. */
  dynamodbEndpoint: string | undefined;
  /** HMAC key for continuation tokens, given directly (local runs, tests). */
  cursorSecret: string | undefined;
  /** Secrets Manager secret holding the continuation-token key (AWS). */
  cursorSecretArn: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Which payment provider holds and captures public charging payments: the built-in one unless set. */
  paymentProvider: 'local' | 'stripe';
  /** Stripe keys given directly (local runs, tests); never logged. */
  stripeSecretKey: string | undefined;
  stripePublishableKey: string | undefined;
  /** The Connect account the charges belong to, when the operator is one. */
  stripeAccountId: string | undefined;
  /** Secrets Manager secret holding `{ secretKey, publishableKey, accountId? }` as JSON (AWS). */
  stripeSecretArn: string | undefined;
  /** Where the Stripe API is (`http://127.0.0.1:12111` for a fake in tests); Stripe's own when unset. */
  stripeApiBase: string | undefined;
  /** The daily job's queue, which the planner sends to (AWS). */
  jobQueueUrl: string | undefined;
  /** How long raw readings are kept (READINGS_RETENTION_DAYS, default 35): the TTL of stored readings. */
  readingsRetentionDays: number;
  /**
   * Webhooks may go to this machine (`http://127.0.0.1`, `localhost`): `npm start` and tests only
   * (WEBHOOKS_ALLOW_LOOPBACK=true). Never set when deployed, where receivers must be public https.
   */
  webhooksAllowLoopback: boolean;
  /** The queue that asks the webhook dispatcher for a first attempt at once (AWS); unset locally. */
  webhookQueueUrl: string | undefined;
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
    cursorSecret: env.CURSOR_SECRET || undefined,
    cursorSecretArn: env.CURSOR_SECRET_ARN || undefined,
    paymentProvider: env.PAYMENT_PROVIDER === 'stripe' ? 'stripe' : 'local',
    stripeSecretKey: env.STRIPE_SECRET_KEY || undefined,
    stripePublishableKey: env.STRIPE_PUBLISHABLE_KEY || undefined,
    stripeAccountId: env.STRIPE_ACCOUNT_ID || undefined,
    stripeSecretArn: env.STRIPE_SECRET_ARN || undefined,
    stripeApiBase: env.STRIPE_API_BASE || undefined,
    jobQueueUrl: env.JOB_QUEUE_URL || undefined,
    logLevel: (['debug', 'info', 'warn', 'error'].includes(logLevel)
      ? logLevel
      : 'info') as Config['logLevel'],
    readingsRetentionDays: retentionDays(env.READINGS_RETENTION_DAYS),
    webhooksAllowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK === 'true',
    webhookQueueUrl: env.WEBHOOK_QUEUE_URL || undefined,
  };
}

let current: Config | undefined;

/** The process's configuration, read on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}

/** Forgets the configuration read so far (tests that change the environment between cases). */
export function resetConfig(): void {
  current = undefined;
}
