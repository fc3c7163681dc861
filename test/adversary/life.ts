// The adversary's ground truth: one car's life (parks, drives, charges) from first principles, and the
// true charge sessions in it. Independent of test/simulator on purpose (only the PRNG and the zone
// arithmetic are shared): a second model of the world, written to find what the first one hides.
//
// Physics. Energy leaves the charger ("delivered") and a fraction η of it reaches the battery (η 85–95 %:
// on-board charger, cable and battery heat; worse on AC than on DC). The battery accepts at most
// `acceptanceKw(soc)` on its side: DC is constant-current up to a knee (55–65 %), then constant-voltage,
// where the current — and so the power — falls towards zero as the cell voltage reaches its limit; AC is
// limited by the on-board charger and tapers only in the last few percent (cell balancing). Driving
// takes `consumption × km` from the battery, linearly over the drive.
//
// A true session is one plug-in: from the first instant energy flows to the last, pauses inside it
// (load balancing, a 4-minute pause, a tariff window) included; `deliveredKwh` is what the charger
// delivered, `batteryKwh` what reached the battery.

import type { Rng } from '../simulator/prng.js';
import { addDays, localParts, localToUtc, offsetMs } from '../simulator/zones.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** Integration step: short against any sampling cadence (≥ 30 s), so power is resolved within it. */
export const STEP_MS = 5_000;
const STEP_H = STEP_MS / HOUR;

export interface Point {
  lat: number;
  lon: number;
}

/** How a place's sky view shapes the GPS scatter of a parked car (see sensors.ts). */
export type Sky = 'open' | 'urban' | 'garage';

export interface Pack {
  capacityKwh: number;
  acMaxKw: number;
  dcPeakKw: number;
  /** DC constant-current ends here (%); constant-voltage taper above. */
  dcKneePercent: number;
}

/** Battery-side power (kW) the pack accepts at `soc` %. */
export function acceptanceKw(pack: Pack, soc: number, dc: boolean): number {
  if (soc >= 100) return 0;
  if (dc) {
    if (soc < pack.dcKneePercent) return pack.dcPeakKw;
    // Constant voltage: current decays as the cells fill; never quite zero before 100 %.
    const left = (100 - soc) / (100 - pack.dcKneePercent);
    return pack.dcPeakKw * Math.max(0.03, left ** 1.4);
  }
  if (soc < 95) return pack.acMaxKw;
  return pack.acMaxKw * Math.max(0.1, (100 - soc) / 5);
}

/** Energy flowing at a constant rate over [t0, t1). */
export interface PowerPiece {
  t0: number;
  t1: number;
  deliveredKw: number;
  batteryKw: number;
}

export interface Park {
  kind: 'park';
  t0: number;
  t1: number;
  at: Point;
  sky: Sky;
  plugged: boolean;
}

export interface Drive {
  kind: 'drive';
  t0: number;
  t1: number;
  from: Point;
  to: Point;
  km: number;
  batteryKwh: number;
}

export type Episode = Park | Drive;

export type SessionKind = 'home-ac' | 'work-ac' | 'public-ac' | 'dc-trip' | 'dc-topup';

export interface TrueSession {
  carId: string;
  kind: SessionKind;
  /** First and last instant energy flowed (epoch ms). */
  startMs: number;
  endMs: number;
  /** Plug-in and unplug (the session lies inside). */
  plugMs: number;
  unplugMs: number;
  deliveredKwh: number;
  batteryKwh: number;
  /** Delivered power just after the start and just before the end (kW): what a boundary error costs. */
  startKw: number;
  endKw: number;
  /** Pauses inside the session (no energy, still plugged in). */
  pauses: number;
  socStart: number;
  socEnd: number;
}

/**
 * Recalibration of the battery-management system's SoC estimate at rest: a step of `deltaPercent` in the
 * reported SoC, no energy. Between rests the BMS counts coulombs, and a current sensor's small offset
 * makes that estimate drift from the truth; the recalibration (open-circuit voltage after a long park)
 * removes the drift, so the step is back TOWARD the truth (see `bmsDriftPercent`).
 */
export interface Recalibration {
  t: number;
  deltaPercent: number;
}

