// What an operator of a deployed stack relies on, asserted on the template: the alarm topic and who it
// notifies, an alarm on every function's errors and throttles, on API 5xx, on table throttling and on
// every dead-letter queue, each notifying the topic; the dashboard; the sweeper's asynchronous invoke
// config with its dead-letter destination; tracing, source maps and the platform's REPORT lines; each
// public route's own throttle, from its declaration; the Stripe secret's placeholder and output; and
// every `-c` value validated before anything is built.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACK_NAME, stackFromContext } from '../../infra/context.js';
import { FUNCTIONS, JOB_FUNCTIONS } from '../../infra/functions.js';
import { SWEEPER_ASYNC_INVOKE } from '../../infra/public-charging.js';
import { EvSessionsStack, type EvSessionsStackProps } from '../../infra/stack.js';
import { allRoutes } from '../../shared/api/routes.js';
import { isPublic, routeKey } from '../../shared/http/route.js';
import { parseStripeSecret, STRIPE_SECRET_PLACEHOLDER } from '../../shared/payments/stripe-secret.js';
import {
  LIVE_BATCH_SIZE,
  LIVE_BUCKET_SECONDS,
  LIVE_VISIBILITY_TIMEOUT_SECONDS,
  MAX_RECEIVE_COUNT,
} from '../../shared/pipeline/settings.js';

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
const WORKER_ENTRY = 'test/fixtures/job/worker-entry.ts';
const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-pager';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;

function synth(props: EvSessionsStackProps = {}) {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new EvSessionsStack(app, 'OpsStack', { dailyJob: { workerEntry: WORKER_ENTRY }, ...props });
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Resources };
}

let built: ReturnType<typeof synth>;
beforeAll(() => {
  built = synth({ alarms: { emails: ['ops@example.com'], topicArn: EXISTING_TOPIC } });
});

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  built.stack.getLogicalId(construct.node.defaultChild as never);
const ofType = (type: string) => Object.entries(built.resources).filter(([, r]) => r.Type === type);

describe('the alarm topic', () => {
  it('is the stack’s own (TLS only), with the e-mail subscriptions asked for, and an output', () => {
    const topics = ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topicId] = topics[0]!;
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    const policy = ofType('AWS::SNS::TopicPolicy')[0]![1].Properties.PolicyDocument.Statement;
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    built.template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('is notified by every alarm, and so is the existing topic given', () => {
    const [topicId] = ofType('AWS::SNS::Topic')[0]!;
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(20);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }, EXISTING_TOPIC]);
      expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
    }
  });

  it('without -c alarmEmail has no subscription, and without -c alarmTopicArn notifies the own topic only', () => {
    const { resources } = synth();
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription')).toEqual([]);
    for (const alarm of Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'))
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });
});

