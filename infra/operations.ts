// What an operator watches: one SNS topic every alarm notifies (e-mail subscriptions from
// `-c alarmEmail=…`, and an existing topic from `-c alarmTopicArn=…` notified as well), the alarms
// (API 5xx, each function's errors and throttles, table throttles, each dead-letter queue's depth), and
// one CloudWatch dashboard that shows the same metrics. Alarms are added by what they watch, so a new
// function or queue cannot be forgotten: the stack hands every one of them over.

import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Where alarms go: e-mail addresses subscribed to the stack's topic, and/or an existing topic. */
export interface AlarmDestinations {
  emails?: string[];
  topicArn?: string | undefined;
}

/** Every alarm looks at 5-minute sums: one bad period is worth a message. */
const PERIOD = Duration.minutes(5);

export class Operations extends Construct {
  /** The stack's own topic; every alarm notifies it (subscribe to it, or pass -c alarmEmail). */
  readonly topic: Topic;
  /** The alarm actions: the stack's topic, plus the existing topic when one was given. */
  readonly alarmActions: IAlarmAction[];
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: AlarmDestinations = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'evsessions alarms',
      // Publishers must use TLS (cdk-nag SNS3).
      enforceSSL: true,
    });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values, no customer data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer-managed key would add $1 a month to an idle stack.',
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    this.alarmActions = [new SnsAction(this.topic)];
    if (props.topicArn)
      this.alarmActions.push(new SnsAction(Topic.fromTopicArn(this, 'ExistingTopic', props.topicArn)));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboard names are unique per account, across regions: the same stack name may run in two.
      dashboardName: `${Stack.of(this).stackName}-${Stack.of(this).region}`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${Stack.of(this).stackName}\nAlarms notify the SNS topic \`${this.topic.node.id}\` (stack output AlarmTopicArn). Logs: one JSON log group per function; traces in X-Ray.`,
        width: 24,
        height: 2,
      }),
    );
  }

  /** An alarm on `metric` ≥ `threshold` in one period, notifying every action. */
  alarm(id: string, metric: IMetric, description: string, threshold = 1): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `evsessions: ${description}`,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const action of this.alarmActions) alarm.addAlarmAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** 5xx answers (any is a defect: bad input is a 4xx), with requests, 4xx and latency on the dashboard. */
  watchApi(api: HttpApi): void {
    const sum = { period: PERIOD, statistic: 'Sum' };
    this.alarm(
      'Api5xxAlarm',
      api.metricServerError(sum),
      'the API answered 5xx. Find the request ids in the access logs, then the function logs.',
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [api.metricCount(sum), api.metricClientError(sum), api.metricServerError(sum)],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [
          api.metricLatency({ period: PERIOD, statistic: 'p50' }),
          api.metricLatency({ period: PERIOD, statistic: 'p99' }),
          api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99' }),
        ],
        width: 12,
      }),
    );
  }

  /** Errors and throttles of each function, alarmed one by one; their graphs side by side. */
  watchFunctions(functions: Record<string, IFunction>): void {
    const sum = { period: PERIOD, statistic: 'Sum' };
    const errors: IMetric[] = [];
    const throttles: IMetric[] = [];
    const durations: IMetric[] = [];
    for (const [name, fn] of Object.entries(functions)) {
      const id = name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
      const label = { label: name };
      errors.push(fn.metricErrors({ ...sum, ...label }));
      throttles.push(fn.metricThrottles({ ...sum, ...label }));
      durations.push(fn.metricDuration({ period: PERIOD, statistic: 'p99', ...label }));
      this.alarm(
        `${id}ErrorsAlarm`,
        fn.metricErrors(sum),
        `the ${name} function failed (an uncaught error or a timeout). Its log group has the stack trace.`,
      );
      this.alarm(
        `${id}ThrottlesAlarm`,
        fn.metricThrottles(sum),
        `Lambda throttled the ${name} function: the account's concurrency is exhausted.`,
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', left: errors, width: 8 }),
      new GraphWidget({ title: 'Function throttles', left: throttles, width: 8 }),
      new GraphWidget({ title: 'Function duration p99 (ms)', left: durations, width: 8 }),
    );
  }

  /**
   * Requests DynamoDB throttled, per operation the functions use (a GSI that cannot keep up throttles
   * the table's writes too, so this sees both), and the capacity consumed.
   */
  watchTable(table: Table, operations: readonly string[]): void {
    const throttled = table.metricThrottledRequestsForOperations({
      operations: operations as never,
      period: PERIOD,
    });
    this.alarm(
      'TableThrottlesAlarm',
      throttled,
      'DynamoDB throttled requests (the SDK retries them; sustained throttling reaches users as 5xx).',
    );
    const sum = { period: PERIOD, statistic: 'Sum' };
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Table capacity consumed',
        left: [table.metricConsumedReadCapacityUnits(sum), table.metricConsumedWriteCapacityUnits(sum)],
        width: 12,
      }),
      new GraphWidget({ title: 'Table throttled requests', left: [throttled], width: 12 }),
    );
  }

  /** A visible message in a dead-letter queue is work that failed for good: alarm (or reuse one) and graph. */
  watchDeadLetters(queues: { name: string; queue: IQueue; what: string; alarm?: Alarm }[]): void {
    // A label only on the graph: a labelled metric makes the alarm a metric-math one.
    const depth = (queue: IQueue, label?: string) =>
      new Metric({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensionsMap: { QueueName: queue.queueName },
        period: PERIOD,
        statistic: 'Maximum',
        ...(label ? { label } : {}),
      });
    for (const { name, queue, what, alarm } of queues) {
      if (alarm) this.alarms.push(alarm);
      else
        this.alarm(
          `${name}Alarm`,
          depth(queue),
          `${what}. Inspect the messages, fix the cause, then redrive or delete them.`,
        );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead letters (visible messages)',
        left: queues.map(({ name, queue }) => depth(queue, name)),
        width: 12,
      }),
    );
  }

  /** The state of every alarm made or handed over so far; call it once, after watching everything. */
  addAlarmStatusWidget(): void {
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }
}
