// Stage: where inside a flowing interval charging began and ended, should the interval turn out to be a
// spell's first or last. A boundary lies between the readings either side of it; it is placed where the
// energy measured over the interval at the rate measured beside it puts it, else in the middle (which
// halves the worst-case error); at a data edge (gap, window start) it is the reading. Later rules may
// move a spell's edges again (spells.ts spellEdges: idle wake, SoC onset, SoC cross-check).

import type { BoundaryRule } from './quality.js';

export interface FlowingInterval {
  /** The readings either side (epoch ms). */
  from: number;
  to: number;
  /** Longer than a data gap: energy came from a cumulative signal across it. */
  acrossGap: boolean;
  /** Point evidence (power, flag) said flowing at `from` / at `to`. */
  flowingBefore: boolean;
  flowingAfter: boolean;
  /** Charge rate (kWh per ms) measured just before `from` and just after `to`; NaN when unknown. */
  rateBefore: number;
  rateAfter: number;
  /** What the meter counted over the interval (kWh); NaN when not read at both ends. */
  meteredKwh: number;
  /** Across a gap: kWh by meter (or SoC × capacity), and the SoC points, that rose across it. */
  energyAcrossKwh: number;
  socAcross: number;
  /** Across a gap inside a spell: the spell's SoC rate so far (points per ms). */
  socRate: number;
}

export interface PlacedEdges {
  start: number;
  end: number;
  startRule: BoundaryRule;
  endRule: BoundaryRule;
}

/**
 * The edges, written into `into` (a fresh object unless given): the scan passes one of its own, refilled
 * per flowing interval, as it does for intervalFlow.
 */
export function placeEdges(x: FlowingInterval, into?: PlacedEdges): PlacedEdges {
  const { from, to } = x;
  if (x.acrossGap) {
    // Where in the gap did it charge? From the rate measured on either side, else the gap's edges.
    let start = from;
    let startRule: BoundaryRule = 'data_edge';
    if (!x.flowingBefore && x.rateAfter > 0 && x.energyAcrossKwh > 0) {
      start = clampTime(to - x.energyAcrossKwh / x.rateAfter, from, to);
      startRule = 'rate_across_gap';
    }
    let end = to;
    let endRule: BoundaryRule = 'data_edge';
    if (!x.flowingAfter && x.rateBefore > 0 && x.energyAcrossKwh > 0) {
      end = clampTime(from + x.energyAcrossKwh / x.rateBefore, from, to);
      endRule = 'rate_across_gap';
    } else if (!x.flowingAfter && x.socRate > 0 && x.socAcross > 0) {
      end = clampTime(from + x.socAcross / x.socRate, from, to);
      endRule = 'soc_rate';
    }
    return edges(into, start, startRule, end, endRule);
  }
  // Inside the interval: where the metered energy at the measured rate puts it, else the middle.
  const mid = Math.floor((from + to) / 2);
  const meteredStart = x.meteredKwh >= 0 && x.rateAfter > 0;
  const meteredEnd = x.meteredKwh >= 0 && x.rateBefore > 0;
  return edges(
    into,
    x.flowingBefore ? from : meteredStart ? clampTime(to - x.meteredKwh / x.rateAfter, from, to) : mid,
    x.flowingBefore ? 'data_edge' : meteredStart ? 'metered' : 'midpoint',
    x.flowingAfter ? to : meteredEnd ? clampTime(from + x.meteredKwh / x.rateBefore, from, to) : mid,
    x.flowingAfter ? 'data_edge' : meteredEnd ? 'metered' : 'midpoint',
  );
}

function edges(
  into: PlacedEdges | undefined,
  start: number,
  startRule: BoundaryRule,
  end: number,
  endRule: BoundaryRule,
): PlacedEdges {
  if (into === undefined) return { start, end, startRule, endRule };
  into.start = start;
  into.startRule = startRule;
  into.end = end;
  into.endRule = endRule;
  return into;
}

/** A time estimate kept inside its interval, in whole ms. */
export function clampTime(x: number, lo: number, hi: number): number {
  return Math.floor(x < lo ? lo : x > hi ? hi : x);
}

/**
 * Power that reports the average over each reporting period, not the instant: a charge's power starts at
 * its level (AC at the on-board limit, DC at constant current), so a spell's first power reading well
 * below its second is the average over a period in which charging began part-way. Such a sensor's last
 * charging reading is then the average over the period in which charging ENDED — not the instant before
 * it —, and its share of the level before it is the share of that period energy still flowed:
 * end = start of that period + (last / before) × its length. Null when the readings do not show an
 * averaging sensor (the first reading at its level within the margin below), or the last is not partial.
 */
export function averagedPowerEnd(x: {
  /** Power at the spell's first and second charging readings (kW). */
  firstKw: number;
  secondKw: number;
  /** The charging reading before the last one: its time and power; the last one's time and power. */
  beforeAt: number;
  beforeKw: number;
  lastAt: number;
  lastKw: number;
}): number | null {
  const { firstKw, secondKw, beforeAt, beforeKw, lastAt, lastKw } = x;
  if (!(firstKw > 0 && secondKw > 0 && beforeKw > 0 && lastKw > 0) || !(lastAt > beforeAt)) return null;
  // Well below: beyond a power sensor's noise (~1 %) and a charger's ramp of seconds, read 30 s or more apart.
  if (!(firstKw < AVERAGED_FIRST_SHARE * secondKw) || !(lastKw < AVERAGED_FIRST_SHARE * beforeKw))
    return null;
  return Math.floor(beforeAt + (lastKw / beforeKw) * (lastAt - beforeAt));
}

/** A first power reading below this share of the second is a partial average (see averagedPowerEnd). */
export const AVERAGED_FIRST_SHARE = 0.9;