describe('the alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
  const onMetric = (namespace: string, metricName: string, dimension: unknown) =>
    alarms().filter(
      (a) =>
        a.Namespace === namespace &&
        a.MetricName === metricName &&
        JSON.stringify(a.Dimensions ?? []).includes(JSON.stringify(dimension)),
    );

  it('watch every function’s errors and throttles, the daily job’s included', () => {
    const functions = [
      ...Object.keys(FUNCTIONS).map((name) => built.stack.functions[name as keyof typeof FUNCTIONS].fn),
      built.stack.dailyJob!.planner.fn,
      built.stack.dailyJob!.worker.fn,
      built.stack.live!.worker.fn,
    ];
    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length + Object.keys(JOB_FUNCTIONS).length);
    for (const fn of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = onMetric('AWS/Lambda', metric, { Name: 'FunctionName', Value: { Ref: idOf(fn) } });
        expect(found, `${fn.node.path} ${metric}`).toHaveLength(1);
        expect(found[0]).toMatchObject({
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    }
  });

  it('watch the API’s 5xx answers', () => {
    const found = onMetric('AWS/ApiGateway', '5xx', {
      Name: 'ApiId',
      Value: { Ref: idOf(built.stack.api.httpApi) },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Statistic: 'Sum', Threshold: 1 });
  });

  it('watch the table’s throttled requests for every operation a function may call', () => {
    const table = { Ref: idOf(built.stack.database.table) };
    const throttles = alarms().filter((a) => JSON.stringify(a.Metrics ?? []).includes('ThrottledRequests'));
    expect(throttles).toHaveLength(1);
    const metrics = throttles[0]!.Metrics as { MetricStat?: { Metric: { Dimensions: unknown[] } } }[];
    const operations = metrics
      .filter((m) => m.MetricStat)
      .map((m) => {
        expect(m.MetricStat!.Metric.Dimensions).toContainEqual({ Name: 'TableName', Value: table });
        return (m.MetricStat!.Metric.Dimensions as { Name: string; Value: string }[]).find(
          (d) => d.Name === 'Operation',
        )!.Value;
      });
    const granted = new Set(
      [...Object.values(FUNCTIONS), ...Object.values(JOB_FUNCTIONS)].flatMap((spec) =>
        (spec.table?.actions ?? []).map((action) => action.replace('dynamodb:', '')),
      ),
    );
    expect(operations.sort()).toEqual([...granted].sort());
  });

  it('watch every dead-letter queue: the sweeper’s, the webhook dispatcher’s, the daily job’s two and the real-time path’s', () => {
    const queues = [
      built.stack.sweep.deadLetters,
      built.stack.webhookDispatch.deadLetters,
      built.stack.webhookDispatch.queueDeadLetters,
      built.stack.dailyJob!.entityDeadLetters,
      built.stack.dailyJob!.runDeadLetters,
      built.stack.live!.deadLetters,
    ];
    for (const queue of queues) {
      const found = onMetric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [idOf(queue), 'QueueName'] },
      });
      expect(found, queue.node.path).toHaveLength(1);
      expect(found[0]).toMatchObject({ Statistic: 'Maximum', Threshold: 1 });
    }
    // And there is no queue without one: every queue of the stack is either consumed or a dead-letter queue.
    const watched = new Set(
      [
        ...queues,
        built.stack.dailyJob!.entityQueue,
        built.stack.webhookDispatch.queue,
        built.stack.live!.queue,
      ].map(idOf),
    );
    expect(
      ofType('AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...watched].sort());
  });

  it('are all on one dashboard, with the API, function, table and queue graphs', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
    for (const title of [
      'API requests and errors',
      'Function errors',
      'Table throttled requests',
      'Dead letters',
    ])
      expect(body).toContain(title);
    for (const [id] of ofType('AWS::CloudWatch::Alarm')) expect(body, id).toContain(id);
    built.template.hasOutput('DashboardName', {});
  });
});

describe('the sweeper', () => {
  it('is invoked asynchronously without Lambda retries, and a failed sweep goes to its dead-letter queue', () => {
    const sweeper = built.stack.functions['public-charging-sweeper'];
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(
      ([, r]) => r.Properties.FunctionName.Ref === idOf(sweeper.fn),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toEqual({
      FunctionName: { Ref: idOf(sweeper.fn) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: SWEEPER_ASYNC_INVOKE.retryAttempts,
      MaximumEventAgeInSeconds: SWEEPER_ASYNC_INVOKE.maxEventAgeSeconds,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [idOf(built.stack.sweep.deadLetters), 'Arn'] } },
      },
    });
    expect(SWEEPER_ASYNC_INVOKE.retryAttempts).toBe(0);
    // The queue is encrypted, refuses plain HTTP, and only the sweeper may send to it.
    built.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    const senders = ofType('AWS::IAM::Policy').filter(([, r]) =>
      JSON.stringify(r.Properties.PolicyDocument).includes(`"${idOf(built.stack.sweep.deadLetters)}"`),
    );
    expect(senders.map(([, r]) => r.Properties.Roles[0].Ref)).toEqual([idOf(sweeper.role)]);
  });
});

