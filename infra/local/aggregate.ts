// The daily job in one process, for `npm run aggregate`, the timer of `npm start` and the tests: the same
// planner use case and the same worker handler as on AWS, joined by an in-process queue instead of SQS.
// Failed messages are delivered again at once (SQS waits for the visibility timeout) up to
// `maxReceiveCount` deliveries, then reported as dead letters; a planner that fails is run again, like
// Lambda retrying an asynchronous invocation.

import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SQSEvent } from 'aws-lambda';
import { decodeJobMessage } from '../../shared/pipeline/messages.js';
import { type CaptureShardReader, type PlanSummary, planDailyRun } from '../../shared/pipeline/planner.js';
import {
  MAX_RECEIVE_COUNT,
  WORKER_BATCH_SIZE,
  WORKER_MAX_CONCURRENCY,
} from '../../shared/pipeline/settings.js';
import type { RecordOutcome, WorkerHandler } from '../../shared/pipeline/worker.js';
import { JOB_FUNCTIONS } from '../functions.js';
import { InProcessQueue, type QueuedMessage } from './in-process-queue.js';

/** Planner attempts: the first and Lambda's two retries of an asynchronous invocation. */
export const PLANNER_ATTEMPTS = 3;

export interface AggregationProgress {
  phase: 'planning' | 'processing';
  /** Entities enqueued. */
  planned: number;
  /** Entities finished (processed, skipped, duplicate or dead-lettered). */
  done: number;
  failedAttempts: number;
}

export interface AggregationOptions {
  worker: WorkerHandler;
  asOf: Date;
  runId?: string;
  /** Batches processed at once (the event source's maximum concurrency on AWS). */
  concurrency?: number;
  batchSize?: number;
  maxReceiveCount?: number;
  /** Index page size for the planner (DynamoDB's 1 MB pages when undefined). */
  pageLimit?: number;
  readShard?: CaptureShardReader;
  onProgress?: (progress: AggregationProgress) => void;
}

export interface DeadLetter {
  messageId: string;
  tenantId?: string;
  entityId?: string;
  receiveCount: number;
  error?: string;
}

export interface AggregationSummary {
  runId: string;
  asOf: string;
  plan: PlanSummary;
  planAttempts: number;
  entities: number;
  processed: number;
  skippedDisabled: number;
  skippedMissing: number;
  duplicates: number;
  /** Deliveries that failed and were delivered again (or dead-lettered). */
  failedAttempts: number;
  deadLetters: DeadLetter[];
  readings: number;
  sessionsWritten: number;
  rollupsWritten: number;
  rollupsDeleted: number;
  readUnits: number;
  writeUnits: number;
  planMs: number;
  totalMs: number;
}

/** The SQS event Lambda would be given for these messages (the worker's input); tests build theirs with it. */
export function sqsEvent(messages: readonly QueuedMessage[]): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.messageId,
      receiptHandle: message.messageId,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAtMs),
        SenderId: 'evsessions-local',
        ApproximateFirstReceiveTimestamp: String(message.sentAtMs),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:evsessions-daily-job',
      awsRegion: 'local',
    })),
  };
}

export async function runAggregation(options: AggregationOptions): Promise<AggregationSummary> {
  const started = performance.now();
  const asOf = options.asOf.toISOString();
  const runId = options.runId ?? `local-${asOf}`;
  const maxReceiveCount = options.maxReceiveCount ?? MAX_RECEIVE_COUNT;
  const queue = new InProcessQueue({ idPrefix: `${runId}-${Date.now().toString(36)}`, maxReceiveCount });
  const progress: AggregationProgress = { phase: 'planning', planned: 0, done: 0, failedAttempts: 0 };
  const report = () => options.onProgress?.({ ...progress });

  let plan: PlanSummary | undefined;
  let planAttempts = 0;
  while (!plan) {
    planAttempts++;
    try {
      plan = await planDailyRun(
        { asOf: options.asOf, runId },
        {
          queue,
          pageLimit: options.pageLimit,
          readShard: options.readShard,
          onProgress: () => {
            progress.planned = queue.sent;
            report();
          },
        },
      );
    } catch (error) {
      // What the failed attempt enqueued stays queued: the retry enqueues it again, as on AWS.
      if (planAttempts >= PLANNER_ATTEMPTS) throw error;
    }
  }
  progress.planned = queue.sent;
  const planMs = performance.now() - started;

  const counts = {
    processed: 0,
    skippedDisabled: 0,
    skippedMissing: 0,
    duplicates: 0,
    readings: 0,
    sessionsWritten: 0,
    rollupsWritten: 0,
    rollupsDeleted: 0,
    readUnits: 0,
    writeUnits: 0,
  };
  const lastError = new Map<string, string>();
  const tally = (outcome: RecordOutcome) => {
    counts.readUnits += outcome.consumed.readUnits;
    counts.writeUnits += outcome.consumed.writeUnits;
    if (outcome.status === 'failed') {
      if (outcome.error) lastError.set(outcome.messageId, outcome.error);
      return;
    }
    counts.readings += outcome.readings;
    counts.sessionsWritten += outcome.sessionsWritten;
    counts.rollupsWritten += outcome.rollupsWritten;
    counts.rollupsDeleted += outcome.rollupsDeleted;
    if (outcome.status === 'processed') counts.processed++;
    else if (outcome.status === 'skipped_disabled') counts.skippedDisabled++;
    else if (outcome.status === 'skipped_missing') counts.skippedMissing++;
    else counts.duplicates++;
  };

  progress.phase = 'processing';
  report();
  const lane = async () => {
    while (queue.waiting > 0 || queue.inFlightCount > 0) {
      const batch = queue.receive(options.batchSize ?? WORKER_BATCH_SIZE);
      if (batch.length === 0) {
        // Another lane holds the last messages; one of them may come back failed.
        await new Promise((resolve) => setTimeout(resolve, 2));
        continue;
      }
      const ids = batch.map((message) => message.messageId);
      let failed: Set<string>;
      try {
        const result = await options.worker.handleBatch(sqsEvent(batch));
        for (const outcome of result.outcomes) tally(outcome);
        failed = new Set(result.response.batchItemFailures.map((failure) => failure.itemIdentifier));
      } catch (error) {
        // An invocation that throws fails its whole batch, as the event source treats it.
        failed = new Set(ids);
        for (const id of ids) lastError.set(id, (error as Error).message);
      }
      queue.acknowledge(ids.filter((id) => !failed.has(id)));
      const deadBefore = queue.deadLetters.length;
      queue.fail(failed);
      progress.failedAttempts += failed.size;
      progress.done += ids.length - failed.size + (queue.deadLetters.length - deadBefore);
      report();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? WORKER_MAX_CONCURRENCY }, lane));

  return {
    runId,
    asOf,
    plan,
    planAttempts,
    entities: plan.entities,
    ...counts,
    failedAttempts: progress.failedAttempts,
    deadLetters: queue.deadLetters.map((message) => {
      const decoded = decodeJobMessage(message.body);
      const error = lastError.get(message.messageId);
      return {
        messageId: message.messageId,
        ...(decoded ? { tenantId: decoded.tenantId, entityId: decoded.entityId } : {}),
        receiveCount: message.receiveCount,
        ...(error ? { error } : {}),
      };
    }),
    planMs,
    totalMs: performance.now() - started,
  };
}

