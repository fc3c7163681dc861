// The optional OCPP-J gateway in the template (-c ocppGateway=true): Fargate arm64 behind a Network Load
// Balancer with a TLS listener on the context's certificate, health-checked, scaled by connections,
// alarmed, least privilege by key like the functions, and cdk-nag clean. Off by default.

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackFromContext } from '../../infra/context.js';
import { OCPP_GATEWAY } from '../../infra/functions.js';
import { CONNECTIONS_PER_TASK, GATEWAY_PORT, MAX_TASKS } from '../../infra/ocpp-gateway.js';
import { EvSessionsStack } from '../../infra/stack.js';
import { keyPatterns } from '../../infra/table-keys.js';

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function buildStack(props: ConstructorParameters<typeof EvSessionsStack>[2] = {}) {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new EvSessionsStack(app, 'TestStack', props);
  return { app, stack, template: Template.fromStack(stack) };
}

let built: ReturnType<typeof buildStack>;
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  built = buildStack({ ocppGateway: { certificateArn: CERTIFICATE }, payments: 'stripe' });
  resources = built.template.toJSON().Resources;
});

describe('the OCPP-J gateway, deployed', () => {
  it('is absent unless asked for', () => {
    const off = buildStack().template;
    off.resourceCountIs('AWS::ECS::Service', 0);
    off.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    expect(off.findOutputs('OcppGatewayHost')).toEqual({});
  });

  it('ends TLS on 443 with the context certificate and a TLS 1.2+ policy, on an internet-facing NLB', () => {
    built.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
    });
    built.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS',
      Port: 443,
      Certificates: [{ CertificateArn: CERTIFICATE }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(built.template.findOutputs('OcppGatewayHost')).not.toEqual({});
  });

  it('health-checks GET /health on the task port', () => {
    built.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP',
      Port: GATEWAY_PORT,
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
      HealthCheckPort: String(GATEWAY_PORT),
    });
  });

  it('runs on Fargate arm64, tasks reachable only from the balancer', () => {
    built.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          PortMappings: [Match.objectLike({ ContainerPort: GATEWAY_PORT })],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const toTasks = ingress.filter((rule) => rule.FromPort === GATEWAY_PORT);
    expect(toTasks).toHaveLength(1);
    expect(toTasks[0]!.SourceSecurityGroupId).toBeDefined();
    expect(toTasks[0]!.CidrIp).toBeUndefined();
  });

  it('scales by connections: the balancer’s active flows set the task count, 1 to MAX_TASKS', () => {
    built.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: MAX_TASKS,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    const policies = ofType('AWS::ApplicationAutoScaling::ScalingPolicy').map(([, r]) => r.Properties);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(policy.StepScalingPolicyConfiguration.AdjustmentType).toBe('ExactCapacity');
    }
    const scalingAlarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, r]) => r.Properties.MetricName === 'ActiveFlowCount',
    );
    expect(scalingAlarms.length).toBeGreaterThanOrEqual(1);
    const steps = policies.flatMap((p) => p.StepScalingPolicyConfiguration.StepAdjustments);
    expect(steps.map((s: { ScalingAdjustment: number }) => s.ScalingAdjustment)).toContain(MAX_TASKS);
    expect(CONNECTIONS_PER_TASK).toBeGreaterThan(0);
  });

  it('alarms on the stack’s topic: an unhealthy task, no healthy task, any error logged', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(byMetric('UnHealthyHostCount')).toHaveLength(1);
    expect(byMetric('HealthyHostCount')).toEqual([
      expect.objectContaining({
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
      }),
    ]);
    expect(byMetric('Errors').filter((a) => a.Namespace === 'evsessions/ocpp-gateway')).toHaveLength(1);
    for (const alarm of [...byMetric('UnHealthyHostCount'), ...byMetric('HealthyHostCount')]) {
      expect(alarm.AlarmActions?.length).toBeGreaterThan(0);
    }
    built.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.level = "error" }',
    });
  });

  it('has least privilege: the catalog’s LeadingKeys grants on the table, the Stripe secret, a send to the webhook queue, nothing else', () => {
    const taskRole = ofType('AWS::ECS::TaskDefinition')[0]![1].Properties.TaskRoleArn['Fn::GetAtt'][0];
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, r]) => r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === taskRole))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
    const dynamo = statements.filter((s: any) =>
      [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toHaveLength(2);
    const table = OCPP_GATEWAY.table!;
    for (const statement of dynamo) {
      expect(JSON.stringify(statement.Resource)).not.toContain('index');
      expect(statement.Resource).not.toBe('*');
    }
    const leading = dynamo.map((s: any) => s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']);
    expect(leading).toEqual([keyPatterns(table.reads), keyPatterns(table.writes!)]);
    const others = statements.filter((s: any) => !dynamo.includes(s));
    expect(others.map((s: any) => s.Action).sort()).toEqual([
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    const send = others.find((s: any) => s.Action === 'sqs:SendMessage');
    expect(JSON.stringify(send.Resource)).toContain('WebhookDispatchQueue');
  });

  it('passes cdk-nag AwsSolutions with nothing unacknowledged, every acknowledgement with a reason', () => {
    const { app, stack } = buildStack({ ocppGateway: { certificateArn: CERTIFICATE }, payments: 'stripe' });
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  it('is switched on with its certificate, and refuses a missing or malformed one', () => {
    const context = (values: Record<string, unknown>) => (key: string) => values[key];
    expect(
      stackFromContext(context({ ocppGateway: 'true', ocppCertificateArn: CERTIFICATE })).props.ocppGateway,
    ).toEqual({ certificateArn: CERTIFICATE });
    expect(stackFromContext(context({})).props.ocppGateway).toBeUndefined();
    expect(() => stackFromContext(context({ ocppGateway: 'true' }))).toThrow(/needs -c ocppCertificateArn/);
    expect(() =>
      stackFromContext(context({ ocppGateway: 'true', ocppCertificateArn: 'arn:aws:iam::123:cert' })),
    ).toThrow(/must be an ACM certificate ARN/);
    expect(() => stackFromContext(context({ ocppGateway: 'yes' }))).toThrow(/-c ocppGateway must be one of/);
    expect(() => stackFromContext(context({ ocppCertificateArn: CERTIFICATE }))).toThrow(/only used with/);
  });
});