describe('every function', () => {
  /** Ours: not the handlers CDK adds for log retention and for the dashboard's bucket deployment. */
  const ours = (id: string) => !id.startsWith('LogRetention') && !id.startsWith('CustomCDKBucketDeployment');
  const functions = () => ofType('AWS::Lambda::Function').filter(([id]) => ours(id));

  it('traces actively, applies its source maps, and keeps the platform’s REPORT lines', () => {
    expect(functions()).toHaveLength(Object.keys(FUNCTIONS).length + Object.keys(JOB_FUNCTIONS).length);
    for (const [id, fn] of functions()) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS, id).toBe('--enable-source-maps');
      expect(fn.Properties.LoggingConfig, id).toMatchObject({
        LogFormat: 'JSON',
        SystemLogLevel: 'INFO',
        ApplicationLogLevel: 'INFO',
      });
      expect(fn.Properties.Environment.Variables.LOG_LEVEL, id).toBe('info');
    }
  });

  it('logs at the level deployed, in the code and in Lambda alike', () => {
    const { resources } = synth({ logLevel: 'debug' });
    const fns = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && ours(id));
    expect(fns.length).toBeGreaterThan(0);
    for (const [, fn] of fns) {
      expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('DEBUG');
      expect(fn.Properties.Environment.Variables.LOG_LEVEL).toBe('debug');
    }
  });
});

describe('the public routes', () => {
  it('each have their own API Gateway throttle, the one their declaration gives', () => {
    const stage = ofType('AWS::ApiGatewayV2::Stage')[0]![1];
    const publicRoutes = allRoutes.flatMap((route) =>
      isPublic(route) ? [{ ...route, auth: route.auth }] : [],
    );
    expect(publicRoutes.filter((r) => r.path.startsWith('/v1/public-charging/'))).toHaveLength(6);
    const expected = Object.fromEntries(
      publicRoutes.map((route) => [
        routeKey(route),
        {
          ThrottlingRateLimit: route.auth.throttle.rateLimit,
          ThrottlingBurstLimit: route.auth.throttle.burstLimit,
        },
      ]),
    );
    expect(stage.Properties.RouteSettings).toEqual(expected);
    // Below the stage's own limits, or they would never apply.
    const stageDefaults = stage.Properties.DefaultRouteSettings;
    for (const settings of Object.values(expected)) {
      expect(settings.ThrottlingRateLimit).toBeLessThan(stageDefaults.ThrottlingRateLimit);
      expect(settings.ThrottlingBurstLimit).toBeLessThan(stageDefaults.ThrottlingBurstLimit);
    }
    // The stage is created after those routes: route settings may only name routes that exist.
    const routeIds = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, r]) => r.Properties.RouteKey in expected)
      .map(([id]) => id);
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });
});

