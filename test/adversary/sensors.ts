// The adversary's sensors: how a car's true life (life.ts) reaches us as readings, with the faults real
// telemetry has. Each fault is one a deployed fleet shows, chosen because it breaks an assumption a
// session engine is tempted to make:
//
// - Position: heavy-tailed GPS scatter while parked — tens of metres typically, 100–200 m jumps between
//   consecutive readings in garages and urban canyons, occasionally up to 300 m ("a jump is a drive").
// - SoC: whole percent (floor or round, by car), with a battery-management estimate that drifts up to
//   ±2–4 % between rests and a recalibration step at rest that corrects it, carrying no energy ("a SoC
//   rise is a charge"), and timestamped 30–90 s off the power
//   ("signals of one reading are simultaneous").
// - Power: instantaneous on some cars, an average over the reporting period on others (the first
//   reading after a start shows part of the power, the first after the end still shows some).
// - Meter: a lifetime register with a large offset, one that resets to zero at every plug-in, one that
//   rolls over at 1,000 kWh, one that restarts from zero after a reboot ("a register only rises").
// - Flags: plug and charging flags, only the plug flag, or only the charging flag; flags lag the power.
// - Delivery: SoC and position as their own messages at their own instants; sampling 30 s – 10 min with
//   jitter; a car that sleeps when parked unplugged; single and burst drops; duplicates; re-sends;
//   out-of-order delivery.

import type { Reading } from '../../shared/readings/model.js';
import type { Rng } from '../simulator/prng.js';
import { bmsDriftPercent, type Life, LifeState, MIN, type Point, type Sky } from './life.js';

/** What a car reports, after the table of reporting modes. */
export const MODES = ['power+soc', 'meter+soc', 'soc-only', 'meter-only', 'power-only', 'all'] as const;
export type Mode = (typeof MODES)[number];

interface Signals {
  power: boolean;
  meter: boolean;
  soc: boolean;
  position: boolean;
  flags: boolean;
  odometer: boolean;
  range: boolean;
}

const signals = (...list: (keyof Signals)[]): Signals => ({
  power: list.includes('power'),
  meter: list.includes('meter'),
  soc: list.includes('soc'),
  position: list.includes('position'),
  flags: list.includes('flags'),
  odometer: list.includes('odometer'),
  range: list.includes('range'),
});

export const MODE_SIGNALS: Record<Mode, Signals> = {
  'power+soc': signals('power', 'soc', 'position', 'flags'),
  'meter+soc': signals('meter', 'soc', 'position', 'flags'),
  'soc-only': signals('soc'),
  'meter-only': signals('meter'),
  'power-only': signals('power'),
  all: signals('power', 'meter', 'soc', 'position', 'flags', 'odometer', 'range'),
};

/** The signal that measures energy in a mode, best first (as the issue ranks them: meter, power, SoC). */
export function energySignal(mode: Mode): 'meter' | 'power' | 'soc' {
  const s = MODE_SIGNALS[mode];
  return s.meter ? 'meter' : s.power ? 'power' : 'soc';
}

export interface SensorConfig {
  /** Nominal reporting period; each interval is jittered ±20 %. */
  cadenceMs: number;
  powerStyle: 'instant' | 'average';
  meterStyle: 'lifetime' | 'per-plug-in' | 'rollover' | 'reboots';
  meterResolutionKwh: number;
  meterOffsetKwh: number;
  socRounding: 'floor' | 'round';
  /** The SoC in a reading was measured this long before the reading's time (negative: after). */
  socSkewMs: number;
  /** SoC, position, odometer and range arrive as their own readings, this long after the power/meter ones. */
  splitOffsetMs: number | null;
  flagStyle: 'both' | 'plug-only' | 'charging-only';
  flagLagMs: number;
  /** Reboots of the meter (restarts from zero), for meterStyle 'reboots'. */
  meterReboots: number[];
}

export const ROLLOVER_KWH = 1_000;

