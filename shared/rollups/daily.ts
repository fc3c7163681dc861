// Daily rollups of an entity's charge sessions, per local day in the entity's time zone: energy, charging
// minutes and sessions started. Pure: computed from the stored sessions alone, so recomputing a day always
// gives the same rollup, whatever ran before.
//
// Attribution. A session that crosses local midnight is split between the days by time share: each day
// gets the energy and charging minutes of the session in proportion to the part of [start, end) that lies
// in it (a session 22:00–02:00 puts half on each day). Daily energy then adds up to a daily load, and a day
// never shows more charging minutes than it has. `sessionCount` counts a session once, on the day it
// started, so it matches the session listings filtered by start. Where the power was within the session
// is not stored, so the split is proportional to time, not to the charging curve.

import { addDays, type CalendarDate, localDate, startOfLocalDay } from './calendar.js';

/** What a rollup needs of a stored session. */
export interface RollupSession {
  /** ISO 8601 UTC. */
  start: string;
  end: string;
  energyKwh: number;
  chargingSeconds: number;
}

export interface DayTotals {
  date: CalendarDate;
  energyKwh: number;
  /** Sessions that started on this day. */
  sessionCount: number;
  chargingMinutes: number;
}

/** Stored precision: 0.1 Wh and a hundredth of a minute, so recomputation compares equal, not merely close. */
export const ENERGY_DECIMALS = 4;
export const MINUTES_DECIMALS = 2;

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

export interface DateRange {
  /** Both inclusive. */
  first: CalendarDate;
  last: CalendarDate;
}

/** The parts of `[startMs, endMs)` on each local date, in milliseconds. */
export function splitByLocalDay(
  startMs: number,
  endMs: number,
  timeZone: string,
): { date: CalendarDate; ms: number }[] {
  const parts: { date: CalendarDate; ms: number }[] = [];
  let at = startMs;
  while (at < endMs) {
    const date = localDate(at, timeZone);
    let next = startOfLocalDay(addDays(date, 1), timeZone);
    // Only a zone whose clock steps back across midnight could make this fail to advance: end the split.
    if (next <= at) next = endMs;
    const until = Math.min(next, endMs);
    parts.push({ date, ms: until - at });
    at = until;
  }
  return parts;
}

/**
 * The totals of each local date in `range` that any session touches, by date ascending. Dates nothing
 * touches are absent (a day without charging has no rollup). Sessions outside the range contribute only
 * their parts inside it, so the sessions passed may start before the range (to catch those crossing into it).
 */
export function dailyTotals(
  sessions: readonly RollupSession[],
  timeZone: string,
  range: DateRange,
): DayTotals[] {
  const days = new Map<CalendarDate, { energyKwh: number; sessionCount: number; chargingSeconds: number }>();
  const day = (date: CalendarDate) => {
    let totals = days.get(date);
    if (!totals) {
      totals = { energyKwh: 0, sessionCount: 0, chargingSeconds: 0 };
      days.set(date, totals);
    }
    return totals;
  };
  const inRange = (date: CalendarDate) => date >= range.first && date <= range.last;
  for (const session of sessions) {
    const startMs = Date.parse(session.start);
    const endMs = Date.parse(session.end);
    const startDate = localDate(startMs, timeZone);
    if (inRange(startDate)) day(startDate).sessionCount += 1;
    const duration = endMs - startMs;
    if (duration <= 0) {
      // An instantaneous session has no time to share: it belongs to its start.
      if (inRange(startDate)) {
        day(startDate).energyKwh += session.energyKwh;
        day(startDate).chargingSeconds += session.chargingSeconds;
      }
      continue;
    }
    for (const part of splitByLocalDay(startMs, endMs, timeZone)) {
      if (!inRange(part.date)) continue;
      const share = part.ms / duration;
      const totals = day(part.date);
      totals.energyKwh += session.energyKwh * share;
      totals.chargingSeconds += session.chargingSeconds * share;
    }
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, totals]) => ({
      date,
      energyKwh: round(totals.energyKwh, ENERGY_DECIMALS),
      sessionCount: totals.sessionCount,
      chargingMinutes: round(totals.chargingSeconds / 60, MINUTES_DECIMALS),
    }));
}

/** A stored daily rollup of one entity. */
export interface DailyRollupRecord extends DayTotals {
  tenantId: string;
  entityId: string;
  entityType: 'EV' | 'CP';
  /** The zone the day was computed in (the entity's when the rollup was written). */
  timeZone: string;
  /** When these values were computed; unchanged while the values are. */
  updated: string;
}

export interface RollupWrites {
  puts: DailyRollupRecord[];
  /** Dates whose stored rollup no longer has any session. */
  deletes: CalendarDate[];
}

const sameValues = (a: DailyRollupRecord, b: DailyRollupRecord) =>
  a.energyKwh === b.energyKwh &&
  a.sessionCount === b.sessionCount &&
  a.chargingMinutes === b.chargingMinutes &&
  a.timeZone === b.timeZone &&
  a.entityType === b.entityType;

/**
 * What to write so that the stored rollups of `range` become `computed`: new or changed days are put,
 * stored days that no longer have sessions are deleted, and unchanged days are left alone (rerunning
 * writes nothing and keeps `updated`).
 */
export function planRollupWrites(
  existing: readonly DailyRollupRecord[],
  computed: readonly DayTotals[],
  entity: { tenantId: string; entityId: string; entityType: 'EV' | 'CP'; timeZone: string },
  range: DateRange,
  now: Date,
): RollupWrites {
  const stored = new Map(existing.map((rollup) => [rollup.date, rollup]));
  const puts: DailyRollupRecord[] = [];
  const kept = new Set<CalendarDate>();
  for (const totals of computed) {
    if (totals.date < range.first || totals.date > range.last) continue;
    kept.add(totals.date);
    const next: DailyRollupRecord = { ...entity, ...totals, updated: now.toISOString() };
    const previous = stored.get(totals.date);
    if (!previous || !sameValues(previous, next)) puts.push(next);
  }
  const deletes = existing
    .map((rollup) => rollup.date)
    .filter((date) => date >= range.first && date <= range.last && !kept.has(date));
  return { puts, deletes };
}
