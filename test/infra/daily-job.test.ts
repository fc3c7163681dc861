// The daily job's infrastructure, asserted on the synthesized template: the schedule (time, zone, retry
// policy, dead-letter queue, the as-of input), the queues (visibility vs the worker's timeout, redrive,
// SSE, TLS only), the alarms, the event source (partial batch responses, batching, maximum concurrency),
// the planner's asynchronous retries, exact IAM per role, and cdk-nag with nothing unacknowledged.

import { readFileSync } from 'node:fs';
import { App, CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DailyJobSettings,
  DEFAULT_DAILY_JOB_SETTINGS,
  dailyJobSettingsFromContext,
} from '../../infra/daily-job.js';
import { JOB_FUNCTIONS } from '../../infra/functions.js';
import { EvSessionsStack } from '../../infra/stack.js';
import {
  MAX_RECEIVE_COUNT,
  PLANNER_TIMEOUT_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
  WORKER_BATCH_SIZE,
  WORKER_BATCH_WINDOW_SECONDS,
  WORKER_TIMEOUT_SECONDS,
} from '../../shared/pipeline/settings.js';

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
/** A real worker module (createWorkerHandler with a test processor); these tests do not bundle it. */
const WORKER_ENTRY = 'test/fixtures/job/worker-entry.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synth(settings?: Partial<DailyJobSettings>) {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new EvSessionsStack(app, 'JobStack', { dailyJob: { workerEntry: WORKER_ENTRY, settings } });
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Resources };
}

let built: ReturnType<typeof synth>;
let job: NonNullable<EvSessionsStack['dailyJob']>;
beforeAll(() => {
  built = synth();
  job = built.stack.dailyJob!;
});

const idOf = (construct: { node: { defaultChild?: unknown } } | object) =>
  built.stack.getLogicalId(((construct as any).node.defaultChild ?? construct) as never);
const arnOf = (construct: object) => ({ 'Fn::GetAtt': [idOf(construct), 'Arn'] });

/** The job's own resources of a type (the stack has others, e.g. public charging's sweeper schedule). */
function ofType(type: string) {
  const own = new Set(
    job.node
      .findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
      .map((c) => built.stack.getLogicalId(c)),
  );
  return Object.entries(built.resources).filter(([id, r]) => r.Type === type && own.has(id));
}

/** Every (action, resource) pair a role's policies allow, resources as JSON. */
function grants(roleId: string): string[] {
  const pairs: string[] = [];
  for (const [, policy] of ofType('AWS::IAM::Policy')) {
    if (!policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      expect(statement.Effect).toBe('Allow');
      for (const action of [statement.Action].flat())
        for (const resource of [statement.Resource].flat())
          pairs.push(`${action} ${JSON.stringify(resource)}`);
    }
  }
  return pairs.sort();
}

const tableArn = () => arnOf(built.stack.database.table);
/** What every function's role has: its own log group, and X-Ray (which takes no resource but `*`). */
const logsAndTraces = (fn: { logGroup: object }) => [
  `logs:CreateLogStream ${JSON.stringify(arnOf(fn.logGroup))}`,
  `logs:PutLogEvents ${JSON.stringify(arnOf(fn.logGroup))}`,
  'xray:PutTelemetryRecords "*"',
  'xray:PutTraceSegments "*"',
];

describe('the schedule', () => {
  it('runs the planner daily at 02:00 UTC by default, with the scheduled time as the run’s as-of instant', () => {
    const [[, schedule]] = ofType('AWS::Scheduler::Schedule') as [[string, any]];
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    const target = schedule.Properties.Target;
    expect(target.Arn).toEqual(arnOf(job.planner.fn));
    expect(target.RoleArn).toEqual(arnOf(job.schedulerRole));
    expect(JSON.parse(target.Input)).toEqual({
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
    });
  });

  it('retries a failed delivery within an hour, then dead-letters the run', () => {
    const [[, schedule]] = ofType('AWS::Scheduler::Schedule') as [[string, any]];
    expect(schedule.Properties.Target.RetryPolicy).toEqual({
      MaximumRetryAttempts: 3,
      MaximumEventAgeInSeconds: 3600,
    });
    expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: arnOf(job.runDeadLetters) });
  });

  it('takes its time, zone and the workers’ concurrency from settings', () => {
    const other = synth({ time: '03:30', timeZone: 'Europe/Berlin', workerMaxConcurrency: 20 });
    other.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    other.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('reads those settings from CDK context and refuses values it cannot use', () => {
    const context = (values: Record<string, unknown>) => (key: string) => values[key];
    expect(dailyJobSettingsFromContext(context({}))).toEqual(DEFAULT_DAILY_JOB_SETTINGS);
    expect(
      dailyJobSettingsFromContext(
        context({ dailyJobTime: '23:05', dailyJobTimeZone: 'Asia/Kolkata', dailyJobMaxConcurrency: '40' }),
      ),
    ).toEqual({ time: '23:05', timeZone: 'Asia/Kolkata', workerMaxConcurrency: 40 });
    expect(() => dailyJobSettingsFromContext(context({ dailyJobTime: '24:00' }))).toThrow(/dailyJobTime/);
    expect(() => dailyJobSettingsFromContext(context({ dailyJobTime: '2:00' }))).toThrow(/dailyJobTime/);
    expect(() => dailyJobSettingsFromContext(context({ dailyJobTimeZone: 'Mars/Olympus' }))).toThrow(
      /dailyJobTimeZone/,
    );
    expect(() => dailyJobSettingsFromContext(context({ dailyJobMaxConcurrency: '1' }))).toThrow(/2–1000/);
  });
});

