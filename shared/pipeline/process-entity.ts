// Use case: one step of the daily job — compute and store one entity's completed charge sessions since its
// cursor. Load the entity (skip cleanly if it is gone or capture is off), read its readings from the cursor
// to the settled edge, load the tenant's locations and settings, run the engine, price the sessions
// (shared/tariffs/price-sessions.ts), store them, and only then advance the cursor to the engine's
// `resumeFrom`.
//
// Crash safety: sessions are upserts keyed by (entity, start) with deterministic ids, and the cursor moves
// only after every session is stored, with a compare-and-set on the value this run started from. A crash
// anywhere before that leaves the cursor where it was, so a retry reads the same readings, computes the
// same sessions and rewrites them identically; a crash after it has nothing left to do.

import { mapConcurrent } from '../concurrency.js';
import { config } from '../config.js';
import { computeSessions } from '../engine/compute.js';
import { isCaptureEnabled } from '../entities/domain.js';
import { retentionMs } from '../readings/domain.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import { type ConsumedUnits, measureCapacity } from '../storage/capacity.js';
import { advanceSessionCursor, getEntityWithCursor } from '../storage/entities.js';
import { listAllLocations } from '../storage/locations.js';
import { readReadings } from '../storage/readings.js';
import { retryTransient } from '../storage/retry.js';
import { listEntitySessions, upsertSession } from '../storage/sessions.js';
import { getTenantSettings } from '../storage/tenant-settings.js';
import { priceSessions } from '../tariffs/price-sessions.js';
import { measuredLookupRange, processingWindow, toSessionRecords, withoutMeasuredOverlap } from './domain.js';

export interface ProcessEntityResult {
  /**
   * From a strongly consistent read of the entity made after the worker took its lease: so a run that
   * starts after a DELETE switched capture off writes nothing, and `skipped_missing` means the entity is
   * gone for good (ids are never reused) — the worker then deletes the entity's job state.
   */
  status: 'processed' | 'skipped_disabled' | 'skipped_missing';
  /** Readings the engine was given. */
  readings: number;
  sessionsWritten: number;
  /**
   * Completed charging the engine found but did not store: skipped by its rules (no energy signal, no
   * battery capacity, …) or superseded by a session a charger measured.
   */
  sessionsSkipped: number;
  /** ISO 8601 UTC; null before the entity's first run. */
  cursorBefore: string | null;
  cursorAfter: string | null;
  consumed: ConsumedUnits;
}

/** Session writes in flight per entity: a day holds a handful; the worker runs many entities at once. */
const SESSION_WRITE_CONCURRENCY = 4;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function processEntity(
  ref: { tenantId: string; entityId: string },
  now: Date,
): Promise<ProcessEntityResult> {
  const { result, consumed } = await measureCapacity(() => run(ref, now));
  return { ...result, consumed };
}

async function run(
  { tenantId, entityId }: { tenantId: string; entityId: string },
  now: Date,
): Promise<Omit<ProcessEntityResult, 'consumed'>> {
  const found = await retryTransient(() => getEntityWithCursor(tenantId, entityId));
  const cursorBefore = iso(found?.sessionCursor ?? null);
  const idle = {
    readings: 0,
    sessionsWritten: 0,
    sessionsSkipped: 0,
    cursorBefore,
    cursorAfter: cursorBefore,
  };
  if (!found) return { status: 'skipped_missing', ...idle };
  const { entity, sessionCursor } = found;
  if (!isCaptureEnabled(entity)) return { status: 'skipped_disabled', ...idle };

  const window = processingWindow(sessionCursor, now, retentionMs(config().readingsRetentionDays));
  if (!window) return { status: 'processed', ...idle };

  const [readings, locations, settings] = await Promise.all([
    retryTransient(() =>
      readReadings(tenantId, entityId, { from: window.from, to: window.to, notBefore: window.from }),
    ),
    retryTransient(() => listAllLocations(tenantId)),
    retryTransient(() => getTenantSettings(tenantId)),
  ]);
  const output = computeSessions({
    entity: { id: entity.id, type: entity.type, batteryCapacityKwh: entity.batteryCapacityKwh },
    readings,
    window,
    locations,
    exactLocation: settings.exactLocations,
  });

  let sessions = toSessionRecords(output.sessions, entity, now);
  let superseded = 0;
  if (entity.type === 'CP' && sessions.length > 0) {
    const stored = await retryTransient(() =>
      storedSessions(tenantId, entityId, measuredLookupRange(sessions)),
    );
    const split = withoutMeasuredOverlap(sessions, stored);
    sessions = split.kept;
    superseded = split.superseded.length;
  }
  // Priced from the same readings the engine used, with the tariffs as they are now: a re-run over the
  // same readings and tariffs stores the same cost.
  sessions = await priceSessions(tenantId, entity, sessions, readings, locations);
  const written = await mapConcurrent(sessions, SESSION_WRITE_CONCURRENCY, (session) =>
    retryTransient(() => upsertSession(session, { keepMeasured: true })),
  );
  const sessionsWritten = written.filter(Boolean).length;
  const sessionsSkipped = output.skipped.length + superseded + (written.length - sessionsWritten);

  const counts = { readings: readings.length, sessionsWritten, sessionsSkipped, cursorBefore };
  if (output.resumeFrom === sessionCursor)
    return { status: 'processed', ...counts, cursorAfter: cursorBefore };
  const advance = await retryTransient(() =>
    advanceSessionCursor(tenantId, entityId, sessionCursor, output.resumeFrom),
  );
  switch (advance.outcome) {
    case 'advanced':
      return { status: 'processed', ...counts, cursorAfter: iso(output.resumeFrom) };
    case 'moved':
      // Another run of this entity finished first; its cursor stands (both stored the same sessions).
      return { status: 'processed', ...counts, cursorAfter: iso(advance.sessionCursor) };
    case 'missing':
      return { status: 'skipped_missing', ...counts, cursorAfter: null };
  }
}

/** The entity's stored sessions that start in [start, end): a few Query pages at most. */
async function storedSessions(
  tenantId: string,
  entityId: string,
  range: { start: string; end: string },
): Promise<ChargeSessionRecord[]> {
  const out: ChargeSessionRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await listEntitySessions(tenantId, entityId, range, { pageSize: 100, startKey });
    out.push(...page.items);
    startKey = page.nextKey;
  } while (startKey);
  return out;
}
