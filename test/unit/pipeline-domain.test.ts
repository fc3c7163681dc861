// The rules of one entity's processing step: the window it reads, how engine sessions become records,
// calculated sessions yielding to measured ones on a charge point, and the time a lease has left.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectedSession } from '../../shared/engine/types.js';
import {
  leaseSecondsLeft,
  MEASURED_LOOKBACK_MS,
  measuredLookupRange,
  overlapLookupRange,
  overlaps,
  processingWindow,
  READINGS_SETTLE_MS,
  staleFrom,
  supersededCalculated,
  toSessionRecords,
  withoutMeasuredOverlap,
} from '../../shared/pipeline/domain.js';
import { ENTITY_LEASE_MS } from '../../shared/pipeline/settings.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';

const NOW = new Date('2026-03-10T03:00:00Z');
const DAY = 86_400_000;
const RETENTION = 35 * DAY;

describe('the processing window', () => {
  it('starts at the cursor and ends at the settled edge', () => {
    const cursor = NOW.getTime() - 30 * 3_600_000;
    expect(processingWindow(cursor, NOW, RETENTION)).toEqual({
      from: cursor,
      to: NOW.getTime() - READINGS_SETTLE_MS,
    });
  });

  it('starts at the oldest retained reading on a first run, or when the cursor is older than that', () => {
    const oldest = NOW.getTime() - RETENTION;
    expect(processingWindow(null, NOW, RETENTION)?.from).toBe(oldest);
    expect(processingWindow(oldest - DAY, NOW, RETENTION)?.from).toBe(oldest);
  });

  it('is empty while the cursor is past the settled edge', () => {
    expect(processingWindow(NOW.getTime() - READINGS_SETTLE_MS, NOW, RETENTION)).not.toBeNull();
    expect(processingWindow(NOW.getTime() - READINGS_SETTLE_MS + 1, NOW, RETENTION)).toBeNull();
  });
});

const session = (start: string, end: string, source: 'calculated' | 'measured' = 'calculated') =>
  ({ start, end, source }) as ChargeSessionRecord;

describe('calculated sessions on a charge point with measured ones', () => {
  const measured = session('2026-03-09T10:00:00.000Z', '2026-03-09T12:00:00.000Z', 'measured');

  it('drops a calculated session that overlaps a measured one, keeps those that only touch or miss', () => {
    const inside = session('2026-03-09T10:05:00.000Z', '2026-03-09T11:50:00.000Z');
    const straddling = session('2026-03-09T09:00:00.000Z', '2026-03-09T10:00:00.001Z');
    const touching = session('2026-03-09T12:00:00.000Z', '2026-03-09T13:00:00.000Z');
    const before = session('2026-03-09T08:00:00.000Z', '2026-03-09T09:00:00.000Z');
    const { kept, superseded } = withoutMeasuredOverlap([before, straddling, inside, touching], [measured]);
    expect(kept).toEqual([before, touching]);
    expect(superseded).toEqual([straddling, inside]);
  });

  it('ignores other calculated sessions when deciding', () => {
    const a = session('2026-03-09T10:05:00.000Z', '2026-03-09T11:50:00.000Z');
    expect(withoutMeasuredOverlap([a], [a]).kept).toEqual([a]);
  });

  it('looks for measured sessions starting up to the lookback before the first and up to the last end', () => {
    const range = measuredLookupRange([
      session('2026-03-09T10:00:00.000Z', '2026-03-09T11:00:00.000Z'),
      session('2026-03-09T20:00:00.000Z', '2026-03-09T22:30:00.000Z'),
    ]);
    expect(range).toEqual({
      start: new Date(Date.parse('2026-03-09T10:00:00.000Z') - MEASURED_LOOKBACK_MS).toISOString(),
      end: '2026-03-09T22:30:00.000Z',
    });
  });

  it('calls two intervals overlapping only when they share an instant', () => {
    expect(overlaps(measured, measured)).toBe(true);
    expect(overlaps(measured, session(measured.end, '2026-03-09T13:00:00.000Z'))).toBe(false);
  });
});

