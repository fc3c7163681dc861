// The engine's ISO 8601 formatter must write exactly what Date#toISOString writes, for every instant.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../shared/engine/iso-time.js';

const LAST_FOUR_DIGIT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('isoUtc', () => {
  it('matches toISOString on calendar edges: epoch, leap days, century rules, the last four-digit year', () => {
    const edges = [
      0,
      Date.UTC(1970, 0, 1, 0, 0, 0, 1),
      Date.UTC(1972, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29, 12), // divisible by 400: leap
      Date.UTC(2100, 1, 28, 23, 59, 59, 999), // divisible by 100 only: not leap
      Date.UTC(2100, 2, 1),
      Date.UTC(2025, 2, 30, 1, 0), // a DST change in Europe (UTC has none)
      Date.UTC(2025, 11, 31, 23, 59, 59, 999),
      Date.UTC(2026, 0, 1),
      LAST_FOUR_DIGIT_MS,
    ];
    for (const ms of edges) expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
  });

  it('matches toISOString for any whole millisecond from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAST_FOUR_DIGIT_MS }), (ms) => {
        expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('falls back to Date outside that range and for fractional milliseconds', () => {
    for (const ms of [-1, -86_400_000 * 400, LAST_FOUR_DIGIT_MS + 1, 1.5, 1_750_000_000_000.7]) {
      expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoUtc(Number.NaN)).toThrow(RangeError);
  });
});
