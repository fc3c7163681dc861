// Cross-checked energy (one signal's extrapolation never fills an interval another says was empty), the
// energy that reached the battery next to what was delivered, and the quality every session carries.
// Each test fails if its rule is removed.

import { describe, expect, it } from 'vitest';
import { registerResolutionKwh } from '../../shared/engine/evidence.js';
import { computeSessions, type EngineEntity } from '../../shared/engine/index.js';
import {
  energyQuality,
  gapsWithin,
  socCheckedEdge,
  uncertaintySeconds,
} from '../../shared/engine/quality.js';
import type { Reading } from '../../shared/readings/model.js';
import { HOUR, MIN, series } from '../support/engine.js';

const T0 = Date.UTC(2025, 4, 1, 12, 0);
const EV: EngineEntity = { id: 'ev-1', type: 'EV', batteryCapacityKwh: 75 };

function compute(readings: Reading[], entity = EV) {
  return computeSessions({
    entity,
    readings,
    window: { from: readings[0]!.t, to: readings[readings.length - 1]!.t + 30 * HOUR },
    locations: [],
    exactLocation: false,
  });
}

/**
 * A DC charge at 100 kW from `start` for `minutes` into a 75 kWh pack (80 % efficient: 80 kW reach the
 * battery), power and whole-percent SoC read every `step` from T0, one reading dropped (`dropped`).
 */
function dcCharge(start: number, step: number, dropped: (t: number) => boolean, minutes = 40) {
  const end = start + minutes * MIN;
  const charged = (t: number) => Math.max(0, Math.min(t, end) - start);
  return series(T0, T0 + 2 * HOUR, step, (t) => ({
    powerKw: t >= start && t < end ? 100 : 0,
    soc: 20 + Math.floor((80 * charged(t)) / HOUR / 0.75),
    isPluggedIn: true,
  })).filter((r) => !dropped(r.t));
}

describe('cross-checked energy', () => {
  it('power is not carried back over an interval in which the SoC did not rise (the 21.5-for-11 kWh case)', () => {
    // Readings every 10 min; the charge starts 30 s before the 12:50 reading, and the 12:40 reading is
    // lost: power says 0 at 12:30 and 100 kW at 12:50, the SoC says it rose by nothing in between.
    // It ends at 13:25, mid-interval, where the midpoint is exact.
    const start = T0 + 50 * MIN - 30_000;
    const readings = dcCharge(start, 10 * MIN, (t) => t === T0 + 40 * MIN, 35.5);
    const [s] = compute(readings).sessions;
    const truth = (100 * 35.5) / 60;
    expect(s!.quality.start.rule).toBe('soc_cross_check');
    expect(Math.abs(Date.parse(s!.start) - start)).toBeLessThan(MIN);
    // Power extrapolated over the 20-minute interval would add ~16 kWh; the SoC allows < 1 %.
    expect(Math.abs(s!.energyKwh - truth) / truth).toBeLessThan(0.01);
  });

  it('the SoC check never overrides power when they agree (a short interval, the SoC step not yet due)', () => {
    const start = T0 + 30 * MIN + 20_000;
    const readings = series(T0, T0 + 3 * HOUR, MIN, (t) => ({
      powerKw: t >= start && t < T0 + 2 * HOUR ? 7 : 0,
      soc: 50 + Math.floor(Math.max(0, Math.min(t, T0 + 2 * HOUR) - start) / (6 * MIN)),
    }));
    const [s] = compute(readings).sessions;
    expect(s!.quality.start.rule).toBe('midpoint');
  });

  it('socCheckedEdge: at most one 1 % step at the lowest efficiency; half of it, at the power read there', () => {
    const edge = { from: 0, to: 20 * MIN, startsHere: true, kw: 100, capacityKwh: 75 };
    expect(socCheckedEdge({ ...edge, byPowerKwh: 0.5 })).toBeNull(); // within 0.75 / 0.85 kWh
    const checked = socCheckedEdge({ ...edge, byPowerKwh: 16 })!;
    expect(checked.kwh).toBeCloseTo(0.75 / 0.85 / 2, 6);
    expect(checked.at).toBe(Math.floor(20 * MIN - (checked.kwh / 100) * HOUR));
    expect(socCheckedEdge({ ...edge, capacityKwh: Number.NaN, byPowerKwh: 16 })).toBeNull();
  });
});

