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
  intervalAround,
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
 * The first simulator per profile, with the adversary's rules. Its truth has no power at the boundaries,
 * so the session's average power (energy over charging time) stands in for it — exact for AC, generous
 * at a DC end that tapered; the SoC quantum applies to profiles measured by SoC alone. Its total is the
 * delivered energy (it models no losses).
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
    const times = signalTimes(e.readings, () => true);
    const labels = e.truth.map((t) => {
      const kw = t.energyKwh / (t.chargingMs / 3_600_000);
      const edge = (at: number) => {
        const interval = intervalAround(times, at);
        return Number.isFinite(interval) ? (kw * interval) / 2 / 3_600_000 : 0;
      };
      const stepMs = (quantum / kw) * 3_600_000;
      return {
        startMs: t.startMs,
        endMs: t.endMs,
        energyKwh: t.energyKwh,
        allowanceKwh: edge(t.startMs) + edge(t.endMs) + quantum,
        startResolutionMs: stepMs,
        endResolutionMs: stepMs,
      };
    });
    return scoreSessions(labels, sessions, times);
  };
  return grouped(corpus, (e) => e.profile, score);
}

const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(x * 100).toFixed(2)} %`);

/** A markdown table of figures per group, as the issue note wants it. */
export function table(title: string, rows: Map<string, Figures>): string {
  const lines = [
    `| ${title} | sessions | detected | FP | FN | F1 | energy median | energy p95 | p95 raw | boundary p95 (intervals) | battery energy p95 (n) |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, f] of rows) {
    lines.push(
      `| ${key} | ${f.sessions} | ${f.detected} | ${f.falsePositives} | ${f.falseNegatives} | ${f.f1.toFixed(3)} | ` +
        `${pct(f.energyMedian)} | ${pct(f.energyP95)} | ${pct(f.rawEnergyP95)} | ${f.boundaryP95.toFixed(2)} | ` +
        `${f.batteryReported > 0 ? `${pct(f.batteryP95)} (${f.batteryReported})` : '–'} |`,
    );
  }
  return lines.join('\n');
}
