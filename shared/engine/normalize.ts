// Readings into one canonical sequence: inside the window, strictly increasing in time, one reading per
// instant. Storage returns readings in order, so the common case costs no copy and no extra pass.

import type { Reading } from '../readings/model.js';

/**
 * Where the window lies in readings that are already in order (as storage returns them): `[lo, hi)` are
 * the readings inside it. Checked here: the readings outside it are in strict time order and outside the
 * window, and the first and last of `[lo, hi)` are inside it. The caller checks that `[lo, hi)` is in
 * strict time order while it scans it (times strictly between two inside the window are inside it too),
 * so the common case costs no extra pass. Null when a check here fails.
 */
export function orderedWindow(
  readings: readonly Reading[],
  from: number,
  to: number,
): { lo: number; hi: number } | null {
  const n = readings.length;
  // Storage returns exactly the window: no search then (a binary search misses the cache at every probe).
  const lo = n > 0 && readings[0]!.t >= from ? 0 : firstAtOrAfter(readings, from);
  const hi = n > 0 && readings[n - 1]!.t <= to ? n : firstAfter(readings, to);
  if (lo < hi && !(readings[lo]!.t >= from && readings[hi - 1]!.t <= to)) return null;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lo; i++) {
    const t = readings[i]!.t;
    if (!(t > previous && t < from)) return null;
    previous = t;
  }
  previous = to;
  for (let i = hi; i < n; i++) {
    const t = readings[i]!.t;
    if (!(t > previous)) return null;
    previous = t;
  }
  return { lo, hi };
}

/** The readings inside the window, sorted, one per instant (duplicates merged). */
export function sortedWindow(readings: readonly Reading[], from: number, to: number): Reading[] {
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
  return unique;
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
