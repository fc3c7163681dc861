// Scoring detected sessions against the simulator's ground truth.
//
// Match rule: a detected session matches a true session of the same entity when their [start, end]
// intervals overlap; each is matched at most once, greedily by largest overlap. Unmatched detections are
// false positives, unmatched true sessions false negatives.

import type { DetectedSession } from '../../shared/engine/types.js';
import type { Reading } from '../../shared/readings/model.js';
import type { TrueSession } from './simulate.js';

export interface MatchedPair {
  truth: TrueSession;
  detected: DetectedSession;
  /** |detected − true| / true. */
  energyError: number;
  /** Boundary error divided by the sampling interval around the true boundary (≤ 1 passes). */
  startErrorIntervals: number;
  endErrorIntervals: number;
  startErrorMs: number;
  endErrorMs: number;
}

export interface Score {
  truthCount: number;
  detectedCount: number;
  matched: MatchedPair[];
  falsePositives: DetectedSession[];
  falseNegatives: TrueSession[];
  precision: number;
  recall: number;
  f1: number;
}

/** Sorted distinct reading times of an entity, as the engine sees them. */
export function readingTimes(readings: readonly Reading[]): Float64Array {
  const times = Float64Array.from(new Set(readings.map((r) => r.t))).sort();
  return times;
}

/**
 * The sampling interval around a true boundary at `t`: from the last reading before it to the first
 * reading after it. A reading exactly on the boundary cannot tell on which side it is for every signal (a
 * meter read at the first instant of charging has not moved yet), so then the longer of the two adjacent
 * intervals counts. Infinity at the edges of the data.
 */
export function intervalAround(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  const before = times[lo - 1];
  if (before === undefined) return Number.POSITIVE_INFINITY;
  if (times[lo] === t) {
    const after = times[lo + 1];
    return after === undefined ? Number.POSITIVE_INFINITY : Math.max(t - before, after - t);
  }
  const after = times[lo];
  return after === undefined ? Number.POSITIVE_INFINITY : after - before;
}

export function scoreEntity(
  truth: readonly TrueSession[],
  detected: readonly DetectedSession[],
  times: Float64Array,
): Score {
  const candidates: { i: number; j: number; overlap: number }[] = [];
  const det = detected.map((d) => ({ s: Date.parse(d.start), e: Date.parse(d.end) }));
  truth.forEach((t, i) => {
    det.forEach((d, j) => {
      if (d.s <= t.endMs && t.startMs <= d.e) {
        candidates.push({ i, j, overlap: Math.min(d.e, t.endMs) - Math.max(d.s, t.startMs) });
      }
    });
  });
  candidates.sort((a, b) => b.overlap - a.overlap || a.i - b.i || a.j - b.j);
  const usedTruth = new Set<number>();
  const usedDetected = new Set<number>();
  const matched: MatchedPair[] = [];
  for (const c of candidates) {
    if (usedTruth.has(c.i) || usedDetected.has(c.j)) continue;
    usedTruth.add(c.i);
    usedDetected.add(c.j);
    const t = truth[c.i]!;
    const d = detected[c.j]!;
    const startErrorMs = Math.abs(det[c.j]!.s - t.startMs);
    const endErrorMs = Math.abs(det[c.j]!.e - t.endMs);
    matched.push({
      truth: t,
      detected: d,
      energyError: Math.abs(d.energyKwh - t.energyKwh) / t.energyKwh,
      startErrorMs,
      endErrorMs,
      startErrorIntervals: startErrorMs / intervalAround(times, t.startMs),
      endErrorIntervals: endErrorMs / intervalAround(times, t.endMs),
    });
  }
  return combine([
    {
      truthCount: truth.length,
      detectedCount: detected.length,
      matched,
      falsePositives: detected.filter((_, j) => !usedDetected.has(j)),
      falseNegatives: truth.filter((_, i) => !usedTruth.has(i)),
      precision: 0,
      recall: 0,
      f1: 0,
    },
  ]);
}

export function combine(scores: readonly Score[]): Score {
  const matched = scores.flatMap((s) => s.matched);
  const truthCount = scores.reduce((n, s) => n + s.truthCount, 0);
  const detectedCount = scores.reduce((n, s) => n + s.detectedCount, 0);
  const precision = detectedCount === 0 ? 1 : matched.length / detectedCount;
  const recall = truthCount === 0 ? 1 : matched.length / truthCount;
  return {
    truthCount,
    detectedCount,
    matched,
    falsePositives: scores.flatMap((s) => s.falsePositives),
    falseNegatives: scores.flatMap((s) => s.falseNegatives),
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

/** The q-quantile (0–1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