export function randomSensors(rng: Rng, life: Life, mode: Mode): SensorConfig {
  const s = MODE_SIGNALS[mode];
  const meterStyle = rng.pick(['lifetime', 'per-plug-in', 'rollover', 'reboots'] as const);
  const reboots: number[] = [];
  if (meterStyle === 'reboots') {
    // At rest (parked, unplugged): a charge point or telematics unit restarting between charges.
    const rests = life.episodes.filter((e) => e.kind === 'park' && !e.plugged && e.t1 - e.t0 > 60 * MIN);
    for (let k = 0; k < 2 && rests.length > 0; k++) {
      const e = rng.pick(rests);
      reboots.push(rng.uniform(e.t0 + 20 * MIN, e.t1 - 20 * MIN));
    }
    reboots.sort((a, b) => a - b);
  }
  const twoStreams = (s.power || s.meter) && (s.soc || s.position);
  const skew = rng.uniform(30, 90) * 1000;
  return {
    cadenceMs: rng.pick([0.5, 1, 2, 5, 10]) * MIN,
    powerStyle: rng.chance(0.5) ? 'instant' : 'average',
    meterStyle,
    meterResolutionKwh: rng.pick([0.01, 0.01, 0.1]),
    meterOffsetKwh:
      meterStyle === 'rollover' ? ROLLOVER_KWH - rng.uniform(5, 120) : rng.uniform(1_000, 60_000),
    socRounding: rng.chance(0.5) ? 'floor' : 'round',
    socSkewMs: rng.chance(0.5) ? skew : -skew,
    splitOffsetMs: twoStreams && rng.chance(0.5) ? rng.uniform(3, 40) * 1000 : null,
    flagStyle: rng.pick(['both', 'both', 'plug-only', 'charging-only'] as const),
    flagLagMs: rng.uniform(0, 60) * 1000,
    meterReboots: reboots,
  };
}

/** GPS scatter of a parked car by sky view: a core plus a heavy tail (multipath, reflections). */
const SCATTER: Record<Sky, { sigmaM: number; tail: [number, number, number][] }> = {
  // [probability, min metres, max metres]
  open: {
    sigmaM: 4,
    tail: [
      [0.05, 20, 60],
      [0.005, 100, 200],
    ],
  },
  urban: {
    sigmaM: 12,
    tail: [
      [0.15, 30, 100],
      [0.05, 100, 200],
      [0.01, 200, 300],
    ],
  },
  garage: {
    sigmaM: 20,
    tail: [
      [0.2, 40, 120],
      [0.1, 100, 200],
      [0.02, 200, 300],
    ],
  },
};

export function move(p: Point, metres: number, bearing: number): Point {
  return {
    lat: p.lat + (metres * Math.cos(bearing)) / 111_320,
    lon: p.lon + (metres * Math.sin(bearing)) / (111_320 * Math.cos((p.lat * Math.PI) / 180)),
  };
}

function noisyPosition(rng: Rng, at: Point, sky: Sky | null): Point {
  if (sky === null) return move(at, Math.abs(rng.normal(0, 5)), rng.uniform(0, 2 * Math.PI));
  const { sigmaM, tail } = SCATTER[sky];
  let u = rng.next();
  for (const [p, lo, hi] of tail) {
    if (u < p) return move(at, rng.uniform(lo, hi), rng.uniform(0, 2 * Math.PI));
    u -= p;
  }
  return move(at, Math.abs(rng.normal(0, sigmaM)) * Math.SQRT2, rng.uniform(0, 2 * Math.PI));
}

/** When the car is awake and reporting: driving, plugged in, shortly after either; brief wake-ups else. */
function awakeIntervals(rng: Rng, life: Life): [number, number][] {
  const out: [number, number][] = [[life.fromMs, life.fromMs + 15 * MIN]];
  for (const e of life.episodes) {
    if (e.kind === 'drive') out.push([e.t0 - MIN, e.t1 + rng.uniform(10, 20) * MIN]);
    else if (e.plugged) out.push([e.t0, e.t1 + rng.uniform(10, 20) * MIN]);
    else {
      for (let w = e.t0 + rng.uniform(1, 4) * 60 * MIN; w < e.t1; w += rng.uniform(1, 4) * 60 * MIN) {
        out.push([w, w + rng.uniform(2, 4) * MIN]);
      }
    }
  }
  out.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of out) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** What the sensors saw, before delivery faults: in time order, one reading per instant. */
export interface Observation {
  readings: Reading[];
  /** Counts of the faults actually present (the generator's self-test checks they are). */
  faults: Record<string, number>;
}

