// The rules of processing one entity, as pure functions: which window of readings a run reads, how the
// engine's sessions become stored records, how calculated sessions yield to measured ones, and how long
// an entity's lease keeps others waiting. No storage, no clock.

import type { DetectedSession } from '../engine/types.js';
import type { EntityRecord } from '../entities/domain.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import { ENTITY_LEASE_MS } from './settings.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A run treats readings as complete up to this long before now: telematics back-ends deliver in batches
 * minutes late, and a car that was briefly offline uploads its buffer when it reconnects. A reading that
 * arrives later than this for a time the cursor has already passed is stored but does not change
 * sessions (ingestion counts it as `late`). Costs nothing but this much freshness on a daily job.
 */
export const READINGS_SETTLE_MS = 1 * HOUR;

/**
 * How far before the first calculated session a charger-measured session is looked for: a measured
 * session that began up to this long earlier can still overlap it. Longer than any real plug-in at a
 * public charger (those are hours), so none is missed.
 */
export const MEASURED_LOOKBACK_MS = 48 * HOUR;

export interface ProcessingWindow {
  /** Epoch ms, inclusive: the cursor (the engine's last resumeFrom), never before expired readings. */
  from: number;
  /** Epoch ms, inclusive: readings are treated as complete up to here. */
  to: number;
}

/**
 * The engine's window for a run. It starts exactly at the cursor — the previous run's `resumeFrom` —
 * because the engine guarantees that runs chained that way give exactly the sessions of one run over all
 * the data; starting anywhere else could split a session held back as in progress. The overlap with the
 * previous run is the engine's: `resumeFrom` lies before any session still in progress and its context.
 * A first run (no cursor) starts at the oldest reading still retained. Null when there is nothing to
 * read yet (the cursor is already at the settled edge).
 */
export function processingWindow(
  cursor: number | null,
  now: Date,
  retentionMs: number,
): ProcessingWindow | null {
  const oldest = now.getTime() - retentionMs;
  const from = cursor === null ? oldest : Math.max(cursor, oldest);
  const to = now.getTime() - READINGS_SETTLE_MS;
  return from <= to ? { from, to } : null;
}

/** The engine's sessions as stored records: the tenant, the entity's type, when computed, nothing measured. */
export function toSessionRecords(
  sessions: readonly DetectedSession[],
  entity: Pick<EntityRecord, 'tenantId' | 'type'>,
  now: Date,
): ChargeSessionRecord[] {
  const created = now.toISOString();
  return sessions.map((session) => ({
    ...session,
    tenantId: entity.tenantId,
    entityType: entity.type,
    created,
    measured: null,
  }));
}

/** Whether two sessions share any instant (touching ends do not count). */
export function overlaps(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}

/**
 * A charger's own measurement of a session (public charging, `source: measured`) is better than what
 * the engine reconstructs from the same charge point's readings, so a calculated session that overlaps
 * a measured one is not stored: the charge point keeps one session per charge, the measured one.
 */
export function withoutMeasuredOverlap(
  calculated: readonly ChargeSessionRecord[],
  stored: readonly ChargeSessionRecord[],
): { kept: ChargeSessionRecord[]; superseded: ChargeSessionRecord[] } {
  const measured = stored.filter((s) => s.source === 'measured');
  const kept: ChargeSessionRecord[] = [];
  const superseded: ChargeSessionRecord[] = [];
  for (const session of calculated) {
    if (measured.some((m) => overlaps(session, m))) superseded.push(session);
    else kept.push(session);
  }
  return { kept, superseded };
}

/**
 * The calculated sessions among `sessions` that overlap a measured one among them: what a measured
 * session that arrived after the daily job stored them supersedes (the same rule as
 * withoutMeasuredOverlap, applied to what is already stored).
 */
export function supersededCalculated(sessions: readonly ChargeSessionRecord[]): ChargeSessionRecord[] {
  return withoutMeasuredOverlap(
    sessions.filter((s) => s.source === 'calculated'),
    sessions,
  ).superseded;
}

/**
 * Where a measured session's overlapping calculated sessions can start: up to MEASURED_LOOKBACK_MS before
 * it, and before its end.
 */
export function overlapLookupRange(measured: { start: string; end: string }): { start: string; end: string } {
  return {
    start: new Date(Date.parse(measured.start) - MEASURED_LOOKBACK_MS).toISOString(),
    end: new Date(Date.parse(measured.end)).toISOString(),
  };
}

/**
 * From when an entity's daily rollups no longer match its stored sessions once `measured` replaced the
 * calculated sessions it supersedes (epoch ms): the earliest start among them, since a day holds a
 * session's share from its start on.
 */
export function staleFrom(measured: { start: string }, superseded: readonly { start: string }[]): number {
  return Math.min(Date.parse(measured.start), ...superseded.map((s) => Date.parse(s.start)));
}

/** The starts to look for measured sessions among: any that could overlap one of `sessions`. */
export function measuredLookupRange(sessions: readonly ChargeSessionRecord[]): {
  start: string;
  end: string;
} {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of sessions) {
    first = Math.min(first, Date.parse(s.start));
    last = Math.max(last, Date.parse(s.end));
  }
  return {
    start: new Date(first - MEASURED_LOOKBACK_MS).toISOString(),
    end: new Date(last).toISOString(),
  };
}

/**
 * Whole seconds until a run's lease on an entity ends (`untilMs`, epoch ms), or null when it has ended.
 * Rounded up and at least 1 s, so that waiting this long finds it ended; at most one lease length, so a
 * holder whose clock runs ahead cannot keep anyone waiting longer than a lease can last. (Ended at
 * `untilMs` itself, where acquireEntityLease waits one millisecond more: a live worker gives its lease
 * back long before, within its timeout.)
 */
export function leaseSecondsLeft(untilMs: number, nowMs: number): number | null {
  if (untilMs <= nowMs) return null;
  return Math.min(Math.ceil(ENTITY_LEASE_MS / 1000), Math.ceil((untilMs - nowMs) / 1000));
}
