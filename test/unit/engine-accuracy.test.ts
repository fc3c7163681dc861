// Accuracy of the session engine against the simulator's ground truth, on a fixed-seed corpus of more
// than a thousand sessions over every profile (EVs reporting power, a meter, SoC with flags, SoC only,
// power only; charge points with meter and power, meter, power), six time zones, DST changes.
//
// Metrics (see test/simulator/metrics.ts):
// - Detection F1. A detected session matches a true one of the same entity when their [start, end]
//   intervals overlap; each is matched at most once, greedily by largest overlap.
// - Energy error |detected − true| / true over matched pairs: median and 95th percentile.
// - Boundary error in sampling intervals: |detected − true| divided by the interval between the readings
//   either side of the true boundary. A handful of boundaries cannot be placed within one interval by any
//   method (e.g. a solar restart that no reading saw; a SoC-only car whose SoC fell while it arrived and
//   charged in the same interval), so the bar is 99.5 % of boundaries, and the worst is printed.

import { describe, expect, it } from 'vitest';
import { computeSessions } from '../../shared/engine/index.js';
import { buildCorpus } from '../simulator/corpus.js';
import { combine, quantile, readingTimes, type Score, scoreEntity } from '../simulator/metrics.js';
import type { ProfileName } from '../simulator/simulate.js';

const HOUR = 3_600_000;

/** Which method each profile's sessions should mostly be measured by. */
const EXPECTED_METHOD: Record<ProfileName, string> = {
  'ev-power': 'power_flow',
  'ev-meter': 'energy_meter',
  'ev-soc-flags': 'state_of_charge',
  'ev-soc-tracker': 'state_of_charge',
  'ev-power-only': 'power_flow',
  'cp-meter-power': 'energy_meter',
  'cp-meter': 'energy_meter',
  'cp-power': 'power_flow',
};

function figures(score: Score) {
  const energy = score.matched.map((m) => m.energyError);
  const boundaries = score.matched.flatMap((m) => [m.startErrorIntervals, m.endErrorIntervals]);
  return {
    sessions: score.truthCount,
    f1: score.f1,
    precision: score.precision,
    recall: score.recall,
    energyMedian: quantile(energy, 0.5),
    energyP95: quantile(energy, 0.95),
    withinOneInterval: boundaries.filter((x) => x <= 1).length / boundaries.length,
    worstBoundary: quantile(boundaries, 1),
  };
}

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;

describe('engine accuracy on the simulated corpus', () => {
  it('detects sessions with F1 ≥ 0.99, energy error median ≤ 1 % and p95 ≤ 3 %, boundaries within one sampling interval', () => {
    const corpus = buildCorpus({ seed: 20250101, entitiesPerProfile: 20, days: 14 });
    const byProfile = new Map<ProfileName, Score[]>();
    const methods = new Map<ProfileName, Map<string, number>>();
    const all: Score[] = [];
    const crossing: { truth: (typeof corpus)[number]['truth'][number]; score: Score }[] = [];
    let readings = 0;

    for (const e of corpus) {
      readings += e.readings.length;
      const out = computeSessions({
        entity: e.entity,
        readings: e.readings,
        window: { from: e.fromMs, to: e.toMs + 25 * HOUR },
        locations: e.locations,
        exactLocation: false,
      });
      const score = scoreEntity(e.truth, out.sessions, readingTimes(e.readings));
      all.push(score);
      const list = byProfile.get(e.profile) ?? [];
      list.push(score);
      byProfile.set(e.profile, list);
      const counts = methods.get(e.profile) ?? new Map<string, number>();
      for (const s of out.sessions) counts.set(s.method, (counts.get(s.method) ?? 0) + 1);
      methods.set(e.profile, counts);
      for (const t of e.truth) {
        if (t.crossesLocalMidnight || t.crossesDst) crossing.push({ truth: t, score });
      }
    }

    const total = figures(combine(all));
    console.log(
      `[engine accuracy] sessions=${total.sessions} readings=${readings} F1=${total.f1.toFixed(4)} ` +
        `(P=${total.precision.toFixed(4)} R=${total.recall.toFixed(4)}) energy error median=${pct(total.energyMedian)} ` +
        `p95=${pct(total.energyP95)}; boundaries within one sampling interval=${pct(total.withinOneInterval)} ` +
        `(worst ${total.worstBoundary.toFixed(2)} intervals)`,
    );
    const rows: string[] = [];
    for (const [profile, scores] of byProfile) {
      const f = figures(combine(scores));
      rows.push(
        `${profile}: n=${f.sessions} F1=${f.f1.toFixed(4)} median=${pct(f.energyMedian)} p95=${pct(f.energyP95)} ` +
          `within1=${pct(f.withinOneInterval, 1)}`,
      );
      // No profile may hide behind the others.
      expect(f.f1, profile).toBeGreaterThanOrEqual(0.98);
      const counts = methods.get(profile)!;
      const used = [...counts.values()].reduce((a, b) => a + b, 0);
      expect((counts.get(EXPECTED_METHOD[profile]) ?? 0) / used, `${profile} method`).toBeGreaterThanOrEqual(
        0.9,
      );
    }
    console.log(`[engine accuracy by profile] ${rows.join(' | ')}`);

    expect(total.sessions).toBeGreaterThanOrEqual(1000);
    expect(total.f1).toBeGreaterThanOrEqual(0.99);
    expect(total.energyMedian).toBeLessThanOrEqual(0.01);
    expect(total.energyP95).toBeLessThanOrEqual(0.03);
    expect(total.withinOneInterval).toBeGreaterThanOrEqual(0.995);

    // Sessions across local midnight and across a DST change stay one session each.
    const midnight = crossing.filter((c) => c.truth.crossesLocalMidnight);
    const dst = crossing.filter((c) => c.truth.crossesDst);
    expect(midnight.length).toBeGreaterThanOrEqual(50);
    expect(dst.length).toBeGreaterThanOrEqual(5);
    for (const { truth, score } of crossing) {
      const overlapping = [...score.matched.map((m) => m.detected), ...score.falsePositives].filter(
        (d) => Date.parse(d.start) <= truth.endMs && truth.startMs <= Date.parse(d.end),
      );
      expect(overlapping, `${truth.entityId} ${new Date(truth.startMs).toISOString()}`).toHaveLength(1);
    }
  }, 60_000);
});
