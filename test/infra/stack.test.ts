// CDK assertions on the properties that matter (keys, recovery, runtime, authorizer caching, least
// privilege, routes), cdk-nag with zero unacknowledged findings, and a real offline `cdk synth`.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.js';
import { EvSessionsStack } from '../../infra/stack.js';
import { KEY_PATTERNS } from '../../infra/table-keys.js';
import { allRoutes } from '../../shared/api/routes.js';
import { isPublic } from '../../shared/http/route.js';
import { createTableInput, TABLE } from '../../shared/storage/table.js';
import { runProcess } from '../support/processes.js';

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };

function buildStack(props: ConstructorParameters<typeof EvSessionsStack>[2] = {}) {
  // Tests do not read cdk.json: pass the same context. Skip bundling here; the synth test below bundles.
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new EvSessionsStack(app, 'TestStack', props);
  return { app, stack };
}

let stack: EvSessionsStack;
let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;

beforeAll(() => {
  ({ stack } = buildStack());
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: any;
}

function policyStatementsOf(roleLogicalId: string): Statement[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleLogicalId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

describe('the table', () => {
  it('has the shared definition’s keys and indexes, on demand, with recovery, TTL, and retention', () => {
    const expected = createTableInput('x');
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: expected.KeySchema,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
    const table = Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
    const byName = (list: { IndexName: string }[]) =>
      [...list].sort((a, b) => a.IndexName.localeCompare(b.IndexName));
    expect(byName(table.Properties.GlobalSecondaryIndexes)).toEqual(byName(expected.GlobalSecondaryIndexes));
    expect(
      [...table.Properties.AttributeDefinitions].sort((a, b) =>
        a.AttributeName.localeCompare(b.AttributeName),
      ),
    ).toEqual(
      [...expected.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
    );
  });
});

describe('the functions', () => {
  it('run on an explicit current Node.js runtime, arm64, with JSON logs into their own retained log group', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const fn = stack.functions[name as keyof typeof FUNCTIONS];
      const props = resources[logicalIdOf(fn.fn)]!.Properties;
      expect(props.Runtime).toBe('nodejs24.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
      expect(props.LoggingConfig.LogGroup).toEqual({ Ref: logicalIdOf(fn.logGroup) });
      expect(props.MemorySize).toBe(spec.memoryMb);
      expect(props.Timeout).toBe(spec.timeoutSeconds);
      expect(resources[logicalIdOf(fn.logGroup)]!.Properties.RetentionInDays).toBe(30);
    }
  });

  it('each have only the table actions their catalog entry grants, no managed policies, no wildcards', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const fn = stack.functions[name as keyof typeof FUNCTIONS];
      const roleId = logicalIdOf(fn.role);
      expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
      const statements = policyStatementsOf(roleId);
      const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
      if (!spec.table) {
        expect(dynamo).toEqual([]);
        continue;
      }
      // The reads and the writes, each with its own key condition (test/infra/table-keys.test.ts).
      expect(dynamo.flatMap((s) => [s.Action].flat()).sort()).toEqual([...spec.table.actions].sort());
      const resourcesJson = JSON.stringify(dynamo.map((s) => s.Resource));
      expect(resourcesJson).not.toContain('*');
      // The table, plus exactly the indexes the catalog names (no index a function does not query).
      const granted = dynamo.flatMap((s) => [s.Resource].flat());
      expect(new Set(granted.map((r) => JSON.stringify(r))).size).toBe(1 + (spec.table.indexes?.length ?? 0));
      expect([...new Set([...resourcesJson.matchAll(/\/index\/(\w+)/g)].map((m) => m[1]))].sort()).toEqual(
        [...(spec.table.indexes ?? [])].sort(),
      );
      for (const statement of statements) {
        expect([statement.Action].flat().every((a) => !a.endsWith('*'))).toBe(true);
      }
    }
    // The authorizer can read a token and nothing else.
    const authorizer = policyStatementsOf(logicalIdOf(stack.functions.authorizer.role));
    expect(authorizer.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:GetItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('lets the sessions function read (never write) its partitions, GSI2 listings and GSI1 chargers for EV-ChART', () => {
    const statements = policyStatementsOf(logicalIdOf(stack.functions.sessions.role));
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect([dynamo[0]!.Action].flat().sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    const granted = JSON.stringify(dynamo[0]!.Resource);
    expect([...granted.matchAll(/\/index\/(\w+)/g)].map((m) => m[1]).sort()).toEqual(['GSI1', 'GSI2']);
  });

  it('only list-serving functions may read the continuation-token key', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const statements = policyStatementsOf(
        logicalIdOf(stack.functions[name as keyof typeof FUNCTIONS].role),
      );
      const reads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
      expect(reads.length).toBe(spec.cursorSecret ? 1 : 0);
    }
  });
});

describe('the HTTP API', () => {
  it('has a Lambda authorizer with simple responses, no identity source and no cache', () => {
    // With the Authorization header as identity source, API Gateway would answer a request without it
    // with its own bare 401 (no problem document, no CORS headers) before any code runs.
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: [],
    });
  });

  it('declares every route, protected routes behind the authorizer and public ones without, plus $default', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const byKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, r.Properties]));
    expect([...byKey.keys()].sort()).toEqual(
      [...allRoutes.map((r) => `${r.method} ${r.path}`), '$default'].sort(),
    );
    for (const route of allRoutes) {
      const props = byKey.get(`${route.method} ${route.path}`)!;
      if (isPublic(route)) {
        expect(props.AuthorizationType).toBe('NONE');
      } else {
        expect(props.AuthorizationType).toBe('CUSTOM');
        expect(props.AuthorizerId).toBeDefined();
      }
    }
    expect(byKey.get('$default')!.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('routes each operation to the function that serves it', () => {
    const integrations = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::ApiGatewayV2::Integration',
    );
    const functionOfIntegration = new Map(
      integrations.map(([id, r]) => [id, r.Properties.IntegrationUri['Fn::GetAtt'][0] as string]),
    );
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    for (const route of allRoutes) {
      const props = routes.find((r) => r.Properties.RouteKey === `${route.method} ${route.path}`)!.Properties;
      const integrationId = props.Target['Fn::Join'][1][1].Ref as string;
      expect(functionOfIntegration.get(integrationId)).toBe(logicalIdOf(stack.functions[route.fn].fn));
    }
  });

  it('logs every request as JSON with the request id, and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });

  it('has no CORS unless origins are configured (or the dashboard is on), then explicit origins and never credentials', () => {
    const { stack: apiOnly } = buildStack({ web: false });
    const api = Object.values(Template.fromStack(apiOnly).toJSON().Resources as typeof resources).find(
      (r) => r.Type === 'AWS::ApiGatewayV2::Api',
    )!;
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const withCors = Template.fromStack(
      new EvSessionsStack(app, 'CorsStack', { corsOrigins: ['https://dash.example.com'], web: false }),
    );
    withCors.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://dash.example.com'],
        AllowCredentials: false,
        AllowHeaders: Match.arrayWith(['authorization', 'content-type']),
        ExposeHeaders: Match.arrayWith(['link', 'retry-after']),
      },
    });
  });

  it('outputs the API URL (without a trailing slash, so `<ApiUrl>/v1/entities` works) and the table name', () => {
    // The endpoint attribute is `https://<id>.execute-api.<region>.amazonaws.com`; a stage URL ends in `/`.
    template.hasOutput('ApiUrl', {
      Value: { 'Fn::GetAtt': [logicalIdOf(stack.api.httpApi), 'ApiEndpoint'] },
    });
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('DatabaseTable') } });
  });
});

