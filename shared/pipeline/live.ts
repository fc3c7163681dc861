// The rules of keeping an entity's session in progress (the engine's `ongoing`) stored as an `active` item and
// telling webhook subscribers about it, as pure functions: which window a real-time run reads, what a run
// must write (the active item, deletes of a withdrawn or moved one, the entity's live state) and which
// events it records first. No storage, no clock.
//
// The entity's *live state* (on the entity item, next to the session cursor: shared/storage/entities.ts)
// remembers the active session a run stored: its id, start (its key), a version of its values, and the
// data time of its last refresh. It is where the `updated` throttle lives, and its `asOf` is the
// "processed through" mark that keeps a run reading less (the daily job, an older message) from replacing
// a fresher active item.

import { createHash } from 'node:crypto';
import type { Reading } from '../readings/model.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import { toChargeSessionResource } from '../sessions/model.js';
import type { DomainEvent, WebhookEventType } from '../webhooks/events.js';

const MINUTE = 60_000;

/**
 * An active item is rewritten (and `charge_session.updated` recorded) at most once per session per this
 * much data time: its energy so far changes with every reading, and each rewrite is a write unit and an
 * event. A start that moved, a completion or a withdrawal is written at once.
 */
export const LIVE_REFRESH_MS = 15 * MINUTE;

/** What the entity item remembers of the active session the last run stored. */
export interface LiveState {
  id: string;
  /** ISO 8601 UTC: the active item's sort key. */
  start: string;
  /** A digest of the values the active item holds. */
  version: string;
  /** ISO 8601 UTC: the data time (newest reading) the active item was last written for. */
  asOf: string;
}

/**
 * The window of a real-time run: from the cursor (like the daily job's) to the newest stored reading, not
 * to now. Runs are triggered by readings, so the data's own edge is the freshest thing known, and treating
 * the silence between it and now as "no readings" would complete a charge whose readings are still being
 * uploaded (a car emptying its buffer after a tunnel sends the older hours first). Null when nothing is
 * newer than what the last run processed (`processedThrough`): the run has nothing to do.
 */
export function liveWindow(
  cursor: number,
  newestReading: number | null,
  processedThrough: number | null,
): { from: number; to: number } | null {
  if (newestReading === null || newestReading < cursor) return null;
  if (processedThrough !== null && newestReading <= processedThrough) return null;
  return { from: cursor, to: newestReading };
}

/**
 * A digest of a session's values, so an unchanged active item is not written again. Cost and category are
 * left out: they follow from the values and the tariffs, and are only computed for a session being written.
 */
export function sessionVersion(session: ChargeSessionRecord): string {
  const { created: _created, asOf: _asOf, cost: _cost, category: _category, ...values } = session;
  return createHash('sha256').update(JSON.stringify(values)).digest('base64url').slice(0, 16);
}

