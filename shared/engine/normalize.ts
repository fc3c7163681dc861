// Readings into one canonical sequence: inside the window, strictly increasing in time, one reading per
// instant. Storage returns readings in order, so the common case costs one check and no copy.

import type { Reading } from '../readings/model.js';

export interface ReadingSequence {
  readings: readonly Reading[];
  /** Iterate `readings[lo]` … `readings[hi - 1]`. */
  lo: number;
  hi: number;
}

export function normalizeReadings(readings: readonly Reading[], from: number, to: number): ReadingSequence {
  let ordered = true;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < readings.length; i++) {
    const t = readings[i]!.t;
    if (!(t > previous)) {
      ordered = false;
      break;
    }
    previous = t;
  }
  if (ordered) {
    return { readings, lo: firstAtOrAfter(readings, from), hi: firstAfter(readings, to) };
  }
  const kept = readings.filter((r) => Number.isFinite(r.t) && r.t >= from && r.t <= to);
  kept.sort((a, b) => a.t - b.t);
  const unique: Reading[] = [];
  for (let i = 0; i < kept.length; i++) {
    const reading = kept[i]!;
    const last = unique[unique.length - 1];
    if (last !== undefined && last.t === reading.t)
      unique[unique.length - 1] = mergeSameInstant(last, reading);
    else unique.push(reading);
  }
  return { readings: unique, lo: 0, hi: unique.length };
}

function firstAtOrAfter(readings: readonly Reading[], t: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readings[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstAfter(readings: readonly Reading[], t: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readings[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NUMERIC_FIELDS = ['soc', 'powerKw', 'energyKwh', 'rangeKm', 'lat', 'lon', 'odometerKm'] as const;
const BOOLEAN_FIELDS = ['isPluggedIn', 'isCharging'] as const;

/**
 * Two readings at one instant are one reading delivered twice. If they disagree (they should not), each
 * field takes the larger number and `true` over `false`: a rule that does not depend on arrival order.
 */
export function mergeSameInstant(a: Reading, b: Reading): Reading {
  const merged: Reading = { t: a.t };
  for (const field of NUMERIC_FIELDS) {
    const x = a[field];
    const y = b[field];
    const value = x === undefined ? y : y === undefined ? x : Math.max(x, y);
    if (value !== undefined) merged[field] = value;
  }
  for (const field of BOOLEAN_FIELDS) {
    const x = a[field];
    const y = b[field];
    const value = x === undefined ? y : y === undefined ? x : x || y;
    if (value !== undefined) merged[field] = value;
  }
  return merged;
}
