// The movement stage (shared/engine/movement.ts) and what it means for sessions: positions are noisy
// measurements, a plugged-in car has not driven away, the odometer is authoritative. Each test fails if
// its rule is removed.

import { describe, expect, it } from 'vitest';
import { computeSessions, type EngineEntity } from '../../shared/engine/index.js';
import { detectMovement, MOVED, parkingSpot, STILL } from '../../shared/engine/movement.js';
import type { Reading } from '../../shared/readings/model.js';
import { HOUR, MIN, north, series } from '../support/engine.js';

const T0 = Date.UTC(2025, 4, 1, 12, 0);
const HOME = { lat: 52.37, lon: 4.89 };
const EV: EngineEntity = { id: 'ev-1', type: 'EV', batteryCapacityKwh: 60 };

const movedAt = (readings: Reading[]) => {
  const { state } = detectMovement(readings, 0, readings.length, true);
  return readings.filter((_, i) => state[i] === MOVED).map((r) => (r.t - T0) / MIN);
};

function compute(readings: Reading[]) {
  return computeSessions({
    entity: EV,
    readings,
    window: { from: readings[0]!.t, to: readings[readings.length - 1]!.t + 30 * HOUR },
    locations: [],
    exactLocation: false,
  });
}

describe('movement stage', () => {
  it('a single outlier while parked is scatter; a position that stays away is a move, at its first reading', () => {
    const outlier = series(T0, T0 + 30 * MIN, MIN, (_, i) =>
      i === 10 ? north(HOME.lat, HOME.lon, 400) : HOME,
    );
    expect(movedAt(outlier)).toEqual([]);
    const drove = series(T0, T0 + 30 * MIN, MIN, (_, i) =>
      i >= 10 ? north(HOME.lat, HOME.lon, 2_000) : HOME,
    );
    expect(movedAt(drove)).toEqual([10]);
  });

  it('two outliers in a row are still scatter (a move needs three readings away)', () => {
    const burst = series(T0, T0 + 30 * MIN, MIN, (_, i) =>
      i === 10 || i === 11 ? north(HOME.lat, HOME.lon, 300) : HOME,
    );
    expect(movedAt(burst)).toEqual([]);
  });

  it('the distance that counts as away grows with the scatter seen while parked (a garage)', () => {
    // Fixes scattered 0–120 m around the spot (median distance ~60 m): away means beyond ~300 m.
    const scatter = [0, 40, 120, 60, 90, 20, 110, 70, 50, 100, 30, 80];
    const parked = scatter.map((m, i) => ({ t: T0 + i * MIN, ...north(HOME.lat, HOME.lon, i % 2 ? m : -m) }));
    expect(parkingSpot(parked).radius).toBeGreaterThan(250);
    // Three fixes in a row 200 m off: beyond the fixed 150 m, within the garage's own scatter.
    const offset = [0, 1, 2].map((k) => ({ t: T0 + (12 + k) * MIN, ...north(HOME.lat, HOME.lon, 200) }));
    expect(movedAt([...parked, ...offset, ...parked.map((p) => ({ ...p, t: p.t + 15 * MIN }))])).toEqual([]);
  });

  it('a recent plugged-in flag overrides any position; an unplug hands the decision back to positions', () => {
    const away = (i: number) => (i >= 10 ? north(HOME.lat, HOME.lon, 1_000) : HOME);
    const plugged = series(T0, T0 + 30 * MIN, MIN, (_, i) => ({ ...away(i), isPluggedIn: true }));
    expect(movedAt(plugged)).toEqual([]);
    const unplugged = series(T0, T0 + 30 * MIN, MIN, (_, i) => ({ ...away(i), isPluggedIn: i < 5 }));
    expect(movedAt(unplugged)).toEqual([10]);
  });

  it('a charging flag means the cable is in: plugged in, whatever the position says', () => {
    const charging = series(T0, T0 + 30 * MIN, MIN, (_, i) => ({
      ...(i >= 10 ? north(HOME.lat, HOME.lon, 1_000) : HOME),
      isCharging: true,
    }));
    expect(movedAt(charging)).toEqual([]);
  });

  it('a charging flag proves the cable only until the car reports the charge over', () => {
    // isCharging only (no plug flag): charging, then "not charging" (charge done), then a drive 1 km away
    // ten minutes later. The old charging flag is still under 45 min old, but the car said the charge was
    // over: from then on the cable could be pulled, so the positions decide.
    const readings = series(T0, T0 + 40 * MIN, MIN, (_, i) => ({
      ...(i >= 20 ? north(HOME.lat, HOME.lon, 1_000 + 100 * i) : HOME),
      isCharging: i < 10,
    }));
    expect(movedAt(readings)).toEqual([20]);
  });

  it('without odometer, plug state or position, a battery discharging at traction power is driving', () => {
    const readings = series(T0, T0 + 10 * MIN, MIN, (_, i) => ({
      powerKw: i === 4 ? -12 : i === 6 ? 7 : 0.1,
    }));
    expect(movedAt(readings)).toEqual([4]);
    const { state } = detectMovement(readings, 0, readings.length, true);
    expect([...state].filter((x) => x === STILL)).toHaveLength(9); // standby and charging: standing still
  });

  it('traction power says driving even when a slow drive keeps the fix within 150 m of the last one', () => {
    // 100 m a minute (6 km/h), unplugged, traction -20 kW: every reading is driving.
    const readings = series(T0, T0 + 10 * MIN, MIN, (_, i) => ({
      ...north(HOME.lat, HOME.lon, 100 * i),
      powerKw: -20,
      isPluggedIn: false,
    }));
    expect(movedAt(readings)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('the odometer is authoritative: a tick is a move even when the position stays, no tick is no move', () => {
    const ticked = series(T0, T0 + 10 * MIN, MIN, (_, i) => ({
      ...HOME,
      odometerKm: i >= 5 ? 1000.3 : 1000,
    }));
    expect(movedAt(ticked)).toEqual([5]);
    const still = series(T0, T0 + 10 * MIN, MIN, (_, i) => ({
      ...(i >= 5 ? north(HOME.lat, HOME.lon, 1_000) : HOME),
      odometerKm: 1000,
    }));
    expect(movedAt(still)).toEqual([]);
  });
});

describe('movement in sessions', () => {
  it('power only: regeneration bursts while driving are not charges; a charge with a pause stays one session', () => {
    // Driving (traction -15 kW, a 20 kW braking burst now and then), then a home charge at 7 kW with a
    // 30-minute pause on standby (0.1 kW): no plug flags, no positions, no odometer.
    const readings = series(T0, T0 + 5 * HOUR, MIN, (t, i) => {
      if (t < T0 + HOUR) return { powerKw: i % 7 === 3 ? 20 : -15 };
      const charging =
        (t >= T0 + 70 * MIN && t < T0 + 2 * HOUR) || (t >= T0 + 150 * MIN && t < T0 + 4 * HOUR);
      return { powerKw: charging ? 7 : 0.1 };
    });
    const { sessions } = compute(readings);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.energyKwh).toBeCloseTo((7 * (50 + 90)) / 60, 0);
  });

  it('a plugged-in home charge with a pause and positions 164 m apart either side is one session', () => {
    // The example: power every minute, a 4-minute pause (plugged in, not charging), and the
    // position after the pause 164 m from the one before it for the rest of the charge.
    const readings = series(T0, T0 + 4 * HOUR, MIN, (t) => {
      const pause = t >= T0 + 2 * HOUR && t < T0 + 2 * HOUR + 4 * MIN;
      const charging = t >= T0 + HOUR && t < T0 + 3 * HOUR && !pause;
      return {
        powerKw: charging ? 7 : 0,
        isPluggedIn: true,
        isCharging: charging,
        ...(t >= T0 + 2 * HOUR ? north(HOME.lat, HOME.lon, 164) : HOME),
      };
    });
    const { sessions } = compute(readings);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.energyKwh).toBeCloseTo(7 * (2 - 4 / 60), 1);
  });

  it('position outliers up to 300 m during a charge without plug flags change nothing', () => {
    const base = (t: number) => ({ powerKw: t >= T0 + HOUR && t < T0 + 3 * HOUR ? 7 : 0 });
    const clean = compute(series(T0, T0 + 4 * HOUR, MIN, (t) => ({ ...base(t), ...HOME })));
    const noisy = compute(
      series(T0, T0 + 4 * HOUR, MIN, (t, i) => ({
        ...base(t),
        ...(i % 17 === 0 ? north(HOME.lat, HOME.lon, i % 2 ? 300 : -250) : HOME),
      })),
    );
    expect(clean.sessions).toHaveLength(1);
    expect(noisy.sessions).toEqual(clean.sessions);
  });

  it('a braking burst right after traction (sooner than a cable can be connected) is not a charge', () => {
    // Power only, every 30 s: traction until 12:10, a 35 kW burst at 12:10:00, then parked (0 kW).
    const readings = series(T0, T0 + HOUR, 30_000, (t) => ({
      powerKw: t < T0 + 10 * MIN ? -10 : t === T0 + 10 * MIN ? 35 : 0,
    }));
    expect(compute(readings).sessions).toEqual([]);
  });

  it('power while plugged in is charging, not regeneration, even when the position says it moved', () => {
    // A brief top-up (3 minutes) whose fixes wander off: plugged in, so it is a charge.
    const readings = series(T0, T0 + HOUR, 30_000, (t) => {
      const on = t >= T0 + 20 * MIN && t < T0 + 23 * MIN;
      return {
        powerKw: on ? 50 : 0,
        isPluggedIn: true,
        ...(t >= T0 + 20 * MIN ? north(HOME.lat, HOME.lon, 500) : HOME),
      };
    });
    expect(compute(readings).sessions).toHaveLength(1);
  });

  it('after a real drive (positions stay 2 km away, unplugged) a new charge is a new session', () => {
    const readings = series(T0, T0 + 4 * HOUR, MIN, (t) => {
      const first = t >= T0 + 30 * MIN && t < T0 + 90 * MIN;
      const second = t >= T0 + 110 * MIN && t < T0 + 3 * HOUR;
      return {
        powerKw: first || second ? 7 : 0,
        ...(t >= T0 + 100 * MIN ? north(HOME.lat, HOME.lon, 2_000) : HOME),
      };
    });
    // A 20-minute pause without plug state would not merge anyway; with plug flags it would, but for the move.
    const flagged = readings.map((r) => ({
      ...r,
      isPluggedIn: r.t < T0 + 95 * MIN || r.t >= T0 + 105 * MIN,
    }));
    expect(compute(readings).sessions).toHaveLength(2);
    expect(compute(flagged).sessions).toHaveLength(2);
  });
});
