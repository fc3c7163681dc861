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
import { deleteActiveSession, getSessionAt, listEntitySessions, upsertSession } from '../storage/sessions.js';
import { getTenantSettings } from '../storage/tenant-settings.js';
import { priceSessions } from '../tariffs/price-sessions.js';
import type { EventSink } from '../webhooks/events.js';
import { measuredLookupRange, processingWindow, toSessionRecords, withoutMeasuredOverlap } from './domain.js';
import { liveWindow, planLive, planWrites, withdrawnId } from './live.js';

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
  /**
   * Whether the run wrote (or, with `write: false`, would write) anything: completed sessions, the active
   * item, the cursor or the live state. The real-time worker takes the lease only when it would.
   */
  changes?: boolean;
  /** Events recorded through the sink (or, with `write: false`, that would be). */
  events?: number;
  /**
   * The run's only change is a refresh of the stored active item (same id and key, no session completed or
   * removed, the cursor where it is): safe without the lease (see ProcessOptions.leaseless).
   */
  refreshOnly?: boolean;
}

export interface ProcessOptions {
  /**
   * `daily` (default): readings up to now − READINGS_SETTLE_MS, the cursor always moved. `live`: the
   * real-time path, readings up to the newest stored one (liveWindow), the cursor moved only along with
   * other writes (a session completed, the active item or the live state changed).
   */
  mode?: 'daily' | 'live';
  /** Where charge_session.* events go, recorded before the changes they report are stored. */
  events?: EventSink | undefined;
  /** False: compute what the run would write and write nothing (no events either). Default true. */
  write?: boolean;
  /**
   * Run without the entity's lease: write only if the run is refreshOnly (else write nothing and report it,
   * for the caller to take the lease). A refresh rewrites an active item that must already exist and the
   * live state by a compare-and-set on the cursor, so it cannot outlive a DELETE's purge or undo a daily
   * run; it touches nothing the rollups read. Saves the lease's two writes on most writing runs.
   */
  leaseless?: boolean;
}

/** Session writes in flight per entity: a day holds a handful; the worker runs many entities at once. */
const SESSION_WRITE_CONCURRENCY = 4;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function processEntity(
  ref: { tenantId: string; entityId: string },
  now: Date,
  options: ProcessOptions = {},
): Promise<ProcessEntityResult> {
  const { result, consumed } = await measureCapacity(() => run(ref, now, options));
  return { ...result, consumed };
}

