// The session engine's rules, one at a time, on hand-built readings whose right answer is known exactly.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chargeSessionId,
  computeSessions,
  type EngineEntity,
  type EngineInput,
  type TenantLocation,
} from '../../shared/engine/index.js';
import type { Reading } from '../../shared/readings/model.js';
import { HOUR, MIN, series } from '../support/engine.js';

const T0 = Date.UTC(2025, 4, 1, 12, 0);

const CP: EngineEntity = { id: 'cp-1', type: 'CP', batteryCapacityKwh: null };
const EV: EngineEntity = { id: 'ev-1', type: 'EV', batteryCapacityKwh: 60 };

function compute(entity: EngineEntity, readings: Reading[], overrides: Partial<EngineInput> = {}) {
  const last = readings.length > 0 ? readings[readings.length - 1]!.t : T0;
  return computeSessions({
    entity,
    readings,
    window: { from: readings[0]?.t ?? T0, to: last + 30 * HOUR },
    locations: [],
    exactLocation: false,
    ...overrides,
  });
}

/** A charger at `kw` between `start` and `end`, read every minute from T0 for `hours`. */
function constantCharge(start: number, end: number, kw: number, hours = 4) {
  return series(T0, T0 + hours * HOUR, MIN, (t) => ({
    powerKw: t >= start && t < end ? kw : 0,
    isPluggedIn: true,
  }));
}