export function observe(rng: Rng, life: Life, mode: Mode, config: SensorConfig): Observation {
  const state = new LifeState(life);
  const sig = MODE_SIGNALS[mode];
  const faults: Record<string, number> = {
    positionJump100m: 0,
    positionJump200m: 0,
    recalibrationsSeen: 0,
    meterWraps: 0,
    meterResets: 0,
  };
  const plugIns = life.episodes.filter((e) => e.kind === 'park' && e.plugged).map((e) => e.t0);
  const lastAtOrBefore = (list: readonly number[], t: number) => {
    let best = Number.NEGATIVE_INFINITY;
    for (const x of list) if (x <= t) best = x;
    return best;
  };
  const deliveredAt = (t: number) => state.energyAt(t).deliveredKwh;
  const meterAt = (t: number): number => {
    const d = deliveredAt(t);
    let value: number;
    switch (config.meterStyle) {
      case 'lifetime':
        value = config.meterOffsetKwh + d;
        break;
      case 'per-plug-in': {
        const plug = lastAtOrBefore(plugIns, t);
        value = plug === Number.NEGATIVE_INFINITY ? d : d - deliveredAt(plug);
        break;
      }
      case 'rollover':
        value = (config.meterOffsetKwh + d) % ROLLOVER_KWH;
        break;
      case 'reboots': {
        const reboot = lastAtOrBefore(config.meterReboots, t);
        value = reboot === Number.NEGATIVE_INFINITY ? config.meterOffsetKwh + d : d - deliveredAt(reboot);
        break;
      }
    }
    const r = config.meterResolutionKwh;
    return Math.round(Math.floor(value / r + 1e-9) * r * 1000) / 1000;
  };
  const socAt = (t: number) => {
    const tau = t - config.socSkewMs;
    const v = state.socAt(tau) + bmsDriftPercent(life.recalibrations, life.fromMs, tau);
    const q = config.socRounding === 'floor' ? Math.floor(v) : Math.round(v);
    return Math.min(100, Math.max(0, q));
  };
  const powerAt = (t: number): number => {
    const e = state.episode(t);
    if (e.kind === 'drive') {
      // Traction draws from the battery; braking regenerates into it for seconds. An average over the
      // reporting period nets the two (traction wins over any period this long).
      if (config.powerStyle === 'average') return -Math.round(rng.uniform(5, 25) * 100) / 100;
      return Math.round((rng.chance(0.1) ? rng.uniform(3, 40) : -rng.uniform(5, 40)) * 100) / 100;
    }
    let p: number;
    if (config.powerStyle === 'instant') p = state.powerAt(t) * (1 + rng.normal(0, 0.01));
    else p = ((deliveredAt(t) - deliveredAt(t - config.cadenceMs)) / config.cadenceMs) * 3_600_000;
    // A plugged-in car's standby draw and a sensor's zero noise stay below 0.3 kW.
    if (p <= 0 && e.plugged) p = rng.uniform(0, 0.15);
    return Math.round(p * 100) / 100;
  };
  const kmPerPercent = life.pack.capacityKwh / 100 / life.consumptionKwhPerKm;

  const primary = (t: number): Reading => {
    const r: Reading = { t };
    if (sig.power) r.powerKw = powerAt(t);
    if (sig.meter) r.energyKwh = meterAt(t);
    if (sig.flags) {
      const e = state.episode(t - config.flagLagMs);
      const plugged = e.kind === 'park' && e.plugged;
      if (config.flagStyle !== 'charging-only') r.isPluggedIn = plugged;
      if (config.flagStyle !== 'plug-only') r.isCharging = state.powerAt(t - config.flagLagMs) > 0;
    }
    return r;
  };
  const secondary = (t: number, r: Reading): Reading => {
    if (sig.soc) r.soc = socAt(t);
    if (sig.range) r.rangeKm = Math.round(socAt(t) * kmPerPercent * 10) / 10;
    if (sig.odometer) r.odometerKm = Math.floor(state.odometerAt(t) * 10) / 10;
    if (sig.position) {
      const e = state.episode(t);
      const p = noisyPosition(rng, state.positionAt(t), e.kind === 'park' ? e.sky : null);
      r.lat = Math.round(p.lat * 1e6) / 1e6;
      r.lon = Math.round(p.lon * 1e6) / 1e6;
    }
    return r;
  };

  const readings: Reading[] = [];
  const used = new Set<number>();
  const push = (r: Reading) => {
    if (used.has(r.t) || r.t < life.fromMs || r.t >= life.toMs) return;
    used.add(r.t);
    readings.push(r);
  };
  for (const [a, b] of awakeIntervals(rng, life)) {
    for (let t = a + rng.uniform(0, config.cadenceMs); t < b; t += config.cadenceMs * rng.uniform(0.8, 1.2)) {
      const at = Math.floor(t);
      if (config.splitOffsetMs === null) push(secondary(at, primary(at)));
      else {
        push(primary(at));
        const later = Math.floor(at + config.splitOffsetMs * rng.uniform(0.7, 1.3));
        push(secondary(later, { t: later }));
      }
    }
  }
  readings.sort((x, y) => x.t - y.t);

  // Count what the faults did to the readings (not what was configured).
  let previousPlugged: Reading | null = null;
  for (const r of readings) {
    const e = state.episode(r.t);
    if (r.lat !== undefined && e.kind === 'park' && e.plugged) {
      if (previousPlugged) {
        const dy = (r.lat - previousPlugged.lat!) * 111_320;
        const dx = (r.lon! - previousPlugged.lon!) * 111_320 * Math.cos((r.lat * Math.PI) / 180);
        const d = Math.hypot(dx, dy);
        if (d >= 100) faults.positionJump100m!++;
        if (d >= 200) faults.positionJump200m!++;
      }
      previousPlugged = r;
    } else if (r.lat !== undefined) previousPlugged = null;
  }
  faults.recalibrationsSeen = sig.soc ? life.recalibrations.length : 0;
  if (sig.meter) {
    for (let k = 1; k < readings.length; k++) {
      const a = readings[k - 1]!.energyKwh;
      const b = readings[k]!.energyKwh;
      if (a === undefined || b === undefined || b >= a) continue;
      if (config.meterStyle === 'rollover') faults.meterWraps!++;
      else faults.meterResets!++;
    }
  }
  return { readings, faults };
}

