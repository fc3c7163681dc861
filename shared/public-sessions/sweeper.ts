// The scheduled sweeper: every minute it reads the due index (GSI1 `PSDUE#<shard>`) and, for each
// session due, applies its status timeout (created → expired, start → failed, stop → settling, max
// charging → stopping) or carries out the effects left in its outbox. The same pure rules as a driver's
// read (nextTimeout + transition); each session is re-read consistently, so a stale index entry is
// harmless. Sessions are processed a few at a time so one slow provider call does not hold the rest.

import { logger } from '../logger.js';
import { nextTimeout } from '../public-charging/lifecycle.js';
import { DUE_SHARDS, getSession, listDueSessionIds } from '../storage/public-sessions.js';
import { applyDueTimeout, carryOut } from './engine.js';

/** Sessions looked at per run; at one run a minute that is far above any realistic due rate. */
export const SWEEP_LIMIT = 2_000;
const CONCURRENCY = 8;

const log = logger.child({ area: 'public-charging-sweeper' });

export interface SweepReport {
  due: number;
  timedOut: number;
  effectsCarriedOut: number;
  failed: number;
}

/** Brings one session up to date at `now`: its due timeout, then its outbox. */
export async function processDueSession(
  sessionId: string,
  now: Date,
): Promise<'timed_out' | 'effects' | 'none'> {
  const stored = await getSession(sessionId);
  if (!stored) return 'none';
  const timeout = nextTimeout(stored.record);
  if (timeout && now.getTime() >= Date.parse(timeout.dueAt)) {
    await applyDueTimeout(stored, now);
    return 'timed_out';
  }
  if (stored.pendingEffects.length > 0) {
    await carryOut(stored, now);
    return 'effects';
  }
  return 'none';
}

export async function sweepDueSessions(now: Date): Promise<SweepReport> {
  const perShard = Math.ceil(SWEEP_LIMIT / DUE_SHARDS);
  const shards = await Promise.all(
    Array.from({ length: DUE_SHARDS }, (_, shard) => listDueSessionIds(shard, now, perShard)),
  );
  const ids = [...new Set(shards.flat())];
  const report: SweepReport = { due: ids.length, timedOut: 0, effectsCarriedOut: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      try {
        const outcome = await processDueSession(id, now);
        if (outcome === 'timed_out') report.timedOut++;
        if (outcome === 'effects') report.effectsCarriedOut++;
      } catch (error) {
        report.failed++;
        log.warn('could not process a due session; the next run retries', { sessionId: id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (report.due > 0) log.info('sweep', { ...report });
  return report;
}
