// Runs the engine over either generator's corpus and scores it per reporting mode (adversary) or per
// profile (first simulator), with the rules of scoring.ts. Used by the accuracy test and the score CLI.

import { computeSessions } from '../../shared/engine/index.js';
import type { DetectedSession } from '../../shared/engine/types.js';
import { buildCorpus } from '../simulator/corpus.js';
import { PROFILE_SPECS, type SimulatedEntity } from '../simulator/simulate.js';
import { type AdversaryCar, buildAdversaryCorpus } from './corpus.js';
import {
  combine,
  type Figures,
  figures,
  type Score,
  scoreCar,
  scoreSessions,
  signalTimes,
} from './scoring.js';

const HOUR = 3_600_000;

export function detect(car: AdversaryCar): DetectedSession[] {
  return computeSessions({
    entity: car.entity,
    readings: car.readings,
    window: car.window,
    locations: car.locations,
    exactLocation: false,
  }).sessions;
}

/** Figures per group, in first-seen order. */
function grouped<T>(
  items: readonly T[],
  group: (x: T) => string,
  score: (x: T) => Score,
): Map<string, Figures> {
  const scores = new Map<string, Score[]>();
  for (const x of items) {
    const key = group(x);
    scores.set(key, [...(scores.get(key) ?? []), score(x)]);
  }
  return new Map([...scores].map(([key, list]) => [key, figures(combine(list))]));
}

/** The adversary's default corpus for a seed: 8 cars per mode × 10 days (about 80 sessions a mode). */
export function evaluateAdversary(seed: number, carsPerMode = 8, days = 10): Map<string, Figures> {
  const cars = buildAdversaryCorpus({ seed, carsPerMode, days });
  return grouped(
    cars,
    (c) => c.mode,
    (c) => scoreCar(c, detect(c)),
  );
}

/**
 * The first simulator per profile. Its truth has no power at the boundaries, so the boundary part of the
 * allowance is 0 there (stricter than the adversary's); the SoC quantum applies to profiles measured by
 * SoC alone, as for the adversary. Its total is the delivered energy (it models no losses).
 */
export function evaluateSimulator(seed: number, entitiesPerProfile = 8, days = 10): Map<string, Figures> {
  const corpus = buildCorpus({ seed, entitiesPerProfile, days });
  const score = (e: SimulatedEntity) => {
    const sessions = computeSessions({
      entity: e.entity,
      readings: e.readings,
      window: { from: e.fromMs, to: e.toMs + 25 * HOUR },
      locations: e.locations,
      exactLocation: false,
    }).sessions;
    const signals = PROFILE_SPECS[e.profile].signals;
    const bySoc = !signals.power && !signals.meter;
    const quantum = bySoc ? (e.entity.batteryCapacityKwh ?? 0) / 100 : 0;
    // No power at the boundaries in this truth: the session's average stands in for the SoC step time.
    const stepMs = (t: (typeof e.truth)[number]) =>
      (quantum / (t.energyKwh / (t.chargingMs / 3_600_000))) * 3_600_000;
    const labels = e.truth.map((t) => ({
      startMs: t.startMs,
      endMs: t.endMs,
      energyKwh: t.energyKwh,
      allowanceKwh: quantum,
      startResolutionMs: stepMs(t),
      endResolutionMs: stepMs(t),
    }));
    return scoreSessions(
      labels,
      sessions,
      signalTimes(e.readings, () => true),
    );
  };
  return grouped(corpus, (e) => e.profile, score);
}

const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(x * 100).toFixed(2)} %`);

/** A markdown table of figures per group, as the issue note wants it. */
export function table(title: string, rows: Map<string, Figures>): string {
  const lines = [
    `| ${title} | sessions | detected | FP | FN | F1 | energy median | energy p95 | p95 raw | boundary p95 (intervals) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, f] of rows) {
    lines.push(
      `| ${key} | ${f.sessions} | ${f.detected} | ${f.falsePositives} | ${f.falseNegatives} | ${f.f1.toFixed(3)} | ` +
        `${pct(f.energyMedian)} | ${pct(f.energyP95)} | ${pct(f.rawEnergyP95)} | ${f.boundaryP95.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