/** A deterministic event id: the same fact recorded by a retried run, or by both paths, is one event. */
export function eventId(sessionId: string, type: WebhookEventType, version: string): string {
  const digest = createHash('sha256').update(`${sessionId}\n${type}\n${version}`).digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

function event(
  type: WebhookEventType,
  session: ChargeSessionRecord,
  version: string,
  occurredAt: string,
): DomainEvent {
  return {
    id: eventId(session.id, type, version),
    type,
    tenantId: session.tenantId,
    occurredAt,
    data: toChargeSessionResource(session),
  };
}

export interface LivePlan {
  /** Recorded before anything below is written. */
  events: DomainEvent[];
  /** The active item to write (conditional on being fresher than what is stored), or null. */
  active: ChargeSessionRecord | null;
  /** Starts of active items to delete (withdrawn, or their start moved or their session completed elsewhere). */
  removeActiveAt: string[];
  /** The live state to leave on the entity item: unchanged, replaced, or null (cleared). */
  next: LiveState | null;
  /** Whether `next` differs from the stored live state (the entity item must be written). */
  liveChanged: boolean;
}

export interface LiveInput {
  previous: LiveState | null;
  /** The completed sessions this run stores (priced, as stored). */
  completed: readonly ChargeSessionRecord[];
  /** The session in progress at the window's end, priced, or null. */
  ongoing: ChargeSessionRecord | null;
  /** ISO 8601 UTC: the window's end (the data time this run's view is as of). */
  asOf: string;
  /**
   * The withdrawn session's stored item, for a `superseded` event's data: what subscribers were told.
   * Read by the caller only when the plan names it (`withdrawn`).
   */
  withdrawn?: ChargeSessionRecord | null;
}

/** The session the live state names, when this run neither completes nor continues it: it vanished. */
export function withdrawnId(
  input: Pick<LiveInput, 'previous' | 'completed' | 'ongoing' | 'asOf'>,
): string | null {
  const { previous, completed, ongoing } = input;
  if (!previous || Date.parse(previous.asOf) > Date.parse(input.asOf)) return null;
  if (ongoing?.id === previous.id || completed.some((s) => s.id === previous.id)) return null;
  return previous.id;
}

/**
 * What a run must record and write for the session in progress and the sessions it completes. A run whose
 * view is older than the stored live state (`previous.asOf` later than `asOf`: the daily job's settled
 * window, or a late retry) leaves the active item and the live state as they are; its completed sessions
 * still count.
 */
export function planLive(input: LiveInput): LivePlan {
  const { previous, completed, ongoing, asOf } = input;
  const events: DomainEvent[] = [];
  const removeActiveAt: string[] = [];
  for (const session of completed) {
    events.push(event('charge_session.completed', session, sessionVersion(session), session.end));
    // The completed item replaces the active one when their starts agree (same key); a start that moved
    // leaves the active item behind, under the old key.
    if (previous?.id === session.id && previous.start !== session.start) removeActiveAt.push(previous.start);
  }
  const stale = previous !== null && Date.parse(previous.asOf) > Date.parse(asOf);
  if (stale) {
    // Its completion still ends the live state (the completed item took or removed the active one).
    const completes = completed.some((s) => s.id === previous.id);
    return {
      events,
      active: null,
      removeActiveAt,
      next: completes ? null : previous,
      liveChanged: completes,
    };
  }

  const gone = withdrawnId(input);
  if (gone !== null && previous) {
    removeActiveAt.push(previous.start);
    const data = input.withdrawn ?? null;
    if (data) events.push(event('charge_session.superseded', data, 'withdrawn', asOf));
  }
  if (!ongoing) return { events, active: null, removeActiveAt, next: null, liveChanged: previous !== null };

  const live: ChargeSessionRecord = { ...ongoing, status: 'active', asOf };
  const version = sessionVersion(live);
  const next: LiveState = { id: live.id, start: live.start, version, asOf };
  if (previous?.id !== live.id) {
    events.push(event('charge_session.started', live, 'started', live.start));
    return { events, active: live, removeActiveAt, next, liveChanged: true };
  }
  const moved = previous.start !== live.start;
  if (moved) removeActiveAt.push(previous.start);
  const due = Date.parse(asOf) - Date.parse(previous.asOf) >= LIVE_REFRESH_MS;
  if (!moved && (previous.version === version || !due)) {
    // Nothing to show yet: the stored item and live state stand (a run that changes nothing writes nothing).
    return { events, active: null, removeActiveAt, next: previous, liveChanged: false };
  }
  events.push(event('charge_session.updated', live, version, asOf));
  return { events, active: live, removeActiveAt, next, liveChanged: true };
}

/** Whether a plan, with the run's completed sessions and cursor move, writes anything at all. */
export function planWrites(plan: LivePlan): boolean {
  return plan.active !== null || plan.removeActiveAt.length > 0 || plan.liveChanged;
}

/** Power above this is energy flowing (the engine's own threshold for power evidence). */
const FLOWING_KW = 0.3;

/** A reading that says charging may have stopped: unplugged, not charging, no power, or the car moved. */
function endSignal(reading: Reading, previous: Reading | undefined): boolean {
  return (
    reading.isPluggedIn === false ||
    reading.isCharging === false ||
    (reading.powerKw !== undefined && reading.powerKw <= FLOWING_KW) ||
    (reading.odometerKm !== undefined &&
      previous?.odometerKm !== undefined &&
      reading.odometerKm > previous.odometerKm)
  );
}

/**
 * Whether newly stored readings may change the entity's sessions soon enough to be worth a real-time run:
 * the trigger's filter at ingestion, which has the entity (its live state) and the stored hour at hand. A
 * superset of what can matter, never the decision itself (the run decides, and the daily job reconciles):
 * - with no session in progress: any sign of energy flowing — power, the charging flag, a meter or state of
 *   charge above the previous reading's (none known: the next reading tells);
 * - with one in progress: LIVE_REFRESH_MS of data since the active item was written (its refresh, or its
 *   completion by a rule no single reading shows, such as a flat state of charge), or a reading that starts
 *   to say charging stopped (the first of them: a car left plugged in for hours says so every minute).
 * Without it, a car reporting every minute would run the engine 1,440 times a day to find nothing.
 */
export function mayChangeSessions(
  readings: readonly Reading[],
  previous: Reading | undefined,
  live: LiveState | null,
): boolean {
  let prev = previous;
  let energy = previous?.energyKwh;
  let soc = previous?.soc;
  for (const reading of readings) {
    if (live) {
      if (reading.t - Date.parse(live.asOf) >= LIVE_REFRESH_MS) return true;
      if (endSignal(reading, prev) && !(prev && endSignal(prev, undefined))) return true;
    } else {
      if ((reading.powerKw ?? 0) > FLOWING_KW || reading.isCharging === true) return true;
      // With nothing stored before to compare with (the first reading of an hour's segment), a rise is
      // seen at the next reading: a charge goes on rising, and a single step is no session anyway.
      if (reading.energyKwh !== undefined) {
        if (energy !== undefined && reading.energyKwh > energy) return true;
        energy = reading.energyKwh;
      }
      if (reading.soc !== undefined) {
        if (soc !== undefined && reading.soc > soc) return true;
        soc = reading.soc;
      }
    }
    prev = reading;
  }
  return false;
}