describe('Stripe payments', () => {
  it('create the keys secret holding valid JSON that reads as "not configured yet", and output its name', () => {
    const { template, resources, stack } = synth({ payments: 'stripe' });
    const secret = stack.stripeKeys!.secret;
    const props = resources[stack.getLogicalId(secret.node.defaultChild as never)]!.Properties;
    expect(props.GenerateSecretString).toBeUndefined();
    expect(JSON.parse(props.SecretString)).toEqual(STRIPE_SECRET_PLACEHOLDER);
    expect(() => parseStripeSecret(props.SecretString, 'the-secret')).toThrow(/not configured yet/);
    template.hasOutput('StripeKeysSecretName', {});
    expect(built.template.findOutputs('StripeKeysSecretName')).toEqual({});
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged with every option on: alarm e-mails, an existing topic, Stripe, the job', () => {
    const { app, stack } = synth({
      payments: 'stripe',
      alarms: { emails: ['ops@example.com'], topicArn: EXISTING_TOPIC },
    });
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe('the -c values', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('are read into the stack’s name and properties, with defaults for what is not given', () => {
    expect(stackFromContext(context({}))).toMatchObject({
      stackName: DEFAULT_STACK_NAME,
      props: { payments: 'local', logLevel: 'info', corsOrigins: [], alarms: { emails: [] } },
    });
    expect(
      stackFromContext(
        context({
          stackName: 'EvSessions-staging',
          payments: 'stripe',
          logLevel: 'debug',
          alarmEmail: 'a@example.com, b@example.org',
          alarmTopicArn: EXISTING_TOPIC,
          readingsRetentionDays: '60',
        }),
      ),
    ).toMatchObject({
      stackName: 'EvSessions-staging',
      props: {
        payments: 'stripe',
        logLevel: 'debug',
        readingsRetentionDays: 60,
        alarms: { emails: ['a@example.com', 'b@example.org'], topicArn: EXISTING_TOPIC },
      },
    });
  });

  it('refuse any value the stack cannot use, naming the flag', () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ payments: 'Stripe' }, /-c payments must be one of local, stripe \(exactly\), not 'Stripe'/],
      [{ payments: 'paypal' }, /-c payments/],
      [{ logLevel: 'verbose' }, /-c logLevel/],
      [{ stackName: '1st' }, /-c stackName/],
      [{ stackName: 'ev_sessions' }, /-c stackName/],
      [{ alarmEmail: 'ops' }, /-c alarmEmail/],
      [{ alarmEmail: 'ops@example.com,' }, /-c alarmEmail/],
      [{ alarmTopicArn: 'ops-pager' }, /-c alarmTopicArn/],
      [{ corsOrigins: '*' }, /CORS origins/],
      [{ dailyJobTime: '25:00' }, /dailyJobTime/],
    ];
    for (const [values, message] of refused)
      expect(() => stackFromContext(context(values)), JSON.stringify(values)).toThrow(message);
  });

  it('fail the CDK app itself before anything is built', () => {
    const out = mkdtempSync(join(tmpdir(), 'evs-context-'));
    try {
      const run = () =>
        execFileSync('npx', ['tsx', 'infra/app.ts'], {
          env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ payments: 'Stripe' }) },
          stdio: 'pipe',
          timeout: 60_000,
        });
      expect(run).toThrow(/-c payments must be one of local, stripe/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the real-time path', () => {
  it('is a FIFO queue with a delivery delay of one bucket, a dead-letter queue, and an alarm on its backlog', () => {
    const queue = built.resources[idOf(built.stack.live!.queue)]!.Properties;
    expect(queue).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DelaySeconds: LIVE_BUCKET_SECONDS,
      VisibilityTimeout: LIVE_VISIBILITY_TIMEOUT_SECONDS,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    expect(built.resources[idOf(built.stack.live!.deadLetters)]!.Properties.FifoQueue).toBe(true);
    const age = ofType('AWS::CloudWatch::Alarm')
      .map(([, r]) => r.Properties)
      .filter(
        (a) =>
          a.MetricName === 'ApproximateAgeOfOldestMessage' &&
          JSON.stringify(a.Dimensions).includes(idOf(built.stack.live!.queue)),
      );
    expect(age).toHaveLength(1);
    expect(age[0]).toMatchObject({ Threshold: 300, Statistic: 'Maximum' });
  });

  it('feeds the live worker in batches with partial failures; the readings function may only send to it', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      JSON.stringify(m.Properties.EventSourceArn).includes(idOf(built.stack.live!.queue)),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({
      FunctionName: { Ref: idOf(built.stack.live!.worker.fn) },
      BatchSize: LIVE_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const readings = built.stack.functions.readings;
    const env = built.resources[idOf(readings.fn)]!.Properties.Environment.Variables;
    expect(env.LIVE_QUEUE_URL).toEqual({ Ref: idOf(built.stack.live!.queue) });
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(idOf(readings.role)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
    const sqs = statements.filter((st) => JSON.stringify(st.Action).includes('sqs:'));
    expect(sqs).toEqual([
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [idOf(built.stack.live!.queue), 'Arn'] },
      }),
    ]);
  });
});