/**
 * How far the reported SoC (%) sits from the truth at t: the drift that builds linearly from the
 * previous recalibration (or the first reading) to −deltaPercent just before the next, which the
 * recalibration then corrects to zero. After the last recalibration the estimate is taken as exact (its
 * drift has not built up before the readings end). A coulomb-counting error grows with time awake, a
 * few percent over days, never by a sudden step away from the truth.
 */
export function bmsDriftPercent(recalibrations: readonly Recalibration[], fromMs: number, t: number): number {
  let previous = fromMs;
  for (const c of recalibrations) {
    if (c.t > t) return (-c.deltaPercent * (t - previous)) / (c.t - previous);
    previous = c.t;
  }
  return 0;
}

export interface Life {
  carId: string;
  timeZone: string;
  pack: Pack;
  consumptionKwhPerKm: number;
  fromMs: number;
  toMs: number;
  socAtStart: number;
  odometerAtStart: number;
  episodes: Episode[];
  pieces: PowerPiece[];
  truth: TrueSession[];
  recalibrations: Recalibration[];
  places: { home: Point; work: Point };
}

export interface LifeOptions {
  carId: string;
  timeZone: string;
  home: Point;
  /** First local day [y, m, d] and the number of days. */
  startDate: [number, number, number];
  days: number;
  /**
   * The smallest SoC gain a charge aims for. A car measured by SoC alone is given ≥ 10 %: smaller
   * top-ups are within a few 1 % quanta and a ±4 % recalibration step, which no method can tell apart.
   */
  minGainPercent: number;
}

function offsetPoint(rng: Rng, p: Point, minKm: number, maxKm: number): Point {
  const km = rng.uniform(minKm, maxKm);
  const bearing = rng.uniform(0, 2 * Math.PI);
  return {
    lat: p.lat + (km * Math.cos(bearing)) / 111.32,
    lon: p.lon + (km * Math.sin(bearing)) / (111.32 * Math.cos((p.lat * Math.PI) / 180)),
  };
}

interface ChargePlan {
  kind: SessionKind;
  plugAt: number;
  /** The car is unplugged at this instant at the latest (earlier if `leaveAfterMs` is set). */
  unplugBy: number;
  /** Energy starts flowing here (scheduled charging starts later than the plug-in). */
  startAt: number;
  chargerKw: number;
  dc: boolean;
  targetPercent: number;
  eta: number;
  /** Pauses inside: [offset from start, length] in ms. */
  pauses: [number, number][];
  /** Unplug this long after the charge completes (a driver waiting at a DC stop), if before unplugBy. */
  leaveAfterMs?: number;
}

/** Builds a life episode by episode, keeping the SoC, odometer and position it implies. */
class LifeBuilder {
  readonly episodes: Episode[] = [];
  readonly pieces: PowerPiece[] = [];
  readonly truth: TrueSession[] = [];
  readonly recalibrations: Recalibration[] = [];
  now: number;
  soc: number;
  at: Point;
  sky: Sky;

  constructor(
    private readonly rng: Rng,
    readonly carId: string,
    readonly pack: Pack,
    readonly consumption: number,
    start: number,
    soc: number,
    at: Point,
    sky: Sky,
  ) {
    this.now = start;
    this.soc = soc;
    this.at = at;
    this.sky = sky;
  }

  park(until: number, plugged: boolean): void {
    if (until <= this.now) return;
    const last = this.episodes[this.episodes.length - 1];
    if (last?.kind === 'park' && last.plugged === plugged && last.at === this.at) last.t1 = until;
    else this.episodes.push({ kind: 'park', t0: this.now, t1: until, at: this.at, sky: this.sky, plugged });
    // The BMS re-estimates its SoC at rest (open-circuit voltage after a long park): a step, no energy,
    // that corrects the drift built up since the previous one (`bmsDriftPercent`).
    if (!plugged && until - this.now > 2 * HOUR && this.rng.chance(0.25)) {
      const size = this.rng.int(2, 4);
      this.recalibrations.push({
        t: this.now + this.rng.uniform(HOUR, until - this.now - 10 * MIN),
        deltaPercent: this.rng.chance(0.5) ? size : -size,
      });
    }
    this.now = until;
  }

