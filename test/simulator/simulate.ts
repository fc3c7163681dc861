// The telemetry simulator: an EV's or a charge point's life over some days, and the readings it would
// report, with the ground truth (true sessions: start, end, energy delivered). Seeded and deterministic.
//
// Modelled: CC/CV charging at home AC (3.7–11 kW), workplace AC, DC fast (50–250 kW, taper above ~80 %);
// driving between sessions (SoC falls, odometer and position move, regeneration shows as brief positive
// power); solar-style stop/start while plugged in (one true session); scheduled overnight charging across
// local midnight and DST changes; cars that sleep when parked; sensor noise, 1 % SoC quantisation, meter
// resolution; irregular sampling (10 s – 15 min), dropped and duplicated readings, connectivity outages.
//
// Not modelled, on purpose (documented limits of any method, not of the engine): charging losses (the
// state of charge moves by exactly the delivered energy over the configured capacity); outages for
// entities that report only power (nothing could measure a session through them) and at busy public DC
// sites (an outage that hides an unplug and a replug cannot be split by any method).

import type { EngineEntity } from '../../shared/engine/types.js';
import type { TenantLocation } from '../../shared/locations/match.js';
import type { Reading } from '../../shared/readings/model.js';
import { type Battery, type ChargeTrace, simulateCharge, traceAt } from './physics.js';
import { Rng } from './prng.js';
import { addDays, localDateKey, localParts, localToUtc, offsetMs } from './zones.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

export const PROFILES = [
  'ev-power',
  'ev-meter',
  'ev-soc-flags',
  'ev-soc-tracker',
  'ev-power-only',
  'cp-meter-power',
  'cp-meter',
  'cp-power',
] as const;
export type ProfileName = (typeof PROFILES)[number];

interface Signals {
  soc: boolean;
  power: boolean;
  meter: boolean;
  charging: boolean;
  plug: boolean;
  range: boolean;
  location: boolean;
  odometer: boolean;
}

interface ProfileSpec {
  type: 'EV' | 'CP';
  signals: Signals;
  cadencesMs: readonly number[];
  /** A tracker polls continuously; a car's own telemetry stops while it sleeps. */
  alwaysAwake: boolean;
  outages: boolean;
}

const S = (list: (keyof Signals)[]): Signals => ({
  soc: list.includes('soc'),
  power: list.includes('power'),
  meter: list.includes('meter'),
  charging: list.includes('charging'),
  plug: list.includes('plug'),
  range: list.includes('range'),
  location: list.includes('location'),
  odometer: list.includes('odometer'),
});

export const PROFILE_SPECS: Record<ProfileName, ProfileSpec> = {
  'ev-power': {
    type: 'EV',
    signals: S(['soc', 'power', 'charging', 'plug', 'range', 'location', 'odometer']),
    cadencesMs: [10_000, 30_000, MIN],
    alwaysAwake: false,
    outages: true,
  },
  'ev-meter': {
    type: 'EV',
    signals: S(['meter', 'soc', 'plug', 'range', 'location', 'odometer']),
    cadencesMs: [30_000, MIN, 5 * MIN],
    alwaysAwake: false,
    outages: true,
  },
  'ev-soc-flags': {
    type: 'EV',
    signals: S(['soc', 'charging', 'plug', 'range', 'location', 'odometer']),
    cadencesMs: [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN],
    alwaysAwake: false,
    outages: true,
  },
  'ev-soc-tracker': {
    type: 'EV',
    signals: S(['soc', 'location', 'odometer']),
    cadencesMs: [12 * MIN, 15 * MIN],
    alwaysAwake: true,
    outages: true,
  },
  'ev-power-only': {
    type: 'EV',
    signals: S(['power', 'location', 'odometer']),
    cadencesMs: [10_000, 30_000, MIN],
    alwaysAwake: false,
    outages: false,
  },
  'cp-meter-power': {
    type: 'CP',
    signals: S(['meter', 'power', 'plug', 'charging', 'location']),
    cadencesMs: [10_000, MIN, 5 * MIN],
    alwaysAwake: false,
    outages: true,
  },
  'cp-meter': {
    type: 'CP',
    signals: S(['meter', 'plug', 'location']),
    cadencesMs: [MIN, 5 * MIN, 15 * MIN],
    alwaysAwake: false,
    outages: true,
  },
  'cp-power': {
    type: 'CP',
    signals: S(['power', 'plug', 'location']),
    cadencesMs: [10_000, 30_000, MIN],
    alwaysAwake: false,
    outages: false,
  },
};

