// The stored form of readings: lossless for every value the API accepts, one fixed object shape out, and
// small enough that an hour of one-minute telemetry fits in a couple of write units.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment } from '../../shared/readings/codec.js';
import type { Reading } from '../../shared/readings/model.js';
import { simulateEntity } from '../simulator/simulate.js';

const FIELD_ORDER = [
  't',
  'soc',
  'powerKw',
  'energyKwh',
  'rangeKm',
  'isPluggedIn',
  'isCharging',
  'lat',
  'lon',
  'odometerKm',
];

/** Any double the schema could pass, without -0 (JSON has no -0: it is stored as 0). */
const anyNumber = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const reading = fc.record({
  soc: maybe(anyNumber),
  powerKw: maybe(anyNumber),
  energyKwh: maybe(anyNumber),
  rangeKm: maybe(anyNumber),
  isPluggedIn: maybe(fc.boolean()),
  isCharging: maybe(fc.boolean()),
  lat: maybe(anyNumber),
  lon: maybe(anyNumber),
  odometerKm: maybe(anyNumber),
});

/** Strictly increasing whole-millisecond times, as ingestion hands them over. */
const run = fc
  .tuple(
    fc.integer({ min: 0, max: 4_102_444_800_000 }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 3_600_000 }), reading), { minLength: 1, maxLength: 80 }),
  )
  .map(([start, steps]) => {
    let t = start;
    return steps.map(([dt, r]) => {
      t += dt;
      return { t, ...r } as Reading;
    });
  });

function shaped(r: Reading): Reading {
  return {
    t: r.t,
    soc: r.soc,
    powerKw: r.powerKw,
    energyKwh: r.energyKwh,
    rangeKm: r.rangeKm,
    isPluggedIn: r.isPluggedIn,
    isCharging: r.isCharging,
    lat: r.lat,
    lon: r.lon,
    odometerKm: r.odometerKm,
  };
}

describe('the readings segment codec', () => {
  it('round-trips every reading exactly, in order', () => {
    fc.assert(
      fc.property(run, (readings) => {
        expect(decodeSegment(encodeSegment(readings))).toEqual(readings.map(shaped));
      }),
      { numRuns: 300 },
    );
  });

  it('gives every decoded reading the same ten fields in the same order, absent ones undefined', () => {
    const decoded = decodeSegment(
      encodeSegment([
        { t: 1_000, soc: 50 },
        { t: 2_000, isCharging: true, lat: 52.1, lon: 4.3 },
      ]),
    );
    for (const r of decoded) expect(Object.keys(r)).toEqual(FIELD_ORDER);
    expect(decoded[0]).toMatchObject({ t: 1_000, soc: 50, isCharging: undefined, lat: undefined });
    expect(decoded[1]).toMatchObject({ t: 2_000, soc: undefined, isCharging: true, lat: 52.1, lon: 4.3 });
  });

  it('keeps false apart from absent', () => {
    const [r] = decodeSegment(encodeSegment([{ t: 5, isPluggedIn: false, isCharging: undefined }]));
    expect(r!.isPluggedIn).toBe(false);
    expect(r!.isCharging).toBeUndefined();
  });

  it('refuses bytes of an unknown format rather than misreading them', () => {
    const bytes = encodeSegment([{ t: 1, soc: 1 }]);
    bytes[0] = 9;
    expect(() => decodeSegment(bytes)).toThrow(/Unknown readings segment format 9/);
  });

  it('packs an hour of one-minute telemetry with every field in under 2 KB, a single reading in ~100 bytes', () => {
    const sim = simulateEntity({
      seed: 21,
      id: 'codec',
      profile: 'ev-power',
      timeZone: 'UTC',
      startDate: [2025, 1, 10],
      days: 1,
      cadenceMs: 60_000,
      alwaysAwake: true,
    });
    const hour = sim.readings
      .map((r) => ({ ...r, t: Math.floor(r.t) }))
      .filter((r, i, all) => i === 0 || r.t > all[i - 1]!.t)
      .slice(0, 60);
    expect(hour.length).toBe(60);
    const bytes = encodeSegment(hour).length;
    expect(bytes).toBeLessThan(2048);
    expect(bytes / hour.length).toBeLessThan(34); // vs ~230 bytes per reading as JSON
    expect(encodeSegment(hour.slice(0, 1)).length).toBeLessThan(120);
  });
});