  /** Drive to `to` (at most what the battery allows, keeping 8 %). */
  drive(to: Point, km: number, sky: Sky, speedKmh: number): void {
    const reachKm = ((this.soc - 8) / 100) * (this.pack.capacityKwh / this.consumption);
    const distance = Math.max(1, Math.min(km, reachKm));
    const t1 = this.now + Math.round((distance / speedKmh) * HOUR);
    const batteryKwh = distance * this.consumption;
    this.episodes.push({ kind: 'drive', t0: this.now, t1, from: this.at, to, km: distance, batteryKwh });
    this.soc -= (batteryKwh / this.pack.capacityKwh) * 100;
    this.now = t1;
    this.at = to;
    this.sky = sky;
  }

  /** One plug-in: park unplugged to the plug-in, charge (with pauses), park plugged in, unplug. */
  plugIn(plan: ChargePlan): void {
    this.park(plan.plugAt, false);
    const t0 = Math.max(plan.startAt, plan.plugAt + 10_000);
    if (t0 > plan.unplugBy - 15 * MIN) {
      // Plugged in, but the schedule never came: no energy, no session (a plug-in without a charge).
      this.park(plan.unplugBy, true);
      return;
    }
    this.park(t0, true);
    const pauseAt = (t: number) => plan.pauses.some(([a, len]) => t >= t0 + a && t < t0 + a + len);
    const limit = plan.unplugBy - 2 * MIN;
    let t = t0;
    let delivered = 0;
    let battery = 0;
    let first = Number.NaN;
    let last = Number.NaN;
    let startKw = 0;
    let endKw = 0;
    const socStart = this.soc;
    const added: PowerPiece[] = [];
    while (t + STEP_MS <= limit && this.soc < plan.targetPercent - 1e-9) {
      if (pauseAt(t)) {
        t += STEP_MS;
        continue;
      }
      const deliveredKw = Math.min(plan.chargerKw, acceptanceKw(this.pack, this.soc, plan.dc) / plan.eta);
      const batteryKw = deliveredKw * plan.eta;
      // The charger stops exactly at the target, part-way through the step.
      const room = ((plan.targetPercent - this.soc) / 100) * this.pack.capacityKwh;
      const stepMs = batteryKw * STEP_H > room ? Math.max(1, Math.round((room / batteryKw) * HOUR)) : STEP_MS;
      const kwhIn = batteryKw * (stepMs / HOUR);
      const previous = added[added.length - 1];
      if (previous && previous.t1 === t && Math.abs(previous.deliveredKw - deliveredKw) < 1e-9) {
        previous.t1 = t + stepMs;
      } else {
        added.push({ t0: t, t1: t + stepMs, deliveredKw, batteryKw });
      }
      if (Number.isNaN(first)) {
        first = t;
        startKw = deliveredKw;
      }
      last = t + stepMs;
      endKw = deliveredKw;
      delivered += deliveredKw * (stepMs / HOUR);
      battery += kwhIn;
      this.soc = Math.min(100, this.soc + (kwhIn / this.pack.capacityKwh) * 100);
      t += stepMs;
      if (stepMs < STEP_MS) break;
    }
    if (Number.isNaN(first) || delivered < 0.2) {
      // Nothing worth calling a charge flowed (the window was too short): undo, stay plugged, no session.
      this.soc = socStart;
      this.park(plan.unplugBy, true);
      return;
    }
    this.pieces.push(...added);
    // The charge lies inside one plugged park: [t0, unplug).
    const unplugAt =
      plan.leaveAfterMs !== undefined ? Math.min(plan.unplugBy, last + plan.leaveAfterMs) : plan.unplugBy;
    this.park(Math.max(unplugAt, last + 30_000), true);
    const pauses = plan.pauses.filter(([a]) => t0 + a > first && t0 + a < last).length;
    this.truth.push({
      carId: this.carId,
      kind: plan.kind,
      startMs: first,
      endMs: last,
      plugMs: plan.plugAt,
      unplugMs: this.now,
      deliveredKwh: delivered,
      batteryKwh: battery,
      startKw,
      endKw,
      pauses,
      socStart,
      socEnd: this.soc,
    });
  }
}