export type SessionKind = 'home-ac' | 'work-ac' | 'solar' | 'dc';

export interface TrueSession {
  entityId: string;
  startMs: number;
  endMs: number;
  energyKwh: number;
  chargingMs: number;
  kind: SessionKind;
  timeZone: string;
  crossesLocalMidnight: boolean;
  crossesDst: boolean;
}

export interface SimulatedEntity {
  entity: EngineEntity;
  profile: ProfileName;
  timeZone: string;
  cadenceMs: number;
  /** As delivered: time order, with duplicates; drops and outages already applied. */
  readings: Reading[];
  truth: TrueSession[];
  locations: TenantLocation[];
  /** Where the entity charges most (home, or the charge point's site). */
  home: { lat: number; lon: number };
  fromMs: number;
  toMs: number;
}

export interface SimulateOptions {
  seed: number;
  id: string;
  profile: ProfileName;
  timeZone: string;
  /** First local day, [year, month, day]. */
  startDate: [number, number, number];
  days: number;
  /** Override the profile's sampling cadence. */
  cadenceMs?: number;
  /** Probability a reading is lost / delivered twice. */
  dropRate?: number;
  duplicateRate?: number;
  /** Report at the cadence all day (a steady workload for benchmarks), instead of sleeping when idle. */
  alwaysAwake?: boolean;
}

interface Point {
  lat: number;
  lon: number;
}

type Segment =
  | {
      kind: 'park';
      t0: number;
      t1: number;
      at: Point;
      plugged: boolean;
      soc: number;
      odo: number;
      meter: number;
    }
  | {
      kind: 'drive';
      t0: number;
      t1: number;
      from: Point;
      to: Point;
      soc0: number;
      soc1: number;
      odo0: number;
      odo1: number;
      meter: number;
    }
  | {
      kind: 'charge';
      t0: number;
      t1: number;
      at: Point;
      trace: ChargeTrace;
      soc0: number;
      capacityKwh: number;
      odo: number;
      meter0: number;
    };

/** Builds a contiguous timeline of segments and the true sessions. */
class Timeline {
  readonly segments: Segment[] = [];
  readonly truth: TrueSession[] = [];
  readonly awake: [number, number][] = [];
  now: number;
  soc: number;
  odo: number;
  meter: number;
  at: Point;

  constructor(
    private readonly entityId: string,
    private readonly timeZone: string,
    start: number,
    at: Point,
    soc: number,
    odo: number,
    meter: number,
  ) {
    this.now = start;
    this.at = at;
    this.soc = soc;
    this.odo = odo;
    this.meter = meter;
  }

  park(until: number, plugged: boolean): void {
    if (until <= this.now) return;
    const last = this.segments[this.segments.length - 1];
    if (last && last.kind === 'park' && last.plugged === plugged && last.at === this.at) {
      last.t1 = until;
    } else {
      this.segments.push({
        kind: 'park',
        t0: this.now,
        t1: until,
        at: this.at,
        plugged,
        soc: this.soc,
        odo: this.odo,
        meter: this.meter,
      });
    }
    this.now = until;
  }

  drive(
    to: Point,
    distanceKm: number,
    speedKmh: number,
    consumptionKwhPerKm: number,
    capacityKwh: number,
  ): void {
    const km = Math.max(1, distanceKm);
    const t1 = this.now + Math.round((km / speedKmh) * HOUR);
    const soc1 = this.soc - ((km * consumptionKwhPerKm) / capacityKwh) * 100;
    this.segments.push({
      kind: 'drive',
      t0: this.now,
      t1,
      from: this.at,
      to,
      soc0: this.soc,
      soc1,
      odo0: this.odo,
      odo1: this.odo + km,
      meter: this.meter,
    });
    this.now = t1;
    this.soc = soc1;
    this.odo += km;
    this.at = to;
  }