describe('methods', () => {
  it('power flow: integrates power (trapezoid); boundaries and charging time within a sampling interval', () => {
    const start = T0 + 30 * MIN;
    const end = T0 + 150 * MIN;
    const [session, ...rest] = compute(CP, constantCharge(start, end, 7.2)).sessions;
    expect(rest).toHaveLength(0);
    expect(session).toMatchObject({ method: 'power_flow', source: 'calculated', entityId: 'cp-1' });
    expect(session!.energyKwh).toBeCloseTo(14.4, 6);
    expect(Math.abs(Date.parse(session!.start) - start)).toBeLessThanOrEqual(MIN);
    expect(Math.abs(Date.parse(session!.end) - end)).toBeLessThanOrEqual(MIN);
    expect(session!.chargingSeconds).toBe(7200);
    expect(session!.averagePowerKw).toBeCloseTo(7.2, 6);
    expect(session!.peakPowerKw).toBe(7.2);
    expect(session!.socStartPercent).toBeNull();
    expect(session!.position).toBeNull();
  });

  it('energy meter: preferred over power when both are reported', () => {
    const start = T0 + 30 * MIN;
    const end = T0 + 150 * MIN;
    // The register counts 5 % less than the power reading suggests (a calibrated meter against a rough
    // power sensor): the meter must win.
    const readings = constantCharge(start, end, 7.2).map((r) => ({
      ...r,
      energyKwh: 500 + (0.95 * 7.2 * (Math.min(Math.max(r.t, start), end) - start)) / HOUR,
    }));
    const [session] = compute(CP, readings).sessions;
    expect(session!.method).toBe('energy_meter');
    expect(session!.energyKwh).toBeCloseTo(13.68, 6);
    expect(session!.peakPowerKw).toBe(7.2); // power still gives the peak
  });

  it('energy meter alone: register steps place the boundaries; the peak is the best 5-minute average', () => {
    const start = T0 + 30 * MIN + 20_000;
    const end = T0 + 150 * MIN + 20_000;
    const kw = (t: number) => (t < T0 + 90 * MIN ? 11 : 7);
    const energyAt = (t: number) => {
      let e = 0;
      for (let x = start; x < Math.min(t, end); x += 1000) e += kw(x) / 3600;
      return e;
    };
    const readings = series(T0, T0 + 4 * HOUR, 2 * MIN, (t) => ({
      energyKwh: 100 + Math.floor(energyAt(t) * 1000) / 1000,
    }));
    const [session] = compute(CP, readings).sessions;
    expect(session!.method).toBe('energy_meter');
    expect(session!.energyKwh).toBeCloseTo(energyAt(end), 2);
    expect(Math.abs(Date.parse(session!.start) - start)).toBeLessThanOrEqual(2 * MIN);
    expect(Math.abs(Date.parse(session!.end) - end)).toBeLessThanOrEqual(2 * MIN);
    expect(session!.peakPowerKw).toBeCloseTo(11, 1);
  });

  it('state of charge: ΔSoC × capacity, refined past the 1 % steps when they are seen one by one', () => {
    const start = T0 + 20 * MIN + 17_000;
    const end = start + 5 * HOUR;
    // 12 %/h from 20.4 % to 80.4 %: 36 kWh into 60 kWh; the car reports whole percents and a flag.
    const soc = (t: number) => 20.4 + (12 * (Math.min(Math.max(t, start), end) - start)) / HOUR;
    const readings = series(T0, end + HOUR, MIN, (t) => ({
      soc: Math.floor(soc(t)),
      isCharging: t >= start && t < end,
      isPluggedIn: true,
    }));
    const [session] = compute(EV, readings).sessions;
    expect(session!.method).toBe('state_of_charge');
    expect(session!.energyKwh).toBeGreaterThan(36 * 0.99);
    expect(session!.energyKwh).toBeLessThan(36 * 1.01);
    expect(session!.socStartPercent).toBe(20);
    expect(session!.socEndPercent).toBe(80);
  });

  it('state of charge without a battery capacity yields no energy: the session is skipped, never guessed', () => {
    const readings = series(T0, T0 + 6 * HOUR, 5 * MIN, (t) => ({
      soc: t < T0 + HOUR ? 30 : Math.min(80, 30 + Math.floor((t - T0 - HOUR) / (5 * MIN))),
      isCharging: t >= T0 + HOUR && t < T0 + HOUR + 250 * MIN,
    }));
    const out = compute({ ...EV, batteryCapacityKwh: null }, readings);
    expect(out.sessions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['no_battery_capacity']);
  });

  it('a charging flag with nothing that measures energy is skipped as no_energy_signal', () => {
    const readings = series(T0, T0 + 4 * HOUR, MIN, (t) => ({
      isCharging: t >= T0 + HOUR && t < T0 + 2 * HOUR,
    }));
    const out = compute(EV, readings);
    expect(out.sessions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['no_energy_signal']);
  });

  it('drops sessions with no energy (a blip below 0.05 kWh)', () => {
    const readings = constantCharge(T0 + HOUR, T0 + HOUR + MIN, 1.5);
    const out = compute(CP, readings);
    expect(out.sessions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['no_energy']);
  });

  it('a meter reset inside a session falls back to power; without power it counts the positive steps', () => {
    const start = T0 + 30 * MIN;
    const end = T0 + 150 * MIN;
    const reset = T0 + 90 * MIN;
    const meter = (t: number) => {
      const e = (7.2 * (Math.min(Math.max(t, start), end) - start)) / HOUR;
      return t < reset ? 1000 + e : e - (7.2 * (reset - start)) / HOUR; // register replaced at `reset`
    };
    const withPower = constantCharge(start, end, 7.2).map((r) => ({ ...r, energyKwh: meter(r.t) }));
    const [a] = compute(CP, withPower).sessions;
    expect(a!.method).toBe('power_flow');
    expect(a!.energyKwh).toBeCloseTo(14.4, 6);
    const meterOnly = withPower.map(({ t, energyKwh }) => ({ t, energyKwh }) as Reading);
    const [b] = compute(CP, meterOnly).sessions;
    expect(b!.method).toBe('energy_meter');
    expect(b!.energyKwh).toBeCloseTo(14.4 - 7.2 / 60, 6); // the minute of the reset is lost, not invented
  });
});