describe('side messages', () => {
  it('SoC sent as its own message between power readings does not break power integration', () => {
    const primary = dcCharge(T0 + 30 * MIN, MIN, () => false);
    const split = primary.flatMap(({ soc, ...power }) => [power, { t: power.t + 20_000, soc }]);
    const [s] = compute(split).sessions;
    expect(s!.method).toBe('power_flow');
    expect(s!.energyKwh).toBeCloseTo((100 * 40) / 60, 0);
  });
});

describe('state of charge alone', () => {
  // A 7 kW home charge into a 75 kWh pack from 12:30 for 4 h, SoC (whole percent) read every minute:
  // a 1 % step every ~6.4 minutes, flat in between; it starts mid-bucket (30.5 %).
  const start = T0 + 30 * MIN;
  const soc = (t: number) =>
    Math.floor(30.5 + (7 * Math.max(0, Math.min(t, start + 4 * HOUR) - start)) / HOUR / 0.75);
  const readings = series(T0, T0 + 6 * HOUR, MIN, (t) => ({ soc: soc(t) }));

  it('flat stretches between 1 % steps are resolution: one session, not one per step', () => {
    const { sessions } = compute(readings);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.energyKwh).toBeCloseTo(28, -1);
  });

  it('the start is half a step before the first step (the SoC sat anywhere in its bucket)', () => {
    const [s] = compute(readings).sessions;
    expect(s!.quality.start.rule).toBe('soc_rate');
    expect(Math.abs(Date.parse(s!.start) - start)).toBeLessThan(2 * MIN);
  });
});

describe('a coarse register', () => {
  it('a flat 0.1 kWh register between steps of a slow charge is resolution: one session', () => {
    // 0.5 kW for 3 h from 12:30, a register counting whole 0.1 kWh read every 30 s: a step every 12 min.
    const start = T0 + 30 * MIN;
    const readings = series(T0, T0 + 5 * HOUR, 30_000, (t) => ({
      energyKwh:
        Math.floor(10 * (100 + (0.5 * Math.max(0, Math.min(t, start + 3 * HOUR) - start)) / HOUR)) / 10,
    }));
    const { sessions } = compute(readings);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.energyKwh).toBeCloseTo(1.5, 1);
  });
});

describe('register resolution', () => {
  it('is the last decimal place a register value carries', () => {
    expect(registerResolutionKwh(12_345)).toBe(1);
    expect(registerResolutionKwh(29.7)).toBe(0.1);
    expect(registerResolutionKwh(29.76)).toBe(0.01);
    expect(registerResolutionKwh(29.765)).toBe(0.001);
    expect(registerResolutionKwh(29.7654321)).toBe(0.001);
  });

  it('a flat 0.01 kWh register after large increases (50 kW read every 10 min) is a stop, not resolution', () => {
    // 50 kW for 40 min from 12:35, read every 10 min: each increase is 4–8 kWh. Then the register stays
    // flat for 6 h, then 7 kW for 2 h.
    const a = T0 + 35 * MIN;
    const b = a + 6 * HOUR + 40 * MIN;
    const kwh = (t: number) =>
      (50 * Math.max(0, Math.min(t, a + 40 * MIN) - a)) / HOUR +
      (7 * Math.max(0, Math.min(t, b + 2 * HOUR) - b)) / HOUR;
    const readings = series(T0, T0 + 12 * HOUR, 10 * MIN, (t) => ({
      energyKwh: Math.floor(100 * (500 + kwh(t))) / 100,
    }));
    const { sessions } = compute(readings);
    // Each increase is hundreds of 0.01 kWh steps: 6 flat hours are not "between two steps".
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.energyKwh).toBeCloseTo(50 * (40 / 60), 0);
    expect(sessions[1]!.energyKwh).toBeCloseTo(14, 0);
  });
});

