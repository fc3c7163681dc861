// Demo telemetry for `npm start`: the week before today of the demo car (state of charge, range, position
// and odometer every 5 minutes — no power or energy, as most cars' APIs report) and of the demo home charger
// (power and its energy register: every minute while it delivers, every 15 minutes otherwise), so that
// `npm run aggregate` computes real sessions from readings: five charges of the car (work, home, a motorway
// fast charger, an overnight one across midnight, work again) and three of the charger (the car's two at
// home and a guest's car).
//
// Deterministic: the same local dates give the same readings (a seeded generator adds GPS scatter and
// power ripple). The script is in minutes after local midnight of the demo zone; on a day with a DST
// change that is an hour off the wall clock, which only moves the demo's charges.

import { READINGS_SETTLE_MS } from '../../shared/pipeline/domain.js';
import type { ReadingInput } from '../../shared/readings/schemas.js';
import { addDays, localDate, startOfLocalDay } from '../../shared/rollups/calendar.js';

export const DEMO_TIME_ZONE = 'Europe/Amsterdam';
/** The demo car's usable battery (a Volkswagen ID.3 Pro). */
export const DEMO_BATTERY_KWH = 58;
/** Local days of telemetry, ending at the latest local midnight the daily job has settled (`demoWeek`). */
export const DEMO_DAYS = 7;

const MINUTE = 60_000;
/** The car's telemetry cadence: a poll every 5 minutes, day and night. */
const CAR_CADENCE_MIN = 5;
/** The charger's heartbeat while idle; it reports every minute while it delivers. */
const CHARGER_IDLE_MIN = 15;
const CONSUMPTION_KWH_PER_KM = 0.17;
const RANGE_KM_PER_PERCENT = 3.6;

interface Point {
  lat: number;
  lon: number;
}

/** The tenant's named places (seeded as locations, so sessions are matched to them). */
export const DEMO_PLACES = {
  home: {
    id: '01900000-0000-7000-8000-00000000a001',
    label: 'Home',
    category: 'home',
    lat: 52.37022,
    lon: 4.89517,
    radiusMeters: 75,
  },
  work: {
    id: '01900000-0000-7000-8000-00000000a002',
    label: 'Work',
    category: 'work',
    lat: 52.07987,
    lon: 4.31127,
    radiusMeters: 150,
  },
} as const;

/** Places the car goes that are not the tenant's: a motorway fast charger and a day trip's destination. */
const SITES: Record<Place, Point> = {
  home: DEMO_PLACES.home,
  work: DEMO_PLACES.work,
  fastCharger: { lat: 51.78262, lon: 5.33571 },
  trip: { lat: 51.44164, lon: 5.46972 },
};
type Place = 'home' | 'work' | 'fastCharger' | 'trip';

type Step =
  | { day: number; at: string; kind: 'drive'; to: Place; km: number; minutes: number }
  /** The car charges where it is until `toSoc` or until it drives off; at home through the demo charger. */
  | { day: number; at: string; kind: 'charge'; maxKw: number; toSoc: number; dc?: boolean }
  /** Another car on the demo charger. */
  | { day: number; at: string; kind: 'guest'; maxKw: number; minutes: number };