describe('boundaries and merging', () => {
  const spells = (
    pauses: { from: number; to: number }[],
    fields: (t: number) => Omit<Reading, 't' | 'powerKw'>,
  ) =>
    series(T0, T0 + 8 * HOUR, MIN, (t) => {
      const charging = t >= T0 + HOUR && t < T0 + 5 * HOUR && !pauses.some((p) => t >= p.from && t < p.to);
      return { powerKw: charging ? 7 : 0, ...fields(t) };
    });

  it('power averaged over each reporting period: the end lies inside the last charging reading period', () => {
    // 7 kW from 01:03:00 to 03:01:00, reported every 2 min as the average over the 2 min before.
    const start = T0 + HOUR + 3 * MIN;
    const end = T0 + 3 * HOUR + MIN;
    const readings = series(T0, T0 + 5 * HOUR, 2 * MIN, (t) => {
      const flowing = Math.max(0, Math.min(t, end) - Math.max(t - 2 * MIN, start));
      return { powerKw: (7 * flowing) / (2 * MIN) };
    });
    const [s, ...rest] = compute(EV, readings).sessions;
    expect(rest).toHaveLength(0);
    // The 03:02 reading shows 3.5 kW: half its period flowed. The midpoint after it would say 03:03.
    expect(Date.parse(s!.end)).toBe(end);
    expect(s!.quality?.end.rule).toBe('metered');
    expect(Math.abs(Date.parse(s!.start) - start)).toBeLessThanOrEqual(MIN);
  });

  it('merges stop/start while plugged in into one session; charging time excludes the pause', () => {
    const pause = { from: T0 + 2 * HOUR, to: T0 + 2 * HOUR + 40 * MIN };
    const out = compute(
      CP,
      spells([pause], () => ({ isPluggedIn: true })),
    );
    expect(out.sessions).toHaveLength(1);
    const [s] = out.sessions;
    expect(s!.chargingSeconds).toBe(4 * 3600 - 40 * 60);
    expect(s!.energyKwh).toBeCloseTo(7 * (4 - 40 / 60), 6);
    expect(s!.averagePowerKw).toBeCloseTo(7, 6);
  });

  it('splits when the vehicle was unplugged in between, or the pause is longer than the merge gap', () => {
    const pause = { from: T0 + 2 * HOUR, to: T0 + 2 * HOUR + 40 * MIN };
    const unplugged = compute(
      CP,
      spells([pause], (t) => ({
        isPluggedIn: !(t >= T0 + 2 * HOUR + 10 * MIN && t < T0 + 2 * HOUR + 20 * MIN),
      })),
    );
    expect(unplugged.sessions).toHaveLength(2);
    const long = { from: T0 + 90 * MIN, to: T0 + 90 * MIN + 150 * MIN };
    expect(
      compute(
        CP,
        spells([long], () => ({ isPluggedIn: true })),
      ).sessions,
    ).toHaveLength(2);
  });

  it('without plug state or movement, only a short stop is merged (another vehicle may have connected)', () => {
    const short = { from: T0 + 2 * HOUR, to: T0 + 2 * HOUR + 5 * MIN };
    const long = { from: T0 + 2 * HOUR, to: T0 + 2 * HOUR + 30 * MIN };
    expect(
      compute(
        CP,
        spells([short], () => ({})),
      ).sessions,
    ).toHaveLength(1);
    expect(
      compute(
        CP,
        spells([long], () => ({})),
      ).sessions,
    ).toHaveLength(2);
  });

  it('an EV that did not move is still on the same charger: a 60-minute pause merges; after driving it splits', () => {
    const pause = { from: T0 + 2 * HOUR, to: T0 + 3 * HOUR };
    const still = compute(
      EV,
      spells([pause], () => ({ odometerKm: 1000, lat: 52, lon: 4 })),
    );
    expect(still.sessions).toHaveLength(1);
    const drove = compute(
      EV,
      spells([pause], (t) => ({ odometerKm: t < T0 + 2 * HOUR + 10 * MIN ? 1000 : 1012, lat: 52, lon: 4 })),
    );
    expect(drove.sessions).toHaveLength(2);
  });

  it('power is never integrated across a data gap: the gap is a pause, measured energy only', () => {
    const readings = constantCharge(T0 + HOUR, T0 + 4 * HOUR, 7, 6).filter(
      (r) => r.t < T0 + 2 * HOUR || r.t >= T0 + 3 * HOUR + 30 * MIN,
    );
    const out = compute(CP, readings);
    expect(out.sessions).toHaveLength(1);
    const [s] = out.sessions;
    expect(s!.method).toBe('power_flow');
    // 1 h before the gap and 30 min after: the 90 minutes without readings carry no invented energy.
    expect(s!.energyKwh).toBeLessThan(7 * 1.55);
    expect(s!.energyKwh).toBeGreaterThan(7 * 1.45);
    expect(s!.chargingSeconds).toBeLessThan(1.55 * 3600);
  });

  it('a meter bridges a data gap: one session with the energy counted across it', () => {
    const start = T0 + HOUR;
    const end = T0 + 4 * HOUR;
    const readings = series(T0, T0 + 6 * HOUR, MIN, (t) => ({
      energyKwh: 10 + (7 * (Math.min(Math.max(t, start), end) - start)) / HOUR,
      isPluggedIn: true,
    })).filter((r) => r.t < T0 + 2 * HOUR || r.t >= T0 + 3 * HOUR + 30 * MIN);
    const [s, ...rest] = compute(CP, readings).sessions;
    expect(rest).toHaveLength(0);
    expect(s!.method).toBe('energy_meter');
    expect(s!.energyKwh).toBeCloseTo(21, 6);
  });

  it('a gap longer than a day closes what came before', () => {
    const before = constantCharge(T0 + HOUR, T0 + 2 * HOUR, 7, 3);
    const after = constantCharge(T0 + HOUR, T0 + 2 * HOUR, 7, 3).map((r) => ({ ...r, t: r.t + 30 * HOUR }));
    expect(compute(CP, [...before, ...after]).sessions).toHaveLength(2);
  });

  it('keeps a session across midnight UTC and across a DST change whole (sessions are UTC instants)', () => {
    // Europe/Amsterdam falls back at 01:00 UTC on 2025-10-26; this charge runs 23:00 → 04:00 UTC.
    const night = Date.UTC(2025, 9, 25, 22, 0);
    const readings = series(night, night + 8 * HOUR, MIN, (t) => ({
      powerKw: t >= night + HOUR && t < night + 6 * HOUR ? 11 : 0,
      isPluggedIn: true,
    }));
    const out = compute(CP, readings);
    expect(out.sessions).toHaveLength(1);
    expect(out.sessions[0]!.chargingSeconds).toBe(5 * 3600);
    expect(out.sessions[0]!.start < '2025-10-26T00:00:00Z').toBe(true);
    expect(out.sessions[0]!.end > '2025-10-26T03:58:00Z').toBe(true);
  });

  it('holds back a session in progress at the window end; the next run from resumeFrom emits it whole', () => {
    const readings = constantCharge(T0 + HOUR, T0 + 3 * HOUR, 7, 6);
    const full = compute(CP, readings).sessions;
    const first = compute(CP, readings, { window: { from: T0, to: T0 + 2 * HOUR } });
    expect(first.sessions).toEqual([]);
    expect(first.resumeFrom).toBeLessThan(T0 + HOUR);
    const next = compute(CP, readings, { window: { from: first.resumeFrom, to: T0 + 30 * HOUR } });
    expect(next.sessions).toEqual(full);
  });

  it('reports the session in progress as `ongoing`: same id and start as the session it completes into, energy so far', () => {
    const readings = constantCharge(T0 + HOUR, T0 + 3 * HOUR, 7, 6);
    const [full] = compute(CP, readings).sessions;
    const midway = compute(CP, readings, { window: { from: T0, to: T0 + 2 * HOUR } });
    expect(midway.sessions).toEqual([]);
    const ongoing = midway.ongoing!;
    expect(ongoing.id).toBe(full!.id);
    expect(ongoing.start).toBe(full!.start);
    // An hour of the two at 7 kW so far (the last minute's reading closes it), not the whole charge.
    expect(ongoing.energyKwh).toBeGreaterThan(7 * 0.95);
    expect(ongoing.energyKwh).toBeLessThan(7 * 1.05);
    expect(Date.parse(ongoing.end)).toBeLessThanOrEqual(T0 + 2 * HOUR);
    // Completed or idle: nothing in progress.
    expect(compute(CP, readings).ongoing).toBeNull();
    expect(compute(CP, readings, { window: { from: T0, to: T0 + HOUR - 5 * MIN } }).ongoing).toBeNull();
  });

  it('waits for the merge gap before calling a session complete, unless the vehicle was unplugged', () => {
    const readings = constantCharge(T0 + HOUR, T0 + 2 * HOUR, 7, 6);
    expect(compute(CP, readings, { window: { from: T0, to: T0 + 3 * HOUR } }).sessions).toEqual([]);
    const unplugged = readings.map((r) => ({ ...r, isPluggedIn: r.t < T0 + 2 * HOUR + 5 * MIN }));
    expect(compute(CP, unplugged, { window: { from: T0, to: T0 + 3 * HOUR } }).sessions).toHaveLength(1);
  });

  it('skips a session already under way at the first reading (its start and early energy are unknown)', () => {
    const readings = constantCharge(T0 - HOUR, T0 + HOUR, 7, 3);
    const out = compute(CP, readings);
    expect(out.sessions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['started_before_window']);
  });

  it('treats a sleeping car that wakes when charging starts as starting near its first charging reading', () => {
    // Silent (asleep, plugged in) from 12:00 until the scheduled start at 13:40; then a reading a minute.
    const start = T0 + 100 * MIN;
    const readings = [
      { t: T0, powerKw: 0, isPluggedIn: true },
      ...series(start + 10_000, start + 2 * HOUR, MIN, (t) => ({
        powerKw: t < start + 90 * MIN ? 7 : 0,
        isPluggedIn: true,
      })),
    ];
    const [s] = compute(EV, readings).sessions;
    expect(Math.abs(Date.parse(s!.start) - start)).toBeLessThan(MIN);
    expect(Math.abs(s!.energyKwh - 7 * 1.5)).toBeLessThan(7 * 1.5 * 0.01); // not half the silence's worth
  });
});

