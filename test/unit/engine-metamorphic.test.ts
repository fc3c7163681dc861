// Metamorphic properties of the session engine on the adversary's telemetry (issue 12 point 5): changes
// to the readings that must not change the sessions, or only in a known way. fast-check with fixed seeds
// and bounded runs; each car is three days of one reporting mode, in one of six zones.
//
// - Position noise with outliers up to 300 m while plugged in changes no session (a plugged-in car has
//   not driven away).
// - Reordering, duplicating or re-sending readings changes nothing.
// - Shifting every timestamp by whole days shifts the sessions by exactly that and changes nothing
//   else (UTC days: the engine has no zones; the local clock's DST is the generator's business).
// - Resampling to a coarser cadence moves each session's energy by no more than the boundary
//   uncertainty of both samplings (scoring.ts: power at the boundary × half the interval around it, and
//   one 1 % step where only the SoC measures energy). Every instant the flow stops or restarts is such a
//   boundary, the edges of a pause inside a plug-in included (a load-balancing or tariff pause is seen
//   no better than the session's own start): power-only seed 11, 30 s → 2.5 min, had 28.6 kWh with two
//   pauses whose four edges could each move 0.08 kWh, more than the session edges' 0.17 kWh allowed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeSessions, type DetectedSession } from '../../shared/engine/index.js';
import type { Reading } from '../../shared/readings/model.js';
import { type AdversaryCar, simulateCar } from '../adversary/corpus.js';
import { LifeState, MIN } from '../adversary/life.js';
import { adversaryLabels, energyTimes, intervalAround } from '../adversary/scoring.js';
import { energySignal, MODES, type Mode, move } from '../adversary/sensors.js';
import { Rng } from '../simulator/prng.js';

const DAY = 86_400_000;
/** Bounded: no shrinking (each run builds a car); the counterexample is the car's seed, mode and zone. */
const RUNS = { numRuns: 12, endOnFailure: true } as const;

function run(car: AdversaryCar, readings: readonly Reading[], window = car.window) {
  return computeSessions({
    entity: car.entity,
    readings,
    window,
    locations: car.locations,
    exactLocation: true,
  });
}

/** What a session says about charging (not where: positions may legitimately move the median). */
const essence = (s: DetectedSession) => ({
  start: s.start,
  end: s.end,
  energyKwh: s.energyKwh,
  chargingSeconds: s.chargingSeconds,
  method: s.method,
});

/** A car as a small record, so a counterexample prints as its seed; the readings are built from it. */
const carSpec = (modes: readonly Mode[]) =>
  fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    mode: fc.constantFrom(...modes),
    zone: fc.integer({ min: 0, max: 5 }),
  });
const build = (spec: { seed: number; mode: Mode; zone: number }) => simulateCar({ ...spec, days: 3 });

/**
 * The sampling's uncertainty at the edges of pauses inside true session `i` (where the flow stops and
 * restarts within the plug-in): power there × half the interval around each edge, as at the session's
 * own boundaries (scoring.ts), on the battery side where only the SoC measures energy.
 */
function pauseAllowanceKwh(car: AdversaryCar, readings: readonly Reading[], i: number): number {
  const t = car.truth[i]!;
  const times = energyTimes(car.mode, readings);
  const efficiency = energySignal(car.mode) === 'soc' ? t.batteryKwh / t.deliveredKwh : 1;
  const inside = car.life.pieces.filter((p) => p.t0 >= t.startMs && p.t1 <= t.endMs);
  let kwh = 0;
  for (let k = 1; k < inside.length; k++) {
    const before = inside[k - 1]!;
    const after = inside[k]!;
    if (after.t0 <= before.t1) continue;
    for (const [kw, at] of [
      [before.deliveredKw, before.t1],
      [after.deliveredKw, after.t0],
    ] as const) {
      const interval = intervalAround(times, at);
      if (Number.isFinite(interval)) kwh += (kw * efficiency * interval) / 2 / 3_600_000;
    }
  }
  return kwh;
}