/** The week, day 0 being seven days before today. */
const SCRIPT: readonly Step[] = [
  { day: 0, at: '07:45', kind: 'drive', to: 'work', km: 45, minutes: 45 },
  { day: 0, at: '08:40', kind: 'charge', maxKw: 7.4, toSoc: 82 },
  { day: 0, at: '17:15', kind: 'drive', to: 'home', km: 45, minutes: 50 },
  { day: 1, at: '07:45', kind: 'drive', to: 'work', km: 45, minutes: 45 },
  { day: 1, at: '13:50', kind: 'guest', maxKw: 11, minutes: 105 },
  { day: 1, at: '17:15', kind: 'drive', to: 'home', km: 45, minutes: 50 },
  { day: 1, at: '18:30', kind: 'charge', maxKw: 11, toSoc: 80 },
  { day: 2, at: '09:30', kind: 'drive', to: 'fastCharger', km: 95, minutes: 70 },
  { day: 2, at: '10:45', kind: 'charge', maxKw: 100, toSoc: 90, dc: true },
  { day: 2, at: '11:15', kind: 'drive', to: 'trip', km: 40, minutes: 35 },
  { day: 2, at: '17:00', kind: 'drive', to: 'home', km: 125, minutes: 100 },
  // Scheduled for the night tariff: it runs past midnight.
  { day: 3, at: '22:30', kind: 'charge', maxKw: 11, toSoc: 90 },
  { day: 4, at: '07:45', kind: 'drive', to: 'work', km: 45, minutes: 45 },
  { day: 4, at: '17:15', kind: 'drive', to: 'home', km: 45, minutes: 50 },
  { day: 5, at: '07:45', kind: 'drive', to: 'work', km: 45, minutes: 45 },
  { day: 5, at: '08:40', kind: 'charge', maxKw: 7.4, toSoc: 85 },
  { day: 5, at: '17:15', kind: 'drive', to: 'home', km: 45, minutes: 50 },
  { day: 6, at: '07:45', kind: 'drive', to: 'work', km: 45, minutes: 45 },
  { day: 6, at: '17:15', kind: 'drive', to: 'home', km: 45, minutes: 50 },
];

const START = { soc: 62, odometerKm: 23_418.2, registerKwh: 1_523.417 };

/** A charge as it happened in the demo week: what the engine should find. */
export interface DemoCharge {
  entity: 'EV' | 'CP';
  place: Place;
  startMs: number;
  endMs: number;
  energyKwh: number;
}

export interface DemoTelemetry {
  /** The local days covered, first and last. */
  first: string;
  last: string;
  car: ReadingInput[];
  charger: ReadingInput[];
  charges: DemoCharge[];
}

/** mulberry32: a tiny seeded generator, so the demo is the same on every start. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** AC charges at the car's limit until 90 %, then taper; DC tapers from 70 % (the pack's curve). */
function chargePowerKw(step: Extract<Step, { kind: 'charge' }>, soc: number): number {
  const knee = step.dc ? 70 : 90;
  if (soc < knee) return step.maxKw;
  const floor = step.dc ? 0.35 : 0.2;
  return step.maxKw * (1 - ((1 - floor) * (soc - knee)) / (100 - knee));
}