// ----- the worker's Lambda module ------------------------------------------------------------------------

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The worker's Lambda module (functions/worker.ts), loaded as Lambda loads it, so local runs use the very
 * handler and processor AWS runs. EVS_WORKER_ENTRY names another module (tests).
 */
export async function loadWorkerHandler(): Promise<WorkerHandler> {
  const entry = resolve(REPOSITORY_ROOT, process.env.EVS_WORKER_ENTRY ?? JOB_FUNCTIONS.worker.entry);
  const shown = relative(process.cwd(), entry);
  if (!existsSync(entry)) {
    throw new Error(
      `${shown} does not exist: it is the daily job's worker, which wires the per-entity processor.`,
    );
  }
  const module = (await import(pathToFileURL(entry).href)) as { handler?: Partial<WorkerHandler> };
  if (typeof module.handler?.handleBatch !== 'function') {
    throw new Error(
      `${shown} does not export a handler made by createWorkerHandler (shared/pipeline/worker.ts).`,
    );
  }
  return module.handler as WorkerHandler;
}

// ----- the command line's view ---------------------------------------------------------------------------

/** An interval like 90s, 30m, 6h or 1d, in milliseconds; undefined when it is not one. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Number(match[1]) * unit;
  return ms > 0 ? ms : undefined;
}

/**
 * The as-of instant of `--date YYYY-MM-DD`: the end of that day in UTC, as the run scheduled the next
 * night would see it, or now if that is later than now (today's run).
 */
export function asOfForDate(date: string | undefined, now: Date): Date {
  if (date === undefined) return now;
  const end = Date.parse(`${date}T00:00:00.000Z`) + 86_400_000;
  return new Date(Math.min(end, now.getTime()));
}

export function progressBar(progress: AggregationProgress, width = 30): string {
  if (progress.phase === 'planning')
    return `planning… ${progress.planned.toLocaleString('en-US')} entities enqueued`;
  const total = Math.max(progress.planned, 1);
  const filled = Math.round((Math.min(progress.done, total) / total) * width);
  const percent = Math.floor((Math.min(progress.done, total) / total) * 100);
  const retries = progress.failedAttempts ? `, ${progress.failedAttempts} retried` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress.done}/${progress.planned} entities (${percent}%${retries})`;
}

export function formatSummary(summary: AggregationSummary): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const seconds = summary.totalMs / 1000;
  const perReading = (units: number) => (summary.readings > 0 ? (units / summary.readings).toFixed(4) : '–');
  const lines = [
    `daily job as of ${summary.asOf} (${summary.runId})`,
    `  entities          ${n(summary.entities)} enqueued: ${n(summary.processed)} processed, ${n(summary.skippedDisabled)} switched off, ${n(summary.skippedMissing)} deleted, ${n(summary.duplicates)} duplicates`,
    `  readings          ${n(summary.readings)}`,
    `  sessions written  ${n(summary.sessionsWritten)}`,
    `  daily rollups     ${n(summary.rollupsWritten)} written, ${n(summary.rollupsDeleted)} removed`,
    `  capacity          ${summary.readUnits.toFixed(1)} read units (${perReading(summary.readUnits)} per reading), ${summary.writeUnits.toFixed(1)} write units (${perReading(summary.writeUnits)} per reading)`,
    `  time              ${seconds.toFixed(2)} s (planning ${(summary.planMs / 1000).toFixed(2)} s${summary.planAttempts > 1 ? `, ${summary.planAttempts} attempts` : ''})${summary.readings > 0 ? `, ${n(Math.round(summary.readings / seconds))} readings/s` : ''}`,
  ];
  if (summary.failedAttempts > 0) lines.push(`  retried           ${n(summary.failedAttempts)} deliveries`);
  if (summary.deadLetters.length > 0) {
    lines.push(`  dead letters      ${summary.deadLetters.length}:`);
    for (const dead of summary.deadLetters.slice(0, 20)) {
      lines.push(
        `    ${dead.tenantId ?? '?'}/${dead.entityId ?? '?'} after ${dead.receiveCount} deliveries: ${dead.error ?? 'unknown error'}`,
      );
    }
  }
  return lines.join('\n');
}