describe('state-of-charge-only trackers and offline charging', () => {
  const tracker = (rise: number) =>
    series(T0, T0 + 10 * HOUR, 15 * MIN, (t) => ({
      soc: 40 + Math.max(0, Math.min(rise, Math.floor((t - T0 - 2 * HOUR) / (5 * MIN)))),
      odometerKm: 500,
    }));

  it('needs a SoC rise of at least 5 % to call it charging without a charge-rate signal', () => {
    const small = compute(EV, tracker(3));
    expect(small.sessions).toEqual([]);
    expect(small.skipped.map((s) => s.reason)).toEqual(['soc_rise_too_small']);
    const [s] = compute(EV, tracker(30)).sessions;
    expect(s!.method).toBe('state_of_charge');
    expect(s!.energyKwh).toBeCloseTo(0.3 * 60, 6);
  });

  it('synthesizes a session when the car was offline and its SoC rose', () => {
    const readings: Reading[] = [
      ...series(T0, T0 + 30 * MIN, 5 * MIN, () => ({
        soc: 40,
        isCharging: false,
        isPluggedIn: true,
        odometerKm: 9,
      })),
      ...series(T0 + 8 * HOUR, T0 + 9 * HOUR, 5 * MIN, () => ({
        soc: 80,
        isCharging: false,
        isPluggedIn: true,
        odometerKm: 9,
      })),
    ];
    const [s, ...rest] = compute(EV, readings).sessions;
    expect(rest).toHaveLength(0);
    expect(s!.method).toBe('state_of_charge');
    expect(s!.energyKwh).toBeCloseTo(0.4 * 60, 6);
    expect(Date.parse(s!.start)).toBeGreaterThanOrEqual(T0 + 25 * MIN);
    expect(Date.parse(s!.end)).toBeLessThanOrEqual(T0 + 8 * HOUR);
  });

  it('does not call regeneration while driving a charge', () => {
    let odometer = 100;
    const readings = series(T0, T0 + HOUR, 10_000, (t) => {
      odometer += 0.25;
      return { powerKw: t === T0 + 20 * MIN ? 35 : -15, odometerKm: Math.floor(odometer * 10) / 10, soc: 60 };
    });
    expect(compute(EV, readings).sessions).toEqual([]);
  });
});