async function run(
  { tenantId, entityId }: { tenantId: string; entityId: string },
  now: Date,
  options: ProcessOptions,
): Promise<Omit<ProcessEntityResult, 'consumed'>> {
  const live = options.mode === 'live';
  const write = options.write ?? true;
  const found = await retryTransient(() => getEntityWithCursor(tenantId, entityId));
  const cursorBefore = iso(found?.sessionCursor ?? null);
  const idle = {
    readings: 0,
    sessionsWritten: 0,
    sessionsSkipped: 0,
    cursorBefore,
    cursorAfter: cursorBefore,
    changes: false,
    events: 0,
  };
  if (!found) return { status: 'skipped_missing', ...idle };
  const { entity, sessionCursor } = found;
  if (!isCaptureEnabled(entity)) return { status: 'skipped_disabled', ...idle };

  const settled = processingWindow(sessionCursor, now, retentionMs(config().readingsRetentionDays));
  // A real-time run reads from the same start up to now, and ends its window at the newest reading.
  const reach = live
    ? settled
      ? { from: settled.from, to: now.getTime() }
      : sessionCursor !== null
        ? { from: sessionCursor, to: now.getTime() }
        : null
    : settled;
  if (!reach) return { status: 'processed', ...idle };

  const [readings, locations, settings] = await Promise.all([
    retryTransient(() =>
      readReadings(tenantId, entityId, { from: reach.from, to: reach.to, notBefore: reach.from }),
    ),
    retryTransient(() => listAllLocations(tenantId)),
    retryTransient(() => getTenantSettings(tenantId)),
  ]);
  const window = live
    ? liveWindow(reach.from, readings.at(-1)?.t ?? null, found.live ? Date.parse(found.live.asOf) : null)
    : reach;
  if (!window) return { status: 'processed', ...idle, readings: readings.length };
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

  // The session in progress: planned unpriced first (its version leaves cost out), priced only when written.
  const asOf = new Date(window.to).toISOString();
  const ongoing = output.ongoing ? (toSessionRecords([output.ongoing], entity, now)[0] ?? null) : null;
  const liveInput = { previous: found.live, completed: sessions, ongoing, asOf };
  let plan = planLive(liveInput);
  const gone = withdrawnId(liveInput);
  if (plan.active || gone) {
    const [priced, withdrawn] = await Promise.all([
      plan.active && ongoing
        ? priceSessions(tenantId, entity, [ongoing], readings, locations).then((p) => p[0] ?? ongoing)
        : ongoing,
      gone && found.live
        ? retryTransient(() => getSessionAt(tenantId, entityId, found.live?.start ?? ''))
        : undefined,
    ]);
    plan = planLive({
      ...liveInput,
      ongoing: priced,
      withdrawn: withdrawn?.status === 'active' ? withdrawn : null,
    });
  }

  // A live run moves the cursor only along with other writes: moving it alone (an idle entity) would cost a
  // leased write run for nothing the API shows. The daily job moves an idle entity's cursor once a day.
  const moveCursor =
    output.resumeFrom !== sessionCursor && (!live || sessions.length > 0 || planWrites(plan));
  const changes = sessions.length > 0 || planWrites(plan) || moveCursor;
  const refreshOnly =
    sessions.length === 0 &&
    plan.removeActiveAt.length === 0 &&
    plan.active !== null &&
    found.live?.id === plan.active.id &&
    found.live.start === plan.active.start &&
    output.resumeFrom === sessionCursor;
  const counts = {
    readings: readings.length,
    sessionsSkipped: output.skipped.length + superseded,
    cursorBefore,
    changes,
    events: plan.events.length,
    refreshOnly,
  };
  if (!write || (options.leaseless && !refreshOnly))
    return { status: 'processed', ...counts, sessionsWritten: 0, cursorAfter: cursorBefore };

  // Events first: a run that dies after recording them records the same ones again (same ids), and one that
  // dies before never stored what they report.
  if (options.events && plan.events.length > 0) await options.events.record(plan.events);
  const written = await mapConcurrent(sessions, SESSION_WRITE_CONCURRENCY, (session) =>
    retryTransient(() => upsertSession(session, { keepMeasured: true })),
  );
  const sessionsWritten = written.filter(Boolean).length;
  if (plan.active) {
    const active = plan.active;
    const stored = await retryTransient(() => upsertSession(active, { mustExist: refreshOnly }));
    // A refresh whose item is gone (the entity's data purged, a measured session took its place): nothing
    // more to write; the live state stays, and the next run that holds the lease sorts it out.
    if (!stored && refreshOnly)
      return { status: 'processed', ...counts, sessionsWritten: 0, cursorAfter: cursorBefore };
  }
  for (const start of plan.removeActiveAt)
    await retryTransient(() => deleteActiveSession(tenantId, entityId, start));
  const done = {
    ...counts,
    sessionsWritten,
    sessionsSkipped: counts.sessionsSkipped + (written.length - sessionsWritten),
  };

  if (!moveCursor && !plan.liveChanged) return { status: 'processed', ...done, cursorAfter: cursorBefore };
  const after = moveCursor ? output.resumeFrom : (sessionCursor ?? output.resumeFrom);
  const advance = await retryTransient(() =>
    advanceSessionCursor(tenantId, entityId, sessionCursor, after, plan.liveChanged ? plan.next : undefined),
  );
  switch (advance.outcome) {
    case 'advanced':
      return { status: 'processed', ...done, cursorAfter: iso(after) };
    case 'moved':
      // Another run of this entity finished first; its cursor stands (both stored the same sessions).
      return { status: 'processed', ...done, cursorAfter: iso(advance.sessionCursor) };
    case 'missing':
      return { status: 'skipped_missing', ...done, cursorAfter: null };
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
