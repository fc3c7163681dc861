// Use case: a session a charger measured takes the place of the calculated sessions it overlaps, even when
// it arrives after the daily job stored them (a charger that was offline delivers its transaction's end a
// day late). Recording one: store it, find the calculated sessions it overlaps, mark the entity's rollups
// stale from the earliest start among them, then delete them. The job's next run recomputes the rollups
// from the mark, however far back it lies, after repeating the clean-up under its lease.
//
// Why this order: the mark is set once the measured session is stored and before anything is deleted, so
// a crash part-way leaves a mark that covers what was found, and a retry finds the rest again. A run that
// read the mark does the clean-up itself before reading sessions, so a delete still in flight does not
// matter; and it clears only the marks it read (shared/storage/rollups.ts). The worker's clean-up also
// removes a calculated session the job stored while this recording was looking for it. Every step is
// idempotent: recording a session again rewrites the same item and finds nothing left to delete.

import { mapConcurrent } from '../concurrency.js';
import { type ChargeSessionRecord, toChargeSessionResource } from '../sessions/model.js';
import { markRollupsStale } from '../storage/rollups.js';
import {
  deleteCalculatedSession,
  readEntitySessions,
  type SessionRange,
  upsertSession,
} from '../storage/sessions.js';
import type { DomainEvent, EventSink } from '../webhooks/events.js';
import { overlapLookupRange, staleFrom, supersededCalculated } from './domain.js';
import { eventId } from './live.js';

/** Deletes in flight: a measured session overlaps one or two calculated ones at most. */
const DELETE_CONCURRENCY = 4;

/** The entity's calculated sessions starting in `range` that overlap a measured one starting there too. */
async function findSuperseded(
  tenantId: string,
  entityId: string,
  range: SessionRange,
): Promise<ChargeSessionRecord[]> {
  return supersededCalculated(await readEntitySessions(tenantId, entityId, range));
}

async function deleteAll(tenantId: string, entityId: string, sessions: readonly ChargeSessionRecord[]) {
  // A delete that finds the item gone or measured (a concurrent clean-up) is no failure.
  await mapConcurrent(sessions, DELETE_CONCURRENCY, (session) =>
    deleteCalculatedSession(tenantId, entityId, session.start),
  );
}

/**
 * Deletes the entity's calculated sessions that start in `range` and overlap a measured session that also
 * starts there (read strongly consistent); answers the ones it found. The daily job's clean-up.
 */
export async function supersedeCalculatedSessions(
  tenantId: string,
  entityId: string,
  range: SessionRange,
): Promise<ChargeSessionRecord[]> {
  const superseded = await findSuperseded(tenantId, entityId, range);
  await deleteAll(tenantId, entityId, superseded);
  return superseded;
}

/**
 * Stores a measured session (the caller has checked the entity captures sessions), marks the rollups
 * stale from the earliest start of it and the calculated sessions it overlaps, and deletes those. Answers
 * how many calculated sessions it superseded.
 */
export async function recordMeasuredSession(
  measured: ChargeSessionRecord,
  events: EventSink,
): Promise<number> {
  const { tenantId, entityId } = measured;
  await upsertSession(measured);
  const superseded = await findSuperseded(tenantId, entityId, overlapLookupRange(measured));
  // Subscribers told of a calculated session hear that it is gone, before it goes (idempotent ids: a
  // retried recording records nothing twice).
  await events.record(superseded.map((session) => supersededEvent(session, measured)));
  await markRollupsStale({ tenantId, entityId, fromMs: staleFrom(measured, superseded), by: measured.id });
  await deleteAll(tenantId, entityId, superseded);
  return superseded.length;
}

/** `charge_session.superseded` for a calculated session a measured one replaced: the session as listed, and by what. */
export function supersededEvent(session: ChargeSessionRecord, measured: ChargeSessionRecord): DomainEvent {
  return {
    id: eventId(session.id, 'charge_session.superseded', `by:${measured.id}`),
    type: 'charge_session.superseded',
    tenantId: session.tenantId,
    occurredAt: measured.end,
    data: { ...toChargeSessionResource(session), supersededBy: measured.id },
  };
}