/** Metres of GPS scatter around a point. */
function scatter(point: Point, random: () => number, metres: number): Point {
  const dLat = ((random() - 0.5) * 2 * metres) / 111_320;
  const dLon = ((random() - 0.5) * 2 * metres) / (111_320 * Math.cos((point.lat * Math.PI) / 180));
  return { lat: Number((point.lat + dLat).toFixed(6)), lon: Number((point.lon + dLon).toFixed(6)) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The local days the demo covers at `now`: the DEMO_DAYS before the latest local midnight at least
 * READINGS_SETTLE_MS ago, which begins `today`. The daily job treats readings as complete only up to
 * that long before now, so a week ending at the midnight just passed would leave its last readings to a
 * later run: `npm start` in the hour after local midnight computed the week without them.
 */
export function demoWeek(now: Date): { first: string; today: string } {
  const today = localDate(now.getTime() - READINGS_SETTLE_MS, DEMO_TIME_ZONE);
  return { first: addDays(today, -DEMO_DAYS), today };
}

/** The demo week at `now` (`demoWeek`): every reading settled for the daily job. */
export function demoTelemetry(now: Date): DemoTelemetry {
  const { first, today } = demoWeek(now);
  const begin = startOfLocalDay(first, DEMO_TIME_ZONE);
  const end = startOfLocalDay(today, DEMO_TIME_ZONE);
  const minuteOf = (step: Step) => {
    const [h, m] = step.at.split(':').map(Number) as [number, number];
    const dayStart = startOfLocalDay(addDays(first, step.day), DEMO_TIME_ZONE);
    return Math.round((dayStart - begin) / MINUTE) + h * 60 + m;
  };
  const steps = SCRIPT.map((step) => ({ step, minute: minuteOf(step) }));
  const random = seeded(20_260_105);

  const car: ReadingInput[] = [];
  const charger: ReadingInput[] = [];
  const charges: DemoCharge[] = [];
  let soc = START.soc;
  let odometer = START.odometerKm;
  let register = START.registerKwh;
  let place: Place = 'home';
  let drive: { from: Place; to: Place; km: number; start: number; minutes: number } | undefined;
  let charging: Extract<Step, { kind: 'charge' }> | undefined;
  let guest: { until: number; maxKw: number } | undefined;
  const open = new Map<'EV' | 'CP', DemoCharge>();
  const finish = (entity: 'EV' | 'CP', t: number) => {
    const charge = open.get(entity);
    if (!charge) return;
    charge.endMs = t;
    charge.energyKwh = Number(charge.energyKwh.toFixed(3));
    charges.push(charge);
    open.delete(entity);
  };
  let lastChargerPower = 0;
  const minutes = Math.round((end - begin) / MINUTE);

  for (let minute = 0; minute < minutes; minute++) {
    const t = begin + minute * MINUTE;
    for (const { step, minute: at } of steps) {
      if (at !== minute) continue;
      if (step.kind === 'drive') {
        charging = undefined;
        finish('EV', t);
        if (place === 'home') finish('CP', t);
        drive = { from: place, to: step.to, km: step.km, start: minute, minutes: step.minutes };
      } else if (step.kind === 'charge') {
        charging = step;
      } else {
        guest = { until: minute + step.minutes, maxKw: step.maxKw };
      }
    }

    // What happens during this minute.
    let carKw = 0;
    if (drive) {
      const km = drive.km / drive.minutes;
      odometer += km;
      soc -= ((km * CONSUMPTION_KWH_PER_KM) / DEMO_BATTERY_KWH) * 100;
      if (minute + 1 >= drive.start + drive.minutes) {
        place = drive.to;
        drive = undefined;
      }
    } else if (charging) {
      if (soc >= charging.toSoc - 1e-9) {
        charging = undefined;
        finish('EV', t);
        if (place === 'home') finish('CP', t);
      } else {
        carKw = chargePowerKw(charging, soc);
        soc = Math.min(charging.toSoc, soc + (carKw / 60 / DEMO_BATTERY_KWH) * 100);
      }
    }
    if (guest && minute >= guest.until) {
      guest = undefined;
      finish('CP', t);
    }
    const chargerKw = place === 'home' && carKw > 0 ? carKw : guest ? guest.maxKw : 0;
    if (carKw > 0 && !open.has('EV'))
      open.set('EV', { entity: 'EV', place, startMs: t, endMs: t, energyKwh: 0 });
    if (chargerKw > 0 && !open.has('CP'))
      open.set('CP', { entity: 'CP', place: 'home', startMs: t, endMs: t, energyKwh: 0 });
    if (carKw > 0) open.get('EV')!.energyKwh += carKw / 60;
    if (chargerKw > 0) open.get('CP')!.energyKwh += chargerKw / 60;

    // The car reports at the start of every fifth minute, a few seconds past it.
    if (minute % CAR_CADENCE_MIN === 0) {
      const where = drive
        ? (() => {
            const share = (minute - drive.start) / drive.minutes;
            const a = SITES[drive.from];
            const b = SITES[drive.to];
            return { lat: a.lat + (b.lat - a.lat) * share, lon: a.lon + (b.lon - a.lon) * share };
          })()
        : SITES[place];
      car.push({
        timestamp: iso(t + 17_000),
        soc: Math.round(soc),
        rangeKm: Math.round(soc * RANGE_KM_PER_PERCENT),
        location: scatter(where, random, 6),
        odometerKm: Math.floor(odometer * 10) / 10,
      });
    }
    // The charger: every minute while it delivers and the minute after, else its heartbeat.
    const delivering = chargerKw > 0 || lastChargerPower > 0;
    if (delivering || minute % CHARGER_IDLE_MIN === 0) {
      const powerKw = chargerKw > 0 ? Number((chargerKw * (1 + (random() - 0.5) * 0.03)).toFixed(2)) : 0;
      charger.push({
        timestamp: iso(t + 3_000),
        powerKw,
        energyKwh: Math.floor(register * 1000) / 1000,
      });
    }
    register += chargerKw / 60;
    lastChargerPower = chargerKw;
  }
  finish('EV', end);
  finish('CP', end);
  charges.sort((a, b) => a.startMs - b.startMs || a.entity.localeCompare(b.entity));
  return { first, last: addDays(today, -1), car, charger, charges };
}
