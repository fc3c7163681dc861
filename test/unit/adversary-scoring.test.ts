// The adversary's scoring rules on hand-made cases (test/adversary/scoring.ts): a wrong scorer would make
// the engine look wrong or right for the wrong reason.

import { describe, expect, it } from 'vitest';
import type { DetectedSession } from '../../shared/engine/types.js';
import { simulateCar } from '../adversary/corpus.js';
import {
  adversaryLabels,
  energyTimes,
  figures,
  intervalAround,
  type LabelledSession,
  observable,
  scoreSessions,
} from '../adversary/scoring.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 9, 25, 20); // a fixed instant: scoring has no notion of "now"

function detected(startMin: number, endMin: number, energyKwh: number): DetectedSession {
  return {
    entityId: 'car',
    id: `d-${startMin}`,
    start: new Date(T0 + startMin * MIN).toISOString(),
    end: new Date(T0 + endMin * MIN).toISOString(),
    energyKwh,
    averagePowerKw: 0,
    peakPowerKw: 0,
    chargingSeconds: 0,
    socStartPercent: null,
    socEndPercent: null,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    position: null,
    method: 'power_flow',
    source: 'calculated',
    batteryEnergyKwh: null,
    chargingEfficiency: null,
    quality: {
      start: { rule: 'midpoint', uncertaintySeconds: 0 },
      end: { rule: 'midpoint', uncertaintySeconds: 0 },
      gaps: { count: 0, seconds: 0 },
      energy: 'integrated',
    },
  };
}

const truth = (startMin: number, endMin: number, energyKwh: number, allowanceKwh = 0): LabelledSession => ({
  startMs: T0 + startMin * MIN,
  endMs: T0 + endMin * MIN,
  energyKwh,
  allowanceKwh,
});

/** Readings every `step` minutes over [from, to]. */
const times = (from: number, to: number, step: number) =>
  Float64Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => T0 + (from + k * step) * MIN);

