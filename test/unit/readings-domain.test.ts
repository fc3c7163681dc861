// The readings rules: times against now, one reading per instant (first wins, in a request and against
// what is stored), hour buckets, the segment write plan, and the public shape with privacy by default.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSegment } from '../../shared/readings/codec.js';
import {
  BUCKET_MS,
  bucketOf,
  bucketTtlSeconds,
  MAX_CLOCK_SKEW_MS,
  mergeDisjoint,
  mergeSegments,
  newReadings,
  planBatch,
  readingTimeErrors,
  retentionMs,
  toReading,
  toReadingResource,
} from '../../shared/readings/domain.js';
import type { Reading } from '../../shared/readings/model.js';
import {
  isSettledView,
  OPEN_SEGMENT_BYTES,
  planSegmentWrite,
  readingKeys,
  type StoredSegment,
  segmentItemBytes,
} from '../../shared/storage/readings.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const RETENTION = retentionMs(35);
const at = (iso: string) => Date.parse(iso);

describe('a reading from the API', () => {
  it('keeps the instant to the millisecond, whatever the offset, and drops finer digits', () => {
    expect(toReading({ timestamp: '2026-03-10T13:00:00.1239+01:00', soc: 5 }).t).toBe(
      at('2026-03-10T12:00:00.123Z'),
    );
  });

  it('treats null as not measured and flattens the location', () => {
    const r = toReading({
      timestamp: '2026-03-10T12:00:00Z',
      soc: null,
      powerKw: 0,
      isCharging: false,
      location: { lat: 52, lon: 4 },
    });
    expect(r).toEqual({
      t: at('2026-03-10T12:00:00Z'),
      soc: undefined,
      powerKw: 0,
      energyKwh: undefined,
      rangeKm: undefined,
      isPluggedIn: undefined,
      isCharging: false,
      lat: 52,
      lon: 4,
      odometerKm: undefined,
    });
  });
});

describe('reading times against the clock', () => {
  const reading = (t: number): Reading => ({ t, soc: 1 });

  it(`accepts up to ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead and back to the retention, and names each bad index`, () => {
    const readings = [
      reading(NOW.getTime() + MAX_CLOCK_SKEW_MS),
      reading(NOW.getTime() + MAX_CLOCK_SKEW_MS + 1),
      reading(NOW.getTime() - RETENTION),
      reading(NOW.getTime() - RETENTION - 1),
    ];
    expect(readingTimeErrors(readings, NOW, RETENTION, 35)).toEqual([
      expect.objectContaining({ in: 'body', field: 'readings[1].timestamp', code: 'in_future' }),
      expect.objectContaining({ in: 'body', field: 'readings[3].timestamp', code: 'too_old' }),
    ]);
  });
});

describe('a request planned into buckets', () => {
  it('orders by time, keeps the first of two readings of one instant, and counts what differs', () => {
    const t0 = at('2026-03-10T10:59:59.999Z');
    const plan = planBatch([
      { t: t0 + 2, soc: 3 },
      { t: t0, soc: 1 },
      { t: t0 + 2, soc: 3 }, // same values
      { t: t0 + 2, soc: 4 }, // same instant, other value: dropped, a conflict
      { t: t0 + 1, soc: 2 },
    ]);
    expect(plan.duplicates).toBe(2);
    expect(plan.conflicts).toBe(1);
    expect([...plan.buckets.keys()]).toEqual([at('2026-03-10T10:00:00Z'), at('2026-03-10T11:00:00Z')]);
    expect(plan.buckets.get(at('2026-03-10T10:00:00Z'))!.map((r) => r.soc)).toEqual([1]);
    expect(plan.buckets.get(at('2026-03-10T11:00:00Z'))!.map((r) => r.soc)).toEqual([2, 3]);
  });

  it('never loses an instant and never keeps two of one, in any order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ t: fc.integer({ min: 0, max: 20 * BUCKET_MS }), soc: fc.integer({ min: 0, max: 3 }) }),
        ),
        (readings) => {
          const plan = planBatch(readings);
          const kept = [...plan.buckets.values()].flat();
          expect(new Set(kept.map((r) => r.t))).toEqual(new Set(readings.map((r) => r.t)));
          expect(kept.length + plan.duplicates).toBe(readings.length);
          for (const [bucket, list] of plan.buckets) {
            for (let i = 0; i < list.length; i++) {
              expect(bucketOf(list[i]!.t)).toBe(bucket);
              if (i > 0) expect(list[i]!.t).toBeGreaterThan(list[i - 1]!.t);
            }
          }
          // The first reading of each instant in request order is the one kept.
          for (const r of kept) expect(r).toBe(readings.find((x) => x.t === r.t));
        },
      ),
    );
  });
});

