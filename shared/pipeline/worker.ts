// The daily job's worker: an SQS batch in, a partial batch response out. For each message (one entity) it
// takes the entity's lease, runs the injected processor (sessions and cursor), brings the entity's daily
// rollups up to date (from further back when a late measured session marked them stale), and gives the
// lease back, clearing the marks it read. A record fails alone: its message id is reported in
// batchItemFailures, SQS delivers it again after the visibility timeout and, after MAX_RECEIVE_COUNT
// deliveries, moves it to the dead-letter queue. An entity deleted or switched off is a success (skipped);
// for a deleted one the worker removes the job-state item its lease taking made again.
//
// Why a lease: a planner run retried enqueues entities twice, so two workers could hold the same entity at
// once; interleaved, one could write rollups computed before the other's sessions landed. The lease,
// owned by the SQS message id, serialises them. A message whose run is already covered by the holder's
// (same or later as-of instant) is a duplicate and succeeds at once: the holder's message stays in the
// queue until it completes. An older run's lease makes the record fail and come back later. A redelivery
// of the holder's own message (its attempt died) takes the lease over. A DELETE of the entity waits while
// a run holds the lease, so nothing a run writes can land after the entity's data was purged.

import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mapConcurrent } from '../concurrency.js';
import { createLogger, type Logger } from '../logger.js';
import { rollupRecomputeFrom, rollupSince, updateDailyRollups } from '../rollups/service.js';
import { measureCapacity } from '../storage/capacity.js';
import { retryTransient } from '../storage/retry.js';
import { acquireEntityLease, deleteEntityJobState, releaseEntityLease } from '../storage/rollups.js';
import { MEASURED_LOOKBACK_MS, staleFrom } from './domain.js';
import { supersedeCalculatedSessions } from './measured-sessions.js';
import { decodeJobMessage, type EntityJobMessage } from './messages.js';
import type { EntityProcessor, ProcessEntityResult } from './processor.js';
import { ENTITY_LEASE_MS, WORKER_BATCH_SIZE } from './settings.js';

export type RecordStatus = ProcessEntityResult['status'] | 'duplicate' | 'failed';

export interface RecordOutcome {
  messageId: string;
  /** Absent for a message that is not a job message. */
  tenantId?: string;
  entityId?: string;
  status: RecordStatus;
  readings: number;
  sessionsWritten: number;
  /** Rollup days put and deleted. */
  rollupsWritten: number;
  rollupsDeleted: number;
  /** The processor's units plus the worker's own (lease, rollups). */
  consumed: { readUnits: number; writeUnits: number };
  /** For a failed record: why (logged too). */
  error?: string;
}

export interface BatchResult {
  response: SQSBatchResponse;
  outcomes: RecordOutcome[];
}

export interface WorkerOptions {
  /** Wall-clock time, for leases and `updated` stamps (never for which readings are processed). */
  clock?: () => Date;
  log?: Logger;
}

/** The Lambda handler, which also exposes each record's outcome (the local runner and tests read them). */
export type WorkerHandler = ((event: SQSEvent) => Promise<SQSBatchResponse>) & {
  handleBatch(event: SQSEvent): Promise<BatchResult>;
};

class EntityBusyError extends Error {
  constructor(entityId: string, holderAsOf: string | null) {
    super(
      `entity ${entityId} is being processed by another worker (run as of ${holderAsOf ?? 'unknown'}); retried later`,
    );
    this.name = 'EntityBusyError';
  }
}

class LeaseLostError extends Error {
  constructor(entityId: string) {
    super(`the lease on entity ${entityId} expired and was taken before this run finished; retried later`);
    this.name = 'LeaseLostError';
  }
}

export const empty = (messageId: string, message: EntityJobMessage | undefined): RecordOutcome => ({
  messageId,
  ...(message ? { tenantId: message.tenantId, entityId: message.entityId } : {}),
  status: 'failed',
  readings: 0,
  sessionsWritten: 0,
  rollupsWritten: 0,
  rollupsDeleted: 0,
  consumed: { readUnits: 0, writeUnits: 0 },
});

/**
 * One entity under its lease: the processor, the stale-mark clean-up, the rollups, the release. Also the
 * real-time worker's (shared/pipeline/live-worker.ts), which passes `leaseAsOf` = the epoch: its lease then
 * never counts as covering a daily run (a daily message waits for it rather than succeeding as a duplicate).
 */
