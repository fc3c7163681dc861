// The intervals stage (shared/engine/intervals.ts): did energy flow between two evidence readings?

import { describe, expect, it } from 'vitest';
import { METER, POINT, SOC } from '../../shared/engine/evidence.js';
import { type IntervalReadings, intervalFlow } from '../../shared/engine/intervals.js';
import { MIN } from '../support/engine.js';

const T = 10 * 60 * MIN;
const quiet = (fields: Partial<IntervalReadings>): IntervalReadings => ({
  from: T,
  to: T + 5 * MIN,
  kind: POINT,
  on: false,
  onBefore: false,
  meterKwh: Number.NaN,
  meterBeforeKwh: Number.NaN,
  meterBeforeT: Number.NaN,
  soc: Number.NaN,
  socBefore: Number.NaN,
  socBeforeT: Number.NaN,
  capacityKwh: 60,
  ...fields,
});

describe('intervals stage', () => {
  it('point evidence: flowing at each end that says so', () => {
    expect(intervalFlow(quiet({ onBefore: true, on: true })).flow).toBe(2);
    expect(intervalFlow(quiet({ onBefore: false, on: true })).flow).toBe(1);
    expect(intervalFlow(quiet({ onBefore: true, on: false })).flow).toBe(1);
    expect(intervalFlow(quiet({})).flow).toBe(0);
  });

  it('interval evidence: the reading says it', () => {
    expect(intervalFlow(quiet({ kind: METER, on: true })).flow).toBe(2);
    expect(intervalFlow(quiet({ kind: SOC, on: false, onBefore: true })).flow).toBe(0);
  });

  it('the meter counted over the interval only when read at both of its ends', () => {
    const both = quiet({ meterKwh: 10.5, meterBeforeKwh: 10, meterBeforeT: T });
    expect(intervalFlow(both).meteredKwh).toBeCloseTo(0.5);
    expect(intervalFlow({ ...both, meterBeforeT: T - MIN }).meteredKwh).toBeNaN();
  });

  it('off at both ends, a meter step at a charging rate between them: a charge no reading saw', () => {
    const x = intervalFlow(quiet({ to: T + 15 * MIN, meterKwh: 13, meterBeforeKwh: 10, meterBeforeT: T }));
    expect(x).toMatchObject({ flow: 2, acrossGap: true, unseen: true, energyAcrossKwh: 3 });
    // A step below 0.3 kW over the interval is standby or rounding, not a charge.
    expect(
      intervalFlow(quiet({ to: T + 15 * MIN, meterKwh: 10.05, meterBeforeKwh: 10, meterBeforeT: T })).flow,
    ).toBe(0);
  });

  it('off at both ends, a SoC rise of 5 % between them is a charge; 4 % is not', () => {
    const rise = (d: number) =>
      intervalFlow(quiet({ to: T + 15 * MIN, soc: 40 + d, socBefore: 40, socBeforeT: T - MIN }));
    expect(rise(5)).toMatchObject({ flow: 2, unseen: true, socAcross: 5, energyAcrossKwh: 3 });
    expect(rise(4).flow).toBe(0);
  });

  it('a data gap with no cumulative rise is no flow, whatever the edges say', () => {
    const x = intervalFlow(quiet({ to: T + 2 * 60 * MIN, onBefore: true, on: true }));
    expect(x).toMatchObject({ flow: 0, gap: true, breaks: false });
  });

  it('a data gap across which the meter rose is charging, with the meter’s energy', () => {
    const x = intervalFlow(
      quiet({ to: T + 2 * 60 * MIN, meterKwh: 30, meterBeforeKwh: 10, meterBeforeT: T - MIN }),
    );
    expect(x).toMatchObject({ flow: 2, gap: true, acrossGap: true, unseen: false, energyAcrossKwh: 20 });
  });

  it('across a gap: any SoC rise continues charging seen at an edge; from nothing it takes 5 %', () => {
    const gap = (d: number, on: boolean) =>
      intervalFlow(quiet({ to: T + 2 * 60 * MIN, on, soc: 40 + d, socBefore: 40, socBeforeT: T }));
    expect(gap(1, true).flow).toBe(2);
    expect(gap(1, false).flow).toBe(0);
    expect(gap(5, false)).toMatchObject({ flow: 2, socAcross: 5 });
  });

  it('a SoC or meter value older than 45 min before the gap is no baseline', () => {
    const x = intervalFlow(
      quiet({ to: T + 2 * 60 * MIN, on: true, soc: 60, socBefore: 40, socBeforeT: T - 46 * MIN }),
    );
    expect(x.flow).toBe(0);
  });

  it('more than 24 h without evidence breaks everything before it', () => {
    expect(intervalFlow(quiet({ to: T + 25 * 60 * MIN })).breaks).toBe(true);
    expect(intervalFlow(quiet({ to: T + 23 * 60 * MIN })).breaks).toBe(false);
  });
});
