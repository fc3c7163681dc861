// The stack's part in readings: every function knows the readings' retention (writers set the TTL by it,
// readers never serve what it expired), configurable at deploy, and a bad value fails the synth.

import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EvSessionsStack } from '../../infra/stack.js';

const WORKER_ENTRY = fileURLToPath(new URL('../../functions/worker.ts', import.meta.url));

function functionsOf(props: ConstructorParameters<typeof EvSessionsStack>[2] = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  // With the daily job: its worker reads readings by the retention too. Without the dashboard, whose
  // deploy-time copying function (CDK's) has nothing to do with readings.
  const template = Template.fromStack(
    new EvSessionsStack(app, 'ReadingsStack', {
      dailyJob: { workerEntry: WORKER_ENTRY },
      web: false,
      ...props,
    }),
  );
  return Object.values(template.findResources('AWS::Lambda::Function')).map(
    (f) => f.Properties.Environment?.Variables ?? {},
  );
}

describe('the readings retention', () => {
  it('is 35 days on every function by default, and what the deployer chose otherwise', () => {
    const defaults = functionsOf();
    expect(defaults.length).toBeGreaterThan(3);
    expect(defaults.filter((variables) => variables.JOB_QUEUE_URL !== undefined)).toHaveLength(1);
    for (const variables of defaults) expect(variables.READINGS_RETENTION_DAYS).toBe('35');
    for (const variables of functionsOf({ readingsRetentionDays: 90 }))
      expect(variables.READINGS_RETENTION_DAYS).toBe('90');
  });

  it('refuses a retention that is not a whole number of days from 1 to 3650', () => {
    for (const bad of [0, 2.5, 4000, Number.NaN]) {
      expect(() => functionsOf({ readingsRetentionDays: bad })).toThrow(/READINGS_RETENTION_DAYS/);
    }
  });
});
