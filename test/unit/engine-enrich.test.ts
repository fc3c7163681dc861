// The enrich stage (shared/engine/enrich.ts): a closed session's record from its committed totals, or why
// it is not reported.

import { describe, expect, it } from 'vitest';
import { buildSession, type SessionContext } from '../../shared/engine/enrich.js';
import { METER, POINT, SOC } from '../../shared/engine/evidence.js';
import { chargeSessionId } from '../../shared/engine/id.js';
import { SessionBuilder } from '../../shared/engine/session-builder.js';
import type { DetectedSession } from '../../shared/engine/types.js';
import { HOUR, MIN } from '../support/engine.js';

const T = 100 * HOUR;
const context: SessionContext = {
  entityId: 'ev-1',
  capacityKwh: 60,
  locations: [],
  exactLocation: true,
  gaps: [],
};

/** A one-hour power session of 7 kWh, committed. */
function powered(): SessionBuilder {
  const b = new SessionBuilder(T, false, POINT, 0);
  b.anchor = T + MIN;
  b.end = T + HOUR;
  b.closeT = T + HOUR;
  b.spells = 1;
  b.chargingMs = HOUR;
  b.cHadPower = true;
  b.cPowerEnergy = 7;
  b.cPeak = 7.4;
  return b;
}

const built = (b: SessionBuilder, ctx = context) => {
  const x = buildSession(b, ctx);
  if (typeof x === 'string') throw new Error(x);
  return x as DetectedSession;
};

describe('enrich stage', () => {
  it('power integrated: energy, average over charging time, peak of the readings', () => {
    const s = built(powered());
    expect(s).toMatchObject({ method: 'power_flow', energyKwh: 7, averagePowerKw: 7, peakPowerKw: 7.4 });
    expect(s.quality.energy).toBe('integrated');
  });

  it('names the session by the reading that first showed the charge, not by its start', () => {
    expect(built(powered()).id).toBe(chargeSessionId('ev-1', T + MIN));
  });

  it('a session charging at the window’s first reading is skipped', () => {
    const b = powered();
    b.truncated = true;
    expect(buildSession(b, context)).toBe('started_before_window');
  });

  it('a SoC-only session must rise 5 %; with no capacity it is skipped, never guessed', () => {
    const soc = (rise: number) => {
      const b = new SessionBuilder(T, false, SOC, 0);
      Object.assign(b, { end: T + HOUR, spells: 1, chargingMs: HOUR, socOpen: 40, socClose: 40 + rise });
      return b;
    };
    expect(buildSession(soc(4), context)).toBe('soc_rise_too_small');
    expect(built(soc(10))).toMatchObject({ method: 'state_of_charge', energyKwh: 6 });
    expect(buildSession(soc(10), { ...context, capacityKwh: Number.NaN })).toBe('no_battery_capacity');
  });

  it('a meter session’s peak is its highest 5-minute metered rate, never below the average', () => {
    const b = new SessionBuilder(T, false, METER, 0);
    Object.assign(b, { end: T + HOUR, closeT: T + HOUR, spells: 1, chargingMs: HOUR });
    Object.assign(b, { meterOn: true, cMeterSum: 11, cMeterLastT: T + HOUR });
    for (let k = 0; k <= 12; k++)
      b.samples.pushMeter(T + k * 5 * MIN, k < 6 ? k * 0.5 : 3 + (k - 6) * (8 / 6));
    b.samples.commit();
    const s = built(b);
    expect(s.method).toBe('energy_meter');
    expect(s.peakPowerKw).toBeCloseTo(16);
  });

  it('position: the median of the located readings, given only with exactLocation', () => {
    const b = powered();
    for (const lat of [52.0, 52.001, 52.5]) b.samples.pushLocation(lat, 4.9);
    b.samples.commit();
    expect(built(b).position).toEqual({ lat: 52.001, lon: 4.9 });
    expect(built(b, { ...context, exactLocation: false }).position).toBeNull();
  });

  it('what reached the battery and the efficiency, from SoC beside the delivered energy', () => {
    const b = powered();
    Object.assign(b, { socOpen: 40, socClose: 50 });
    const s = built(b);
    expect(s.batteryEnergyKwh).toBeCloseTo(6);
    expect(s.chargingEfficiency).toBeCloseTo(6 / 7);
  });

  it('counts the data gaps inside the session for its quality', () => {
    const s = built(powered(), { ...context, gaps: [T - HOUR, T + 10 * MIN, T + 2 * HOUR, T + 3 * HOUR] });
    expect(s.quality.gaps).toEqual({ count: 1, seconds: 600 });
  });
});

describe('session totals (session-builder.ts)', () => {
  it('sums the register’s plausible steps; a fall or a jump no charger can make is a reset, not energy', () => {
    const b = new SessionBuilder(T, false, METER, 0);
    Object.assign(b, { meterOn: true, meterLastE: 100, meterLastT: T });
    b.addMeter(T + 10 * MIN, 101);
    b.addMeter(T + 20 * MIN, 0.5); // reset to zero
    b.addMeter(T + 30 * MIN, 1.5);
    b.addMeter(T + 31 * MIN, 900); // 53 MW: a swapped register
    expect(b.meterSum).toBeCloseTo(2);
    expect(b.meterResets).toBe(2);
  });

  it('power integrates flowing intervals; one power did not measure means power cannot give the energy', () => {
    const b = new SessionBuilder(T, false, POINT, 0);
    b.addFlowingInterval(1.2, 7, 7.4);
    expect(b).toMatchObject({ powerEnergy: 1.2, peak: 7.4, hadPower: true, powerOk: true });
    b.addFlowingInterval(Number.NaN, Number.NaN, 7);
    expect(b.powerOk).toBe(false);
  });

  it('records a SoC step at each new high, with the reading before it and its spell', () => {
    const b = new SessionBuilder(T, false, SOC, 0);
    b.addSoc(T, 40, Number.NaN, -1);
    b.addSoc(T + MIN, 41, T, 0);
    b.addSoc(T + 2 * MIN, 40, T + MIN, 0); // a fall is no step
    b.addSoc(T + 3 * MIN, 41, T + 2 * MIN, 0); // back to the high: no step either
    expect(b.samples.steps.at).toEqual([T + MIN]);
    expect(b.samples.steps.from).toEqual([T]);
  });
});