describe('a measured session arriving after calculated ones were stored', () => {
  const measured = session('2026-03-09T10:00:00.000Z', '2026-03-09T12:00:00.000Z', 'measured');

  it('supersedes exactly the stored calculated sessions overlapping a measured one', () => {
    const inside = session('2026-03-09T10:05:00.000Z', '2026-03-09T11:50:00.000Z');
    const straddling = session('2026-03-09T09:00:00.000Z', '2026-03-09T10:00:00.001Z');
    const touching = session('2026-03-09T12:00:00.000Z', '2026-03-09T13:00:00.000Z');
    const otherMeasured = session('2026-03-09T14:00:00.000Z', '2026-03-09T15:00:00.000Z', 'measured');
    const stored = [straddling, measured, inside, touching, otherMeasured];
    expect(supersededCalculated(stored)).toEqual([straddling, inside]);
    // A measured session never supersedes another measured one; without one, nothing is superseded.
    expect(supersededCalculated([measured, session(measured.start, measured.end, 'measured')])).toEqual([]);
    expect(supersededCalculated([inside, straddling, touching])).toEqual([]);
  });

  it('looks for them among starts from the lookback before the measured start up to its end', () => {
    expect(overlapLookupRange(measured)).toEqual({
      start: new Date(Date.parse(measured.start) - MEASURED_LOOKBACK_MS).toISOString(),
      end: measured.end,
    });
  });

  it('marks the rollups stale from the earliest start involved', () => {
    const earlier = session('2026-03-08T23:30:00.000Z', '2026-03-09T10:30:00.000Z');
    const later = session('2026-03-09T10:05:00.000Z', '2026-03-09T11:00:00.000Z');
    expect(staleFrom(measured, [])).toBe(Date.parse(measured.start));
    expect(staleFrom(measured, [later])).toBe(Date.parse(measured.start));
    expect(staleFrom(measured, [later, earlier])).toBe(Date.parse(earlier.start));
  });

  it('leaves one session per charge: what it supersedes is what the job would not have stored', () => {
    const MINUTE = 60_000;
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    const anySession = fc
      .record({
        startMinute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
        minutes: fc.integer({ min: 1, max: 12 * 60 }),
        measured: fc.boolean(),
      })
      .map(({ startMinute, minutes, measured: isMeasured }) =>
        session(
          new Date(base + startMinute * MINUTE).toISOString(),
          new Date(base + (startMinute + minutes) * MINUTE).toISOString(),
          isMeasured ? 'measured' : 'calculated',
        ),
      );
    fc.assert(
      fc.property(fc.array(anySession, { maxLength: 12 }), (stored) => {
        const superseded = supersededCalculated(stored);
        const calculated = stored.filter((s) => s.source === 'calculated');
        const allMeasured = stored.filter((s) => s.source === 'measured');
        // The same split as the job's own rule applied to what it computed.
        expect(superseded).toEqual(withoutMeasuredOverlap(calculated, allMeasured).superseded);
        const left = stored.filter((s) => !superseded.includes(s));
        for (const m of allMeasured) {
          expect(left.some((s) => s.source === 'calculated' && overlaps(s, m))).toBe(false);
          // Every calculated session it overlaps (none longer than the lookback) starts in its lookup range.
          const range = overlapLookupRange(m);
          for (const c of superseded.filter((s) => overlaps(s, m))) {
            expect(c.start >= range.start && c.start < range.end).toBe(true);
            expect(staleFrom(m, [c])).toBeLessThanOrEqual(Date.parse(c.start));
          }
        }
        expect(supersededCalculated(left)).toEqual([]);
      }),
      { seed: 20260310, numRuns: 300 },
    );
  });
});

describe('engine sessions as stored records', () => {
  it('adds the tenant, the entity type, the computation time, and no measured details', () => {
    const detected = {
      id: 'x',
      entityId: 'e',
      start: '2026-03-09T10:00:00.000Z',
      end: '2026-03-09T11:00:00.000Z',
      source: 'calculated',
    } as DetectedSession;
    expect(toSessionRecords([detected], { tenantId: 'acme', type: 'CP' }, NOW)).toEqual([
      { ...detected, tenantId: 'acme', entityType: 'CP', created: NOW.toISOString(), measured: null },
    ]);
  });
});

describe('the time an entity’s lease has left', () => {
  const now = NOW.getTime();

  it('is null once the lease has ended, at its `until` instant', () => {
    expect(leaseSecondsLeft(now - 1, now)).toBeNull();
    expect(leaseSecondsLeft(now, now)).toBeNull();
  });

  it('is whole seconds rounded up, at least one', () => {
    expect(leaseSecondsLeft(now + 1, now)).toBe(1);
    expect(leaseSecondsLeft(now + 1_000, now)).toBe(1);
    expect(leaseSecondsLeft(now + 1_001, now)).toBe(2);
    expect(leaseSecondsLeft(now + 90_500, now)).toBe(91);
  });

  it('is never more than one lease length, whatever the holder’s clock said', () => {
    expect(leaseSecondsLeft(now + ENTITY_LEASE_MS, now)).toBe(ENTITY_LEASE_MS / 1000);
    expect(leaseSecondsLeft(now + 10 * ENTITY_LEASE_MS, now)).toBe(ENTITY_LEASE_MS / 1000);
  });

  it('waiting that long always finds the lease ended', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: ENTITY_LEASE_MS }), (left) => {
        const seconds = leaseSecondsLeft(now + left, now);
        if (left <= 0) return seconds === null;
        return (
          seconds !== null && seconds >= 1 && leaseSecondsLeft(now + left, now + seconds * 1000) === null
        );
      }),
    );
  });
});