  /** Charge from `t0`; returns whether any energy flowed. */
  charge(
    t0: number,
    deadline: number,
    target: number,
    battery: Battery,
    dc: boolean,
    supplyKw: (t: number) => number,
    kind: SessionKind,
  ): boolean {
    const result = simulateCharge({ t0, deadline, socStart: this.soc, target, battery, dc, supplyKw });
    if (!result) return false;
    const end = result.endMs;
    this.segments.push({
      kind: 'charge',
      t0,
      t1: end,
      at: this.at,
      trace: result.trace,
      soc0: this.soc,
      capacityKwh: battery.capacityKwh,
      odo: this.odo,
      meter0: this.meter,
    });
    this.truth.push({
      entityId: this.entityId,
      startMs: result.startMs,
      endMs: result.endMs,
      energyKwh: result.energyKwh,
      chargingMs: result.chargingMs,
      kind,
      timeZone: this.timeZone,
      crossesLocalMidnight:
        localDateKey(this.timeZone, result.startMs) !== localDateKey(this.timeZone, result.endMs - 1),
      crossesDst: offsetMs(this.timeZone, result.startMs) !== offsetMs(this.timeZone, result.endMs - 1),
    });
    this.soc = result.socEnd;
    this.meter += result.energyKwh;
    this.now = end;
    return true;
  }
}

interface Car {
  battery: Battery;
  consumption: number;
  kmPerPercent: number;
  homeKw: number;
  target: number;
  plugBelow: number;
  mode: 'immediate' | 'scheduled';
  solar: boolean;
  workCharging: boolean;
  socQuantisation: 'floor' | 'round';
  /** Energy is measurable only from SoC (no power, no meter). */
  socOnly: boolean;
}

function randomCar(rng: Rng, profile: ProfileName): Car {
  const capacityKwh = rng.pick([40, 52, 58, 64, 72, 77, 82, 90, 100]);
  const tracker = profile === 'ev-soc-tracker';
  const battery: Battery = {
    capacityKwh: tracker ? Math.min(capacityKwh, 80) : capacityKwh,
    acMaxKw: tracker ? 11 : rng.pick([7.4, 11, 11]),
    dcMaxKw: rng.uniform(50, 250),
  };
  // A tracker sees charging only as 1 % SoC steps; its home charging is ≥ 7.4 kW so a step comes at
  // least every sampling interval (see the accuracy test's notes on SoC-only boundaries).
  const homeKw = tracker ? battery.acMaxKw : Math.min(battery.acMaxKw, rng.pick([3.7, 7.4, 11]));
  return {
    battery,
    consumption: rng.uniform(0.14, 0.21),
    kmPerPercent: (battery.capacityKwh / 100 / 0.17) * rng.uniform(0.9, 1.1),
    homeKw,
    target: tracker ? rng.pick([80, 85, 90]) : rng.pick([80, 85, 90, 100]),
    plugBelow: rng.uniform(45, 70),
    mode: rng.chance(0.5) ? 'immediate' : 'scheduled',
    solar: !tracker && rng.chance(0.4),
    workCharging: rng.chance(0.4),
    socQuantisation: rng.chance(0.5) ? 'floor' : 'round',
    socOnly: profile === 'ev-soc-flags' || profile === 'ev-soc-tracker',
  };
}

/** Solar surplus: chunks of 5–15 min at 1.4 kW … max, sometimes 0 (a cloud), never more than 45 min dark. */
function solarSupply(rng: Rng, from: number, to: number, maxKw: number): (t: number) => number {
  const edges: number[] = [];
  const levels: number[] = [];
  let t = from;
  let dark = 0;
  while (t < to) {
    const length = rng.uniform(5, 15) * MIN;
    const cloud = dark + length <= 45 * MIN && rng.chance(0.18);
    dark = cloud ? dark + length : 0;
    edges.push(t);
    levels.push(cloud ? 0 : rng.uniform(1.4, maxKw));
    t += length;
  }
  return (x: number) => {
    if (x < from || x >= to) return 0;
    let lo = 0;
    let hi = edges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return levels[lo]!;
  };
}

function offsetPoint(rng: Rng, p: Point, minKm: number, maxKm: number): Point {
  const km = rng.uniform(minKm, maxKm);
  const bearing = rng.uniform(0, 2 * Math.PI);
  return {
    lat: p.lat + (km * Math.cos(bearing)) / 111.32,
    lon: p.lon + (km * Math.sin(bearing)) / (111.32 * Math.cos((p.lat * Math.PI) / 180)),
  };
}

