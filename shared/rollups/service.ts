// Use case: bring one entity's daily rollups up to date after the daily job processed it. The days that
// may have changed are recomputed from the stored sessions (never added to incrementally), then only the
// days whose values differ are written: a rerun reads and writes nothing new.

import { getEntity } from '../storage/entities.js';
import type { Page, Position } from '../storage/page.js';
import {
  type DailyRollupRange,
  listEntityRollups,
  listFleetRollups,
  readEntityRollups,
  writeRollups,
} from '../storage/rollups.js';
import { readEntitySessionTotals } from '../storage/sessions.js';
import { type CalendarDate, localDate, localDayBounds, startOfLocalDay } from './calendar.js';
import { type DailyRollupRecord, dailyTotals, planRollupWrites } from './daily.js';

/**
 * Recompute from this long before the point the rollups were up to date: sessions the processor writes
 * start at or after its cursor, less whatever overlap it re-reads, which stays within a day (the engine
 * closes anything pending after a day of silence, MAX_BRIDGE_GAP_MS).
 */
export const ROLLUP_OVERLAP_MS = 24 * 3_600_000;

/**
 * Sessions that started up to this long before the first recomputed day are read too, for their part
 * crossing into it. A session longer than a week (none the engine or a charger produces in practice)
 * would lose its share on that first day only.
 */
export const SESSION_LOOKBACK_MS = 7 * 86_400_000;

/** An instant from a cursor: ISO 8601, or epoch milliseconds as digits. NaN when it is neither. */
function cursorInstant(cursor: string): number {
  return /^\d+$/.test(cursor) ? Number(cursor) : Date.parse(cursor);
}

/**
 * From when the rollups must be recomputed (epoch ms), or null for the entity's whole history: the earlier
 * of the point the rollups were last made complete and the processor's cursor before this run, less the
 * overlap. The first (or an unreadable cursor) recomputes everything.
 */
export function rollupSince(rolledUpThrough: string | null, cursorBefore: string | null): number | null {
  if (rolledUpThrough === null || cursorBefore === null) return null;
  const earliest = Math.min(cursorInstant(rolledUpThrough), cursorInstant(cursorBefore));
  return Number.isFinite(earliest) ? earliest - ROLLUP_OVERLAP_MS : null;
}

/**
 * From when a run recomputes (epoch ms; null: the whole history): `since` (rollupSince), moved back to
 * `staleFrom` when sessions changed behind the job before that (a late measured session; its day may be
 * far older than the overlap reaches).
 */
export function rollupRecomputeFrom(since: number | null, staleFrom: number | null): number | null {
  if (since === null || staleFrom === null) return since;
  return Math.min(since, staleFrom);
}

export interface RollupUpdate {
  /** Dates recomputed (inclusive); absent when the entity no longer exists. */
  range: { first: CalendarDate; last: CalendarDate } | undefined;
  written: number;
  deleted: number;
}

/**
 * Recomputes the entity's rollups for every local day from `sinceMs` (null: its first session) to the day
 * of `asOfMs`, in the entity's time zone, and stores those that changed.
 */
export async function updateDailyRollups(input: {
  tenantId: string;
  entityId: string;
  sinceMs: number | null;
  asOfMs: number;
  now: Date;
}): Promise<RollupUpdate> {
  const { tenantId, entityId, sinceMs, asOfMs } = input;
  const entity = await getEntity(tenantId, entityId);
  if (!entity) return { range: undefined, written: 0, deleted: 0 };
  const timeZone = entity.timeZone;
  const last = localDate(Math.max(asOfMs, sinceMs ?? asOfMs), timeZone);
  const untilMs = localDayBounds(last, timeZone).end;

  let first: CalendarDate;
  let sessions: Awaited<ReturnType<typeof readEntitySessionTotals>>;
  if (sinceMs === null) {
    sessions = await readEntitySessionTotals(tenantId, entityId, { fromMs: null, toMs: untilMs });
    const earliest = sessions[0];
    first = earliest ? localDate(Date.parse(earliest.start), timeZone) : last;
  } else {
    first = localDate(sinceMs, timeZone);
    const fromMs = startOfLocalDay(first, timeZone) - SESSION_LOOKBACK_MS;
    sessions = await readEntitySessionTotals(tenantId, entityId, { fromMs, toMs: untilMs });
  }
  if (first > last) first = last;
  const range = { first, last };

  const computed = dailyTotals(sessions, timeZone, range);
  const existing = await readEntityRollups(tenantId, entityId, range);
  const writes = planRollupWrites(
    existing,
    computed,
    { tenantId, entityId, entityType: entity.type, timeZone },
    range,
    input.now,
  );
  await writeRollups(tenantId, entityId, writes);
  return { range, written: writes.puts.length, deleted: writes.deletes.length };
}

/**
 * Where a daily-energy listing reads, one Query per page: the entity's own partition when one entity is
 * asked for (exact, no index lag), else the tenant's rollups on GSI2.
 */
export function dailyEnergySource(
  tenantId: string,
  range: DailyRollupRange,
  entityId: string | undefined,
): (startKey: Position | undefined, pageSize: number) => Promise<Page<DailyRollupRecord>> {
  return (startKey, pageSize) =>
    entityId === undefined
      ? listFleetRollups(tenantId, range, { pageSize, startKey })
      : listEntityRollups(tenantId, entityId, range, { pageSize, startKey });
}
