// The telemetry simulator that scores the engine: it must be deterministic, its labels must agree with
// the readings it emits, and it must actually contain the hard cases it claims to.

import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../simulator/corpus.js';
import { acceptanceKw, simulateCharge } from '../simulator/physics.js';
import { Rng } from '../simulator/prng.js';
import { PROFILE_SPECS, PROFILES, simulateEntity } from '../simulator/simulate.js';
import { localParts, localToUtc, offsetMs } from '../simulator/zones.js';

const base = {
  id: 'sim',
  timeZone: 'Europe/Amsterdam',
  startDate: [2025, 3, 27] as [number, number, number],
  days: 6,
};

describe('simulator', () => {
  it('is deterministic per seed', () => {
    const a = simulateEntity({ ...base, seed: 42, profile: 'ev-power' });
    const b = simulateEntity({ ...base, seed: 42, profile: 'ev-power' });
    const c = simulateEntity({ ...base, seed: 43, profile: 'ev-power' });
    expect(b).toEqual(a);
    expect(c.readings).not.toEqual(a.readings);
    expect(new Rng(7).next()).toBe(new Rng(7).next());
  });

  it('emits only the signals each profile reports', () => {
    const keyOf = {
      soc: 'soc',
      power: 'powerKw',
      meter: 'energyKwh',
      charging: 'isCharging',
      plug: 'isPluggedIn',
      range: 'rangeKm',
      odometer: 'odometerKm',
    } as const;
    for (const profile of PROFILES) {
      const e = simulateEntity({ ...base, seed: 5, profile });
      const keys = new Set(e.readings.flatMap((r) => Object.keys(r)));
      const spec = PROFILE_SPECS[profile];
      for (const [signal, key] of Object.entries(keyOf)) {
        expect(keys.has(key), `${profile} ${key}`).toBe(spec.signals[signal as keyof typeof keyOf]);
      }
      expect(keys.has('lat')).toBe(spec.signals.location);
      expect(e.entity.type).toBe(spec.type);
    }
  });

  it('labels true sessions that agree with a perfect meter read every 10 s', () => {
    const e = simulateEntity({
      ...base,
      seed: 9,
      profile: 'cp-meter',
      cadenceMs: 10_000,
      dropRate: 0,
      duplicateRate: 0,
    });
    expect(e.truth.length).toBeGreaterThan(3);
    const meterAt = (t: number) => {
      let value = Number.NaN;
      for (const r of e.readings) {
        if (r.t > t) break;
        value = r.energyKwh!;
      }
      return value;
    };
    let previousEnd = 0;
    for (const s of e.truth) {
      expect(s.startMs).toBeGreaterThanOrEqual(previousEnd);
      expect(s.endMs).toBeGreaterThan(s.startMs);
      expect(s.chargingMs).toBeLessThanOrEqual(s.endMs - s.startMs + 1);
      previousEnd = s.endMs;
      // The register (1 Wh) read just before the start and after the end brackets the labelled energy.
      const counted = meterAt(s.endMs + 30_000) - meterAt(s.startMs - 1);
      expect(Math.abs(counted - s.energyKwh)).toBeLessThan(0.002);
    }
  });

  it('drops and duplicates readings at the configured rates', () => {
    const clean = simulateEntity({ ...base, seed: 11, profile: 'cp-power', dropRate: 0, duplicateRate: 0 });
    const noisy = simulateEntity({
      ...base,
      seed: 11,
      profile: 'cp-power',
      dropRate: 0.1,
      duplicateRate: 0.05,
    });
    const duplicates = (rs: { t: number }[]) => rs.length - new Set(rs.map((r) => r.t)).size;
    expect(duplicates(clean.readings)).toBe(0);
    expect(duplicates(noisy.readings) / noisy.readings.length).toBeGreaterThan(0.03);
    expect(new Set(noisy.readings.map((r) => r.t)).size).toBeLessThan(clean.readings.length * 0.95);
  });

  it('covers the hard cases: midnight and DST crossings in several zones, solar pauses, DC, irregular sampling', () => {
    const corpus = buildCorpus({ seed: 3, entitiesPerProfile: 6, days: 10 });
    const truth = corpus.flatMap((e) => e.truth);
    expect(new Set(corpus.map((e) => e.timeZone)).size).toBeGreaterThanOrEqual(5);
    expect(truth.filter((s) => s.crossesLocalMidnight).length).toBeGreaterThan(10);
    expect(new Set(truth.filter((s) => s.crossesDst).map((s) => s.timeZone)).size).toBeGreaterThanOrEqual(2);
    const solar = truth.filter((s) => s.kind === 'solar');
    expect(solar.some((s) => s.chargingMs < s.endMs - s.startMs - 10 * 60_000)).toBe(true); // paused, one session
    expect(truth.some((s) => s.kind === 'dc')).toBe(true);
    const cadences = new Set(corpus.map((e) => e.cadenceMs));
    expect(Math.min(...cadences)).toBe(10_000);
    expect(Math.max(...cadences)).toBe(15 * 60_000);
  });
});

describe('simulator physics and zones', () => {
  const battery = { capacityKwh: 75, acMaxKw: 11, dcMaxKw: 200 };

  it('tapers DC above 80 % and AC only near full', () => {
    expect(acceptanceKw(battery, 40, true)).toBe(200);
    expect(acceptanceKw(battery, 85, true)).toBeLessThan(0.65 * 200);
    expect(acceptanceKw(battery, 80, false)).toBe(11);
    expect(acceptanceKw(battery, 99, false)).toBeLessThan(11);
  });

  it('integrates a charge to exactly its target', () => {
    const result = simulateCharge({
      t0: 0,
      deadline: 10 * 3_600_000,
      socStart: 20,
      target: 80,
      battery,
      dc: false,
      supplyKw: () => 7.4,
    })!;
    expect(result.energyKwh).toBeCloseTo(0.6 * 75, 6);
    expect(result.socEnd).toBeCloseTo(80, 6);
    expect(result.endMs - result.startMs).toBeCloseTo(((0.6 * 75) / 7.4) * 3_600_000, -3);
  });

  it('maps local times across DST holes and overlaps', () => {
    const spring = localToUtc('Europe/Amsterdam', 2025, 3, 30, 2, 30); // does not exist: moves forward
    expect(localParts('Europe/Amsterdam', spring).hour).toBe(3);
    const fall = localToUtc('America/New_York', 2025, 11, 2, 1, 30); // exists twice: the first
    expect(offsetMs('America/New_York', fall)).toBe(-4 * 3_600_000);
    expect(localToUtc('Asia/Kolkata', 2025, 1, 1, 0, 0)).toBe(Date.UTC(2024, 11, 31, 18, 30));
  });
});
