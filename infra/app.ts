// The CDK app: `npx cdk synth` (offline, no credentials needed) and `npx cdk deploy`.
// cdk-nag's AwsSolutions checks run on every synth; each acknowledged finding carries its reason.

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseCorsOrigins } from '../shared/http/cors.js';
import { dailyJobSettingsFromContext } from './daily-job.js';
import { JOB_FUNCTIONS } from './functions.js';
import { EvSessionsStack } from './stack.js';

function retentionDays(value: unknown): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}

const app = new App();
new EvSessionsStack(app, app.node.tryGetContext('stackName') ?? 'EvSessions', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'evsessions: Charge Sessions API for EVs and charge points',
  // `npx cdk deploy -c corsOrigins=https://dash.example.com,https://admin.example.com`
  corsOrigins: parseCorsOrigins(app.node.tryGetContext('corsOrigins')),
  // `npx cdk deploy -c payments=stripe`: public charging takes real card payments through Stripe.
  payments: app.node.tryGetContext('payments') === 'stripe' ? 'stripe' : 'local',
  // `-c dailyJobTime=03:30 -c dailyJobTimeZone=Europe/Berlin -c dailyJobMaxConcurrency=20`
  dailyJob: {
    workerEntry: JOB_FUNCTIONS.worker.entry,
    settings: dailyJobSettingsFromContext((key) => app.node.tryGetContext(key)),
  },
  // `npx cdk deploy -c readingsRetentionDays=60` (default 35)
  readingsRetentionDays: retentionDays(app.node.tryGetContext('readingsRetentionDays')),
  // `npx cdk deploy -c web=false`: the API without the fleet dashboard.
  web: app.node.tryGetContext('web') !== 'false' && app.node.tryGetContext('web') !== false,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