/** Pauses inside an AC charge: 4-minute ones (load balancing, a car's own pause) and a rare longer one. */
function acPauses(rng: Rng): [number, number][] {
  const pauses: [number, number][] = [];
  let at = rng.uniform(10, 40) * MIN;
  const count = rng.pick([0, 0, 1, 1, 2, 3]);
  for (let k = 0; k < count; k++) {
    const length = rng.chance(0.8) ? rng.uniform(3.5, 4.5) * MIN : rng.uniform(15, 40) * MIN;
    pauses.push([at, length]);
    at += length + rng.uniform(15, 90) * MIN;
  }
  return pauses;
}

export function simulateLife(rng: Rng, options: LifeOptions): Life {
  const { timeZone, startDate, days, home } = options;
  const localAt = (date: [number, number, number], minutes: number) => {
    const [y, m, d] = addDays(date[0], date[1], date[2], Math.floor(minutes / 1440));
    const rest = ((minutes % 1440) + 1440) % 1440;
    return localToUtc(timeZone, y, m, d, Math.floor(rest / 60), Math.round(rest % 60));
  };
  const dateOf = (t: number): [number, number, number] => {
    const p = localParts(timeZone, t);
    return [p.year, p.month, p.day];
  };
  const capacityKwh = rng.pick([40, 52, 58, 64, 75, 77, 82, 90, 100]);
  const pack: Pack = {
    capacityKwh,
    acMaxKw: rng.pick([7.4, 11, 11]),
    dcPeakKw: rng.uniform(50, 250),
    dcKneePercent: rng.uniform(55, 65),
  };
  const consumption = rng.uniform(0.14, 0.22);
  const homeSky: Sky = rng.pick(['open', 'open', 'garage', 'urban']);
  const work = offsetPoint(rng, home, 8, 35);
  const homeKw = Math.min(pack.acMaxKw, rng.pick([3.7, 7.4, 11]));
  const scheduled = rng.chance(0.5);
  const target = rng.pick([80, 80, 90, 100]);
  const plugBelow = rng.uniform(50, 75);
  // One driver in five has no charger at home (street parking) and charges at work and in public.
  const homeCharger = rng.chance(0.8);
  const workCharging = !homeCharger || rng.chance(0.5);
  const minGain = options.minGainPercent;

  const fromMs = localAt(startDate, 0);
  const toMs = localAt(startDate, days * 1440);
  const soc0 = rng.uniform(40, 75);
  const life = new LifeBuilder(rng, options.carId, pack, consumption, fromMs, soc0, home, homeSky);
  /**
   * A charge planned to gain at least minGain; one that would gain less is not made (a work charger's
   * 80 % target reached at 77 %, a public one capped at 95 %): the option's promise to SoC-only cars.
   */
  const charge = (plan: ChargePlan) => {
    if (plan.targetPercent - life.soc >= minGain) life.plugIn(plan);
  };
  const acEta = () => rng.uniform(0.85, 0.92);
  const dcEta = () => rng.uniform(0.91, 0.95);

  const homeStay = (until: number) => {
    const arrive = life.now;
    // A night with a DST change is charged on a schedule at 01:30, so the session crosses the change.
    const dstNight = offsetMs(timeZone, arrive) !== offsetMs(timeZone, until);
    const wants = dstNight || life.soc < plugBelow || rng.chance(0.3);
    if (!homeCharger || !wants || life.soc > target - minGain || until - arrive < HOUR) {
      life.park(until, false);
      return;
    }
    const plugAt = arrive + rng.uniform(0.5, 8) * MIN;
    const unplugBy = until - rng.uniform(1, 5) * MIN;
    let startAt = plugAt + rng.uniform(5, 90) * 1000;
    if (dstNight) startAt = localAt(dateOf(plugAt), 1440 + 90);
    else if (scheduled) {
      // Off-peak: around the local midnight after the plug-in (DST nights included).
      const midnight = localAt(dateOf(plugAt), 1440);
      startAt = Math.max(startAt, midnight + rng.pick([-120, -60, 0, 30, 60, 90]) * MIN);
    }
    life.plugIn({
      kind: 'home-ac',
      plugAt,
      unplugBy,
      startAt,
      chargerKw: homeKw,
      dc: false,
      targetPercent: target,
      eta: acEta(),
      pauses: acPauses(rng),
    });
    life.park(until, false);
  };

  const dcStop = (kind: 'dc-trip' | 'dc-topup', targetPercent: number) => {
    if (life.soc > targetPercent - minGain) return;
    const plugAt = life.now + rng.uniform(1, 5) * MIN;
    life.plugIn({
      kind,
      plugAt,
      unplugBy: plugAt + 2 * HOUR,
      startAt: plugAt + rng.uniform(20, 90) * 1000,
      chargerKw: rng.pick([50, 150, 350]),
      dc: true,
      targetPercent,
      eta: dcEta(),
      pauses: rng.chance(0.1) ? [[rng.uniform(3, 8) * MIN, rng.uniform(1, 3) * MIN]] : [],
      leaveAfterMs: rng.uniform(1, 6) * MIN,
    });
  };

  // A quiet start: parked, unplugged, so the readings open before any charge.
  life.park(fromMs + rng.uniform(1, 3) * HOUR, false);
  for (let d = 0; d < days; d++) {
    const date = addDays(startDate[0], startDate[1], startDate[2], d);
    const weekday = new Date(Date.UTC(date[0], date[1] - 1, date[2])).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const lastDay = d === days - 1;
    const trip = !lastDay && d > 0 && rng.chance(0.15);
    const commute = !trip && !weekend && rng.chance(0.85);
    const depart = localAt(date, (trip ? 8 : 7) * 60 + rng.uniform(0, 120));
    if (depart <= life.now + 30 * MIN) continue;
    homeStay(depart);
    if (trip) {
      const site = offsetPoint(rng, home, 120, 200);
      life.drive(site, rng.uniform(130, 260), 'open', rng.uniform(80, 115));
      dcStop('dc-trip', rng.uniform(75, 90));
      life.park(life.now + rng.uniform(1, 4) * HOUR, false);
      life.drive(home, rng.uniform(130, 260), homeSky, rng.uniform(80, 115));
    } else if (commute) {
      life.drive(work, rng.uniform(8, 40), 'urban', rng.uniform(30, 70));
      const leave = localAt(date, 16 * 60 + rng.uniform(0, 150));
      const needs = homeCharger ? life.soc < 70 && rng.chance(0.5) : life.soc < 85;
      if (workCharging && needs && life.soc < 90 - minGain && leave - life.now > 2 * HOUR) {
        const plugAt = life.now + rng.uniform(2, 8) * MIN;
        charge({
          kind: 'work-ac',
          plugAt,
          unplugBy: leave - rng.uniform(2, 6) * MIN,
          startAt: plugAt + rng.uniform(10, 60) * 1000,
          chargerKw: Math.min(pack.acMaxKw, 11),
          dc: false,
          targetPercent: rng.pick([80, 90]),
          eta: acEta(),
          pauses: acPauses(rng),
        });
      }
      life.park(leave, false);
      life.drive(home, rng.uniform(8, 40), homeSky, rng.uniform(30, 70));
    } else {
      // A weekend errand, sometimes with a short public top-up.
      const errand = offsetPoint(rng, home, 3, 15);
      life.drive(errand, rng.uniform(4, 20), 'urban', rng.uniform(25, 60));
      if (rng.chance(0.35)) dcStop('dc-topup', Math.min(90, life.soc + rng.uniform(minGain + 2, 30)));
      else if (rng.chance(0.3)) {
        const plugAt = life.now + rng.uniform(1, 4) * MIN;
        charge({
          kind: 'public-ac',
          plugAt,
          unplugBy: plugAt + rng.uniform(45, 120) * MIN,
          startAt: plugAt + rng.uniform(10, 60) * 1000,
          chargerKw: Math.min(pack.acMaxKw, rng.pick([7.4, 11, 22])),
          dc: false,
          targetPercent: Math.min(95, life.soc + rng.uniform(minGain + 3, 30)),
          eta: acEta(),
          pauses: rng.chance(0.3) ? [[rng.uniform(10, 20) * MIN, 4 * MIN]] : [],
        });
      }
      life.park(life.now + rng.uniform(30, 120) * MIN, false);
      life.drive(home, rng.uniform(4, 20), homeSky, rng.uniform(25, 60));
    }
    // The evening at home: the charge that follows belongs to the next loop's homeStay; on the last day
    // nothing is charged, so no true session is cut by the end of the readings.
    if (lastDay) life.park(toMs, false);
  }
  life.park(toMs, false);

  return {
    carId: options.carId,
    timeZone,
    pack,
    consumptionKwhPerKm: consumption,
    fromMs,
    toMs,
    socAtStart: soc0,
    odometerAtStart: rng.uniform(2_000, 90_000),
    episodes: life.episodes,
    pieces: life.pieces,
    truth: life.truth,
    recalibrations: life.recalibrations,
    places: { home, work },
  };
}

