// The real-time worker: a batch of the real-time FIFO queue in (one message = "readings arrived for this
// entity"), a partial batch response out. Each message first runs processEntity in `live` mode without
// writing, outside any lease (a few read units); only when that run would write — a session started,
// refreshed, completed or withdrawn, or a cursor an hour behind — does it take the entity's lease and run
// again through the daily worker's own path (processMessage: lease, processEntity, rollups, release), so the
// two paths serialise on one lease and share every rule. Most messages (a parked car reporting) write nothing.
//
// FIFO: the queue hands out one entity's messages in order and never two at once (MessageGroupId = the
// entity), so at most one run per entity is in flight. Within a batch, records are processed in order and
// a failure fails every record after it too, as a FIFO event source requires (order kept on retry).

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLogger, type Logger } from '../logger.js';
import { measureCapacity } from '../storage/capacity.js';
import type { EventSink } from '../webhooks/events.js';
import { decodeLiveMessage, type LiveMessage } from './messages.js';
import { processEntity } from './process-entity.js';
import type { EntityRef } from './processor.js';
import { empty, processMessage, type RecordOutcome } from './worker.js';

/** The lease a live run takes names the epoch as its run's instant: it never covers a daily run. */
const LIVE_LEASE_AS_OF = new Date(0).toISOString();

export interface LiveOutcome extends Omit<RecordOutcome, 'status'> {
  /** `unchanged`: the dry run found nothing to write; nothing was. */
  status: RecordOutcome['status'] | 'unchanged';
  events: number;
}

export interface LiveWorkerOptions {
  events?: EventSink | undefined;
  clock?: () => Date;
  log?: Logger;
}

/** One entity's real-time run, as the worker runs it per message (the local runner calls it directly). */
export async function runLive(
  ref: EntityRef,
  messageId: string,
  options: Required<Omit<LiveWorkerOptions, 'events'>> & { events?: EventSink | undefined },
): Promise<LiveOutcome> {
  const outcome: LiveOutcome = { ...empty(messageId, { v: 1, ...ref, asOf: '', runId: 'live' }), events: 0 };
  const { consumed } = await measureCapacity(async () => {
    try {
      const now = options.clock();
      const dry = await processEntity(ref, now, { mode: 'live', write: false });
      outcome.readings = dry.readings;
      if (dry.status !== 'processed' || !dry.changes) {
        outcome.status = dry.status === 'processed' ? 'unchanged' : dry.status;
        return;
      }
      if (dry.refreshOnly) {
        // Most writing runs only refresh the active item: without the lease (two writes saved).
        const refresh = await processEntity(ref, now, {
          mode: 'live',
          events: options.events,
          leaseless: true,
        });
        if (refresh.refreshOnly) {
          Object.assign(outcome, {
            status: refresh.status,
            readings: refresh.readings,
            sessionsWritten: refresh.sessionsWritten,
            events: refresh.events ?? 0,
          });
          return;
        }
      }
      const message = { v: 1 as const, ...ref, asOf: now.toISOString(), runId: 'live' };
      const job: RecordOutcome = empty(messageId, message);
      await processMessage(
        message,
        messageId,
        job,
        async (entity, at) => {
          const result = await processEntity(entity, at, { mode: 'live', events: options.events });
          outcome.events = result.events ?? 0;
          return result;
        },
        { clock: options.clock, log: options.log },
        LIVE_LEASE_AS_OF,
      );
      Object.assign(outcome, { ...job, consumed: outcome.consumed, events: outcome.events });
    } catch (error) {
      outcome.status = 'failed';
      outcome.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  });
  outcome.consumed = consumed;
  return outcome;
}

export type LiveWorkerHandler = ((event: SQSEvent) => Promise<SQSBatchResponse>) & {
  handleBatch(event: SQSEvent): Promise<{ response: SQSBatchResponse; outcomes: LiveOutcome[] }>;
};

export function createLiveWorkerHandler(options: LiveWorkerOptions = {}): LiveWorkerHandler {
  const settings = {
    events: options.events,
    clock: options.clock ?? (() => new Date()),
    log: options.log ?? createLogger({ service: 'evsessions', component: 'live-worker' }),
  };
  const handleBatch = async (event: SQSEvent) => {
    const outcomes: LiveOutcome[] = [];
    let failed = false;
    for (const record of event.Records) {
      const message: LiveMessage | undefined = decodeLiveMessage(record.body);
      if (failed || !message) {
        // After a failure the rest of the batch goes back in order; a poison message ends in the DLQ.
        const outcome = { ...empty(record.messageId, undefined), events: 0 };
        outcome.error = failed ? 'an earlier record of the batch failed' : 'not a real-time message';
        if (!message) settings.log.error('live: malformed message', { messageId: record.messageId });
        outcomes.push(outcome);
        failed = true;
        continue;
      }
      const outcome = await runLive(
        { tenantId: message.tenantId, entityId: message.entityId },
        record.messageId,
        settings,
      );
      const fields = {
        messageId: record.messageId,
        tenantId: message.tenantId,
        entityId: message.entityId,
        status: outcome.status,
        readings: outcome.readings,
        sessionsWritten: outcome.sessionsWritten,
        events: outcome.events,
        readUnits: outcome.consumed.readUnits,
        writeUnits: outcome.consumed.writeUnits,
      };
      if (outcome.status === 'failed') {
        failed = true;
        settings.log.warn('live: entity failed', { ...fields, error: outcome.error });
      } else settings.log.info('live: entity', fields);
      outcomes.push(outcome);
    }
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