describe('stored segments', () => {
  it('merge in time order with the earlier segment winning an instant both hold', () => {
    const earlier: Reading[] = [
      { t: 1, soc: 10 },
      { t: 3, soc: 30 },
    ];
    const later: Reading[] = [
      { t: 2, soc: 20 },
      { t: 3, soc: 99 },
    ];
    expect(mergeSegments([earlier, later]).map((r) => r.soc)).toEqual([10, 20, 30]);
  });

  it('tell new readings from duplicates and conflicts', () => {
    const stored: Reading[] = [
      { t: 1, soc: 10 },
      { t: 3, soc: 30, isCharging: true },
    ];
    const diff = newReadings(stored, [
      { t: 0, soc: 0 },
      { t: 1, soc: 10 },
      { t: 2, soc: 20 },
      { t: 3, soc: 30 },
    ]);
    expect(diff.fresh.map((r) => r.t)).toEqual([0, 2]);
    expect(diff.duplicates).toBe(2);
    expect(diff.conflicts).toBe(1); // t=3 lacks isCharging
  });

  it('merge two disjoint runs into one run in time order', () => {
    const a = [{ t: 1 }, { t: 4 }, { t: 9 }] as Reading[];
    const b = [{ t: 2 }, { t: 5 }, { t: 10 }, { t: 11 }] as Reading[];
    expect(mergeDisjoint(a, b).map((r) => r.t)).toEqual([1, 2, 4, 5, 9, 10, 11]);
  });

  it('expire a full retention after the end of their hour', () => {
    const bucket = at('2026-03-10T10:00:00Z');
    expect(bucketTtlSeconds(bucket, RETENTION)).toBe((at('2026-03-10T11:00:00Z') + RETENTION) / 1000);
  });

  it('sort by hour, then by their number in the hour, after any stored before numbering', () => {
    const a = readingKeys.segment('t', 'e', at('2026-03-10T10:00:00Z'), 0);
    const b = readingKeys.segment('t', 'e', at('2026-03-10T10:00:00Z'), 35);
    const c = readingKeys.segment('t', 'e', at('2026-03-10T10:00:00Z'), 36);
    const d = readingKeys.segment('t', 'e', at('2026-03-10T11:00:00Z'), 0);
    const legacy = { sk: '2026-03-10T10#0mf3k2a1bffffff' }; // written at a base-36 ms and 24 random bits
    expect(a.sk).toBe('2026-03-10T10#s000000');
    expect([d.sk, c.sk, legacy.sk, b.sk, a.sk].sort()).toEqual([legacy.sk, a.sk, b.sk, c.sk, d.sk]);
  });
});

