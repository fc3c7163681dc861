// Use case: plan one run of the daily job. Pages through every entity with CaptureChargeSessions on — the
// sparse, sharded capture index on GSI1 (access pattern 10), Query per shard, never a Scan — and sends one
// queue message per entity, ten to a SendMessageBatch. Entries SQS refuses for a passing reason (throttling,
// an internal error) are sent again with backoff; an entry refused as malformed fails the run.
//
// Cost is linear in the number of enabled entities: one read of each index item, one tenth of a send call
// per entity. The shards are read in parallel, each page's batches a few at a time.

import { mapConcurrent } from '../concurrency.js';
import { CAPTURE_SHARDS, type CaptureShardPage, listCaptureShard } from '../storage/entities.js';
import type { Position } from '../storage/page.js';
import { retryTransient } from '../storage/retry.js';
import { encodeJobMessage } from './messages.js';

/** SQS takes at most ten messages per SendMessageBatch. */
export const SEND_BATCH_MAX = 10;
/** Calls per batch (the first and its retries) before the run fails; the scheduler then retries the run. */
export const SEND_ATTEMPTS = 6;
/** First backoff before resending refused entries; doubles each time (50, 100, 200, 400, 800 ms). */
export const SEND_BACKOFF_MS = 50;
/** Reads of one index page (the first and its retries) before a transient failure fails the run. */
export const PAGE_READ_ATTEMPTS = 4;
/** Batches in flight per shard: 16 shards × 4 = 64 concurrent SendMessageBatch calls at most. */
export const SENDS_IN_FLIGHT_PER_SHARD = 4;

export interface QueueEntry {
  /** Unique within one call. */
  id: string;
  body: string;
}

export interface QueueEntryFailure {
  id: string;
  /** True when the entry itself is at fault (malformed, too large): resending cannot help. */
  senderFault: boolean;
  code: string;
}

/** Sends up to SEND_BATCH_MAX messages in one call and says which of them were not accepted. */
export interface QueueSender {
  sendBatch(entries: readonly QueueEntry[]): Promise<{ failed: QueueEntryFailure[] }>;
}

export type CaptureShardReader = (
  shard: number,
  startKey: Position | undefined,
  limit: number | undefined,
) => Promise<CaptureShardPage>;

export interface PlannerDeps {
  queue: QueueSender;
  /** The capture index; the DynamoDB one unless a test replaces it. */
  readShard?: CaptureShardReader;
  /** Items per index page; DynamoDB's 1 MB pages when undefined. */
  pageLimit?: number | undefined;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each batch is accepted, with the number of entities enqueued so far. */
  onProgress?: (enqueued: number) => void;
}

export interface PlanSummary {
  runId: string;
  asOf: string;
  shards: number;
  /** Index Queries made (pages), over all shards. */
  pages: number;
  entities: number;
  sendCalls: number;
  /** Entries sent again after SQS refused them for a passing reason. */
  resentEntries: number;
}

export class QueueSendError extends Error {
  constructor(
    message: string,
    readonly failures: QueueEntryFailure[],
  ) {
    super(message);
    this.name = 'QueueSendError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Counters {
  pages: number;
  entities: number;
  sendCalls: number;
  resentEntries: number;
}

/** Sends one batch until every entry is accepted, resending only the refused ones. */
async function sendBatch(
  entries: QueueEntry[],
  deps: Required<Pick<PlannerDeps, 'queue' | 'sleep'>>,
  counters: Counters,
): Promise<void> {
  let pending = entries;
  for (let attempt = 1; ; attempt++) {
    let failed: QueueEntryFailure[];
    counters.sendCalls++;
    try {
      ({ failed } = await deps.queue.sendBatch(pending));
    } catch (error) {
      // The SDK has already retried what it retries; a call that still fails is retried here as a whole.
      if (attempt >= SEND_ATTEMPTS) throw error;
      failed = pending.map((entry) => ({ id: entry.id, senderFault: false, code: (error as Error).name }));
    }
    if (failed.length === 0) return;
    const faulty = failed.filter((failure) => failure.senderFault);
    if (faulty.length > 0) {
      throw new QueueSendError(
        `SQS refused ${faulty.length} message(s) as malformed: ${[...new Set(faulty.map((f) => f.code))].join(', ')}`,
        faulty,
      );
    }
    if (attempt >= SEND_ATTEMPTS) {
      throw new QueueSendError(
        `SQS still refused ${failed.length} message(s) after ${attempt} attempts: ${[...new Set(failed.map((f) => f.code))].join(', ')}`,
        failed,
      );
    }
    const refused = new Set(failed.map((failure) => failure.id));
    pending = pending.filter((entry) => refused.has(entry.id));
    counters.resentEntries += pending.length;
    await deps.sleep(SEND_BACKOFF_MS * 2 ** (attempt - 1));
  }
}

/** Enqueues every entity with CaptureChargeSessions on, once, for the run as of `run.asOf`. */
export async function planDailyRun(
  run: { asOf: Date; runId: string },
  deps: PlannerDeps,
): Promise<PlanSummary> {
  const readShard = deps.readShard ?? listCaptureShard;
  const send = { queue: deps.queue, sleep: deps.sleep ?? defaultSleep };
  const asOf = run.asOf.toISOString();
  const counters: Counters = { pages: 0, entities: 0, sendCalls: 0, resentEntries: 0 };

  // A page read that DynamoDB throttled or failed transiently, after the SDK's own retries, is read again:
  // one bad page need not cost the whole run (whose retry would enqueue every entity a second time). Any
  // other failure (a denied or malformed request) fails the run at once: reading again cannot help.
  const readPage = (shard: number, startKey: Position | undefined) =>
    retryTransient(() => readShard(shard, startKey, deps.pageLimit), {
      attempts: PAGE_READ_ATTEMPTS,
      baseMs: SEND_BACKOFF_MS,
      sleep: send.sleep,
    });

  const planShard = async (shard: number) => {
    let startKey: Position | undefined;
    do {
      const page = await readPage(shard, startKey);
      counters.pages++;
      const batches: QueueEntry[][] = [];
      for (let i = 0; i < page.entities.length; i += SEND_BATCH_MAX) {
        batches.push(
          page.entities.slice(i, i + SEND_BATCH_MAX).map((entity, index) => ({
            id: String(index),
            body: encodeJobMessage({ v: 1, ...entity, asOf, runId: run.runId }),
          })),
        );
      }
      await mapConcurrent(batches, SENDS_IN_FLIGHT_PER_SHARD, async (batch) => {
        await sendBatch(batch, send, counters);
        counters.entities += batch.length;
        deps.onProgress?.(counters.entities);
      });
      startKey = page.nextKey;
    } while (startKey);
  };

  await Promise.all(Array.from({ length: CAPTURE_SHARDS }, (_, shard) => planShard(shard)));
  return { runId: run.runId, asOf, shards: CAPTURE_SHARDS, ...counters };
}
