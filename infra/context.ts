// Every `-c key=value` the CDK app understands, read and validated in one place: a value the stack
// cannot use fails the synth with a message naming the flag, instead of deploying something else (a
// mistyped `-c payments=Stripe` once silently deployed the built-in provider).

import { parseCorsOrigins } from '../shared/http/cors.js';
import { dailyJobSettingsFromContext } from './daily-job.js';
import { JOB_FUNCTIONS } from './functions.js';
import { LOG_LEVELS } from './lambdas.js';
import type { EvSessionsStackProps } from './stack.js';

export const DEFAULT_STACK_NAME = 'EvSessions';
export const PAYMENT_PROVIDERS = ['local', 'stripe'] as const;

/** CloudFormation's own rule for a stack name. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** Enough to catch a typo; SNS itself sends the confirmation mail that proves the address. */
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

type Context = (key: string) => unknown;

function text(context: Context, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(`-c ${key} must be a single value, not ${JSON.stringify(value)}`);
  return String(value);
}

function oneOf<T extends string>(context: Context, key: string, allowed: readonly T[], fallback: T): T {
  const value = text(context, key);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`-c ${key} must be one of ${allowed.join(', ')} (exactly), not '${value}'`);
  return value as T;
}

/** `-c alarmEmail=ops@example.com[,oncall@example.com]`: each address gets an SNS subscription. */
function alarmEmails(context: Context): string[] {
  const value = text(context, 'alarmEmail');
  if (value === undefined) return [];
  const emails = value.split(',').map((e) => e.trim());
  for (const email of emails)
    if (!EMAIL.test(email)) throw new Error(`-c alarmEmail must be e-mail addresses, not '${email}'`);
  return emails;
}

function alarmTopicArn(context: Context): string | undefined {
  const value = text(context, 'alarmTopicArn');
  if (value !== undefined && !SNS_TOPIC_ARN.test(value))
    throw new Error(
      `-c alarmTopicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), not '${value}'`,
    );
  return value;
}

/** An ACM certificate, in any partition: arn:aws:acm:<region>:<account>:certificate/<uuid>. */
const ACM_CERTIFICATE_ARN =
  /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `-c ocppGateway=true -c ocppCertificateArn=arn:aws:acm:…`: the gateway needs its TLS certificate. */
function ocppGateway(context: Context): { certificateArn: string } | undefined {
  const enabled = oneOf(context, 'ocppGateway', ['true', 'false'] as const, 'false') === 'true';
  const certificateArn = text(context, 'ocppCertificateArn');
  if (!enabled) {
    if (certificateArn !== undefined)
      throw new Error('-c ocppCertificateArn is only used with -c ocppGateway=true');
    return undefined;
  }
  if (certificateArn === undefined)
    throw new Error(
      '-c ocppGateway=true needs -c ocppCertificateArn=<ACM certificate ARN> for its TLS listener',
    );
  if (!ACM_CERTIFICATE_ARN.test(certificateArn))
    throw new Error(
      `-c ocppCertificateArn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), not '${certificateArn}'`,
    );
  return { certificateArn };
}

function retentionDays(context: Context): number | undefined {
  const value = text(context, 'readingsRetentionDays');
  // The stack validates the number itself (shared/config.ts), with the message the functions would give.
  return value === undefined ? undefined : Number(value);
}

/** The stack's name and properties from the app's context; throws on any value it cannot use. */
export function stackFromContext(context: Context): { stackName: string; props: EvSessionsStackProps } {
  const stackName = text(context, 'stackName') ?? DEFAULT_STACK_NAME;
  if (!STACK_NAME.test(stackName))
    throw new Error(
      `-c stackName must start with a letter and hold only letters, digits and '-' (≤ 128), not '${stackName}'`,
    );
  return {
    stackName,
    props: {
      // `-c corsOrigins=https://dash.example.com,https://admin.example.com`
      corsOrigins: parseCorsOrigins(text(context, 'corsOrigins')),
      // `-c payments=stripe`: public charging takes real card payments through Stripe.
      payments: oneOf(context, 'payments', PAYMENT_PROVIDERS, 'local'),
      // `-c dailyJobTime=03:30 -c dailyJobTimeZone=Europe/Berlin -c dailyJobMaxConcurrency=20`
      dailyJob: { workerEntry: JOB_FUNCTIONS.worker.entry, settings: dailyJobSettingsFromContext(context) },
      // `-c readingsRetentionDays=60` (default 35)
      readingsRetentionDays: retentionDays(context),
      // `-c logLevel=debug` (default info): what the functions log, and what Lambda keeps.
      logLevel: oneOf(context, 'logLevel', LOG_LEVELS, 'info'),
      // `-c alarmEmail=ops@example.com` and/or `-c alarmTopicArn=arn:aws:sns:…`: where alarms go.
      alarms: { emails: alarmEmails(context), topicArn: alarmTopicArn(context) },
      // `-c web=false`: the API without the fleet dashboard (infra/web.ts); default true.
      web: oneOf(context, 'web', ['true', 'false'] as const, 'true') === 'true',
      // `-c ocppGateway=true -c ocppCertificateArn=arn:aws:acm:…`: chargers connect directly (OCPP-J).
      ocppGateway: ocppGateway(context),
    },
  };
}
