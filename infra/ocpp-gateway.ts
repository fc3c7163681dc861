// The OCPP-J gateway, deployed (`-c ocppGateway=true -c ocppCertificateArn=arn:aws:acm:…`): the container of
// infra/ocpp-gateway/main.ts on ECS Fargate (arm64) behind an internet-facing Network Load Balancer whose
// TLS listener (port 443, the certificate from the context) ends chargers' TLS (security profile 2) and
// passes the WebSocket bytes on. Why not API Gateway's WebSocket APIs: docs/architecture.md.
//
// - Network: a VPC of two public subnets and no NAT gateway (a NAT costs ~$32 a month idle): tasks get
//   public IPs for pulling their image and reaching Secrets Manager; DynamoDB through a free gateway
//   endpoint. Tasks accept traffic only from the load balancer's security group.
// - Scaling by connections: the balancer's active flows (one per connected charger) set the task count,
//   CONNECTIONS_PER_TASK each, from 1 to MAX_TASKS. Connections stay where they are when tasks are added;
//   new and reconnecting chargers go to every task.
// - Health: the target group checks `GET /health` on the task port; alarms when a target is unhealthy,
//   when no target is healthy, and on any error the gateway logs.
// - Least privilege: the task role has the catalog's LeadingKeys grants (infra/functions.ts OCPP_GATEWAY),
//   the Stripe secret when payments go through Stripe, and nothing else.

import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import { AdjustmentType } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Alarm, ComparisonOperator, GraphWidget, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import {
  ListenerCertificate,
  NetworkLoadBalancer,
  Protocol,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER, MAIN_FIELDS } from './bundling-options.js';
import { OCPP_GATEWAY } from './functions.js';
import { type LogLevel, tableStatements } from './lambdas.js';
import type { Operations } from './operations.js';

/** The port the container listens on (the balancer's listener is 443). */
export const GATEWAY_PORT = 8080;
/**
 * Connections one task serves before another is added. A 0.25 vCPU / 512 MiB task holds an idle OCPP-J
 * connection in ~50 KB and handles a charger's few messages a minute; 2,000 leaves room for a burst of
 * reconnects (every charger of a failed task handshakes again, each an scrypt check of ~40 ms).
 */
export const CONNECTIONS_PER_TASK = 2_000;
export const MAX_TASKS = 8;

export interface OcppGatewayProps {
  table: Table;
  /** ACM certificate for the gateway's host name (validated in infra/context.ts). */
  certificateArn: string;
  paymentSecret?: ISecret | undefined;
  environment: Record<string, string>;
  /** The webhook queue: the gateway records webhook events and nudges the dispatcher through it. */
  webhookQueue?: { queueUrl: string; queueArn: string };
  logRetention: RetentionDays;
  logLevel?: LogLevel | undefined;
  operations: Operations;
}

/** The container's build context: the gateway bundled by esbuild (AWS SDK included: no Lambda runtime here). */
function buildContext(scope: Construct): string {
  // Inside the cloud assembly being written (cdk.out, or a test app's own folder), rewritten by each synth;
  // CDK copies it from there into the image's asset folder.
  const dir = join(Stage.of(scope)?.outdir ?? tmpdir(), 'ocpp-gateway-build');
  mkdirSync(dir, { recursive: true });
  // Tests that skip bundling (aws:cdk:bundling-stacks) get the Dockerfile without building the bundle.
  if (Stack.of(scope).bundlingRequired) {
    buildSync({
      entryPoints: [OCPP_GATEWAY.entry],
      outfile: join(dir, 'main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: ESBUILD_TARGET,
      minify: true,
      sourcemap: true,
      mainFields: MAIN_FIELDS,
      // ws's optional native speed-ups; it runs without them.
      external: ['bufferutil', 'utf-8-validate'],
      banner: { js: ESM_REQUIRE_BANNER },
      logLevel: 'error',
    });
  }
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM public.ecr.aws/docker/library/node:24-alpine',
      'WORKDIR /app',
      'COPY main.mjs* ./',
      'USER node',
      `EXPOSE ${GATEWAY_PORT}`,
      'ENV NODE_OPTIONS=--enable-source-maps',
      'CMD ["node", "main.mjs"]',
      '',
    ].join('\n'),
  );
  return dir;
}