describe('the segment write plan', () => {
  const bucket = at('2026-03-10T10:00:00Z');
  const ENTITY = '01900000-0000-7000-8000-000000000001';
  const ttl = bucketTtlSeconds(bucket, RETENTION);
  const minute = (i: number): Reading => ({
    t: bucket + i * 60_000,
    soc: 40 + i / 10,
    powerKw: 7.2 + (i % 7) / 100,
  });
  const stored = (readings: Reading[], version = 1, sequence: number | null = 0): StoredSegment => {
    const key =
      sequence === null
        ? { pk: readingKeys.partition('acme', ENTITY), sk: '2026-03-10T10#0mf3k2a1bffffff' }
        : readingKeys.segment('acme', ENTITY, bucket, sequence);
    const data = encodeSegment(readings);
    return {
      ...key,
      bucket,
      sequence,
      version,
      bytes: segmentItemBytes(key, data.length, readings.length, version, ttl),
      readings,
    };
  };
  const plan = (segments: StoredSegment[], fresh: Reading[]) =>
    planSegmentWrite('acme', ENTITY, bucket, segments, fresh, ttl);
  // Full-precision positions do not compress: ~59 readings need more than one KB.
  const full = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      ...minute(from + i),
      lat: 52 + Math.sin(i) / 1e3,
      lon: 4 + Math.cos(i) / 1e3,
    }));

  it('puts segment 0 into an empty bucket', () => {
    const write = plan([], [minute(0)]);
    expect(write).toMatchObject({
      kind: 'put',
      key: readingKeys.segment('acme', ENTITY, bucket, 0),
      units: 1,
    });
  });

  it('fills the last segment while it is open, for one unit per single reading', () => {
    const small = stored([minute(0), minute(1)], 3);
    const write = plan([small], [minute(2)]);
    expect(write.kind).toBe('replace');
    expect(write.segment).toBe(small);
    expect(write.key).toEqual({ pk: small.pk, sk: small.sk });
    expect(write.readings.map((r) => r.t)).toEqual([minute(0).t, minute(1).t, minute(2).t]);
    expect(write.units).toBe(1);
  });

  it('puts the next numbered segment once the last is full, whatever the new readings', () => {
    const big = stored(full(0, 59), 1, 4);
    expect(big.bytes).toBeGreaterThanOrEqual(OPEN_SEGMENT_BYTES);
    for (const fresh of [[{ t: bucket + 59 * 60_000 + 1, soc: 1 }], full(59, 1)]) {
      const write = plan([stored([minute(0)], 1, 3), big], fresh);
      expect(write.kind).toBe('put');
      expect(write.key).toEqual(readingKeys.segment('acme', ENTITY, bucket, 5));
    }
  });

  it('chooses from the hour as read, not from the new readings, so racing requests write the same item', () => {
    const open = stored([minute(0)]);
    const small = plan([open], [minute(1)]);
    const large = plan([open], full(2, 50));
    expect([small.kind, large.kind]).toEqual(['replace', 'replace']);
    expect(large.key).toEqual(small.key);
  });

  it('tells a view no single moment can have: an open segment with a later one after it', () => {
    const open = stored([minute(0)], 1, 0);
    const fullOne = stored(full(0, 59), 2, 0);
    const next = stored([minute(59)], 1, 1);
    expect(isSettledView([])).toBe(true);
    expect(isSettledView([open])).toBe(true);
    expect(isSettledView([fullOne, next])).toBe(true);
    expect(isSettledView([stored([minute(0)], 1, null), next])).toBe(true); // stored before numbering
    // Page 1 saw segment 0 before a rewrite filled it; page 2 saw segment 1, put after that rewrite.
    expect(isSettledView([open, next])).toBe(false);
  });

  it('never rewrites a segment stored before numbering: the next one is segment 0', () => {
    const write = plan([stored([minute(0)], 1, null)], [minute(1)]);
    expect(write).toMatchObject({ kind: 'put', key: readingKeys.segment('acme', ENTITY, bucket, 0) });
  });

  it('sizes items as DynamoDB does, counting attribute names, keys and the binary', () => {
    const pk = 'T#acme#E#0123456789abcdef#READINGS';
    const sk = '2026-03-10T10#abcdefgh';
    const bytes = segmentItemBytes({ pk, sk }, 100, 12, 1, 1_776_000_000);
    // 'pk' + value, 'sk' + value, 'itemType' + 'ReadingSegment', 'd' + 100 bytes, 'n' + 12, 'v' + 1, 'ttl' + 10 digits
    expect(bytes).toBe(2 + 34 + 2 + 22 + 8 + 14 + 1 + 100 + 1 + 2 + 1 + 2 + 3 + 6);
  });
});

describe('the public shape of a reading', () => {
  const reading: Reading = {
    t: at('2026-03-10T10:00:00.5Z'),
    soc: 50,
    isPluggedIn: false,
    lat: 52.1,
    lon: 4.2,
  };

  it('leaves the exact location out unless the tenant opted in', () => {
    expect(toReadingResource(reading, false)).toEqual({
      timestamp: '2026-03-10T10:00:00.500Z',
      soc: 50,
      isPluggedIn: false,
    });
    expect(toReadingResource(reading, true)).toEqual({
      timestamp: '2026-03-10T10:00:00.500Z',
      soc: 50,
      isPluggedIn: false,
      location: { lat: 52.1, lon: 4.2 },
    });
  });
});
