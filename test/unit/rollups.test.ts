// Daily rollups, pure: local days in real time zones (23- and 25-hour DST days, a zone that skips
// midnight, half-hour and +14/−11 offsets), the time-share split of sessions crossing midnight, what is
// written on a recomputation, and from when a run recomputes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  isCalendarDate,
  localDate,
  localDayBounds,
  startOfLocalDay,
} from '../../shared/rollups/calendar.js';
import {
  type DailyRollupRecord,
  dailyTotals,
  planRollupWrites,
  type RollupSession,
  splitByLocalDay,
} from '../../shared/rollups/daily.js';
import { ROLLUP_OVERLAP_MS, rollupRecomputeFrom, rollupSince } from '../../shared/rollups/service.js';
import { earliestStaleMark, rollupsStaleMark } from '../../shared/storage/rollups.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const hoursOf = (date: string, zone: string) => {
  const { start, end } = localDayBounds(date, zone);
  return (end - start) / HOUR;
};

function session(start: string, end: string, energyKwh: number, chargingSeconds?: number): RollupSession {
  return {
    start,
    end,
    energyKwh,
    chargingSeconds: chargingSeconds ?? (Date.parse(end) - Date.parse(start)) / 1000,
  };
}

describe('local days', () => {
  it('begin at local midnight in zones east and west of UTC, whole and half-hour offsets', () => {
    expect(iso(startOfLocalDay('2026-01-05', 'UTC'))).toBe('2026-01-05T00:00:00.000Z');
    expect(iso(startOfLocalDay('2026-01-05', 'Europe/Berlin'))).toBe('2026-01-04T23:00:00.000Z');
    expect(iso(startOfLocalDay('2026-01-05', 'Asia/Kolkata'))).toBe('2026-01-04T18:30:00.000Z');
    expect(iso(startOfLocalDay('2026-01-05', 'America/St_Johns'))).toBe('2026-01-05T03:30:00.000Z');
    expect(iso(startOfLocalDay('2026-01-05', 'Pacific/Kiritimati'))).toBe('2026-01-04T10:00:00.000Z');
    expect(iso(startOfLocalDay('2026-01-05', 'Pacific/Pago_Pago'))).toBe('2026-01-05T11:00:00.000Z');
  });

  it('last 23 hours when clocks go forward and 25 when they go back', () => {
    expect(hoursOf('2026-03-28', 'Europe/Berlin')).toBe(24);
    expect(hoursOf('2026-03-29', 'Europe/Berlin')).toBe(23);
    expect(hoursOf('2026-10-25', 'Europe/Berlin')).toBe(25);
    expect(hoursOf('2026-03-08', 'America/New_York')).toBe(23);
    expect(hoursOf('2026-11-01', 'America/New_York')).toBe(25);
    // Lord Howe Island moves its clocks by half an hour.
    expect(hoursOf('2026-10-04', 'Australia/Lord_Howe')).toBe(23.5);
    expect(hoursOf('2026-04-05', 'Australia/Lord_Howe')).toBe(24.5);
  });

  it('begin at 01:00 where the DST change skips midnight (Cuba)', () => {
    // 2026-03-08 00:00 in Havana does not exist: clocks go from 23:59:59 CST to 01:00 CDT (UTC−4).
    expect(iso(startOfLocalDay('2026-03-08', 'America/Havana'))).toBe('2026-03-08T05:00:00.000Z');
    expect(localDate(Date.parse('2026-03-08T04:59:59.999Z'), 'America/Havana')).toBe('2026-03-07');
    expect(hoursOf('2026-03-08', 'America/Havana')).toBe(23);
  });

  it('map every instant to the day whose bounds hold it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-12-31') }),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/Havana', 'Asia/Kolkata', 'Australia/Lord_Howe'),
        (instant, zone) => {
          const date = localDate(instant, zone);
          const { start, end } = localDayBounds(date, zone);
          return start <= instant && instant < end && localDate(start, zone) === date;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('are calendar dates: real ones only, with day arithmetic across months and leap years', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
  });
});