describe('engine metamorphic properties on adversary telemetry', () => {
  it('position noise with outliers up to 300 m while plugged in changes no session', () => {
    fc.assert(
      fc.property(carSpec(['power+soc', 'meter+soc', 'all']), fc.integer(), (spec, noiseSeed) => {
        const c = build(spec);
        const rng = new Rng(noiseSeed);
        const state = new LifeState(c.life);
        const noisy = c.readings.map((r) => {
          const e = state.episode(r.t);
          if (r.lat === undefined || e.kind !== 'park' || !e.plugged) return r;
          // Heavy-tailed: most within tens of metres, a third of them a 100–300 m outlier.
          const metres = rng.chance(0.35) ? rng.uniform(100, 300) : rng.uniform(0, 60);
          const p = move(e.at, metres, rng.uniform(0, 2 * Math.PI));
          return { ...r, lat: p.lat, lon: p.lon };
        });
        // Re-sent copies of one reading must stay identical: noise each instant once.
        const byInstant = new Map<number, Reading>();
        for (const r of noisy) if (!byInstant.has(r.t)) byInstant.set(r.t, r);
        const consistent = noisy.map((r) => byInstant.get(r.t)!);
        expect(run(c, consistent).sessions.map(essence), c.entity.id).toEqual(
          run(c, c.readings).sessions.map(essence),
        );
      }),
      { ...RUNS, seed: 1201 },
    );
  });

  it('reordering, duplicating or re-sending readings changes nothing', () => {
    fc.assert(
      fc.property(carSpec(MODES), fc.integer(), (spec, shuffleSeed) => {
        const c = build(spec);
        const rng = new Rng(shuffleSeed);
        const shuffled = [...c.readings];
        for (let k = shuffled.length - 1; k > 0; k--) {
          const j = rng.int(0, k);
          [shuffled[k], shuffled[j]] = [shuffled[j]!, shuffled[k]!];
        }
        const resent = shuffled.flatMap((r) => (rng.chance(0.1) ? [r, { ...r }] : [r]));
        for (let k = 0; k < 20 && c.readings.length > 0; k++) resent.push({ ...rng.pick(c.readings) });
        expect(run(c, resent), c.entity.id).toEqual(run(c, c.readings));
      }),
      { ...RUNS, seed: 1202 },
    );
  });

  it('shifting every timestamp by whole days shifts the sessions and changes nothing else', () => {
    fc.assert(
      fc.property(carSpec(MODES), fc.integer({ min: 1, max: 14 }), (spec, days) => {
        const c = build(spec);
        const shift = days * DAY;
        const shifted = c.readings.map((r) => ({ ...r, t: r.t + shift }));
        const before = run(c, c.readings);
        const after = run(c, shifted, { from: c.window.from + shift, to: c.window.to + shift });
        const moved = before.sessions.map((s) => ({
          ...essence(s),
          start: new Date(Date.parse(s.start) + shift).toISOString(),
          end: new Date(Date.parse(s.end) + shift).toISOString(),
        }));
        const got = after.sessions.map(essence);
        expect(got.length, c.entity.id).toBe(moved.length);
        got.forEach((s, k) => {
          const want = moved[k]!;
          expect({ ...s, energyKwh: 0 }).toEqual({ ...want, energyKwh: 0 });
          expect(s.energyKwh).toBeCloseTo(want.energyKwh, 9);
        });
        expect(after.skipped.length).toBe(before.skipped.length);
      }),
      { ...RUNS, seed: 1203 },
    );
  });

  it('resampling to a coarser cadence moves energy by no more than the boundary uncertainty', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          mode: fc.constantFrom(...MODES),
          zone: fc.integer({ min: 0, max: 5 }),
          cadenceMin: fc.constantFrom(0.5, 1, 2),
          factor: fc.constantFrom(2, 3, 5),
        }),
        ({ seed, mode, zone, cadenceMin, factor }) => {
          const c = simulateCar({ seed, mode, zone, days: 3, cadenceMs: cadenceMin * MIN });
          // Keep the first reading of every `factor` cadences: the same car reporting less often.
          const coarseMs = factor * cadenceMin * MIN;
          const coarse: Reading[] = [];
          const slots = new Set<number>();
          for (const r of [...c.readings].sort((a, b) => a.t - b.t)) {
            // Split messages (power and SoC apart) are kept per message kind.
            const slot =
              Math.floor(r.t / coarseMs) * 2 + (r.powerKw !== undefined || r.energyKwh !== undefined ? 0 : 1);
            if (slots.has(slot)) continue;
            slots.add(slot);
            coarse.push(r);
          }
          const fine = run(c, c.readings).sessions;
          const sparse = run(c, coarse).sessions;
          const fineLabels = adversaryLabels(c);
          const coarseLabels = adversaryLabels({ ...c, readings: coarse });
          expect(sparse.length, `${c.entity.id} sessions at ${cadenceMin} min vs ×${factor}`).toBe(
            fine.length,
          );
          fine.forEach((f, k) => {
            const s = sparse[k]!;
            const from = Date.parse(f.start);
            const to = Date.parse(f.end);
            // The true session this one is about: the uncertainty is that of its boundaries.
            const i = c.truth.findIndex((t) => t.startMs < to && from < t.endMs);
            const slack =
              i < 0
                ? 0
                : fineLabels[i]!.allowanceKwh +
                  coarseLabels[i]!.allowanceKwh +
                  pauseAllowanceKwh(c, c.readings, i) +
                  pauseAllowanceKwh(c, coarse, i);
            expect(Math.abs(s.energyKwh - f.energyKwh), `${c.entity.id} ${f.start}`).toBeLessThanOrEqual(
              slack + 1e-6,
            );
          });
        },
      ),
      { ...RUNS, seed: 1204 },
    );
  });
});