/** The true state of a life at any instant: energy so far, SoC, position, odometer, what the car does. */
export class LifeState {
  private readonly deliveredBefore: Float64Array;
  private readonly batteryBefore: Float64Array;
  private readonly drivenKwhBefore: Float64Array;
  private readonly drivenKmBefore: Float64Array;

  constructor(readonly life: Life) {
    const { pieces, episodes } = life;
    this.deliveredBefore = new Float64Array(pieces.length + 1);
    this.batteryBefore = new Float64Array(pieces.length + 1);
    pieces.forEach((p, k) => {
      const h = (p.t1 - p.t0) / HOUR;
      this.deliveredBefore[k + 1] = this.deliveredBefore[k]! + p.deliveredKw * h;
      this.batteryBefore[k + 1] = this.batteryBefore[k]! + p.batteryKw * h;
    });
    this.drivenKwhBefore = new Float64Array(episodes.length + 1);
    this.drivenKmBefore = new Float64Array(episodes.length + 1);
    episodes.forEach((e, k) => {
      this.drivenKwhBefore[k + 1] = this.drivenKwhBefore[k]! + (e.kind === 'drive' ? e.batteryKwh : 0);
      this.drivenKmBefore[k + 1] = this.drivenKmBefore[k]! + (e.kind === 'drive' ? e.km : 0);
    });
  }

