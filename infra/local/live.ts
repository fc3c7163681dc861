// `npm start`'s real-time path, in process: what the FIFO queue and the real-time worker do on AWS. Readings
// stored for an entity schedule one run of it after a short debounce (the queue's bucket, scaled down), at
// most one run per entity at a time (a trigger during a run schedules one more after it), each run the
// worker's own runLive. Tests use `settle()` to wait until every scheduled run is done.

import type { Logger } from '../../shared/logger.js';
import { createLogger } from '../../shared/logger.js';
import { setLiveTrigger } from '../../shared/pipeline/live-trigger.js';
import { type LiveOutcome, runLive } from '../../shared/pipeline/live-worker.js';
import type { EntityRef } from '../../shared/pipeline/processor.js';
import { LOCAL_LIVE_DEBOUNCE_MS } from '../../shared/pipeline/settings.js';
import type { EventSink } from '../../shared/webhooks/events.js';

export interface LocalLive {
  /** Resolves once no run is scheduled or running (fires scheduled runs at once). */
  settle(): Promise<void>;
  /** Every run's outcome, in the order they finished (tests and the bench read them). */
  outcomes: LiveOutcome[];
  /** Unregisters the trigger and waits for runs in flight. */
  stop(): Promise<void>;
}

interface Slot {
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  again: boolean;
}

export function startLocalLive(
  options: { events?: EventSink; debounceMs?: number; clock?: () => Date; log?: Logger } = {},
): LocalLive {
  const debounceMs = options.debounceMs ?? LOCAL_LIVE_DEBOUNCE_MS;
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? createLogger({ service: 'evsessions', component: 'live-local' });
  const slots = new Map<string, Slot>();
  const outcomes: LiveOutcome[] = [];
  let runs = 0;

  const run = (key: string, ref: EntityRef, slot: Slot) => {
    slot.timer = undefined;
    slot.running = (async () => {
      const outcome = await runLive(ref, `local-${++runs}`, { events: options.events, clock, log });
      outcomes.push(outcome);
      if (outcome.status === 'failed')
        log.warn('live: entity failed (the daily job will process it)', { ...ref, error: outcome.error });
    })().finally(() => {
      slot.running = undefined;
      if (slot.again) {
        slot.again = false;
        schedule(key, ref);
      } else if (!slot.timer) slots.delete(key);
    });
  };

  const schedule = (key: string, ref: EntityRef) => {
    let slot = slots.get(key);
    if (!slot) {
      slot = { timer: undefined, running: undefined, again: false };
      slots.set(key, slot);
    }
    if (slot.running) {
      slot.again = true; // one more run after this one: it may have read before these readings were stored
      return;
    }
    if (slot.timer) return; // coalesced into the run already scheduled
    const s = slot;
    s.timer = setTimeout(() => run(key, ref, s), debounceMs);
    s.timer.unref();
  };

  const previous = setLiveTrigger(async (ref) => schedule(`${ref.tenantId}#${ref.entityId}`, ref));

  const settle = async () => {
    for (;;) {
      const pending: Promise<void>[] = [];
      for (const [key, slot] of slots) {
        if (slot.timer) {
          clearTimeout(slot.timer);
          const [tenantId = '', entityId = ''] = key.split('#');
          run(key, { tenantId, entityId }, slot);
        }
        if (slot.running) pending.push(slot.running);
      }
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  };

  return {
    settle,
    outcomes,
    async stop() {
      setLiveTrigger(previous);
      await settle();
    },
  };
}