const ZONE_ANCHORS: Record<string, Point> = {
  'Europe/Amsterdam': { lat: 52.37, lon: 4.89 },
  'America/New_York': { lat: 40.71, lon: -74.0 },
  'America/Los_Angeles': { lat: 34.05, lon: -118.24 },
  'Australia/Sydney': { lat: -33.87, lon: 151.21 },
  'Asia/Kolkata': { lat: 12.97, lon: 77.59 },
  UTC: { lat: 51.5, lon: -0.12 },
};

/** Is there a DST change between two instants? */
function dstBetween(timeZone: string, a: number, b: number): boolean {
  return offsetMs(timeZone, a) !== offsetMs(timeZone, b);
}

function localAt(timeZone: string, date: [number, number, number], minutes: number): number {
  const [y, m, d] = addDays(date[0], date[1], date[2], Math.floor(minutes / 1440));
  const rest = ((minutes % 1440) + 1440) % 1440;
  return localToUtc(timeZone, y, m, d, Math.floor(rest / 60), Math.round(rest % 60));
}

function localDateOf(timeZone: string, t: number): [number, number, number] {
  const p = localParts(timeZone, t);
  return [p.year, p.month, p.day];
}

/** Scheduled overnight start after `after`: off-peak times; 01:30 on a DST night so it crosses the change. */
function scheduledStart(rng: Rng, timeZone: string, after: number, dstNight: boolean): number {
  const p = localParts(timeZone, after);
  const evening: [number, number, number] =
    p.hour < 12 ? addDays(p.year, p.month, p.day, -1) : [p.year, p.month, p.day];
  const minutes = dstNight
    ? 1440 + 90
    : rng.pick([22 * 60, 23 * 60, 23 * 60 + 30, 1440, 1440 + 30, 1440 + 60, 1440 + 90]);
  return localAt(timeZone, evening, minutes);
}

