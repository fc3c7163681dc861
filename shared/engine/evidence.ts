// Stage: what one reading says about charging — the *evidence*. By the reading's best signal: power (on or
// off at that instant), else a meter step, else the charging flag (on/off), else a state-of-charge step
// (meter and SoC are interval evidence: they tell what happened since the previous value). A reading that
// lacks the entity's best recent signal is a side message (SoC or position sent on its own between power
// readings) and is no evidence: it would only say less precisely what the better signal says.

import {
  CHARGING_POWER_MIN_KW,
  DATA_GAP_MS,
  METER_EPSILON_KWH,
  METER_MAX_PLAUSIBLE_KW,
} from './constants.js';

/** Evidence kinds. */
export const NONE = 0;
/** Power or charging flag: on/off at the reading's instant. */
export const POINT = 1;
/** The register rose in the interval ending at the reading. */
export const METER = 2;
/** The state of charge rose in the interval ending at the reading. */
export const SOC = 3;
export type EvidenceKind = typeof NONE | typeof POINT | typeof METER | typeof SOC;

export interface Evidence {
  kind: EvidenceKind;
  /** Energy flowing: at the instant (point), or over the interval since the previous value (meter, SoC). */
  on: boolean;
  /** Interval evidence needs a previous value of the same signal; point evidence always knows. */
  intervalKnown: boolean;
}

/** The signals a reading carries (NaN / undefined when absent). */
export interface Signals {
  t: number;
  powerKw: number;
  energyKwh: number;
  charging: boolean | undefined;
  soc: number;
}

/** What came before: when power and the charging flag were last seen, the last meter and SoC values. */
export interface Previous {
  powerT: number;
  flagT: number;
  /** NaN when none. */
  meterT: number;
  meterKwh: number;
  socT: number;
  soc: number;
}

const HOUR_MS = 3_600_000;

export function evidenceOf(r: Signals, previous: Previous): Evidence {
  const { t } = r;
  if (!Number.isNaN(r.powerKw)) return r.powerKw > CHARGING_POWER_MIN_KW ? POINT_ON : POINT_OFF;
  if (t - previous.powerT <= DATA_GAP_MS) return NO_EVIDENCE;
  if (!Number.isNaN(r.energyKwh)) {
    if (Number.isNaN(previous.meterT)) return FIRST_METER;
    // A step at a charging rate; larger than any charger can deliver is a swapped or reset register.
    const d = r.energyKwh - previous.meterKwh;
    const hours = (t - previous.meterT) / HOUR_MS;
    const on =
      d > METER_EPSILON_KWH && d >= CHARGING_POWER_MIN_KW * hours && d <= METER_MAX_PLAUSIBLE_KW * hours;
    return on ? METER_ON : METER_OFF;
  }
  if (t - previous.meterT <= DATA_GAP_MS) return NO_EVIDENCE;
  if (r.charging !== undefined) return r.charging ? POINT_ON : POINT_OFF;
  if (!Number.isNaN(r.soc) && !(t - previous.flagT <= DATA_GAP_MS)) {
    if (Number.isNaN(previous.socT)) return FIRST_SOC;
    return r.soc > previous.soc ? SOC_ON : SOC_OFF;
  }
  return NO_EVIDENCE;
}

// Every answer, built once: evidence is asked of every reading, and need not allocate. Named, not looked
// up by (kind, on, intervalKnown): evidenceOf stays small enough for the compiler to build it into the scan.
const NO_EVIDENCE = answer(NONE, false, false);
const POINT_ON = answer(POINT, true, true);
const POINT_OFF = answer(POINT, false, true);
const METER_ON = answer(METER, true, true);
const METER_OFF = answer(METER, false, true);
const SOC_ON = answer(SOC, true, true);
const SOC_OFF = answer(SOC, false, true);
/** The signal's first value: nothing yet to compare it with. */
const FIRST_METER = answer(METER, false, false);
const FIRST_SOC = answer(SOC, false, false);

function answer(kind: EvidenceKind, on: boolean, intervalKnown: boolean): Evidence {
  return Object.freeze({ kind, on, intervalKnown });
}

/**
 * The resolution of an energy register as one of its values shows it: the last decimal place it
 * carries (1 kWh, 0.1, 0.01, down to 1 Wh). A register counts in whole steps of its resolution, so a
 * flat stretch is "less than one step flowed" — the step being the resolution, not the smallest
 * increase seen between two readings, which at high power or slow sampling is many steps.
 */
export function registerResolutionKwh(value: number): number {
  for (let digits = 0, unit = 1; digits < 3; digits++, unit /= 10) {
    const steps = value / unit;
    if (Math.abs(steps - Math.round(steps)) < 1e-6) return unit;
  }
  return 0.001;
}