describe('daily totals', () => {
  it('split a session crossing local midnight by time share; count it on its start day', () => {
    // 22:00–02:00 in Berlin (UTC+1 in January): two hours on each day.
    const totals = dailyTotals(
      [session('2026-01-05T21:00:00.000Z', '2026-01-06T01:00:00.000Z', 8)],
      'Europe/Berlin',
      { first: '2026-01-01', last: '2026-01-31' },
    );
    expect(totals).toEqual([
      { date: '2026-01-05', energyKwh: 4, sessionCount: 1, chargingMinutes: 120 },
      { date: '2026-01-06', energyKwh: 4, sessionCount: 0, chargingMinutes: 120 },
    ]);
  });

  it('puts the same instants on other days in another zone', () => {
    const sessions = [session('2026-01-05T21:00:00.000Z', '2026-01-06T01:00:00.000Z', 8)];
    const range = { first: '2026-01-01', last: '2026-01-31' };
    expect(dailyTotals(sessions, 'UTC', range).map((d) => [d.date, d.energyKwh])).toEqual([
      ['2026-01-05', 6],
      ['2026-01-06', 2],
    ]);
    // New York is UTC−5: 16:00–20:00 on the 5th, one day.
    expect(dailyTotals(sessions, 'America/New_York', range).map((d) => [d.date, d.energyKwh])).toEqual([
      ['2026-01-05', 8],
    ]);
    // Kiritimati is UTC+14: 11:00–15:00 on the 6th.
    expect(dailyTotals(sessions, 'Pacific/Kiritimati', range).map((d) => [d.date, d.energyKwh])).toEqual([
      ['2026-01-06', 8],
    ]);
  });

  it('shares by real elapsed time into a 23-hour day', () => {
    // Berlin, 2026-03-28 23:00 CET (22:00Z) to 2026-03-29 05:00 CEST (03:00Z): five real hours, one before midnight.
    const totals = dailyTotals(
      [session('2026-03-28T22:00:00.000Z', '2026-03-29T03:00:00.000Z', 10, 5 * 3600)],
      'Europe/Berlin',
      { first: '2026-03-01', last: '2026-03-31' },
    );
    expect(totals).toEqual([
      { date: '2026-03-28', energyKwh: 2, sessionCount: 1, chargingMinutes: 60 },
      { date: '2026-03-29', energyKwh: 8, sessionCount: 0, chargingMinutes: 240 },
    ]);
  });

  it('shares by real elapsed time into a 25-hour day', () => {
    // Berlin, 2026-10-24 22:00 CEST (20:00Z) to 2026-10-25 04:00 CET (03:00Z): seven real hours, two before midnight.
    const totals = dailyTotals(
      [session('2026-10-24T20:00:00.000Z', '2026-10-25T03:00:00.000Z', 7, 7 * 3600)],
      'Europe/Berlin',
      { first: '2026-10-01', last: '2026-10-31' },
    );
    expect(totals).toEqual([
      { date: '2026-10-24', energyKwh: 2, sessionCount: 1, chargingMinutes: 120 },
      { date: '2026-10-25', energyKwh: 5, sessionCount: 0, chargingMinutes: 300 },
    ]);
    // A session filling the whole 25-hour day charges 1,500 minutes on it.
    const whole = localDayBounds('2026-10-25', 'Europe/Berlin');
    const [day] = dailyTotals([session(iso(whole.start), iso(whole.end), 25)], 'Europe/Berlin', {
      first: '2026-10-25',
      last: '2026-10-25',
    });
    expect(day).toEqual({ date: '2026-10-25', energyKwh: 25, sessionCount: 1, chargingMinutes: 1500 });
  });

  it('shares charging minutes in proportion too (pauses are not located, so time share applies)', () => {
    const [first, second] = dailyTotals(
      [session('2026-01-05T22:00:00.000Z', '2026-01-06T02:00:00.000Z', 10, 3 * 3600)],
      'UTC',
      { first: '2026-01-01', last: '2026-01-31' },
    );
    expect(first).toMatchObject({ date: '2026-01-05', chargingMinutes: 90, energyKwh: 5 });
    expect(second).toMatchObject({ date: '2026-01-06', chargingMinutes: 90, energyKwh: 5 });
  });

  it('gives an instantaneous session to its start day, and leaves days without charging out', () => {
    const totals = dailyTotals(
      [
        session('2026-01-02T10:00:00.000Z', '2026-01-02T10:00:00.000Z', 0.5, 0),
        session('2026-01-05T10:00:00.000Z', '2026-01-05T11:00:00.000Z', 7),
      ],
      'UTC',
      { first: '2026-01-01', last: '2026-01-31' },
    );
    expect(totals.map((d) => [d.date, d.energyKwh, d.sessionCount])).toEqual([
      ['2026-01-02', 0.5, 1],
      ['2026-01-05', 7, 1],
    ]);
  });

  it('keeps only the days of the range: a session started before it adds its share, not its count', () => {
    const totals = dailyTotals([session('2026-01-04T18:00:00.000Z', '2026-01-05T06:00:00.000Z', 12)], 'UTC', {
      first: '2026-01-05',
      last: '2026-01-10',
    });
    expect(totals).toEqual([{ date: '2026-01-05', energyKwh: 6, sessionCount: 0, chargingMinutes: 360 }]);
  });

  it('rounds to 0.1 Wh and a hundredth of a minute', () => {
    const [day] = dailyTotals(
      [session('2026-01-05T10:00:00.000Z', '2026-01-05T10:00:07.000Z', 1 / 3, 7)],
      'UTC',
      { first: '2026-01-05', last: '2026-01-05' },
    );
    expect(day).toEqual({ date: '2026-01-05', energyKwh: 0.3333, sessionCount: 1, chargingMinutes: 0.12 });
  });

  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/Havana',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'Pacific/Kiritimati',
  ];
  /** Non-overlapping sessions of one entity, as the engine emits them. */
  const sessionsArbitrary = fc
    .array(
      fc.record({
        gapMs: fc.integer({ min: 0, max: 3 * 86_400_000 }),
        durationMs: fc.integer({ min: 0, max: 40 * HOUR }),
        chargingShare: fc.double({ min: 0, max: 1, noNaN: true }),
        energyKwh: fc.double({ min: 0.05, max: 150, noNaN: true }),
      }),
      { maxLength: 25 },
    )
    .chain((specs) =>
      fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-01-01') }).map((origin) => {
        let at = origin;
        return specs.map((spec) => {
          const start = at + spec.gapMs;
          at = start + spec.durationMs;
          return session(
            iso(start),
            iso(at),
            spec.energyKwh,
            Math.floor((spec.durationMs / 1000) * spec.chargingShare),
          );
        });
      }),
    );

  it('conserve every session’s energy, minutes and count over the days, and never exceed a day’s length', () => {
    fc.assert(
      fc.property(sessionsArbitrary, fc.constantFrom(...zones), (sessions, zone) => {
        const range = { first: '2024-12-01', last: '2027-03-01' };
        const totals = dailyTotals(sessions, zone, range);
        const sum = (f: (d: (typeof totals)[number]) => number) => totals.reduce((a, d) => a + f(d), 0);
        const tolerance = totals.length * 0.00005 + 1e-9;
        expect(
          Math.abs(sum((d) => d.energyKwh) - sessions.reduce((a, s) => a + s.energyKwh, 0)),
        ).toBeLessThanOrEqual(tolerance);
        expect(
          Math.abs(sum((d) => d.chargingMinutes) - sessions.reduce((a, s) => a + s.chargingSeconds / 60, 0)),
        ).toBeLessThanOrEqual(totals.length * 0.005 + 1e-9);
        expect(sum((d) => d.sessionCount)).toBe(sessions.length);
        for (const day of totals)
          expect(day.chargingMinutes).toBeLessThanOrEqual(hoursOf(day.date, zone) * 60 + 0.005);
        expect(totals.map((d) => d.date)).toEqual([...new Set(totals.map((d) => d.date))].sort());
      }),
      { numRuns: 150 },
    );
  });

  it('split an interval into parts that add up to it, each on the day its first instant falls on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-01-01') }),
        fc.integer({ min: 1, max: 100 * HOUR }),
        fc.constantFrom(...zones),
        (start, duration, zone) => {
          const parts = splitByLocalDay(start, start + duration, zone);
          expect(parts.reduce((a, p) => a + p.ms, 0)).toBe(duration);
          let at = start;
          for (const part of parts) {
            expect(localDate(at, zone)).toBe(part.date);
            expect(localDate(at + part.ms - 1, zone)).toBe(part.date);
            at += part.ms;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('planning the writes of a recomputation', () => {
  const entity = { tenantId: 't', entityId: 'e', entityType: 'EV' as const, timeZone: 'UTC' };
  const range = { first: '2026-01-04', last: '2026-01-06' };
  const stored = (
    date: string,
    energyKwh: number,
    updated = '2026-01-01T00:00:00.000Z',
  ): DailyRollupRecord => ({
    ...entity,
    date,
    energyKwh,
    sessionCount: 1,
    chargingMinutes: 60,
    updated,
  });
  const now = new Date('2026-01-07T02:00:00.000Z');

  it('writes nothing when the recomputed days equal the stored ones', () => {
    const writes = planRollupWrites(
      [stored('2026-01-04', 5), stored('2026-01-05', 6)],
      [
        { date: '2026-01-04', energyKwh: 5, sessionCount: 1, chargingMinutes: 60 },
        { date: '2026-01-05', energyKwh: 6, sessionCount: 1, chargingMinutes: 60 },
      ],
      entity,
      range,
      now,
    );
    expect(writes).toEqual({ puts: [], deletes: [] });
  });

  it('puts new and changed days, deletes stored days that lost their sessions, leaves days outside the range', () => {
    const writes = planRollupWrites(
      [stored('2026-01-04', 5), stored('2026-01-05', 6), stored('2026-01-06', 1), stored('2026-01-02', 3)],
      [
        { date: '2026-01-04', energyKwh: 5.5, sessionCount: 1, chargingMinutes: 60 },
        { date: '2026-01-05', energyKwh: 6, sessionCount: 1, chargingMinutes: 60 },
        { date: '2026-01-07', energyKwh: 9, sessionCount: 1, chargingMinutes: 60 },
      ],
      entity,
      range,
      now,
    );
    expect(writes.puts).toEqual([{ ...stored('2026-01-04', 5.5), updated: now.toISOString() }]);
    expect(writes.deletes).toEqual(['2026-01-06']);
  });

  it('rewrites a day whose time zone changed', () => {
    const writes = planRollupWrites(
      [stored('2026-01-04', 5)],
      [{ date: '2026-01-04', energyKwh: 5, sessionCount: 1, chargingMinutes: 60 }],
      { ...entity, timeZone: 'Europe/Berlin' },
      range,
      now,
    );
    expect(writes.puts.map((p) => p.timeZone)).toEqual(['Europe/Berlin']);
  });
});

describe('from when a run recomputes', () => {
  it('recomputes everything before the rollups were first completed, or when a cursor is missing', () => {
    expect(rollupSince(null, '2026-01-05T00:00:00.000Z')).toBeNull();
    expect(rollupSince('2026-01-05T00:00:00.000Z', null)).toBeNull();
    expect(rollupSince('not an instant', '2026-01-05T00:00:00.000Z')).toBeNull();
  });

  it('starts a day before the earlier of the rollup mark and the processor’s cursor', () => {
    const jan5 = Date.parse('2026-01-05T00:00:00.000Z');
    const jan3 = Date.parse('2026-01-03T12:00:00.000Z');
    expect(rollupSince('2026-01-05T00:00:00.000Z', '2026-01-05T00:00:00.000Z')).toBe(
      jan5 - ROLLUP_OVERLAP_MS,
    );
    // A run that crashed after the processor moved its cursor left the mark behind: recompute from the mark.
    expect(rollupSince('2026-01-03T12:00:00.000Z', '2026-01-05T00:00:00.000Z')).toBe(
      jan3 - ROLLUP_OVERLAP_MS,
    );
    // A cursor written as epoch milliseconds.
    expect(rollupSince(String(jan5), String(jan3))).toBe(jan3 - ROLLUP_OVERLAP_MS);
  });

  it('goes back to a stale mark older than that, and never narrows what would be recomputed', () => {
    const since = Date.parse('2026-01-04T00:00:00.000Z');
    const weekEarlier = Date.parse('2025-12-28T09:30:00.000Z');
    expect(rollupRecomputeFrom(since, weekEarlier)).toBe(weekEarlier);
    expect(rollupRecomputeFrom(since, since + 3_600_000)).toBe(since);
    expect(rollupRecomputeFrom(since, null)).toBe(since);
    // The whole history already covers any mark.
    expect(rollupRecomputeFrom(null, weekEarlier)).toBeNull();
    expect(rollupRecomputeFrom(null, null)).toBeNull();
  });

  it('reads the earliest of the stale marks, each naming the measured session that made it', () => {
    const a = rollupsStaleMark(
      Date.parse('2026-01-03T10:00:00.000Z'),
      '0195512a-0000-7000-8000-000000000001',
    );
    const b = rollupsStaleMark(
      Date.parse('2026-01-02T22:15:00.000Z'),
      '0195512a-0000-7000-8000-000000000002',
    );
    expect(a).toBe(`${Date.parse('2026-01-03T10:00:00.000Z')}#0195512a-0000-7000-8000-000000000001`);
    expect(earliestStaleMark([a, b])).toBe(Date.parse('2026-01-02T22:15:00.000Z'));
    expect(earliestStaleMark(new Set([a]))).toBe(Date.parse('2026-01-03T10:00:00.000Z'));
    expect(earliestStaleMark([])).toBeNull();
    // Marks of two sessions at the same instant stay two marks; the same session's mark is one.
    expect(rollupsStaleMark(0, 'x')).not.toBe(rollupsStaleMark(0, 'y'));
    expect(rollupsStaleMark(5, 'x')).toBe(rollupsStaleMark(5, 'x'));
    // Something that is not a mark is ignored rather than read as the epoch.
    expect(earliestStaleMark(['junk', '#x', 'abc#x', a])).toBe(Date.parse('2026-01-03T10:00:00.000Z'));
  });
});
