// Stage: did the vehicle move? For each reading, whether the vehicle left where it stood between the
// previous reading and this one. A pure pass over the time-ordered readings, before sessions are looked
// for, so the rules below are the only place movement is decided.
//
// The rules, strongest first (README.md, "Movement"):
// 1. odometer: any tick (≥ 0.1 km) between two odometer readings is a drive; no tick is standing still.
//    The odometer is authoritative where there is one;
// 2. plugged in: a vehicle whose latest plug flag (≤ 45 min old) says plugged in has not driven away —
//    its position may say what it likes;
// 3. position, a noisy measurement: a position says the vehicle moved only when it and the next readings
//    (MOVE_CONFIRM_READINGS in all) are farther from the parking spot (median of recent parked fixes) than
//    both MOVE_DISTANCE_M and PARKED_SPREAD_FACTOR × the spread seen while parked. One outlier, or a burst
//    shorter than the confirmation, is scatter.

import type { Reading } from '../readings/model.js';
import {
  MOVE_CONFIRM_READINGS,
  MOVE_DISTANCE_M,
  MOVE_ODOMETER_KM,
  PARKED_POSITIONS,
  PARKED_SPREAD_FACTOR,
  PLUG_FLAG_MAX_AGE_MS,
} from './constants.js';
import { median, metersApart } from './geo.js';

/** Which rule decided a reading's movement (for tests and the README's rule list). */
export type MovementRule = 'odometer' | 'plugged_in' | 'position' | 'none';

export interface Movement {
  /** moved[i]: the vehicle moved in the interval ending at readings[i]. */
  moved: Uint8Array;
  /** rule[i]: what decided it (odometer, plug flag, position; `none` when nothing could tell). */
  rule: MovementRule[];
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** Movement of a vehicle over `readings[lo, hi)` (strictly increasing in time). A charge point never moves. */
export function detectMovement(
  readings: readonly Reading[],
  lo: number,
  hi: number,
  mobile: boolean,
): Movement {
  const moved = new Uint8Array(hi);
  const rule: MovementRule[] = new Array(hi).fill('none');
  if (!mobile) return { moved, rule };
  const located = (r: Reading) => finite(r.lat) && finite(r.lon);
  let parked: { lat: number; lon: number }[] = [];
  let odometer = Number.NaN;
  let pluggedAt = Number.NEGATIVE_INFINITY;
  for (let i = lo; i < hi; i++) {
    const r = readings[i]!;
    if (r.isPluggedIn === true) pluggedAt = r.t;
    else if (r.isPluggedIn === false) pluggedAt = Number.NEGATIVE_INFINITY;
    const odo = r.odometerKm;
    if (finite(odo)) {
      const drove = !Number.isNaN(odometer) && odo - odometer >= MOVE_ODOMETER_KM;
      const known = !Number.isNaN(odometer);
      odometer = odo;
      if (known) {
        rule[i] = 'odometer';
        if (drove) {
          moved[i] = 1;
          parked = located(r) ? [{ lat: r.lat!, lon: r.lon! }] : [];
          continue;
        }
        if (located(r)) remember(parked, r);
        continue;
      }
    }
    if (!located(r)) continue;
    if (parked.length === 0) {
      parked.push({ lat: r.lat!, lon: r.lon! });
      continue;
    }
    if (r.t - pluggedAt <= PLUG_FLAG_MAX_AGE_MS) {
      rule[i] = 'plugged_in';
      remember(parked, r);
      continue;
    }
    rule[i] = 'position';
    const spot = parkingSpot(parked);
    const away = (p: Reading) => metersApart(spot.lat, spot.lon, p.lat!, p.lon!) > spot.radius;
    if (!away(r)) {
      remember(parked, r);
      continue;
    }
    // Away: confirmed only if the next located readings stay away too.
    const next: Reading[] = [r];
    for (let j = i + 1; j < hi && next.length < MOVE_CONFIRM_READINGS; j++) {
      if (located(readings[j]!)) next.push(readings[j]!);
    }
    if (next.length < MOVE_CONFIRM_READINGS || !next.every(away)) continue; // scatter (or not yet known)
    if (parked.length < MOVE_CONFIRM_READINGS && clustered(next)) {
      // The spot rested on too few fixes to outvote them: the fixes it rested on were the outliers.
      parked = [{ lat: r.lat!, lon: r.lon! }];
      continue;
    }
    moved[i] = 1;
    parked = [{ lat: r.lat!, lon: r.lon! }];
  }
  return { moved, rule };
}

function remember(parked: { lat: number; lon: number }[], r: Reading): void {
  parked.push({ lat: r.lat!, lon: r.lon! });
  if (parked.length > PARKED_POSITIONS) parked.shift();
}

/** The parking spot (median of the parked fixes) and how far from it a fix must be to count as away. */
export function parkingSpot(parked: readonly { lat: number; lon: number }[]): {
  lat: number;
  lon: number;
  radius: number;
} {
  const lat = median(parked.map((p) => p.lat));
  const lon = median(parked.map((p) => p.lon));
  const spread = median(parked.map((p) => metersApart(lat, lon, p.lat, p.lon)));
  return { lat, lon, radius: Math.max(MOVE_DISTANCE_M, PARKED_SPREAD_FACTOR * spread) };
}

/** Whether fixes lie together (a spot) rather than along a road (a drive). */
function clustered(fixes: readonly Reading[]): boolean {
  const lat = median(fixes.map((p) => p.lat!));
  const lon = median(fixes.map((p) => p.lon!));
  return fixes.every((p) => metersApart(lat, lon, p.lat!, p.lon!) <= MOVE_DISTANCE_M);
}
