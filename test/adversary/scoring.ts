// Scoring detected sessions against labelled truth, for either generator.
//
// Matching. A detected session is a candidate for a true one when they overlap and either the overlap
// covers at least half of the true session, or both boundaries are within the sampling interval around
// them (a short top-up sampled every 10 minutes cannot overlap more reliably than that). Candidates are
// paired one-to-one, largest overlap first. So a session split in two matches its larger piece and the
// other piece is a false positive; two sessions merged into one match one of them and the other is a
// false negative (and the merged one's energy error shows). Unpaired detections are false positives,
// unpaired true sessions false negatives; F1 from those counts. A true session no reading could see (a
// 3-minute DC stop between two power samples 10 minutes apart, with no cumulative signal) is not counted
// against the engine when it misses it, and counts as found when it does not.
//
// Energy. The error counts only what lies beyond what the sampling cannot know: at each boundary, the
// power there times half the interval between the readings either side of it (the boundary could be
// anywhere in that interval), plus one quantum of the measuring signal (half at each end): a 1 % step of
// the battery where only the SoC measures energy, one register step where a meter does.
// error = max(0, |detected − true| − allowance) / true.
//
// Boundaries. |detected − true| over the sampling interval around the true boundary (≤ 1: within one
// interval): the interval between the readings either side of it, or, if longer, the time the measuring
// signal takes to move by one quantum at the power there (a 1 % SoC step takes 15 minutes at 3.7 kW into
// a 100 kWh pack: a boundary seen only through the SoC is known no better, however often it is read).
// Where the SoC alone measures, the true boundary is taken in the SoC's own clock: its timestamps are
// offset from the truth (sensors.ts socSkewMs, 30–90 s) and no reading can reveal by how much, so that
// offset is not the engine's error. (It used to widen the interval instead, max(interval, offset); but
// the offset adds to the error of placing a boundary within its interval, so a boundary placed well in
// the SoC's clock still scored over one interval whenever the offset was near it.)
// Readings are those carrying the mode's energy signal.

import type { DetectedSession } from '../../shared/engine/types.js';
import type { Reading } from '../../shared/readings/model.js';
import { intervalAround } from '../simulator/metrics.js';
import type { AdversaryCar } from './corpus.js';
import { energySignal, type Mode } from './sensors.js';

/** A true session as scoring sees it: when, the energy the session's total should report, the slack. */
export interface LabelledSession {
  startMs: number;
  endMs: number;
  energyKwh: number;
  allowanceKwh: number;
  /** The energy that reached the battery and its allowance, where the SoC can tell it (for the report). */
  batteryKwh?: number;
  batteryAllowanceKwh?: number;
  /** False when no reading could see this session (see `observable`): missing it is not an error. */
  observable?: boolean;
  /** Time the measuring signal takes to move one quantum at the power at each boundary (0: exact). */
  startResolutionMs?: number;
  endResolutionMs?: number;
}

export interface Pair {
  truth: LabelledSession;
  detected: DetectedSession;
  /** Relative error beyond the allowance (0 when within it). */
  energyError: number;
  /** Relative error, allowance ignored (for the report). */
  rawEnergyError: number;
  /** The session's battery energy against the truth's, beyond its allowance; null when either is absent. */
  batteryError: number | null;
  startErrorMs: number;
  endErrorMs: number;
  startIntervals: number;
  endIntervals: number;
}

export interface Score {
  truthCount: number;
  detectedCount: number;
  pairs: Pair[];
  falsePositives: DetectedSession[];
  falseNegatives: LabelledSession[];
}

/** Sorted distinct times of the readings that carry `has`. */
export function signalTimes(readings: readonly Reading[], has: (r: Reading) => boolean): Float64Array {
  return Float64Array.from(new Set(readings.filter(has).map((r) => r.t))).sort();
}

/** One definition of the sampling interval around a boundary for both harnesses (test/simulator/metrics.ts). */
export { intervalAround };