  /** Index of the last item starting at or before t (−1 if none). */
  private static lastStartingBy(items: readonly { t0: number }[], t: number): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.t0 <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private piece(t: number): { k: number; inside: boolean } {
    const k = LifeState.lastStartingBy(this.life.pieces, t);
    return { k, inside: k >= 0 && t < this.life.pieces[k]!.t1 };
  }

  episode(t: number): Episode {
    const k = Math.max(0, LifeState.lastStartingBy(this.life.episodes, t));
    return this.life.episodes[k]!;
  }

  /** Delivered and battery energy (kWh) from the start of the life up to t. */
  energyAt(t: number): { deliveredKwh: number; batteryKwh: number } {
    const { k } = this.piece(t);
    if (k < 0) return { deliveredKwh: 0, batteryKwh: 0 };
    const p = this.life.pieces[k]!;
    const h = (Math.min(t, p.t1) - p.t0) / HOUR;
    return {
      deliveredKwh: this.deliveredBefore[k]! + p.deliveredKw * h,
      batteryKwh: this.batteryBefore[k]! + p.batteryKw * h,
    };
  }

  /** Delivered power (kW) at t. */
  powerAt(t: number): number {
    const { k, inside } = this.piece(t);
    return inside ? this.life.pieces[k]!.deliveredKw : 0;
  }

  private driven(t: number): { kwh: number; km: number } {
    const k = Math.max(0, LifeState.lastStartingBy(this.life.episodes, t));
    const e = this.life.episodes[k]!;
    if (e.kind !== 'drive') return { kwh: this.drivenKwhBefore[k]!, km: this.drivenKmBefore[k]! };
    const f = Math.min(1, Math.max(0, (t - e.t0) / (e.t1 - e.t0)));
    return { kwh: this.drivenKwhBefore[k]! + e.batteryKwh * f, km: this.drivenKmBefore[k]! + e.km * f };
  }

  /** The true state of charge (%), unrounded. */
  socAt(t: number): number {
    const charged = this.energyAt(t).batteryKwh;
    return this.life.socAtStart + ((charged - this.driven(t).kwh) / this.life.pack.capacityKwh) * 100;
  }

  odometerAt(t: number): number {
    return this.life.odometerAtStart + this.driven(t).km;
  }

  /** True position (no sensor noise). */
  positionAt(t: number): Point {
    const e = this.episode(t);
    if (e.kind === 'park') return e.at;
    const f = Math.min(1, Math.max(0, (t - e.t0) / (e.t1 - e.t0)));
    return { lat: e.from.lat + (e.to.lat - e.from.lat) * f, lon: e.from.lon + (e.to.lon - e.from.lon) * f };
  }
}
