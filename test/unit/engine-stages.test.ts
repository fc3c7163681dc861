// The engine's pure stages one by one (shared/engine/README.md, "Where each rule lives"): evidence from one
// reading, the energy choice, the SoC refinements. The movement and quality stages have their own files
// (engine-movement.test.ts, engine-energy-quality.test.ts).

import { describe, expect, it } from 'vitest';
import { averagedPowerEnd, placeEdges } from '../../shared/engine/boundaries.js';
import { computeSessions } from '../../shared/engine/compute.js';
import { chargingEfficiency, chooseEnergy, maxRate } from '../../shared/engine/energy.js';
import { evidenceOf, METER, NONE, POINT, type Previous, SOC } from '../../shared/engine/evidence.js';
import { refinedSocDelta, socCessation, socOnset } from '../../shared/engine/soc.js';
import { HOUR, MIN } from '../support/engine.js';

const T = 10 * 60 * MIN;
const nothingBefore: Previous = {
  powerT: Number.NEGATIVE_INFINITY,
  flagT: Number.NEGATIVE_INFINITY,
  meterT: Number.NaN,
  meterKwh: 0,
  socT: Number.NaN,
  soc: 0,
};
const reading = (
  fields: Partial<{ powerKw: number; energyKwh: number; charging: boolean; soc: number }>,
) => ({
  t: T,
  powerKw: Number.NaN,
  energyKwh: Number.NaN,
  charging: undefined,
  soc: Number.NaN,
  ...fields,
});

describe('evidence stage', () => {
  it('power above 0.3 kW is flowing, below it (standby, sensor zero) is not', () => {
    expect(evidenceOf(reading({ powerKw: 7 }), nothingBefore)).toEqual({
      kind: POINT,
      on: true,
      intervalKnown: true,
    });
    expect(evidenceOf(reading({ powerKw: 0.2 }), nothingBefore).on).toBe(false);
  });

  it('a meter step at a charging rate is flowing; a step no charger can deliver is not', () => {
    const before = { ...nothingBefore, meterT: T - 5 * MIN, meterKwh: 100 };
    expect(evidenceOf(reading({ energyKwh: 100.5 }), before)).toEqual({
      kind: METER,
      on: true,
      intervalKnown: true,
    });
    expect(evidenceOf(reading({ energyKwh: 100 }), before).on).toBe(false);
    expect(evidenceOf(reading({ energyKwh: 900 }), before).on).toBe(false); // 9.6 MW: a swapped register
    expect(evidenceOf(reading({ energyKwh: 100.5 }), nothingBefore).intervalKnown).toBe(false);
  });

  it('a SoC rise is flowing; the first SoC has no interval yet', () => {
    const before = { ...nothingBefore, socT: T - 5 * MIN, soc: 40 };
    expect(evidenceOf(reading({ soc: 41 }), before)).toEqual({ kind: SOC, on: true, intervalKnown: true });
    expect(evidenceOf(reading({ soc: 40 }), before).on).toBe(false);
  });

  it('a side message (SoC alone, a better signal seen within 45 min) is no evidence', () => {
    const powerSeen = { ...nothingBefore, powerT: T - 20_000, socT: T - 5 * MIN, soc: 40 };
    expect(evidenceOf(reading({ soc: 41 }), powerSeen).kind).toBe(NONE);
    const longAgo = { ...powerSeen, powerT: T - 50 * MIN };
    expect(evidenceOf(reading({ soc: 41 }), longAgo).kind).toBe(SOC);
    const flagSeen = { ...nothingBefore, flagT: T - MIN, socT: T - 5 * MIN, soc: 40 };
    expect(evidenceOf(reading({ soc: 41 }), flagSeen).kind).toBe(NONE);
  });
});

describe('energy stage', () => {
  const totals = { meterKwh: 20, meterResets: 0, powerKwh: 21, socKnown: true, batteryKwh: 18 };

  it('meter first, then power, then SoC × capacity', () => {
    expect(chooseEnergy(totals)).toEqual({ method: 'energy_meter', energy: 20 });
    expect(chooseEnergy({ ...totals, meterKwh: Number.NaN })).toEqual({ method: 'power_flow', energy: 21 });
    expect(chooseEnergy({ ...totals, meterKwh: Number.NaN, powerKwh: Number.NaN })).toEqual({
      method: 'state_of_charge',
      energy: 18,
    });
  });

  it('a register that reset gives way to power; SoC without capacity and nothing at all are skipped', () => {
    expect(chooseEnergy({ ...totals, meterResets: 1 })).toEqual({ method: 'power_flow', energy: 21 });
    const socOnly = { ...totals, meterKwh: Number.NaN, powerKwh: Number.NaN };
    expect(chooseEnergy({ ...socOnly, batteryKwh: Number.NaN })).toBe('no_battery_capacity');
    expect(chooseEnergy({ ...socOnly, socKnown: false })).toBe('no_energy_signal');
    expect(chooseEnergy({ ...totals, meterKwh: 0.01 })).toBe('no_energy');
  });

  it('efficiency only from two signals and a SoC rise of 10 points or more', () => {
    expect(chargingEfficiency('power_flow', 20, 18, 24)).toBeCloseTo(0.9, 9);
    expect(chargingEfficiency('power_flow', 20, 18, 9)).toBeNull();
    expect(chargingEfficiency('state_of_charge', 18, 18, 24)).toBeNull();
  });

  it('peak from cumulative samples: the best average over at least the window', () => {
    const ts = [0, 5 * MIN, 10 * MIN, 15 * MIN];
    const vs = [0, 1, 3, 3.5];
    expect(maxRate(ts, vs, 4, 5 * MIN)).toBeCloseTo(24, 9); // 2 kWh in 5 min
  });
});