function simulateEvLife(
  rng: Rng,
  options: SimulateOptions,
  car: Car,
  home: Point,
  work: Point,
  errand: Point,
) {
  const { timeZone, startDate, days } = options;
  const begin = localAt(timeZone, startDate, 0);
  const endAt = localAt(timeZone, startDate, days * 1440);
  const life = new Timeline(
    options.id,
    timeZone,
    begin,
    home,
    rng.uniform(45, 80),
    rng.uniform(5_000, 80_000),
    rng.uniform(100, 5_000),
  );
  const battery = car.battery;
  const speed = () => rng.uniform(35, 80);

  const homeStay = (until: number) => {
    const arrive = life.now;
    if (until - arrive < 30 * MIN) return life.park(until, false);
    const dstNight = dstBetween(timeZone, arrive, until);
    // A vehicle measured by SoC alone tops up only when it needs to (≥ 15 %): a smaller charge is within a
    // few quanta of its 1 % SoC steps, and such top-ups are rare for the trackers these profiles stand for.
    const minGain = car.socOnly ? 15 : 8;
    let plug =
      (life.soc < car.plugBelow || (!car.socOnly && rng.chance(0.2))) && life.soc < car.target - minGain;
    if (dstNight && life.soc < car.target - minGain) plug = true;
    if (!plug) return life.park(until, false);
    const plugAt = arrive + rng.uniform(1, 6) * MIN;
    const unplugAt = until - rng.uniform(1, 4) * MIN;
    life.park(plugAt, false);
    // A whole day at home inside the stay can be a solar day.
    let solarDay: [number, number, number] | null = null;
    if (car.solar && !dstNight) {
      let date = localDateOf(timeZone, plugAt);
      for (let k = 0; k < 3 && !solarDay; k++, date = addDays(date[0], date[1], date[2], 1)) {
        if (
          localAt(timeZone, date, 9 * 60 + 30) > plugAt &&
          localAt(timeZone, date, 17 * 60 + 30) < unplugAt
        ) {
          solarDay = date;
        }
      }
      if (solarDay && !rng.chance(0.7)) solarDay = null;
    }
    let startAt: number;
    let deadline = unplugAt;
    let supply: (t: number) => number = () => car.homeKw;
    let kind: SessionKind = 'home-ac';
    if (solarDay) {
      startAt = localAt(timeZone, solarDay, 10 * 60 + rng.uniform(0, 60));
      deadline = Math.min(unplugAt, localAt(timeZone, solarDay, 16 * 60 + rng.uniform(0, 60)));
      supply = solarSupply(rng, startAt, deadline, car.homeKw);
      kind = 'solar';
    } else if (car.mode === 'scheduled' || dstNight) {
      startAt = scheduledStart(rng, timeZone, plugAt, dstNight);
      if (startAt < plugAt) startAt = plugAt + rng.uniform(10, 60) * 1000;
    } else {
      startAt = plugAt + rng.uniform(10, 60) * 1000;
    }
    if (startAt > deadline - 15 * MIN) {
      life.park(unplugAt, true);
      return life.park(until, false);
    }
    life.park(startAt, true);
    life.charge(startAt, deadline, car.target, battery, false, supply, kind);
    life.park(unplugAt, true);
    life.park(until, false);
  };

  const workStay = (until: number) => {
    if (
      car.workCharging &&
      life.soc < (car.socOnly ? 65 : 75) &&
      rng.chance(0.4) &&
      until - life.now > HOUR
    ) {
      const plugAt = life.now + rng.uniform(2, 6) * MIN;
      const unplugAt = until - rng.uniform(2, 5) * MIN;
      life.park(plugAt, false);
      const startAt = plugAt + rng.uniform(10, 60) * 1000;
      life.park(startAt, true);
      const kw = Math.min(11, battery.acMaxKw);
      life.charge(startAt, unplugAt, rng.pick([85, 90]), battery, false, () => kw, 'work-ac');
      life.park(unplugAt, true);
    }
    life.park(until, false);
  };

  const dcStop = () => {
    const plugAt = life.now + rng.uniform(1, 4) * MIN;
    life.park(plugAt, false);
    const startAt = plugAt + rng.uniform(20, 90) * 1000;
    life.park(startAt, true);
    const charger = rng.uniform(50, 250);
    life.charge(startAt, startAt + 2 * HOUR, rng.uniform(75, 92), battery, true, () => charger, 'dc');
    life.park(life.now + rng.uniform(1, 3) * MIN, true);
    life.park(life.now + rng.uniform(1, 5) * MIN, false);
  };

  // The first hours are quiet (parked, unplugged), so the readings open with what came before any charge.
  life.park(begin + rng.uniform(1, 3) * HOUR, false);
  const reachKm = () => Math.max(0, ((life.soc - 12) / 100) * (battery.capacityKwh / car.consumption));
  const workKm = rng.uniform(8, 40);
  for (let d = 0; d < days; d++) {
    const date = addDays(startDate[0], startDate[1], startDate[2], d);
    const weekday = new Date(Date.UTC(date[0], date[1] - 1, date[2])).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const trip = d > 0 && d < days - 1 && rng.chance(0.1);
    const commute = !trip && !weekend && rng.chance(0.85);
    if (!trip && !commute) continue;
    const depart = localAt(timeZone, date, (trip ? 8 : 7) * 60 + rng.uniform(0, 120));
    if (depart <= life.now) continue;
    homeStay(depart);
    if (commute) {
      life.drive(work, Math.min(workKm, reachKm()), speed(), car.consumption, battery.capacityKwh);
      workStay(localAt(timeZone, date, 16 * 60 + rng.uniform(0, 150)));
      life.drive(home, Math.min(workKm, reachKm()), speed(), car.consumption, battery.capacityKwh);
      if (rng.chance(0.25)) {
        homeStay(localAt(timeZone, date, 19 * 60 + rng.uniform(0, 60)));
        const km = rng.uniform(3, 10);
        life.drive(errand, km, speed(), car.consumption, battery.capacityKwh);
        life.park(life.now + rng.uniform(30, 90) * MIN, false);
        life.drive(home, km, speed(), car.consumption, battery.capacityKwh);
      }
    } else {
      const site = offsetPoint(rng, home, 80, 150);
      const out = Math.min(rng.uniform(100, 220), reachKm() * 0.95);
      life.drive(site, out, rng.uniform(70, 110), car.consumption, battery.capacityKwh);
      dcStop();
      const back = Math.min(rng.uniform(100, 220), reachKm() * 0.95);
      life.drive(home, back, rng.uniform(70, 110), car.consumption, battery.capacityKwh);
    }
  }
  // The last stay does not charge, so no true session is cut by the end of the simulated readings.
  life.park(endAt, false);
  return { life, begin, endAt };
}

