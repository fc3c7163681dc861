// Stage: a session's energy, best signal first — the meter (measured), else power integrated over time,
// else the state of charge times the battery capacity (estimated) — and what reached the battery next to
// what was delivered. Pure functions over a session's totals.

import type { SessionMethod } from '../sessions/model.js';
import { EFFICIENCY_MIN_SOC_RISE_PERCENT, MIN_SESSION_ENERGY_KWH } from './constants.js';
import type { SkipReason } from './types.js';

const HOUR_MS = 3_600_000;

export interface SessionTotals {
  /** Sum of the register's plausible steps; NaN when the meter was not read at both ends. */
  meterKwh: number;
  /** Register decreases or implausible jumps inside the session (reset, rollover, swap). */
  meterResets: number;
  /** Trapezoids over every flowing interval; NaN when power did not cover them all. */
  powerKwh: number;
  /** SoC known at both ends. */
  socKnown: boolean;
  /** ΔSoC × capacity; NaN without a capacity. */
  batteryKwh: number;
}

/**
 * The delivered energy and how it was measured, or why the session is not reported. A register that reset
 * inside the session cannot be summed with confidence when power measured the same flow.
 */
export function chooseEnergy(t: SessionTotals): { method: SessionMethod; energy: number } | SkipReason {
  const meterOk = !Number.isNaN(t.meterKwh);
  const powerOk = !Number.isNaN(t.powerKwh);
  let method: SessionMethod;
  let energy: number;
  if (meterOk && !(t.meterResets > 0 && powerOk)) {
    method = 'energy_meter';
    energy = t.meterKwh;
  } else if (powerOk) {
    method = 'power_flow';
    energy = t.powerKwh;
  } else if (t.socKnown) {
    if (Number.isNaN(t.batteryKwh)) return 'no_battery_capacity';
    method = 'state_of_charge';
    energy = t.batteryKwh;
  } else {
    return 'no_energy_signal';
  }
  if (!(energy >= MIN_SESSION_ENERGY_KWH)) return 'no_energy';
  return { method, energy };
}

/**
 * Energy that reached the battery over energy delivered — only when the two come from different signals,
 * and only for a SoC rise large enough that its 1 % steps do not dominate the ratio.
 */
export function chargingEfficiency(
  method: SessionMethod,
  deliveredKwh: number,
  batteryKwh: number,
  socRisePercent: number,
): number | null {
  return method !== 'state_of_charge' &&
    batteryKwh >= 0 &&
    socRisePercent >= EFFICIENCY_MIN_SOC_RISE_PERCENT &&
    deliveredKwh > 0
    ? batteryKwh / deliveredKwh
    : null;
}

/** Highest average rate (value per hour) over spans of at least `windowMs`; NaN if none is that long. */
export function maxRate(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number, windowMs: number): number {
  let best = Number.NaN;
  let k = 0;
  for (let j = 1; j < n; j++) {
    const tj = ts[j]!;
    if (tj - ts[0]! < windowMs) continue;
    while (k + 1 < j && tj - ts[k + 1]! >= windowMs) k++;
    const rate = ((vs[j]! - vs[k]!) / (tj - ts[k]!)) * HOUR_MS;
    if (!(rate <= best)) best = rate;
  }
  return best;
}