describe('public charging', () => {
  const publicRoutes = allRoutes.filter((route) => route.path.startsWith('/v1/public-charging/'));

  it('serves every public charging route from its own function, with no authorizer', () => {
    expect(publicRoutes.length).toBe(6);
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const integrationOf = (key: string) =>
      routes.find((r) => r.Properties.RouteKey === key)!.Properties.Target['Fn::Join'][1][1].Ref as string;
    const publicFn = logicalIdOf(stack.functions['public-charging'].fn);
    for (const route of publicRoutes) {
      expect(isPublic(route)).toBe(true);
      const props = routes.find((r) => r.Properties.RouteKey === `${route.method} ${route.path}`)!.Properties;
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
      expect(
        resources[integrationOf(`${route.method} ${route.path}`)]!.Properties.IntegrationUri['Fn::GetAtt'][0],
      ).toBe(publicFn);
    }
    // And no protected route is served by it.
    for (const route of allRoutes.filter((r) => !isPublic(r))) expect(route.fn).not.toBe('public-charging');
  });

  it('gives the public function key reads and writes and a Query of the table (measured sessions) only: no index, no secret', () => {
    const statements = policyStatementsOf(logicalIdOf(stack.functions['public-charging'].role));
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      // The webhook queue (a status change's deliveries, for their first attempt at once).
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:GetItem'))!;
    expect(JSON.stringify(dynamo.Resource)).not.toContain('/index/');
  });

  it('lets every function that records measured sessions read, delete and mark what that takes', () => {
    // public-charging (a driver's read or stop), chargers (transaction events, operator actions) and the
    // sweeper (timeouts, pending effects) all carry out record_measured_session.
    for (const name of ['public-charging', 'chargers', 'public-charging-sweeper'] as const) {
      const statements = policyStatementsOf(logicalIdOf(stack.functions[name].role));
      const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
      expect(
        dynamo.flatMap((s) => [s.Action].flat()),
        name,
      ).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
        ]),
      );
      // On the table itself, where the sessions and the job state are, under their keys.
      for (const statement of dynamo)
        expect([statement.Resource].flat(), name).toContainEqual(
          expect.objectContaining({ 'Fn::GetAtt': [expect.stringMatching(/DatabaseTable/), 'Arn'] }),
        );
      const writes = dynamo.find((s) => [s.Action].flat().includes('dynamodb:UpdateItem'))!;
      expect(writes.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'], name).toEqual(
        expect.arrayContaining([...KEY_PATTERNS.sessions, ...KEY_PATTERNS.rollups]),
      );
    }
  });

  it('runs the webhook dispatcher every minute, without Lambda retries, failures to its dead-letter queue', () => {
    const dispatcher = stack.functions['webhook-dispatcher'];
    const schedule = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Scheduler::Schedule' &&
        r.Properties.Target.Arn['Fn::GetAtt'][0] === logicalIdOf(dispatcher.fn),
    )!.Properties;
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: { RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } },
    });
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(policyStatementsOf(roleId)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [logicalIdOf(dispatcher.fn), 'Arn'] },
      }),
    ]);
    const invokeConfig = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' &&
        JSON.stringify(r.Properties.FunctionName).includes(logicalIdOf(dispatcher.fn)),
    )!.Properties;
    expect(invokeConfig).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(stack.webhookDispatch.deadLetters), 'Arn'] } },
      },
    });
    // It updates deliveries and endpoints, never creates or deletes an item, and queries GSI1 (the due index).
    const statements = policyStatementsOf(logicalIdOf(dispatcher.role));
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect([dynamo.Action].flat().sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const writes = statements.find((s) => [s.Action].flat().includes('dynamodb:UpdateItem'))!;
    expect([writes.Action].flat()).toEqual(['dynamodb:UpdateItem']);
    expect(JSON.stringify(dynamo.Resource)).toContain('/index/GSI1');
  });

  it('feeds the dispatcher from the webhook queue, which only the functions that record events may send to', () => {
    const dispatcher = stack.functions['webhook-dispatcher'];
    const queueId = logicalIdOf(stack.webhookDispatch.queue);
    const mapping = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.EventSourceArn).includes(queueId),
    );
    expect(mapping).toHaveLength(1);
    expect(mapping[0]!.Properties).toMatchObject({
      FunctionName: { Ref: logicalIdOf(dispatcher.fn) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(resources[queueId]!.Properties).toMatchObject({
      VisibilityTimeout: 6 * 55,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack.webhookDispatch.queueDeadLetters), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    const senders = Object.entries(stack.functions)
      .filter(([, f]) =>
        policyStatementsOf(logicalIdOf(f.role)).some(
          (s) =>
            [s.Action].flat().includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queueId),
        ),
      )
      .map(([name]) => name)
      .sort();
    expect(senders).toEqual(['chargers', 'public-charging', 'public-charging-sweeper']);
    for (const name of senders) {
      const env =
        resources[logicalIdOf(stack.functions[name as 'chargers'].fn)]!.Properties.Environment.Variables;
      expect(env.WEBHOOK_QUEUE_URL).toEqual({ Ref: queueId });
    }
  });

  it('runs the sweeper every minute through a role that can invoke the sweeper and nothing else', () => {
    const sweeper = stack.functions['public-charging-sweeper'];
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    // The sweeper's and the webhook dispatcher's (below).
    expect(schedules).toHaveLength(2);
    const schedule = schedules.find(
      (s) => s.Properties.Target.Arn['Fn::GetAtt'][0] === logicalIdOf(sweeper.fn),
    )!.Properties;
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(sweeper.fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(policyStatementsOf(roleId)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [logicalIdOf(sweeper.fn), 'Arn'] },
      }),
    ]);
    // The sweeper queries the due index (and the table, for measured sessions), no other index; it
    // deletes only calculated sessions a measured one supersedes, and never in batches.
    const statements = policyStatementsOf(logicalIdOf(sweeper.role));
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect([dynamo.Action].flat()).not.toContain('dynamodb:BatchWriteItem');
    expect(JSON.stringify(dynamo.Resource)).toContain('/index/GSI1');
    expect(JSON.stringify(dynamo.Resource)).not.toContain('/index/GSI2');
  });

  it('uses the built-in payments by default; with Stripe, exactly the payment functions read its keys', () => {
    for (const name of Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]) {
      const env = resources[logicalIdOf(stack.functions[name].fn)]!.Properties.Environment?.Variables ?? {};
      expect(env.PAYMENT_PROVIDER).toBeUndefined();
      expect(env.STRIPE_SECRET_ARN).toBeUndefined();
    }
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const stripeStack = new EvSessionsStack(app, 'StripeStack', { payments: 'stripe' });
    const stripe = Template.fromStack(stripeStack).toJSON().Resources as typeof resources;
    const secrets = Object.entries(stripe).filter(
      ([, r]) => r.Type === 'AWS::SecretsManager::Secret' && /Stripe/.test(r.Properties.Description),
    );
    expect(secrets).toHaveLength(1);
    const secretId = secrets[0]![0];
    const readers = Object.values(stripe)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.Properties.PolicyDocument).includes(`"Ref":"${secretId}"`))
      .flatMap((r) => r.Properties.Roles.map((ref: { Ref: string }) => ref.Ref))
      .sort();
    const roleOf = (name: keyof typeof FUNCTIONS) =>
      stripeStack.getLogicalId(stripeStack.functions[name].role.node.defaultChild as never);
    expect(readers).toEqual(
      (Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[])
        .filter((name) => FUNCTIONS[name].paymentSecret)
        .map(roleOf)
        .sort(),
    );
    expect(readers).toHaveLength(3);
    const publicEnv =
      stripe[
        stripeStack.getLogicalId(stripeStack.functions['public-charging'].fn.node.defaultChild as never)
      ]!.Properties.Environment.Variables;
    expect(publicEnv).toMatchObject({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_ARN: { Ref: secretId } });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['with built-in payments', {}],
    ['with Stripe payments', { payments: 'stripe' as const }],
  ])('finds nothing unacknowledged %s, and every acknowledgement carries a reason', (_, props) => {
    const { app, stack: nagStack } = buildStack(props);
    const report = new AwsSolutionsChecks(app).validateScope(nagStack);
    const findings = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    const reasons: string[] = [];
    for (const construct of nagStack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type === 'aws:cdk:acknowledged-rules')
          reasons.push(...Object.values(entry.data as Record<string, string>));
      }
    }
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(30);
  });
});

