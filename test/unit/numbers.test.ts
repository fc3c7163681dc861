// Stored numbers stay within DynamoDB's range (1e-130 ≤ |x| < 1e126, 38 digits): rounding at each
// domain's precision turns underflow like 4e-151 into 0 instead of a failed write.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COORDINATE_DECIMALS, roundTo } from '../../shared/numbers.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { storable } from '../../shared/storage/sessions.js';

const representable = (x: number) => x === 0 || (Math.abs(x) >= 1e-130 && Math.abs(x) < 1e126);

describe('roundTo', () => {
  it('rounds half away from zero and never yields -0', () => {
    expect(roundTo(1.23456785, 7)).toBe(1.2345679);
    expect(roundTo(-1.5, 0)).toBe(-2);
    expect(Object.is(roundTo(-1e-12, 6), 0)).toBe(true);
    expect(roundTo(4.0678874847169785e-151, COORDINATE_DECIMALS)).toBe(0);
  });

  it('always gives a value DynamoDB can store, within half a unit of the last place', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 9 }),
        (value, places) => {
          const rounded = roundTo(value, places);
          expect(representable(rounded)).toBe(true);
          expect(Math.abs(rounded - value)).toBeLessThanOrEqual(0.5 / 10 ** places + 1e-9 * Math.abs(value));
        },
      ),
    );
  });
});

describe('a stored session', () => {
  it('has every number within DynamoDB’s range, whatever the engine computed', () => {
    const tiny = 4.0678874847169785e-151;
    const session = storable({
      tenantId: 't',
      entityId: 'e',
      entityType: 'EV',
      id: 'i',
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-01T01:00:00.000Z',
      energyKwh: 5 + tiny,
      averagePowerKw: tiny,
      peakPowerKw: 7.123456789,
      chargingSeconds: 3600.0000001,
      socStartPercent: tiny,
      socEndPercent: 80,
      rangeStartKm: null,
      rangeEndKm: tiny,
      locationMatches: [{ accuracy: tiny, location: { id: 'l', label: 'Home' } }],
      position: { lat: tiny, lon: 4.895212345678 },
      method: 'power_flow',
      source: 'calculated',
      created: '2026-01-02T00:00:00.000Z',
      measured: null,
    } satisfies ChargeSessionRecord);
    const numbers: number[] = [];
    JSON.stringify(session, (_, v) => {
      if (typeof v === 'number') numbers.push(v);
      return v;
    });
    expect(numbers.every(representable)).toBe(true);
    expect(session).toMatchObject({
      energyKwh: 5,
      averagePowerKw: 0,
      peakPowerKw: 7.123457,
      position: { lat: 0, lon: 4.8952123 },
    });
  });
});