export async function processMessage(
  message: EntityJobMessage,
  messageId: string,
  outcome: RecordOutcome,
  processor: EntityProcessor,
  options: Required<WorkerOptions>,
  leaseAsOf: string = message.asOf,
): Promise<void> {
  const { tenantId, entityId } = message;
  const asOfMs = Date.parse(message.asOf);
  const owner = messageId;
  const lease = await acquireEntityLease({
    tenantId,
    entityId,
    owner,
    asOf: leaseAsOf,
    nowMs: options.clock().getTime(),
    leaseMs: ENTITY_LEASE_MS,
  });
  if (!lease.acquired) {
    const holderAsOf = lease.holder?.asOf ?? null;
    if (holderAsOf !== null && Date.parse(holderAsOf) >= asOfMs) {
      outcome.status = 'duplicate';
      return;
    }
    throw new EntityBusyError(entityId, holderAsOf);
  }

  let released = false;
  try {
    const result = await processor({ tenantId, entityId }, new Date(asOfMs));
    outcome.readings = result.readings;
    outcome.sessionsWritten = result.sessionsWritten;
    let rolledUpThrough: string | null | undefined;
    let clearStaleMarks: string[] | undefined;
    if (result.status === 'processed') {
      const { staleMarks } = lease.state;
      let staleFromMs = lease.state.rollupsStaleFrom;
      if (staleFromMs !== null) {
        // Sessions changed behind the job (a measured session arrived late). Its recording deletes the
        // calculated sessions it overlaps, but may not have finished, and one this entity's processor
        // stored while it looked may remain: clean up here, before the rollups read the sessions.
        const since = staleFromMs;
        const superseded = await retryTransient(() =>
          supersedeCalculatedSessions(tenantId, entityId, {
            start: new Date(since - MEASURED_LOOKBACK_MS).toISOString(),
          }),
        );
        if (superseded.length > 0) {
          // A session removed here may have started before the mark: its days are stale too.
          staleFromMs = staleFrom({ start: new Date(since).toISOString() }, superseded);
          options.log.info('daily job: calculated sessions superseded by measured ones', {
            tenantId,
            entityId,
            superseded: superseded.length,
          });
        }
      }
      const update = await updateDailyRollups({
        tenantId,
        entityId,
        sinceMs: rollupRecomputeFrom(
          rollupSince(lease.state.rolledUpThrough, result.cursorBefore),
          staleFromMs,
        ),
        asOfMs,
        now: options.clock(),
      });
      outcome.rollupsWritten = update.written;
      outcome.rollupsDeleted = update.deleted;
      // Deleted between the processor and the rollups: nothing rolled up, so the marks stay where they were.
      // No DELETE removes the entity while this run holds the lease (it waits: shared/entities/service.ts),
      // so this check is a guard, not what keeps rollups from outliving their entity.
      if (update.range) {
        rolledUpThrough = result.cursorAfter;
        clearStaleMarks = staleMarks;
      }
    }
    released = true;
    if (result.status === 'skipped_missing') {
      // Taking the lease made the job-state item again (an upsert), and no DELETE can reach it now: remove
      // it, while this run still holds the lease. The processor read the entity strongly consistent after
      // the lease was taken and found none, and entity ids are never reused, so no entity owns this item.
      // A failed condition means it is gone already, or another run holds it and will do the same.
      await deleteEntityJobState({ tenantId, entityId, leaseOwner: owner });
    } else if (!(await releaseEntityLease({ tenantId, entityId, owner, rolledUpThrough, clearStaleMarks }))) {
      throw new LeaseLostError(entityId);
    }
    outcome.status = result.status;
  } finally {
    // A failed run gives the lease back at once (best effort: unreleased, it expires by itself).
    if (!released) await releaseEntityLease({ tenantId, entityId, owner }).catch(() => false);
  }
}

export function createWorkerHandler(processor: EntityProcessor, options: WorkerOptions = {}): WorkerHandler {
  const settings: Required<WorkerOptions> = {
    clock: options.clock ?? (() => new Date()),
    log: options.log ?? createLogger({ service: 'evsessions', component: 'daily-job-worker' }),
  };

  const processRecord = async (record: SQSRecord): Promise<RecordOutcome> => {
    const message = decodeJobMessage(record.body);
    const outcome = empty(record.messageId, message);
    if (!message) {
      // Poison: no retry can help, but failing it sends it to the dead-letter queue, where the alarm sees it.
      outcome.error = 'not a daily-job message';
      settings.log.error('daily job: malformed message', { messageId: record.messageId });
      return outcome;
    }
    // Everything the message cost, the processor's own reads and writes included (meters nest).
    const { consumed } = await measureCapacity(async () => {
      try {
        await processMessage(message, record.messageId, outcome, processor, settings);
      } catch (error) {
        outcome.status = 'failed';
        outcome.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    });
    outcome.consumed = consumed;
    const fields = {
      messageId: record.messageId,
      tenantId: message.tenantId,
      entityId: message.entityId,
      runId: message.runId,
      asOf: message.asOf,
      receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
      status: outcome.status,
      readings: outcome.readings,
      sessionsWritten: outcome.sessionsWritten,
      rollupsWritten: outcome.rollupsWritten,
      rollupsDeleted: outcome.rollupsDeleted,
      readUnits: outcome.consumed.readUnits,
      writeUnits: outcome.consumed.writeUnits,
    };
    if (outcome.status === 'failed')
      settings.log.warn('daily job: entity failed', { ...fields, error: outcome.error });
    else settings.log.info('daily job: entity', fields);
    return outcome;
  };

  const handleBatch = async (event: SQSEvent): Promise<BatchResult> => {
    const outcomes = await mapConcurrent(event.Records, WORKER_BATCH_SIZE, processRecord);
    return {
      outcomes,
      response: {
        batchItemFailures: outcomes
          .filter((outcome) => outcome.status === 'failed')
          .map((outcome) => ({ itemIdentifier: outcome.messageId })),
      },
    };
  };

  const handler = async (event: SQSEvent) => (await handleBatch(event)).response;
  return Object.assign(handler, { handleBatch });
}
