// Issue 12's accuracy targets, per reporting mode, on a fixed seed of each generator: the adversary
// (test/adversary, written to break the engine) and the first simulator (test/simulator). Per mode,
// because one mode's failure must not hide behind the others':
// - detection F1 ≥ 0.99;
// - energy error median ≤ 1 % and p95 ≤ 3 %, beyond what the sampling cannot know (at each boundary the
//   power there × half the interval between the readings either side; one 1 % SoC step where only the
//   SoC measures energy);
// - start and end within one sampling interval at p95.
// Matching and metrics: test/adversary/scoring.ts. Print the same tables with
// `npx tsx test/adversary/score.ts --seed 20251025`.

import { describe, expect, it } from 'vitest';
import { evaluateAdversary, evaluateSimulator, table } from '../adversary/evaluate.js';
import type { Figures } from '../adversary/scoring.js';
import { MODES } from '../adversary/sensors.js';
import { PROFILES } from '../simulator/simulate.js';

const ADVERSARY_SEED = 20251025;
const SIMULATOR_SEED = 20250101;

/** Issue 12's goals, per mode and profile. */
const GOALS = { f1: 0.99, energyMedian: 0.01, energyP95: 0.03, boundaryP95: 1 } as const;
type Metric = keyof typeof GOALS;

/**
 * Where a goal is not met yet: the level reached now, asserted as a regression floor so the suite
 * guards what is won (the seeds are fixed, so results are deterministic; rounded with margin). Each
 * cell names its goal in the test's title. Remove a cell when its goal is met. Every goal is met now.
 */
const FLOORS: Record<string, Partial<Record<Metric, number>>> = {};

function targets(label: string, groups: readonly string[], evaluate: () => Map<string, Figures>) {
  describe(label, () => {
    let cached: Map<string, Figures> | undefined;
    const results = () => {
      if (!cached) {
        cached = evaluate();
        console.log(`[${label}]\n${table('group', cached)}`);
      }
      return cached;
    };
    const of = (group: string) => {
      const f = results().get(group);
      if (!f) throw new Error(`no sessions for ${group}`);
      return f;
    };
    /** The bar for a cell: its goal, or its floor where the goal is not met yet, and a title saying which. */
    const bar = (group: string, metric: Metric, title: (x: number) => string) => {
      const floor = FLOORS[`${label}/${group}`]?.[metric];
      return floor === undefined
        ? { value: GOALS[metric], title: title(GOALS[metric]) }
        : { value: floor, title: `${title(floor)} (issue 12 goal ${GOALS[metric]} not met yet)` };
    };

    describe.each(groups)('%s', (group) => {
      const f1 = bar(group, 'f1', (x) => `detects sessions with F1 ≥ ${x}`);
      it(f1.title, () => {
        const f = of(group);
        // Enough sessions that F1 ≥ 0.99 means no error (a charge-point profile has a single site here).
        expect(f.sessions).toBeGreaterThanOrEqual(10);
        expect(
          f.f1,
          `F1 with ${f.falsePositives} extra and ${f.falseNegatives} missed of ${f.sessions}`,
        ).toBeGreaterThanOrEqual(f1.value);
      });
      const median = bar(
        group,
        'energyMedian',
        (x) => `measures energy within ${x * 100} % at the median beyond the sampling allowance`,
      );
      it(median.title, () => {
        expect(of(group).energyMedian).toBeLessThanOrEqual(median.value);
      });
      const p95 = bar(
        group,
        'energyP95',
        (x) => `measures energy within ${x * 100} % at p95 beyond the sampling allowance`,
      );
      it(p95.title, () => {
        expect(of(group).energyP95).toBeLessThanOrEqual(p95.value);
      });
      const boundary = bar(
        group,
        'boundaryP95',
        (x) => `places start and end within ${x} sampling interval${x === 1 ? '' : 's'} at p95`,
      );
      it(boundary.title, () => {
        expect(of(group).boundaryP95).toBeLessThanOrEqual(boundary.value);
      });
    });
  });
}

targets('adversary generator, per reporting mode', MODES, () => evaluateAdversary(ADVERSARY_SEED, 8, 10));
targets('first simulator, per profile', PROFILES, () => evaluateSimulator(SIMULATOR_SEED, 8, 10));