/** Delivery faults: drops (single and bursts), duplicates, re-sends later, out-of-order delivery. */
export function deliver(
  rng: Rng,
  readings: readonly Reading[],
): { delivered: Reading[]; faults: Record<string, number> } {
  const faults = { dropped: 0, burstDrops: 0, duplicates: 0, resent: 0, outOfOrder: 0 };
  const kept: Reading[] = [];
  let burstUntil = Number.NEGATIVE_INFINITY;
  let previous = readings[0]?.t ?? 0;
  for (const r of readings) {
    const elapsed = r.t - previous;
    previous = r.t;
    if (r.t < burstUntil) {
      faults.burstDrops++;
      continue;
    }
    // A burst — a tunnel, a dead spot in a garage, a backend hiccup — about once per 8 reporting hours,
    // whatever the cadence; up to 30 minutes lost.
    if (rng.chance(Math.min(1, elapsed / (8 * 60 * MIN)))) {
      burstUntil = r.t + rng.uniform(3, 30) * MIN;
      faults.burstDrops++;
      continue;
    }
    if (rng.chance(0.03)) {
      faults.dropped++;
      continue;
    }
    kept.push(r);
  }
  const delivered: Reading[] = [];
  const resend: { at: number; reading: Reading }[] = [];
  kept.forEach((r, k) => {
    delivered.push(r);
    if (rng.chance(0.015)) {
      delivered.push({ ...r });
      faults.duplicates++;
    }
    if (rng.chance(0.01)) {
      resend.push({ at: k + rng.int(5, 200), reading: { ...r } });
      faults.resent++;
    }
    for (const s of resend.filter((x) => x.at === k)) delivered.push(s.reading);
  });
  for (const s of resend.filter((x) => x.at >= kept.length)) delivered.push(s.reading);
  for (let k = 0; k + 1 < delivered.length; k++) {
    if (rng.chance(0.02)) {
      const a = delivered[k]!;
      delivered[k] = delivered[k + 1]!;
      delivered[k + 1] = a;
      faults.outOfOrder++;
      k++;
    }
  }
  return { delivered, faults };
}