function simulateCpLife(rng: Rng, options: SimulateOptions, site: Point) {
  const { timeZone, startDate, days } = options;
  const begin = localAt(timeZone, startDate, 0);
  const endAt = localAt(timeZone, startDate, days * 1440);
  const life = new Timeline(options.id, timeZone, begin, site, 50, 0, rng.uniform(1_000, 50_000));
  const dcSite = rng.chance(0.5);
  const chargerKw = dcSite ? rng.uniform(50, 250) : rng.pick([3.7, 7.4, 11]);
  const randomBattery = (): Battery => ({
    capacityKwh: rng.pick([40, 52, 58, 64, 72, 77, 82, 90, 100]),
    acMaxKw: 11,
    dcMaxKw: rng.uniform(50, 250),
  });
  const homeCar = { battery: randomBattery(), target: rng.pick([80, 90, 100]), scheduled: rng.chance(0.5) };
  const solarHome = rng.chance(0.5);

  const occupancy = (plugAt: number, unplugAt: number, plan: 'now' | 'scheduled' | 'solar' | 'dc') => {
    life.park(plugAt, false);
    life.soc = plan === 'dc' ? rng.uniform(8, 45) : rng.uniform(20, 60);
    const battery = plan === 'dc' ? randomBattery() : homeCar.battery;
    let startAt = plugAt + rng.uniform(15, 60) * 1000;
    let deadline = unplugAt;
    let supply: (t: number) => number = () => chargerKw;
    let kind: SessionKind = plan === 'dc' ? 'dc' : 'home-ac';
    if (plan === 'scheduled') {
      const dstNight = dstBetween(timeZone, plugAt, unplugAt);
      startAt = Math.max(startAt, scheduledStart(rng, timeZone, plugAt, dstNight));
    } else if (plan === 'solar') {
      startAt = plugAt + rng.uniform(5, 20) * MIN;
      deadline = Math.min(unplugAt, startAt + rng.uniform(5, 7) * HOUR);
      supply = solarSupply(rng, startAt, deadline, chargerKw);
      kind = 'solar';
    }
    if (startAt < deadline - 10 * MIN) {
      life.park(startAt, true);
      const target = plan === 'dc' ? rng.uniform(70, 90) : homeCar.target;
      life.charge(startAt, deadline, target, battery, plan === 'dc', supply, kind);
    }
    life.park(unplugAt, true);
  };

  for (let d = 0; d < days; d++) {
    const date = addDays(startDate[0], startDate[1], startDate[2], d);
    if (dcSite) {
      let t = localAt(timeZone, date, 7 * 60 + rng.uniform(0, 60));
      const close = localAt(timeZone, date, 22 * 60);
      if (t < life.now) t = life.now + rng.uniform(2, 60) * MIN;
      while (t < close) {
        occupancy(t, t + 2 * HOUR, 'dc');
        // The car leaves a few minutes after it stops charging, not after the two-hour budget.
        const last = life.segments[life.segments.length - 1]!;
        const chargeSeg = life.segments[life.segments.length - 2];
        if (chargeSeg?.kind === 'charge' && last.kind === 'park') {
          last.t1 = chargeSeg.t1 + rng.uniform(1, 5) * MIN;
          life.now = last.t1;
        }
        life.park(life.now + rng.uniform(2, 90) * MIN, false);
        t = life.now;
      }
    } else {
      const weekday = new Date(Date.UTC(date[0], date[1] - 1, date[2])).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      const next = addDays(date[0], date[1], date[2], 1);
      if (weekend && solarHome && rng.chance(0.7)) {
        const arrive = Math.max(
          life.now + 30 * MIN,
          localAt(timeZone, date, 9 * 60 + 45 + rng.uniform(0, 30)),
        );
        occupancy(arrive, localAt(timeZone, date, 17 * 60 + rng.uniform(0, 60)), 'solar');
      }
      if (d === days - 1) break; // no overnight charge cut by the end of the simulated readings
      const arrive = Math.max(life.now + 30 * MIN, localAt(timeZone, date, 17 * 60 + rng.uniform(0, 180)));
      const leave = localAt(timeZone, next, 7 * 60 + rng.uniform(0, 90));
      const dstNight = dstBetween(timeZone, arrive, leave);
      occupancy(arrive, leave, homeCar.scheduled || dstNight ? 'scheduled' : 'now');
    }
  }
  life.park(endAt, false);
  return { life, begin, endAt, dcSite };
}

/** The state of a timeline at an instant. */
interface State {
  soc: number;
  powerKw: number;
  meter: number;
  plugged: boolean;
  charging: boolean;
  driving: boolean;
  at: Point;
  odo: number;
}