describe('the queues', () => {
  it('hide a message for six worker timeouts and move it to the dead-letter queue after five deliveries', () => {
    const queue = built.resources[idOf(job.entityQueue)]!.Properties;
    const worker = built.resources[idOf(job.worker.fn)]!.Properties;
    expect(worker.Timeout).toBe(WORKER_TIMEOUT_SECONDS);
    expect(queue.VisibilityTimeout).toBe(VISIBILITY_TIMEOUT_FACTOR * worker.Timeout);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(job.entityDeadLetters),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
  });

  it('are all encrypted at rest, refuse requests without TLS, and keep dead letters 14 days', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(3);
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
        p.Properties.Queues.some((q: { Ref: string }) => q.Ref === id),
      );
      expect(policy, id).toBeDefined();
      expect(policy![1].Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
    for (const dlq of [job.entityDeadLetters, job.runDeadLetters])
      expect(built.resources[idOf(dlq)]!.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it('have an alarm on any visible dead letter, in each dead-letter queue', () => {
    for (const [dlq, alarm] of [
      [job.entityDeadLetters, job.alarms.entityDeadLetters],
      [job.runDeadLetters, job.alarms.runDeadLetters],
    ] as const) {
      expect(built.resources[idOf(alarm)]!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(dlq), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });
});

describe('the functions', () => {
  it('feed the worker batches of ten from the queue, with partial batch responses and bounded concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toEqual({
      EventSourceArn: arnOf(job.entityQueue),
      FunctionName: { Ref: idOf(job.worker.fn) },
      BatchSize: WORKER_BATCH_SIZE,
      MaximumBatchingWindowInSeconds: WORKER_BATCH_WINDOW_SECONDS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DEFAULT_DAILY_JOB_SETTINGS.workerMaxConcurrency },
    });
  });

  it('retry a failed planner twice within an hour, then keep the event with the run dead letters', () => {
    const planner = built.resources[idOf(job.planner.fn)]!.Properties;
    expect(planner.Timeout).toBe(PLANNER_TIMEOUT_SECONDS);
    expect(planner.DeadLetterConfig).toEqual({ TargetArn: arnOf(job.runDeadLetters) });
    expect(planner.Environment.Variables.JOB_QUEUE_URL).toEqual({ Ref: idOf(job.entityQueue) });
    const configs = ofType('AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toMatchObject({
      FunctionName: { Ref: idOf(job.planner.fn) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
  });

  it('give the planner a Query on the capture index and a send to the queue, nothing else', () => {
    const index = JSON.stringify({ 'Fn::Join': ['', [tableArn(), '/index/GSI1']] });
    expect(JOB_FUNCTIONS.planner.table).toEqual({
      actions: ['dynamodb:Query'],
      indexes: ['GSI1'],
      indexesOnly: true,
      reads: ['captureShards'],
    });
    expect(grants(idOf(job.planner.role))).toEqual(
      [
        `dynamodb:Query ${index}`,
        ...logsAndTraces(job.planner),
        `sqs:SendMessage ${JSON.stringify(arnOf(job.entityQueue))}`,
        `sqs:SendMessage ${JSON.stringify(arnOf(job.runDeadLetters))}`,
      ].sort(),
    );
  });

  it('give the worker its table actions on the table alone and the consuming rights on the queue', () => {
    const table = JSON.stringify(tableArn());
    const queue = JSON.stringify(arnOf(job.entityQueue));
    expect(grants(idOf(job.worker.role))).toEqual(
      [
        ...[
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ].map((action) => `${action} ${table}`),
        ...logsAndTraces(job.worker),
        ...[
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ].map((action) => `${action} ${queue}`),
        // The charge_session.* events it records nudge the webhook dispatcher.
        `sqs:SendMessage ${JSON.stringify(arnOf(built.stack.webhookDispatch.queue))}`,
      ].sort(),
    );
  });

  it('let the scheduler invoke the planner (unqualified) and dead-letter a run, nothing else', () => {
    expect(grants(idOf(job.schedulerRole))).toEqual(
      [
        `lambda:InvokeFunction ${JSON.stringify(arnOf(job.planner.fn))}`,
        `sqs:SendMessage ${JSON.stringify(arnOf(job.runDeadLetters))}`,
      ].sort(),
    );
    const role = built.resources[idOf(job.schedulerRole)]!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });
});

describe('the stack', () => {
  it('leaves the job out when it is not asked for', () => {
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new EvSessionsStack(app, 'NoJob');
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
    expect(stack.dailyJob).toBeUndefined();
    expect(Object.keys(resources).filter((id) => id.startsWith('DailyJob'))).toEqual([]);
    // No mapping reads a queue of the job (the webhook queue's mapping has nothing to do with it).
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.filter((m) => JSON.stringify(m).includes('DailyJob'))).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions with the job, with nothing acknowledged for it but X-Ray’s `*`', () => {
    const { app, stack } = synth();
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    const acknowledged = stack
      .dailyJob!.node.findAll()
      .flatMap((construct) => construct.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.keys(m.data as object));
    expect(acknowledged.map((id) => id.replace(/^annotation::/i, ''))).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});
