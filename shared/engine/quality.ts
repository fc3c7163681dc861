// How far a session can be trusted: how each boundary was placed and how far off it can be, the data gaps
// inside it, and whether its energy was measured, integrated or estimated. Pure helpers for the spells and enrich stages.

import type { BoundaryRule, SessionMethod, SessionQuality } from '../sessions/model.js';
import { CHARGING_EFFICIENCY_MIN, SOC_STEP_PERCENT } from './constants.js';

export type { BoundaryRule };

/** A placed boundary's rule and the readings either side of it (epoch ms): the true instant lies between. */
export interface Edge {
  rule: BoundaryRule;
  from: number;
  to: number;
}

const HOUR_MS = 3_600_000;

/**
 * The most a charger can have delivered in an edge interval whose state of charge did not rise (read at
 * both ends): less than one 1 % step reached the battery, at the lowest plausible efficiency. When power
 * extrapolated over the interval says more, the SoC wins: the charge began (ended) within that much energy
 * of the reading that saw it flowing, placed at the middle of it at the power read there. Null when the
 * SoC does not contradict power (or power or capacity is unknown): the power-based edge stands.
 */
export function socCheckedEdge(edge: {
  from: number;
  to: number;
  /** True when charging starts in the interval (seen at `to`), false when it ends (seen at `from`). */
  startsHere: boolean;
  kw: number;
  capacityKwh: number;
  /** Energy power gives the interval, kWh. */
  byPowerKwh: number;
}): { at: number; kwh: number } | null {
  const { from, to, startsHere, kw, capacityKwh, byPowerKwh } = edge;
  if (!(kw > 0 && capacityKwh > 0)) return null;
  const most = ((SOC_STEP_PERCENT / 100) * capacityKwh) / CHARGING_EFFICIENCY_MIN;
  if (!(byPowerKwh > most)) return null;
  const kwh = Math.min(most / 2, (kw * (to - from)) / HOUR_MS);
  const ms = (kwh / kw) * HOUR_MS;
  return { at: Math.floor(startsHere ? to - ms : from + ms), kwh };
}

/** The largest error the placed boundary can have: the distance to the farther of the readings either side. */
export function uncertaintySeconds(placed: number, edge: Edge): number {
  return Math.round(Math.max(placed - edge.from, edge.to - placed, 0) / 1000);
}

/** Data gaps (pairs of epoch ms) overlapping [start, end]: how many, and how long inside it. */
export function gapsWithin(
  gaps: readonly number[],
  start: number,
  end: number,
): { count: number; seconds: number } {
  let count = 0;
  let ms = 0;
  for (let k = 0; k + 1 < gaps.length; k += 2) {
    const a = Math.max(gaps[k]!, start);
    const b = Math.min(gaps[k + 1]!, end);
    if (b > a) {
      count++;
      ms += b - a;
    }
  }
  return { count, seconds: Math.round(ms / 1000) };
}

/** A meter measures energy, power is integrated over time, a state of charge times a capacity is an estimate. */
export function energyQuality(method: SessionMethod): SessionQuality['energy'] {
  return method === 'energy_meter' ? 'measured' : method === 'power_flow' ? 'integrated' : 'estimated';
}