class Cursor {
  private k = 0;
  constructor(private readonly segments: Segment[]) {}

  at(t: number): State {
    const segs = this.segments;
    while (this.k + 1 < segs.length && segs[this.k]!.t1 <= t) this.k++;
    const s = segs[this.k]!;
    switch (s.kind) {
      case 'park':
        return {
          soc: s.soc,
          powerKw: 0,
          meter: s.meter,
          plugged: s.plugged,
          charging: false,
          driving: false,
          at: s.at,
          odo: s.odo,
        };
      case 'drive': {
        const f = Math.min(1, Math.max(0, (t - s.t0) / (s.t1 - s.t0)));
        return {
          soc: s.soc0 + (s.soc1 - s.soc0) * f,
          powerKw: 0,
          meter: s.meter,
          plugged: false,
          charging: false,
          driving: true,
          at: {
            lat: s.from.lat + (s.to.lat - s.from.lat) * f,
            lon: s.from.lon + (s.to.lon - s.from.lon) * f,
          },
          odo: s.odo0 + (s.odo1 - s.odo0) * f,
        };
      }
      case 'charge': {
        const { energyKwh, powerKw } = traceAt(s.trace, t);
        return {
          soc: s.soc0 + (energyKwh / s.capacityKwh) * 100,
          powerKw,
          meter: s.meter0 + energyKwh,
          plugged: true,
          charging: powerKw > 0,
          driving: false,
          at: s.at,
          odo: s.odo,
        };
      }
    }
  }
}