describe('state-of-charge stage', () => {
  // Steps every 6 min from 12:03 (31 %) to 12:27 (35 %): one spell (index 0).
  const steps = {
    from: [2, 8, 14, 20, 26].map((m) => m * MIN),
    at: [4, 10, 16, 22, 28].map((m) => m * MIN),
    level: [31, 32, 33, 34, 35],
    spell: [0, 0, 0, 0, 0],
    n: 5,
  };

  it('onset: half a step before the first step, at the spell’s step rate', () => {
    expect(socOnset(steps, 0)).toBeCloseTo(3 * MIN - 3 * MIN, 6);
    expect(socOnset({ ...steps, n: 1 }, 0)).toBeNaN();
  });

  it('cessation: half a step after the last step, at the rate of the last few steps', () => {
    // Last step seen between 12:26 and 12:28 (12:27), a step every 6 min: charging went on to ~12:30.
    expect(socCessation(steps, 0)).toBeCloseTo(27 * MIN + 3 * MIN, 6);
    expect(socCessation({ ...steps, n: 1 }, 0)).toBeNaN();
    // An AC taper: the last steps come every 20 min, so the end lies 10 min after the last one.
    const taper = {
      ...steps,
      from: [2, 8, 28, 48, 68].map((m) => m * MIN),
      at: [4, 10, 30, 50, 70].map((m) => m * MIN),
    };
    expect(socCessation(taper, 0)).toBeCloseTo(69 * MIN + 10 * MIN, 6); // 3 steps over its last 60 min
  });

  it('end to end, SoC only: the session ends half a step after its last 1 % step', () => {
    // 7.2 kW into a 72 kWh pack: 1 % every 6 min, read every minute, from 01:00 to 03:00.
    const t0 = 4_000 * HOUR;
    const truth = { start: t0 + HOUR, end: t0 + 3 * HOUR };
    const readings = Array.from({ length: 420 }, (_, k) => {
      const t = t0 + k * MIN;
      const charged = Math.min(Math.max(0, t - truth.start), truth.end - truth.start) / (6 * MIN);
      return { t, soc: Math.floor(40.5 + charged) };
    });
    const [session] = computeSessions({
      entity: { id: 'ev', type: 'EV', batteryCapacityKwh: 72 },
      readings,
      window: { from: t0, to: t0 + 7 * HOUR },
      locations: [],
      exactLocation: false,
    }).sessions;
    expect(session!.quality.end.rule).toBe('soc_rate');
    expect(Math.abs(Date.parse(session!.end) - truth.end)).toBeLessThanOrEqual(1.5 * MIN);
  });

  it('refined ΔSoC: the step times carry the SoC to the boundaries, past the 1 % buckets', () => {
    const session = {
      socOpen: 30,
      socClose: 35,
      start: 0,
      end: 30 * MIN,
      firstOnT: 0,
      lastOnT: 30 * MIN,
      spells: 1,
    };
    // True SoC 30.5 at 0 and 35.5 at 30 min (1 % per 6 min): ΔSoC 5.
    expect(refinedSocDelta(steps, session)).toBeCloseTo(5, 6);
  });
});

describe('boundary stage', () => {
  const interval = {
    from: 0,
    to: 10 * MIN,
    acrossGap: false,
    flowingBefore: false,
    flowingAfter: true,
    rateBefore: Number.NaN,
    rateAfter: 6 / (60 * MIN), // 6 kW
    meteredKwh: Number.NaN,
    energyAcrossKwh: Number.NaN,
    socAcross: Number.NaN,
    socRate: Number.NaN,
  };

  it('in the middle without a measure; where the metered energy at the rate after puts it with one', () => {
    expect(placeEdges(interval)).toMatchObject({ start: 5 * MIN, startRule: 'midpoint' });
    // 0.3 kWh metered at 6 kW: 3 minutes before the reading that saw it flowing.
    expect(placeEdges({ ...interval, meteredKwh: 0.3 })).toMatchObject({
      start: 7 * MIN,
      startRule: 'metered',
    });
  });

  it('across a gap: the energy across it at the rate beside it, else the data edge', () => {
    const gap = { ...interval, to: 120 * MIN, acrossGap: true, energyAcrossKwh: 3 };
    expect(placeEdges(gap)).toMatchObject({ start: 90 * MIN, startRule: 'rate_across_gap' });
    expect(placeEdges({ ...gap, rateAfter: Number.NaN })).toMatchObject({ start: 0, startRule: 'data_edge' });
  });

  it('averaged power: a partial first reading shows the sensor averages, so the end is inside the last reading period', () => {
    // 7 kW charge, readings every 2 min; the first shows 40 % of the level (charging began 1.2 min before
    // it), the last 25 % (charging went on for a quarter of its period).
    const x = { firstKw: 2.8, secondKw: 7, beforeAt: 60 * MIN, beforeKw: 7, lastAt: 62 * MIN, lastKw: 1.75 };
    expect(averagedPowerEnd(x)).toBe(60 * MIN + 30_000);
    // Instantaneous power: the first reading is at the charge's level, nothing says the sensor averages.
    expect(averagedPowerEnd({ ...x, firstKw: 6.95 })).toBeNull();
    // The last reading at the level before it: not a partial period.
    expect(averagedPowerEnd({ ...x, lastKw: 6.9 })).toBeNull();
  });
});