describe('session details', () => {
  const home: TenantLocation = { id: 'loc-home', label: 'Home', lat: 52.37, lon: 4.89, radiusMeters: 75 };
  const depot: TenantLocation = {
    id: 'loc-depot',
    label: 'Depot',
    lat: 52.3703,
    lon: 4.89,
    radiusMeters: 200,
  };
  const far: TenantLocation = { id: 'loc-far', label: 'Far', lat: 52.6, lon: 4.89, radiusMeters: 200 };
  const readings = series(T0, T0 + 4 * HOUR, MIN, (t) => ({
    powerKw: t >= T0 + HOUR && t < T0 + 3 * HOUR ? 7 : 0,
    isPluggedIn: true,
    soc: 30 + Math.floor(Math.max(0, Math.min(t, T0 + 3 * HOUR) - (T0 + HOUR)) / (6 * MIN)),
    rangeKm: 100 + Math.max(0, Math.min(t, T0 + 3 * HOUR) - (T0 + HOUR)) / MIN,
    lat: 52.37 + ((t / MIN) % 3) * 0.00001,
    lon: 4.89,
  }));

  it('matches locations (privacy by default: no position) and reports SoC and range at both ends', () => {
    const [s] = compute(EV, readings, { locations: [far, depot, home] }).sessions;
    expect(s!.position).toBeNull();
    expect(s!.locationMatches.map((m) => m.location.id)).toEqual(['loc-home', 'loc-depot']);
    expect(s!.locationMatches[0]!.accuracy).toBeGreaterThan(0.99);
    expect(s!.socStartPercent).toBe(30);
    expect(s!.socEndPercent).toBe(50);
    expect(s!.rangeStartKm).toBe(100);
    expect(s!.rangeEndKm).toBe(220);
  });

  it('gives the exact position (median of located readings) only when the tenant opted in', () => {
    const [s] = compute(EV, readings, { locations: [home], exactLocation: true }).sessions;
    expect(s!.position).toEqual({ lat: 52.37001, lon: 4.89 });
  });

  it('ids are deterministic UUIDv8 from entity and the reading that first showed the charge', () => {
    const [s] = compute(EV, readings).sessions;
    const firstCharging = readings.find((r) => (r.powerKw ?? 0) > 0)!;
    expect(s!.id).toBe(chargeSessionId('ev-1', firstCharging.t));
    expect(s!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(chargeSessionId('ev-1', 1)).not.toBe(chargeSessionId('ev-1', 2));
    expect(chargeSessionId('ev-1', 1)).not.toBe(chargeSessionId('ev-2', 1));
    // Pinned: changing the scheme would duplicate every stored session on the next run.
    expect(chargeSessionId('ev-1', 1)).toBe('588c51a4-9e32-8d2a-aa51-e51e9c847a70');
  });

  it('ids are the RFC 9562 layout of the digest bytes for any entity id (the hex shortcut changes nothing)', () => {
    // The reference: set the version and variant bits in the digest's bytes, then format them.
    const reference = (entityId: string, startMs: number) => {
      const digest = createHash('sha256')
        .update(`evsessions/charge-session/v2\0${entityId}\0${Math.floor(startMs)}`)
        .digest();
      digest[6] = 0x80 | (digest[6]! & 0x0f);
      digest[8] = 0x80 | (digest[8]! & 0x3f);
      const hex = digest.toString('hex', 0, 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.integer({ min: 0, max: 4e12 }),
        (id, start) => {
          expect(chargeSessionId(id, start)).toBe(reference(id, start));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('rejects a window that ends before it starts and a non-positive battery capacity', () => {
    expect(() => compute(EV, readings, { window: { from: T0 + 1, to: T0 } })).toThrow(RangeError);
    expect(() => compute({ ...EV, batteryCapacityKwh: 0 }, readings)).toThrow(RangeError);
  });
});