describe('cdk synth', () => {
  it('with Stripe payments, ships Stripe beside (not inside) the bundles of the functions that take payments', async () => {
    const out = mkdtempSync(join(tmpdir(), 'evs-synth-stripe-'));
    try {
      const synth = await runProcess(
        'npx',
        ['cdk', 'synth', '--no-notices', '--quiet', '-c', 'payments=stripe', '-o', out],
        { env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' }, timeoutMs: 150_000 },
      );
      expect(synth.code, synth.stderr).toBe(0);
      const withStripe = readdirSync(out).filter((d) =>
        existsSync(join(out, d, 'node_modules', 'stripe', 'index.mjs')),
      );
      const payers = Object.values(FUNCTIONS).filter((spec) => spec.lazyModules?.includes('stripe')).length;
      expect(withStripe.length).toBe(payers);
      for (const dir of withStripe) {
        expect(readFileSync(join(out, dir, 'node_modules', 'stripe', 'index.mjs'), 'utf8')).toContain(
          'api.stripe.com',
        );
        const bundle = readFileSync(join(out, dir, 'index.mjs'), 'utf8');
        expect(bundle).not.toContain('api.stripe.com');
        // Loaded on first use only: a static import would be hoisted and loaded at every cold start.
        expect(bundle).not.toMatch(/from\s*["']stripe["']/);
        expect(bundle).toContain('import("stripe")');
        expect(
          JSON.parse(readFileSync(join(out, dir, 'node_modules', 'stripe', 'package.json'), 'utf8')),
        ).toEqual({
          name: 'stripe',
          type: 'module',
          main: 'index.mjs',
        });
      }
      // The bundle's bare `import('stripe')` resolves to the shipped module and yields a working client.
      const probe = join(out, withStripe[0]!, 'probe.mjs');
      writeFileSync(
        probe,
        "const { default: Stripe } = await import('stripe'); process.stdout.write(typeof new Stripe('sk_test_x').paymentIntents.create);",
      );
      expect(execFileSync(process.execPath, [probe], { encoding: 'utf8' })).toBe('function');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('works offline, without AWS credentials, bundling every function', async () => {
    const out = mkdtempSync(join(tmpdir(), 'evs-synth-'));
    try {
      const synth = await runProcess('npx', ['cdk', 'synth', '--no-notices', '--quiet', '-o', out], {
        env: {
          ...process.env,
          CDK_DISABLE_CLI_TELEMETRY: 'true',
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: 'evsessions-no-such-profile',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        timeoutMs: 150_000,
      });
      expect(synth.code, synth.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'EvSessions.assets.json'), 'utf8'));
      expect(Object.keys(manifest.files).length).toBeGreaterThanOrEqual(Object.keys(FUNCTIONS).length);
      // Without Stripe payments, no function ships Stripe's SDK: it is neither bundled nor beside the bundle.
      for (const dir of readdirSync(out).filter((d) => d.startsWith('asset.'))) {
        const bundle = join(out, dir, 'index.mjs');
        if (!existsSync(bundle)) continue;
        expect(existsSync(join(out, dir, 'node_modules', 'stripe'))).toBe(false);
        expect(readFileSync(bundle, 'utf8')).not.toContain('api.stripe.com');
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
