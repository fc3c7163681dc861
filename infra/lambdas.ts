// Builds the Lambda functions of the catalog (infra/functions.ts): one NodejsFunction each, bundled as
// infra/bundling.ts says (with source maps, which Node applies to stack traces), with its own role (no
// managed policies), its own log group, JSON logs (the platform's REPORT lines kept: duration, memory,
// init time), X-Ray active tracing, and only the table actions and secret reads its catalog entry grants.

import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, LoggingFormat, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLING, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './bundling.js';
import { EXTERNAL_MODULES, lazyModuleCommands } from './bundling-options.js';
import type { DynamoAction, FunctionSpec } from './functions.js';
import { type KeyGroup, keyPatterns } from './table-keys.js';

export interface LambdaProps {
  name: string;
  spec: FunctionSpec;
  table: Table;
  cursorSecret?: ISecret;
  /** The payment provider's keys, for functions whose catalog entry has paymentSecret. */
  paymentSecret?: ISecret | undefined;
  environment?: Record<string, string>;
  logRetention: RetentionDays;
  /** What the function logs (LOG_LEVEL) and what Lambda keeps of it; default info. */
  logLevel?: LogLevel | undefined;
  /** For functions invoked asynchronously: Lambda's retries, then the queue that keeps failed events. */
  asyncInvoke?: { retryAttempts: number; maxEventAge: Duration; deadLetterQueue: IQueue };
}

/**
 * The catalog entry's bundling: lazy modules stay out of the bundle; they are built beside it only when the
 * deployment can use them (Stripe's SDK only when payments go through Stripe).
 */
function bundlingFor(spec: FunctionSpec, stripePayments: boolean): BundlingOptions {
  const lazy = spec.lazyModules ?? [];
  if (lazy.length === 0) return BUNDLING;
  const shipped = lazy.filter((name) => name !== 'stripe' || stripePayments);
  return {
    ...BUNDLING,
    externalModules: [...EXTERNAL_MODULES, ...lazy],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) =>
        shipped.flatMap((name) => lazyModuleCommands(name, inputDir, outputDir)),
    },
  };
}

/** Actions that read; the rest of a catalog entry's actions write. */
const READ_ACTIONS = new Set<DynamoAction>([
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
]);

/**
 * The actions on the resources, for items whose partition key (the index's, for an index Query) matches
 * one of the groups' patterns. ForAllValues: every key a request names must match (a BatchWriteItem's
 * included); DynamoDB supplies the key for each of these actions, none of which is a Scan.
 */
function leadingKeysStatement(actions: DynamoAction[], resources: string[], groups: KeyGroup[]) {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions,
    resources,
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keyPatterns(groups) } },
  });
}

/**
 * A catalog entry's table grants: its reads on the table (and the indexes it names), its writes on the
 * table, each limited to the partition keys of its key groups. Lambdas and the OCPP-J gateway's task alike.
 */
export function tableStatements(
  name: string,
  table: NonNullable<FunctionSpec['table']>,
  resource: Table,
): PolicyStatement[] {
  const indexArns = (table.indexes ?? []).map((index) => `${resource.tableArn}/index/${index}`);
  const reads = table.actions.filter((action) => READ_ACTIONS.has(action));
  const writes = table.actions.filter((action) => !READ_ACTIONS.has(action));
  const statements: PolicyStatement[] = [];
  // Reads may also name the indexes; writes go to the table only (an index is written through it).
  if (reads.length > 0)
    statements.push(
      leadingKeysStatement(
        reads,
        [...(table.indexesOnly ? [] : [resource.tableArn]), ...indexArns],
        table.reads,
      ),
    );
  if (writes.length > 0) {
    if (!table.writes?.length) throw new Error(`${name} writes to the table but names no partitions`);
    statements.push(leadingKeysStatement(writes, [resource.tableArn], table.writes));
  }
  return statements;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const APPLICATION_LOG_LEVEL: Record<LogLevel, ApplicationLogLevel> = {
  debug: ApplicationLogLevel.DEBUG,
  info: ApplicationLogLevel.INFO,
  warn: ApplicationLogLevel.WARN,
  error: ApplicationLogLevel.ERROR,
};

export class EvsFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LambdaProps) {
    super(scope, id);
    const { spec } = props;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `evsessions ${props.name}: its log group${spec.table ? ' and its table actions' : ''}`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const logLevel = props.logLevel ?? 'info';
    const environment: Record<string, string> = {
      LOG_LEVEL: logLevel,
      // The bundles ship source maps: stack traces in the logs name our files and lines, not the bundle's.
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    if (spec.table) {
      for (const statement of tableStatements(props.name, spec.table, props.table))
        this.role.addToPolicy(statement);
      environment.TABLE_NAME = props.table.tableName;
    }
    if (spec.cursorSecret) {
      if (!props.cursorSecret) throw new Error(`${props.name} needs the cursor secret`);
      this.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.cursorSecret.secretArn],
        }),
      );
      environment.CURSOR_SECRET_ARN = props.cursorSecret.secretArn;
    }
    if (spec.paymentSecret && props.paymentSecret) {
      this.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.paymentSecret.secretArn],
        }),
      );
      environment.PAYMENT_PROVIDER = 'stripe';
      environment.STRIPE_SECRET_ARN = props.paymentSecret.secretArn;
    }
    this.fn = new NodejsFunction(this, 'Function', {
      entry: spec.entry,
      handler: 'handler',
      description: spec.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // The code filters by LOG_LEVEL itself; Lambda keeps the same levels.
      applicationLogLevelV2: APPLICATION_LOG_LEVEL[logLevel],
      // INFO keeps the platform's START/REPORT lines: duration, billed duration, memory used, init time.
      systemLogLevelV2: SystemLogLevel.INFO,
      // The invocation's segment (init, invocation, overhead) in X-Ray; the SDK calls are not instrumented.
      tracing: Tracing.ACTIVE,
      environment,
      bundling: bundlingFor(spec, Boolean(props.paymentSecret)),
      projectRoot: Stack.of(this).node.tryGetContext('projectRoot') ?? process.cwd(),
      depsLockFilePath: 'package-lock.json',
      ...(props.asyncInvoke ?? {}),
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Active tracing's xray:PutTraceSegments and xray:PutTelemetryRecords: X-Ray has no resource-level permissions, `*` is the only resource they take. Table grants never use `*` (asserted in test/infra).",
    });
  }
}
