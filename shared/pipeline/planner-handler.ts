// Primary adapter: the planner Lambda, invoked by the EventBridge Scheduler schedule with
// `{ "scheduledTime": "<aws.scheduler.scheduled-time>", "executionId": "<aws.scheduler.execution-id>" }`.
// The scheduled time is the run's as-of instant, so a retried invocation plans the very same run.

import * as z from 'zod/mini';
import { config } from '../config.js';
import { createLogger } from '../logger.js';
import { boundedString, rfc3339DateTime, rfc3339ToMs } from '../schema.js';
import { type CaptureShardReader, type PlanSummary, planDailyRun, type QueueSender } from './planner.js';
import { sqsQueueSender } from './sqs-sender.js';

export const PlannerEvent = z.looseObject({
  scheduledTime: z.optional(rfc3339DateTime()),
  executionId: z.optional(boundedString(1, 200)),
});

export function createPlannerHandler(
  queue: () => QueueSender,
  options: { now?: () => Date; readShard?: CaptureShardReader } = {},
) {
  const now = options.now ?? (() => new Date());
  const log = createLogger({ service: 'evsessions', component: 'daily-job-planner' });
  return async (event: unknown): Promise<PlanSummary> => {
    const parsed = PlannerEvent.safeParse(event ?? {});
    if (!parsed.success) throw new Error(`Not a planner event: ${parsed.error.message}`);
    const asOf = parsed.data.scheduledTime
      ? new Date(rfc3339ToMs(parsed.data.scheduledTime) as number)
      : now();
    const runId = parsed.data.executionId ?? `run-${asOf.toISOString()}`;
    const summary = await planDailyRun({ asOf, runId }, { queue: queue(), readShard: options.readShard });
    log.info('daily job planned', { ...summary });
    return summary;
  };
}

/** The queue of the deployed stack, from JOB_QUEUE_URL. */
export function deployedJobQueue(): QueueSender {
  const url = config().jobQueueUrl;
  if (!url) throw new Error('JOB_QUEUE_URL is not set: the planner has no queue to send to');
  return sqsQueueSender(url);
}