function mergeIntervals(intervals: [number, number][]): [number, number][] {
  intervals.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of intervals) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function simulateEntity(options: SimulateOptions): SimulatedEntity {
  const rng = new Rng(options.seed);
  const lifeRng = rng.fork();
  const sampleRng = rng.fork();
  const noiseRng = rng.fork();
  const spec = PROFILE_SPECS[options.profile];
  const anchor = ZONE_ANCHORS[options.timeZone] ?? ZONE_ANCHORS.UTC!;
  const home = offsetPoint(lifeRng, anchor, 0, 20);
  const cadenceMs = options.cadenceMs ?? lifeRng.pick(spec.cadencesMs);

  let segments: Segment[];
  let truth: TrueSession[];
  let begin: number;
  let endAt: number;
  const awake: [number, number][] = [];
  const statusTimes: number[] = [];
  let car: Car | null = null;
  const locations: TenantLocation[] = [
    { id: 'loc-home', label: spec.type === 'EV' ? 'Home' : 'Site', ...home, radiusMeters: 75 },
  ];

  if (spec.type === 'EV') {
    car = randomCar(lifeRng, options.profile);
    const work = offsetPoint(lifeRng, home, 8, 30);
    const errand = offsetPoint(lifeRng, home, 2, 6);
    locations.push({ id: 'loc-work', label: 'Work', ...work, radiusMeters: 150 });
    locations.push({
      id: 'loc-depot',
      label: 'Depot',
      ...offsetPoint(lifeRng, home, 40, 60),
      radiusMeters: 200,
    });
    const sim = simulateEvLife(lifeRng, options, car, home, work, errand);
    segments = sim.life.segments;
    truth = sim.life.truth;
    begin = sim.begin;
    endAt = sim.endAt;
    if (spec.alwaysAwake || options.alwaysAwake) {
      awake.push([begin, endAt]);
    } else {
      let previousPlugged = false;
      for (const s of segments) {
        if (s.kind === 'drive') awake.push([s.t0 - MIN, s.t1 + sampleRng.uniform(5, 15) * MIN]);
        else if (s.kind === 'charge') awake.push([s.t0, s.t1 + sampleRng.uniform(10, 30) * MIN]);
        const plugged = s.kind === 'charge' || (s.kind === 'park' && s.plugged);
        if (plugged !== previousPlugged) awake.push([s.t0, s.t0 + sampleRng.uniform(2, 8) * MIN]);
        previousPlugged = plugged;
      }
      // Awake at the start for a few readings, so the data opens before any charge; then wake-ups.
      awake.push([begin, begin + 2.5 * cadenceMs]);
      for (let w = begin; w < endAt; w += sampleRng.uniform(1, 6) * HOUR) {
        awake.push([w, w + sampleRng.uniform(1, 3) * MIN]);
      }
    }
  } else {
    const sim = simulateCpLife(lifeRng, options, home);
    segments = sim.life.segments;
    truth = sim.life.truth;
    begin = sim.begin;
    endAt = sim.endAt;
    if (options.alwaysAwake) awake.push([begin, endAt]);
    for (const s of segments) {
      if (s.kind === 'charge' || (s.kind === 'park' && s.plugged)) awake.push([s.t0, s.t1]);
      statusTimes.push(s.t0); // connector status changes are reported when they happen
    }
    for (let w = begin; w < endAt; w += sampleRng.uniform(30, 60) * MIN) statusTimes.push(w);
  }

  // Sampling instants.
  const times: number[] = [...statusTimes];
  for (const [a, b] of mergeIntervals(awake)) {
    let t = a + sampleRng.uniform(0, Math.min(cadenceMs, 20_000));
    while (t <= b && t < endAt) {
      times.push(Math.floor(t));
      t += cadenceMs * sampleRng.uniform(0.8, 1.2);
    }
  }
  times.sort((x, y) => x - y);

  // Connectivity outages.
  const outages: [number, number][] = [];
  const outagesAllowed = spec.outages && !(spec.type === 'CP' && truth.some((s) => s.kind === 'dc'));
  if (outagesAllowed) {
    for (let d = 0; d < options.days; d++) {
      if (sampleRng.chance(0.2)) {
        const a = begin + (d + sampleRng.next()) * 24 * HOUR;
        outages.push([a, a + sampleRng.uniform(20, 120) * MIN]);
      }
    }
  }
  const inOutage = (t: number) => outages.some(([a, b]) => t >= a && t < b);

  const dropRate = options.dropRate ?? 0.03;
  const duplicateRate = options.duplicateRate ?? 0.01;
  const cursor = new Cursor(segments);
  const readings: Reading[] = [];
  const sig = spec.signals;
  const meterStep = spec.type === 'CP' ? 0.001 : 0.01;
  let lastT = Number.NEGATIVE_INFINITY;
  const status = new Set(statusTimes);
  for (const t of times) {
    if (t === lastT || t < begin || t >= endAt) continue;
    lastT = t;
    const state = cursor.at(t);
    // A charge point queues and retries its status notifications (OCPP), so those are never lost.
    if (inOutage(t) || (!status.has(t) && noiseRng.chance(dropRate))) continue;
    const reading: Reading = { t };
    if (sig.soc) {
      const q = car?.socQuantisation === 'floor' ? Math.floor(state.soc) : Math.round(state.soc);
      const flicker = noiseRng.chance(0.002) ? (noiseRng.chance(0.5) ? 1 : -1) : 0;
      reading.soc = Math.min(100, Math.max(0, q + flicker));
    }
    if (sig.power) {
      let p = state.powerKw > 0 ? state.powerKw * (1 + noiseRng.normal(0, 0.01)) : 0;
      if (state.driving) p = noiseRng.chance(0.1) ? noiseRng.uniform(3, 40) : -noiseRng.uniform(5, 40);
      reading.powerKw = Math.round(p * 100) / 100;
    }
    if (sig.meter) reading.energyKwh = Math.floor(state.meter / meterStep) * meterStep;
    if (sig.range)
      reading.rangeKm = Math.round(state.soc * car!.kmPerPercent * (1 + noiseRng.normal(0, 0.005)) * 10) / 10;
    if (sig.plug) reading.isPluggedIn = state.plugged;
    if (sig.charging) reading.isCharging = state.charging;
    if (sig.location) {
      const jitter = spec.type === 'EV' ? 8 : 0;
      reading.lat = state.at.lat + noiseRng.normal(0, jitter) / 111_320;
      reading.lon =
        state.at.lon + noiseRng.normal(0, jitter) / (111_320 * Math.cos((state.at.lat * Math.PI) / 180));
    }
    if (sig.odometer) reading.odometerKm = Math.floor(state.odo * 10) / 10;
    readings.push(reading);
    if (noiseRng.chance(duplicateRate)) readings.push({ ...reading });
  }

  return {
    entity: {
      id: options.id,
      type: spec.type,
      batteryCapacityKwh: car ? car.battery.capacityKwh : null,
    },
    profile: options.profile,
    timeZone: options.timeZone,
    cadenceMs,
    readings,
    truth,
    locations,
    home,
    fromMs: begin,
    toMs: endAt,
  };
}