export class OcppGateway extends Construct {
  readonly service: FargateService;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly logGroup: LogGroup;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OcppGatewayProps) {
    super(scope, id);
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    vpc.addGatewayEndpoint('DynamoDb', { service: GatewayVpcEndpointAwsService.DYNAMODB });
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogs', {
          retention: props.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const task = new FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    const table = OCPP_GATEWAY.table;
    if (!table) throw new Error('the OCPP gateway catalog entry names no table grants');
    for (const statement of tableStatements('ocpp-gateway', table, props.table))
      task.taskRole.addToPrincipalPolicy(statement);
    const environment: Record<string, string> = {
      ...props.environment,
      TABLE_NAME: props.table.tableName,
      LOG_LEVEL: props.logLevel ?? 'info',
      PORT: String(GATEWAY_PORT),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    if (props.webhookQueue) {
      environment.WEBHOOK_QUEUE_URL = props.webhookQueue.queueUrl;
      task.taskRole.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['sqs:SendMessage'],
          resources: [props.webhookQueue.queueArn],
        }),
      );
    }
    if (OCPP_GATEWAY.paymentSecret && props.paymentSecret) {
      task.taskRole.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.paymentSecret.secretArn],
        }),
      );
      environment.PAYMENT_PROVIDER = 'stripe';
      environment.STRIPE_SECRET_ARN = props.paymentSecret.secretArn;
    }
    task.addContainer('Gateway', {
      image: ContainerImage.fromAsset(buildContext(this), { platform: Platform.LINUX_ARM64 }),
      logging: LogDrivers.awsLogs({ streamPrefix: 'ocpp', logGroup: this.logGroup }),
      environment,
      portMappings: [{ containerPort: GATEWAY_PORT }],
      readonlyRootFilesystem: true,
    });

    if (task.executionRole)
      Validations.of(task.executionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "ECS's image pull needs ecr:GetAuthorizationToken, which takes no resource but `*`; the pull itself is limited to the image's repository.",
      });

    const balancerGroup = new SecurityGroup(this, 'BalancerSecurityGroup', {
      vpc,
      description: 'OCPP-J gateway load balancer: TLS from chargers anywhere',
      allowAllOutbound: false,
    });
    balancerGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'chargers (TLS, then HTTP Basic auth)');
    Validations.of(balancerGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'Chargers connect from any network (cellular, site routers); each must present TLS and its own Basic-auth password before any message is read.',
    });
    const taskGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'OCPP-J gateway tasks: only from the load balancer',
      allowAllOutbound: true,
    });
    taskGroup.addIngressRule(
      balancerGroup,
      Port.tcp(GATEWAY_PORT),
      'the load balancer (traffic, health checks)',
    );
    balancerGroup.addEgressRule(taskGroup, Port.tcp(GATEWAY_PORT), 'to the gateway tasks');

    const cluster = new Cluster(this, 'Cluster', { vpc });
    Validations.of(cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason:
        'Container Insights would add per-task metrics at a cost; the load balancer metrics (healthy targets, active flows) and the gateway logs are what the alarms and the dashboard need.',
    });
    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: 1,
      minHealthyPercent: 100,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [taskGroup],
      circuitBreaker: { rollback: true },
    });
    Validations.of(task).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds configuration only (table name, port, log level, the ARN of the Stripe secret); the secret itself is read at run time.',
    });

    this.loadBalancer = new NetworkLoadBalancer(this, 'Balancer', {
      vpc,
      internetFacing: true,
      securityGroups: [balancerGroup],
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        'NLB access logs need an S3 bucket and record only TLS handshakes; the gateway logs every refused handshake and every failure with the station id.',
    });
    const listener = this.loadBalancer.addListener('Tls', {
      port: 443,
      protocol: Protocol.TLS,
      certificates: [ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
    });
    const targets = listener.addTargets('Gateway', {
      port: GATEWAY_PORT,
      protocol: Protocol.TCP,
      targets: [this.service],
      // Chargers reconnect on their own; a minute lets a deployment's open calls finish.
      deregistrationDelay: Duration.seconds(60),
      healthCheck: {
        protocol: Protocol.HTTP,
        path: '/health',
        port: String(GATEWAY_PORT),
        interval: Duration.seconds(30),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });

    // Scaling by connections: the active flows across the balancer, as an exact task count.
    const connections = this.loadBalancer.metrics.activeFlowCount({
      period: Duration.minutes(1),
      statistic: 'Average',
    });
    this.service
      .autoScaleTaskCount({ minCapacity: 1, maxCapacity: MAX_TASKS })
      .scaleOnMetric('ByConnections', {
        metric: connections,
        adjustmentType: AdjustmentType.EXACT_CAPACITY,
        scalingSteps: [
          { upper: CONNECTIONS_PER_TASK, change: 1 },
          { lower: CONNECTIONS_PER_TASK, upper: 2 * CONNECTIONS_PER_TASK, change: 2 },
          { lower: 2 * CONNECTIONS_PER_TASK, upper: 4 * CONNECTIONS_PER_TASK, change: 4 },
          { lower: 4 * CONNECTIONS_PER_TASK, change: MAX_TASKS },
        ],
        cooldown: Duration.minutes(5),
      });

    // Alarms, on the stack's topic like every other.
    const { operations } = props;
    const period = { period: Duration.minutes(5) };
    this.alarms.push(
      operations.alarm(
        'OcppUnhealthyTargetsAlarm',
        targets.metrics.unHealthyHostCount({ ...period, statistic: 'Maximum' }),
        'an OCPP-J gateway task failed its health check. See the gateway log group and the ECS service events.',
      ),
    );
    const noHealthy = new Alarm(this, 'NoHealthyTargetsAlarm', {
      alarmDescription:
        'evsessions: no OCPP-J gateway task is healthy: directly connected chargers cannot reach us. See the ECS service events.',
      metric: targets.metrics.healthyHostCount({ ...period, statistic: 'Minimum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
    for (const action of operations.alarmActions) noHealthy.addAlarmAction(action);
    operations.alarms.push(noHealthy);
    this.alarms.push(noHealthy);
    const errorLines = new MetricFilter(this, 'ErrorLines', {
      logGroup: this.logGroup,
      filterPattern: FilterPattern.stringValue('$.level', '=', 'error'),
      metricNamespace: 'evsessions/ocpp-gateway',
      metricName: 'Errors',
      metricValue: '1',
      defaultValue: 0,
    });
    this.alarms.push(
      operations.alarm(
        'OcppGatewayErrorsAlarm',
        errorLines.metric({ ...period, statistic: 'Sum' }),
        'the OCPP-J gateway logged an error (a message it could not apply, a connection state it could not write). Its log group has the details.',
      ),
    );
    operations.dashboard.addWidgets(
      new GraphWidget({
        title: 'OCPP-J gateway: connected chargers, healthy tasks',
        left: [connections.with({ label: 'connections' })],
        right: [
          targets.metrics.healthyHostCount({ ...period, statistic: 'Minimum', label: 'healthy tasks' }),
          new Metric({
            namespace: 'evsessions/ocpp-gateway',
            metricName: 'Errors',
            ...period,
            statistic: 'Sum',
            label: 'errors logged',
          }),
        ],
        width: 24,
      }),
    );
  }
}
