// A fixed-seed corpus of adversary cars: every reporting mode, six time zones, ten days each around a
// daylight-saving change. Dates come from the fixed epoch below, never from the wall clock: the engine is
// pure (its window's end is "now"), so a calendar date here cannot age.

import type { EngineEntity } from '../../shared/engine/types.js';
import type { TenantLocation } from '../../shared/locations/match.js';
import type { Reading } from '../../shared/readings/model.js';
import { Rng } from '../simulator/prng.js';
import { HOUR, type Life, type Point, simulateLife, type TrueSession } from './life.js';
import { deliver, MODES, type Mode, observe, randomSensors, type SensorConfig } from './sensors.js';

/**
 * The first local day of every car. 2025-10-25 + 10 days spans the end of summer time in Europe
 * (Oct 26) and in the United States (Nov 2), so overnight sessions cross a DST change; the date is the
 * point (no retention rule or "now" touches it).
 */
export const EPOCH_DATE: [number, number, number] = [2025, 10, 25];

export const ZONES: readonly { timeZone: string; anchor: Point }[] = [
  { timeZone: 'Europe/Amsterdam', anchor: { lat: 52.37, lon: 4.89 } },
  { timeZone: 'America/New_York', anchor: { lat: 40.71, lon: -74.0 } },
  { timeZone: 'America/Los_Angeles', anchor: { lat: 34.05, lon: -118.24 } },
  { timeZone: 'Australia/Sydney', anchor: { lat: -33.87, lon: 151.21 } },
  { timeZone: 'Asia/Kolkata', anchor: { lat: 12.97, lon: 77.59 } },
  { timeZone: 'UTC', anchor: { lat: 51.5, lon: -0.12 } },
];

export interface AdversaryCar {
  mode: Mode;
  entity: EngineEntity;
  life: Life;
  sensors: SensorConfig;
  /** Every reading the sensors took, in time order (before delivery faults). */
  observed: Reading[];
  /** As delivered to the engine: drops, duplicates, re-sends, out of order. */
  readings: Reading[];
  truth: TrueSession[];
  locations: TenantLocation[];
  fromMs: number;
  toMs: number;
  /** A window whose end is far enough past the data that every session is complete. */
  window: { from: number; to: number };
  faults: Record<string, number>;
}

export interface AdversaryCarOptions {
  seed: number;
  mode: Mode;
  zone?: number;
  days?: number;
  startDate?: [number, number, number];
  /** Override the sensors' reporting period (the metamorphic tests resample from a known cadence). */
  cadenceMs?: number;
}

export function simulateCar(options: AdversaryCarOptions): AdversaryCar {
  const rng = new Rng(options.seed);
  const lifeRng = rng.fork();
  const sensorRng = rng.fork();
  const deliveryRng = rng.fork();
  const zone = ZONES[(options.zone ?? 0) % ZONES.length]!;
  const home = {
    lat: zone.anchor.lat + lifeRng.uniform(-0.1, 0.1),
    lon: zone.anchor.lon + lifeRng.uniform(-0.1, 0.1),
  };
  const carId = `adv-${options.mode}-${options.seed}`;
  const life = simulateLife(lifeRng, {
    carId,
    timeZone: zone.timeZone,
    home,
    startDate: options.startDate ?? EPOCH_DATE,
    days: options.days ?? 10,
    minGainPercent: options.mode === 'soc-only' ? 10 : 2,
  });
  const sensors = randomSensors(sensorRng, life, options.mode);
  if (options.cadenceMs !== undefined) sensors.cadenceMs = options.cadenceMs;
  const observation = observe(sensorRng, life, options.mode, sensors);
  const { delivered, faults } = deliver(deliveryRng, observation.readings);
  return {
    mode: options.mode,
    entity: { id: carId, type: 'EV', batteryCapacityKwh: life.pack.capacityKwh },
    life,
    sensors,
    observed: observation.readings,
    readings: delivered,
    truth: life.truth,
    locations: [
      { id: 'loc-home', label: 'Home', ...life.places.home, radiusMeters: 75 },
      { id: 'loc-work', label: 'Work', ...life.places.work, radiusMeters: 150 },
    ],
    fromMs: life.fromMs,
    toMs: life.toMs,
    window: { from: life.fromMs, to: life.toMs + 25 * HOUR },
    faults: { ...observation.faults, ...faults },
  };
}

export interface AdversaryCorpusOptions {
  seed: number;
  carsPerMode: number;
  days?: number;
  modes?: readonly Mode[];
}

/** Cars of every mode, spread over the six zones; each car's seed derives from the corpus seed. */
export function buildAdversaryCorpus(options: AdversaryCorpusOptions): AdversaryCar[] {
  const rng = new Rng(options.seed);
  const cars: AdversaryCar[] = [];
  for (const mode of options.modes ?? MODES) {
    for (let k = 0; k < options.carsPerMode; k++) {
      cars.push(
        simulateCar({
          seed: Math.floor(rng.next() * 2 ** 31),
          mode,
          zone: cars.length,
          ...(options.days !== undefined ? { days: options.days } : {}),
        }),
      );
    }
  }
  return cars;
}