export function scoreSessions(
  truth: readonly LabelledSession[],
  detected: readonly DetectedSession[],
  times: Float64Array,
): Score {
  const det = detected.map((d) => ({ s: Date.parse(d.start), e: Date.parse(d.end) }));
  const candidates: { i: number; j: number; overlap: number }[] = [];
  const startInterval = (t: LabelledSession) =>
    Math.max(intervalAround(times, t.startMs), t.startResolutionMs ?? 0);
  const endInterval = (t: LabelledSession) =>
    Math.max(intervalAround(times, t.endMs), t.endResolutionMs ?? 0);
  truth.forEach((t, i) => {
    det.forEach((d, j) => {
      const overlap = Math.min(d.e, t.endMs) - Math.max(d.s, t.startMs);
      if (overlap < 0) return;
      const covers = overlap >= 0.5 * (t.endMs - t.startMs);
      const close =
        Math.abs(d.s - t.startMs) <= startInterval(t) && Math.abs(d.e - t.endMs) <= endInterval(t);
      if (covers || close) candidates.push({ i, j, overlap });
    });
  });
  candidates.sort((a, b) => b.overlap - a.overlap || a.i - b.i || a.j - b.j);
  const usedTruth = new Set<number>();
  const usedDetected = new Set<number>();
  const pairs: Pair[] = [];
  for (const c of candidates) {
    if (usedTruth.has(c.i) || usedDetected.has(c.j)) continue;
    usedTruth.add(c.i);
    usedDetected.add(c.j);
    const t = truth[c.i]!;
    const d = detected[c.j]!;
    const miss = Math.abs(d.energyKwh - t.energyKwh);
    // Read without the type: the field arrives with the engine's cross-checked energy (issue 12 point 2).
    const battery = (d as { batteryEnergyKwh?: number | null }).batteryEnergyKwh;
    const batteryError =
      typeof battery === 'number' && t.batteryKwh !== undefined
        ? Math.max(0, Math.abs(battery - t.batteryKwh) - (t.batteryAllowanceKwh ?? 0)) / t.batteryKwh
        : null;
    const startErrorMs = Math.abs(det[c.j]!.s - t.startMs);
    const endErrorMs = Math.abs(det[c.j]!.e - t.endMs);
    pairs.push({
      truth: t,
      detected: d,
      energyError: Math.max(0, miss - t.allowanceKwh) / t.energyKwh,
      rawEnergyError: miss / t.energyKwh,
      batteryError,
      startErrorMs,
      endErrorMs,
      startIntervals: startErrorMs / startInterval(t),
      endIntervals: endErrorMs / endInterval(t),
    });
  }
  const unseen = truth.filter((t, i) => t.observable === false && !usedTruth.has(i)).length;
  return {
    truthCount: truth.length - unseen,
    detectedCount: detected.length,
    pairs,
    falsePositives: detected.filter((_, j) => !usedDetected.has(j)),
    falseNegatives: truth.filter((t, i) => !usedTruth.has(i) && t.observable !== false),
  };
}

/**
 * Could any reading see this session? A meter or SoC accumulates, so a charge shows in them whenever
 * readings exist on both sides; power shows it only in a sample taken while it flowed (instantaneous)
 * or averaged over a period that overlaps it. A charge already under way at the car's first reading is
 * seen in part only: its start and early energy precede all data, so no method can report it whole
 * (the engine lists it as skipped, `started_before_window`).
 */
export function observable(
  truth: { startMs: number; endMs: number },
  readings: readonly Reading[],
  averagingMs: number,
): boolean {
  if (!readings.some((r) => r.t <= truth.startMs)) return false;
  if (readings.some((r) => r.energyKwh !== undefined || r.soc !== undefined)) return true;
  return readings.some(
    (r) => r.powerKw !== undefined && r.t >= truth.startMs && r.t <= truth.endMs + averagingMs,
  );
}

export function combine(scores: readonly Score[]): Score {
  return {
    truthCount: scores.reduce((n, s) => n + s.truthCount, 0),
    detectedCount: scores.reduce((n, s) => n + s.detectedCount, 0),
    pairs: scores.flatMap((s) => s.pairs),
    falsePositives: scores.flatMap((s) => s.falsePositives),
    falseNegatives: scores.flatMap((s) => s.falseNegatives),
  };
}

/** The q-quantile (0–1) by nearest rank; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Figures {
  sessions: number;
  detected: number;
  falsePositives: number;
  falseNegatives: number;
  f1: number;
  energyMedian: number;
  energyP95: number;
  rawEnergyP95: number;
  /** p95 of boundary error in sampling intervals, starts and ends together. */
  boundaryP95: number;
  /** Battery energy error beyond its allowance, over the sessions that report one. */
  batteryReported: number;
  batteryP95: number;
}