describe('adversary scoring', () => {
  it('measures the sampling interval around a boundary, the longer side when a reading is on it', () => {
    const t = times(0, 60, 10);
    expect(intervalAround(t, T0 + 15 * MIN)).toBe(10 * MIN);
    expect(intervalAround(t, T0 + 20 * MIN)).toBe(10 * MIN);
    expect(intervalAround(t, T0 - MIN)).toBe(Number.POSITIVE_INFINITY);
  });

  it('matches a session split in two to its larger piece; the other piece is a false positive', () => {
    const score = scoreSessions(
      [truth(0, 300, 30)],
      [detected(0, 200, 20), detected(205, 300, 10)],
      times(-10, 310, 1),
    );
    expect(score.pairs).toHaveLength(1);
    expect(score.pairs[0]!.detected.start).toBe(new Date(T0).toISOString());
    expect(score.falsePositives).toHaveLength(1);
    expect(figures(score).f1).toBeCloseTo(2 / 3, 9);
    expect(score.pairs[0]!.energyError).toBeCloseTo(1 / 3, 9);
  });

  it('matches two sessions merged into one to one of them; the other is missed', () => {
    const score = scoreSessions(
      [truth(0, 100, 10), truth(130, 200, 7)],
      [detected(0, 200, 17)],
      times(-10, 210, 1),
    );
    expect(score.pairs).toHaveLength(1);
    expect(score.falseNegatives).toHaveLength(1);
    expect(score.pairs[0]!.truth.startMs).toBe(T0);
  });

  it('needs half the true session covered, unless both boundaries are within their sampling intervals', () => {
    const sparse = times(-20, 40, 10); // readings every 10 min; a 10-minute top-up
    const shifted = scoreSessions([truth(3, 13, 2)], [detected(9, 19, 2)], sparse);
    expect(shifted.pairs).toHaveLength(1); // 4 of 10 minutes overlap, boundaries 6 min off at a 10 min cadence
    const far = scoreSessions([truth(3, 13, 2)], [detected(12, 40, 2)], sparse);
    expect(far.pairs).toHaveLength(0);
    expect(figures(far).f1).toBe(0);
  });

  it('counts only the energy error beyond the allowance', () => {
    const score = scoreSessions([truth(0, 60, 10, 0.5)], [detected(0, 60, 10.8)], times(-5, 65, 5));
    expect(score.pairs[0]!.rawEnergyError).toBeCloseTo(0.08, 9);
    expect(score.pairs[0]!.energyError).toBeCloseTo(0.03, 9);
    const within = scoreSessions([truth(0, 60, 10, 0.5)], [detected(0, 60, 9.6)], times(-5, 65, 5));
    expect(within.pairs[0]!.energyError).toBe(0);
  });

  it('does not count a session no reading could see against the engine, but credits finding it', () => {
    const hidden = { ...truth(3, 6, 4), observable: false };
    const missed = scoreSessions([truth(20, 80, 10), hidden], [detected(20, 80, 10)], times(0, 90, 10));
    expect(missed.truthCount).toBe(1);
    expect(missed.falseNegatives).toHaveLength(0);
    const found = scoreSessions([hidden], [detected(3, 6, 4)], times(0, 90, 10));
    expect(found.truthCount).toBe(1);
    expect(found.pairs).toHaveLength(1);
  });

  it('calls a session observable when a cumulative signal exists or a power sample falls inside it', () => {
    const session = { startMs: T0 + 3 * MIN, endMs: T0 + 6 * MIN };
    const power = (m: number) => ({ t: T0 + m * MIN, powerKw: 0 });
    expect(observable(session, [power(0), power(10)], 0)).toBe(false);
    expect(observable(session, [power(0), power(5), power(10)], 0)).toBe(true);
    expect(observable(session, [power(0), power(10)], 10 * MIN)).toBe(true); // a 10-minute average covers it
    expect(
      observable(
        session,
        [
          { t: T0, energyKwh: 1 },
          { t: T0 + 10 * MIN, energyKwh: 2 },
        ],
        0,
      ),
    ).toBe(true);
  });

  it('scores the battery energy where the engine reports it, beyond its own allowance', () => {
    const withBattery = { ...detected(0, 60, 10), batteryEnergyKwh: 9.5 } as DetectedSession;
    const label = { ...truth(0, 60, 10), batteryKwh: 9, batteryAllowanceKwh: 0.2 };
    const score = scoreSessions([label], [withBattery], times(-5, 65, 5));
    expect(score.pairs[0]!.batteryError).toBeCloseTo(0.3 / 9, 9);
    expect(figures(score).batteryReported).toBe(1);
    expect(scoreSessions([label], [detected(0, 60, 10)], times(-5, 65, 5)).pairs[0]!.batteryError).toBeNull();
  });

  it('gives boundary errors in sampling intervals, at least a quantum step long', () => {
    const score = scoreSessions([truth(2, 52, 10)], [detected(7, 52, 10)], times(0, 60, 5));
    expect(score.pairs[0]!.startIntervals).toBeCloseTo(1, 9);
    expect(score.pairs[0]!.endIntervals).toBe(0);
    const coarse = scoreSessions(
      [{ ...truth(2, 52, 10), startResolutionMs: 20 * MIN }],
      [detected(7, 52, 10)],
      times(0, 60, 5),
    );
    expect(coarse.pairs[0]!.startIntervals).toBeCloseTo(0.25, 9);
  });

  it('judges boundaries in the SoC clock where the SoC alone measures, and only there', () => {
    // Seed 6 has a DC stop whose 1 % step (25 s) is shorter than its SoC's 86 s offset.
    const soc = simulateCar({ seed: 6, mode: 'soc-only', days: 3 });
    const skew = soc.sensors.socSkewMs;
    expect(Math.abs(skew)).toBeGreaterThan(0);
    const labels = adversaryLabels(soc);
    soc.truth.forEach((t, i) => {
      // A reading at t shows the SoC of t − skew: the truth as the SoC's timestamps record it.
      expect(labels[i]!.startMs).toBe(t.startMs + skew);
      expect(labels[i]!.endMs).toBe(t.endMs + skew);
    });
    // The offset moves the boundaries instead of widening their interval: the DC stop's step stays short.
    expect(Math.min(...labels.map((l) => l.startResolutionMs!))).toBeLessThan(Math.abs(skew));
    // A boundary placed right in the SoC's clock is exact; one placed at the true time is off by the offset.
    const socTimes = energyTimes(soc.mode, soc.readings);
    const l = labels[0]!;
    const iso = (t: number) => new Date(t).toISOString();
    const at = (startMs: number) =>
      scoreSessions([l], [{ ...detected(0, 1, 1), start: iso(startMs), end: iso(l.endMs) }], socTimes)
        .pairs[0]!;
    expect(at(l.startMs).startIntervals).toBeCloseTo(0, 3);
    expect(at(soc.truth[0]!.startMs).startErrorMs).toBeCloseTo(Math.abs(skew), -1);
    // With power beside it, the SoC's offset does not time the boundaries: a DC charge's 0 ms step stays.
    const power = simulateCar({ seed: 5, mode: 'power+soc', days: 3 });
    for (const l of adversaryLabels(power)) expect(l.startResolutionMs).toBe(0);
  });
});
