// Throughput of the session engine against a floor: a loop that only sums powerKw over the same
// readings (the least any pass over the data can cost). The workload is what the daily job sees:
// many entities × one day of readings at a 1-minute cadence, mixed profiles (EVs and charge points),
// each entity's readings as storage returns them: in time order, one per instant, every reading object
// of the same shape (all ten fields, absent ones undefined), as a storage mapper that builds one object
// literal produces. Runs alternate engine and floor so machine noise hits both alike, and a floor run
// repeats its pass to last about as long as an engine run. Returns rates; printing and thresholds
// belong to the caller.

import { computeSessions, type EngineInput } from '../shared/engine/index.js';
import type { Reading } from '../shared/readings/model.js';
import { PROFILES, simulateEntity } from '../test/simulator/simulate.js';

const DAY_MS = 86_400_000;

/** Keeps results alive so no work is optimised away. */
let sink = 0;

function buildWorkload(entities: number): EngineInput[] {
  const inputs: EngineInput[] = [];
  for (let k = 0; k < entities; k++) {
    const profile = PROFILES[k % PROFILES.length]!;
    const e = simulateEntity({
      seed: 1_000 + k,
      id: `bench-${k}`,
      profile,
      timeZone: 'Europe/Amsterdam',
      startDate: [2025, 6, 2 + (k % 5)],
      days: 1,
      cadenceMs: 60_000,
      alwaysAwake: true,
      duplicateRate: 0, // storage keeps one reading per instant
    });
    inputs.push({
      entity: e.entity,
      readings: e.readings.map(stored),
      window: { from: e.fromMs, to: e.fromMs + DAY_MS },
      locations: e.locations,
      exactLocation: false,
    });
  }
  return inputs;
}

/** A reading as a storage mapper builds it: one object literal, so every reading has the same shape. */
function stored(r: Reading): Reading {
  return {
    t: r.t,
    soc: r.soc,
    powerKw: r.powerKw,
    energyKwh: r.energyKwh,
    rangeKm: r.rangeKm,
    isPluggedIn: r.isPluggedIn,
    isCharging: r.isCharging,
    lat: r.lat,
    lon: r.lon,
    odometerKm: r.odometerKm,
  };
}

function engineRun(inputs: readonly EngineInput[]): void {
  let sessions = 0;
  for (const input of inputs) sessions += computeSessions(input).sessions.length;
  sink += sessions;
}

function floorRun(inputs: readonly EngineInput[]): void {
  let sum = 0;
  for (const input of inputs) {
    const readings = input.readings;
    for (let i = 0; i < readings.length; i++) {
      const p = readings[i]!.powerKw;
      if (p !== undefined) sum += p;
    }
  }
  sink += sum;
}

function secondsOf(run: () => void): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

/** Readings per second over `times` passes of `run`. */
function rate(readings: number, times: number, run: () => void): number {
  const start = performance.now();
  for (let k = 0; k < times; k++) run();
  return (readings * times) / ((performance.now() - start) / 1000);
}

export async function benchEngine(options: {
  quick: boolean;
}): Promise<{ readings: number; engineReadingsPerSec: number[]; floorReadingsPerSec: number[] }> {
  const inputs = buildWorkload(options.quick ? 60 : 1_000);
  const readings = inputs.reduce((n, input) => n + input.readings.length, 0);
  const runs = options.quick ? 5 : 7;
  // Warm up both (the JIT needs a few hundred thousand readings to settle), then measure alternately.
  for (let k = Math.ceil(500_000 / readings); k > 0; k--) {
    engineRun(inputs);
    floorRun(inputs);
  }
  // The floor passes over the readings in a tenth of the engine's time (~15 ms for the full workload):
  // timed once, a timer tick or a scavenge moves it by 30 %. So each floor run makes as many passes as
  // take about as long as one engine pass, and both sides are timed over similar spans.
  const passes = Math.max(
    1,
    Math.round(secondsOf(() => engineRun(inputs)) / secondsOf(() => floorRun(inputs))),
  );
  const engineReadingsPerSec: number[] = [];
  const floorReadingsPerSec: number[] = [];
  for (let k = 0; k < runs; k++) {
    await new Promise((resolve) => setImmediate(resolve));
    floorReadingsPerSec.push(rate(readings, passes, () => floorRun(inputs)));
    engineReadingsPerSec.push(rate(readings, 1, () => engineRun(inputs)));
  }
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the benchmark honest');
  return { readings, engineReadingsPerSec, floorReadingsPerSec };
}
