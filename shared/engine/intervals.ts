// Stage: did energy flow between two consecutive evidence readings? The interval's *flow*: 0 none, 1 at
// one end only (point evidence: it began or ended inside), 2 throughout (or somewhere inside, for interval
// evidence and across a gap). Pure: everything it needs is passed in.
//
// Rules (README.md, "Is energy flowing?" and "Data gaps"):
// - point evidence (power, flag) at both ends: flowing at each end that says so;
// - interval evidence (meter step, SoC rise): the reading says it;
// - off at both ends, yet a meter step at a charging rate or a SoC rise ≥ 5 % between them: a charge no
//   reading saw (a 7-minute DC stop between 15-minute readings) — a cumulative signal cannot lie about it;
// - a data gap (> 45 min): charging only if a cumulative signal rose across it (a meter; else the SoC, any
//   rise when charging was seen at either edge, ≥ 5 % from nothing — a clear rise no drive can make);
//   a gap longer than 24 h breaks everything before it.

import {
  BASELINE_MAX_AGE_MS,
  CHARGING_POWER_MIN_KW,
  DATA_GAP_MS,
  MAX_BRIDGE_GAP_MS,
  METER_EPSILON_KWH,
  METER_MAX_PLAUSIBLE_KW,
  SOC_RISE_MIN_PERCENT,
} from './constants.js';
import { type EvidenceKind, POINT } from './evidence.js';

const HOUR_MS = 3_600_000;

export interface IntervalReadings {
  /** The previous evidence reading and this one (epoch ms). */
  from: number;
  to: number;
  /** This reading's evidence, and whether the previous evidence said flowing. */
  kind: EvidenceKind;
  on: boolean;
  onBefore: boolean;
  /** This reading's meter (NaN when absent), the last meter value before it and when (NaN when none). */
  meterKwh: number;
  meterBeforeKwh: number;
  meterBeforeT: number;
  /** This reading's SoC (NaN when absent), the last SoC before it and when (NaN when none). */
  soc: number;
  socBefore: number;
  socBeforeT: number;
  /** kWh per SoC percent point ×100 (the battery capacity, NaN when unknown). */
  capacityKwh: number;
}

export interface IntervalFlow {
  /** 0 none, 1 at one end only (point evidence), 2 throughout or somewhere inside. */
  flow: 0 | 1 | 2;
  /** Longer than a data gap (45 min). */
  gap: boolean;
  /** Longer than 24 h: nothing before it can join anything after it. */
  breaks: boolean;
  /** Energy came from a cumulative signal across the interval (a gap, or a charge no reading saw). */
  acrossGap: boolean;
  /** A whole charge between two readings that both said "not charging". */
  unseen: boolean;
  /** What the meter counted over the interval (read at both ends), kWh; NaN otherwise. */
  meteredKwh: number;
  /** Across the interval by meter (or SoC × capacity), kWh, and the SoC points; NaN when not. */
  energyAcrossKwh: number;
  socAcross: number;
}

/**
 * The interval's flow, written into `into` (a fresh object unless given): the scan passes one of its own,
 * refilled per interval, since an object per reading was a large share of the engine's time in GC.
 */
export function intervalFlow(x: IntervalReadings, into?: IntervalFlow): IntervalFlow {
  const { from, to, kind, on } = x;
  const dt = to - from;
  // What the meter counted over this interval, when it was read at both ends.
  const dE = x.meterBeforeT === from ? x.meterKwh - x.meterBeforeKwh : Number.NaN;
  const result: IntervalFlow = into ?? { ...NO_FLOW };
  result.flow = 0;
  result.gap = dt > DATA_GAP_MS;
  result.breaks = dt > MAX_BRIDGE_GAP_MS;
  result.acrossGap = false;
  result.unseen = false;
  result.meteredKwh = dE;
  result.energyAcrossKwh = Number.NaN;
  result.socAcross = Number.NaN;
  if (result.gap) {
    if (roseAcrossGap(x, result)) {
      result.flow = 2;
      result.acrossGap = true;
    }
  } else if (kind === POINT) {
    result.flow = ((x.onBefore ? 1 : 0) + (on ? 1 : 0)) as 0 | 1 | 2;
    if (result.flow === 0 && chargedUnseen(x, dE, result)) {
      result.flow = 2;
      result.acrossGap = true;
      result.unseen = true;
    }
  } else {
    result.flow = on ? 2 : 0;
  }
  return result;
}

/**
 * A data gap: did a cumulative signal rise across it? Charging seen at either edge continues through any
 * rise; from nothing it takes a clear one. Writes what rose (kWh, and SoC points) into `result`.
 */
function roseAcrossGap(x: IntervalReadings, result: IntervalFlow): boolean {
  const edgeOn = x.onBefore || (x.kind === POINT && x.on);
  if (x.from - x.meterBeforeT <= BASELINE_MAX_AGE_MS) {
    const d = x.meterKwh - x.meterBeforeKwh;
    if (d > METER_EPSILON_KWH && d <= (METER_MAX_PLAUSIBLE_KW * (x.to - x.meterBeforeT)) / HOUR_MS) {
      result.energyAcrossKwh = d;
      return true;
    }
  }
  if (x.from - x.socBeforeT <= BASELINE_MAX_AGE_MS) {
    const d = x.soc - x.socBefore;
    if (edgeOn ? d > 0 : d >= SOC_RISE_MIN_PERCENT) {
      result.socAcross = d;
      result.energyAcrossKwh = (d * x.capacityKwh) / 100;
      return true;
    }
  }
  return false;
}

/**
 * Off at both readings, yet a charge counter (`dE`: the meter over the interval) or a clear SoC rise says
 * a short charge happened between. Writes what rose (kWh, and SoC points) into `result`.
 */
function chargedUnseen(x: IntervalReadings, dE: number, result: IntervalFlow): boolean {
  if (dE > METER_EPSILON_KWH && dE >= CHARGING_POWER_MIN_KW * ((x.to - x.from) / HOUR_MS)) {
    result.energyAcrossKwh = dE;
  } else if (x.from - x.socBeforeT <= BASELINE_MAX_AGE_MS) {
    const d = x.soc - x.socBefore;
    if (d >= SOC_RISE_MIN_PERCENT) {
      result.socAcross = d;
      result.energyAcrossKwh = (d * x.capacityKwh) / 100;
    }
  }
  return result.energyAcrossKwh > 0 || result.socAcross > 0;
}

/** An interval with no flow (a blank to fill). */
export const NO_FLOW: Readonly<IntervalFlow> = Object.freeze({
  flow: 0,
  gap: false,
  breaks: false,
  acrossGap: false,
  unseen: false,
  meteredKwh: Number.NaN,
  energyAcrossKwh: Number.NaN,
  socAcross: Number.NaN,
});