describe('energy delivered and energy stored', () => {
  it('a charge with SoC and capacity reports the battery energy and the efficiency next to the delivered total', () => {
    const readings = dcCharge(T0 + 30 * MIN, MIN, () => false);
    const [s] = compute(readings).sessions;
    expect(s!.method).toBe('power_flow');
    expect(s!.energyKwh).toBeCloseTo((100 * 40) / 60, 0);
    expect(s!.batteryEnergyKwh!).toBeCloseTo(((s!.socEndPercent! - s!.socStartPercent!) * 75) / 100, 0);
    expect(s!.chargingEfficiency!).toBeGreaterThan(0.77);
    expect(s!.chargingEfficiency!).toBeLessThan(0.83);
  });

  it('no efficiency without a capacity, or when SoC is the only measure of energy', () => {
    const readings = dcCharge(T0 + 30 * MIN, MIN, () => false);
    const [noCapacity] = compute(readings, { ...EV, batteryCapacityKwh: null }).sessions;
    expect(noCapacity!.batteryEnergyKwh).toBeNull();
    expect(noCapacity!.chargingEfficiency).toBeNull();
    const socOnly = readings.map(({ powerKw: _, ...r }) => ({
      ...r,
      isCharging: r.soc! > 20 && r.soc! < 73,
    }));
    const [s] = compute(socOnly).sessions;
    expect(s!.method).toBe('state_of_charge');
    expect(s!.batteryEnergyKwh).toBe(s!.energyKwh);
    expect(s!.chargingEfficiency).toBeNull();
    expect(s!.quality.energy).toBe('estimated');
  });
});

describe('session quality', () => {
  it('names the rule that placed each boundary and bounds its error by the readings either side', () => {
    const start = T0 + 30 * MIN + 20_000;
    const readings = series(T0, T0 + 3 * HOUR, MIN, (t) => ({
      powerKw: t >= start && t < T0 + 2 * HOUR ? 7 : 0,
    }));
    const [s] = compute(readings).sessions;
    expect(s!.quality.start).toEqual({ rule: 'midpoint', uncertaintySeconds: 30 });
    expect(s!.quality.end).toEqual({ rule: 'midpoint', uncertaintySeconds: 30 });
    expect(s!.quality.energy).toBe('integrated');
    expect(s!.quality.gaps).toEqual({ count: 0, seconds: 0 });
  });

  it('counts the data gaps inside a session and their length', () => {
    // A meter-reporting charger bridges a 2-hour outage: one session, with that gap inside it.
    const readings = series(T0, T0 + 6 * HOUR, MIN, (t) => ({
      energyKwh: 100 + (7 * Math.max(0, Math.min(t, T0 + 5 * HOUR) - (T0 + HOUR))) / HOUR,
      isPluggedIn: true,
    })).filter((r) => r.t < T0 + 2 * HOUR || r.t >= T0 + 4 * HOUR);
    const [s] = compute(readings, { id: 'cp', type: 'CP', batteryCapacityKwh: null }).sessions;
    expect(s!.quality.energy).toBe('measured');
    expect(s!.quality.gaps).toEqual({ count: 1, seconds: 2 * 3600 + 60 });
  });

  it('pure helpers: uncertainty is the distance to the farther reading; gaps are clipped to the session', () => {
    expect(uncertaintySeconds(10_000, { rule: 'metered', from: 0, to: 60_000 })).toBe(50);
    expect(gapsWithin([0, 100_000, 200_000, 300_000], 50_000, 250_000)).toEqual({ count: 2, seconds: 100 });
    expect(energyQuality('energy_meter')).toBe('measured');
    expect(energyQuality('power_flow')).toBe('integrated');
    expect(energyQuality('state_of_charge')).toBe('estimated');
  });
});
