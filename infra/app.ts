// The CDK app: `npx cdk synth` (offline, no credentials needed) and `npx cdk deploy`. Every `-c` flag is
// read and validated by infra/context.ts. cdk-nag's AwsSolutions checks run on every synth; each
// acknowledged finding carries its reason.

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackFromContext } from './context.js';
import { EvSessionsStack } from './stack.js';

const app = new App();
const { stackName, props } = stackFromContext((key) => app.node.tryGetContext(key));
new EvSessionsStack(app, stackName, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'evsessions: Charge Sessions API for EVs and charge points',
  ...props,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