export function figures(score: Score): Figures {
  const precision = score.detectedCount === 0 ? 1 : score.pairs.length / score.detectedCount;
  const recall = score.truthCount === 0 ? 1 : score.pairs.length / score.truthCount;
  const energy = score.pairs.map((p) => p.energyError);
  const battery = score.pairs.flatMap((p) => (p.batteryError === null ? [] : [p.batteryError]));
  return {
    sessions: score.truthCount,
    detected: score.detectedCount,
    falsePositives: score.falsePositives.length,
    falseNegatives: score.falseNegatives.length,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    energyMedian: quantile(energy, 0.5),
    energyP95: quantile(energy, 0.95),
    rawEnergyP95: quantile(
      score.pairs.map((p) => p.rawEnergyError),
      0.95,
    ),
    boundaryP95: quantile(
      score.pairs.flatMap((p) => [p.startIntervals, p.endIntervals]),
      0.95,
    ),
    batteryReported: battery.length,
    batteryP95: quantile(battery, 0.95),
  };
}

/** The readings that carry a mode's energy signal: they place its boundaries. */
export function energyTimes(mode: Mode, readings: readonly Reading[]): Float64Array {
  const signal = energySignal(mode);
  const has =
    signal === 'meter'
      ? (r: Reading) => r.energyKwh !== undefined
      : signal === 'power'
        ? (r: Reading) => r.powerKw !== undefined
        : (r: Reading) => r.soc !== undefined;
  return signalTimes(readings, has);
}

/**
 * An adversary car's truth as scoring sees it. The session's total is the energy delivered where a
 * meter or power measures it, and the energy that reached the battery where only the SoC does (SoC ×
 * capacity cannot see the charger's losses).
 */
export function adversaryLabels(car: AdversaryCar): LabelledSession[] {
  const times = energyTimes(car.mode, car.readings);
  const bySoc = energySignal(car.mode) === 'soc';
  const socTimes = signalTimes(car.readings, (r) => r.soc !== undefined);
  const hasSoc = socTimes.length > 0;
  return car.truth.map((t) => {
    const efficiency = bySoc ? t.batteryKwh / t.deliveredKwh : 1;
    const edge = (kw: number, at: number) => {
      const interval = intervalAround(times, at);
      return Number.isFinite(interval) ? (kw * efficiency * interval) / 2 / 3_600_000 : 0;
    };
    // One step of the measuring signal, in the energy it reports (battery side for SoC).
    const quantum = bySoc
      ? car.life.pack.capacityKwh / 100
      : energySignal(car.mode) === 'meter'
        ? car.sensors.meterResolutionKwh
        : 0;
    // Where the SoC alone measures, its timestamps are the only clock: the truth as they record it is
    // offset by their skew (a reading at t shows the SoC of t − skew), which no reading can reveal.
    const skewMs = bySoc ? car.sensors.socSkewMs : 0;
    const stepMs = (kw: number) => (quantum / (kw * efficiency)) * 3_600_000;
    const eta = t.batteryKwh / t.deliveredKwh;
    const batteryEdge = (kw: number, at: number) => {
      const interval = intervalAround(socTimes, at);
      return Number.isFinite(interval) ? (kw * eta * interval) / 2 / 3_600_000 : 0;
    };
    const startMs = t.startMs + skewMs;
    const endMs = t.endMs + skewMs;
    return {
      startMs,
      endMs,
      observable: observable(
        { startMs, endMs },
        car.readings,
        car.sensors.powerStyle === 'average' ? car.sensors.cadenceMs : 0,
      ),
      energyKwh: bySoc ? t.batteryKwh : t.deliveredKwh,
      allowanceKwh: edge(t.startKw, startMs) + edge(t.endKw, endMs) + quantum,
      startResolutionMs: stepMs(t.startKw),
      endResolutionMs: stepMs(t.endKw),
      ...(hasSoc
        ? {
            batteryKwh: t.batteryKwh,
            batteryAllowanceKwh:
              batteryEdge(t.startKw, t.startMs) +
              batteryEdge(t.endKw, t.endMs) +
              car.life.pack.capacityKwh / 100,
          }
        : {}),
    };
  });
}

export function scoreCar(car: AdversaryCar, detected: readonly DetectedSession[]): Score {
  return scoreSessions(adversaryLabels(car), detected, energyTimes(car.mode, car.readings));
}
