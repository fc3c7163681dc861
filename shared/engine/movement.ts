// Stage: did the vehicle move? For each reading, whether the vehicle left where it stood between the
// previous reading and this one (MOVED), is known to have stayed (STILL), or nothing tells (UNKNOWN). A pure pass over the time-ordered readings, before sessions are looked
// for, so the rules below are the only place movement is decided.
//
// The rules, strongest first (README.md, "Movement"):
// 1. odometer: any tick (≥ 0.1 km) between two odometer readings is a drive; no tick is standing still.
//    The odometer is authoritative where there is one;
// 2. plugged in: a vehicle whose latest plug flag (≤ 45 min old) says plugged in (or whose latest
//    charging flag says charging, which needs the cable) has not driven away — its position may say
//    what it likes;
// 3. position, a noisy measurement: a position says the vehicle moved only when it and the next readings
//    (MOVE_CONFIRM_READINGS in all) are farther from the parking spot (median of recent parked fixes) than
//    both MOVE_DISTANCE_M and PARKED_SPREAD_FACTOR × the spread seen while parked. One outlier, or a burst
//    shorter than the confirmation, is scatter;
// 4. power: a battery discharging faster than a parked car's own loads draw (DRIVING_DISCHARGE_KW) is
//    driving, even with a fix near the spot (a slow drive moves ~100 m a minute); where nothing above
//    tells, anything else (charging, standby) is standing still.

import type { Reading } from '../readings/model.js';
import {
  DRIVING_DISCHARGE_KW,
  MOVE_CONFIRM_READINGS,
  MOVE_DISTANCE_M,
  MOVE_ODOMETER_KM,
  PARKED_POSITIONS,
  PARKED_SPREAD_FACTOR,
  PLUG_FLAG_MAX_AGE_MS,
} from './constants.js';
import { median, metersApart } from './geo.js';

/** Which rule decided a reading's movement (for tests and the README's rule list). */
export type MovementRule = 'odometer' | 'plugged_in' | 'position' | 'power' | 'none';

export const UNKNOWN = 0;
export const MOVED = 1;
export const STILL = 2;
/** byPosition only: the fixes outvote a parking spot that rested on too few fixes. */
const OUTVOTED = 3;

export interface Movement {
  /** state[i]: MOVED, STILL or UNKNOWN over the interval ending at readings[i] (for i < hi). */
  state: Uint8Array;
  /** rule[i]: what decided it (`none` when nothing could tell). Built when asked: the scan needs only `state`. */
  readonly rule: MovementRule[];
}

/** Rule codes as detectMovement records them (index into RULES). */
const RULES: readonly MovementRule[] = ['none', 'odometer', 'plugged_in', 'position', 'power'];
const BY_ODOMETER = 1;
const BY_PLUG = 2;
const BY_POSITION = 3;
const BY_POWER = 4;

const finite = (x: number | undefined): x is number => x !== undefined && x - x === 0;

/**
 * Movement of a vehicle over `readings[lo, hi)` (strictly increasing in time). A charge point never moves.
 * `state` is written into `into` (a fresh array unless given, at least `hi` long): the scan passes one it
 * keeps across runs, as allocating a typed array per run was a few percent of the engine's time.
 */
export function detectMovement(
  readings: readonly Reading[],
  lo: number,
  hi: number,
  mobile: boolean,
  into?: Uint8Array,
): Movement {
  // Per reading: a typed array, not an array of objects or strings (this runs for every reading).
  const state = into === undefined ? new Uint8Array(hi) : into.fill(UNKNOWN, 0, hi);
  if (mobile) judge(readings, lo, hi, state, null);
  return {
    state,
    // Asked for by tests and when debugging, never by the scan: the pass runs again to record the rules
    // rather than fill a second array on every run.
    get rule() {
      const rules = new Uint8Array(hi);
      if (mobile) judge(readings, lo, hi, new Uint8Array(hi), rules);
      return Array.from(rules, (code) => RULES[code]!);
    },
  };
}

/** The pass: fills `state`, and `rules` with the rule that decided each reading when given. */
function judge(
  readings: readonly Reading[],
  lo: number,
  hi: number,
  state: Uint8Array,
  rules: Uint8Array | null,
): void {
  const parked = new ParkedFixes();
  let odometer = Number.NaN;
  let pluggedAt = Number.NEGATIVE_INFINITY;
  let chargingAt = Number.NEGATIVE_INFINITY;
  for (let i = lo; i < hi; i++) {
    const r = readings[i]!;
    const { lat, lon } = r;
    const located = finite(lat) && finite(lon);
    if (r.isPluggedIn === true) pluggedAt = r.t;
    else if (r.isPluggedIn === false) {
      pluggedAt = Number.NEGATIVE_INFINITY;
      chargingAt = Number.NEGATIVE_INFINITY;
    }
    // Charging needs the cable: a car reporting itself charging is plugged in too — until it reports the
    // charge over. "Not charging" does not say unplugged, but it ends what "charging" proved: from then
    // on the cable may be pulled at any moment, and a car that only reports isCharging says nothing more.
    if (r.isCharging === true) chargingAt = r.t;
    else if (r.isCharging === false) chargingAt = Number.NEGATIVE_INFINITY;
    const odo = r.odometerKm;
    if (finite(odo)) {
      const drove = !Number.isNaN(odometer) && odo - odometer >= MOVE_ODOMETER_KM;
      const known = !Number.isNaN(odometer);
      odometer = odo;
      if (known) {
        if (rules !== null) rules[i] = BY_ODOMETER;
        if (drove) {
          state[i] = MOVED;
          if (located) parked.restart(lat, lon);
          else parked.clear();
          continue;
        }
        state[i] = STILL;
        if (located) parked.add(lat, lon);
        continue;
      }
    }
    const plugged = r.t - Math.max(pluggedAt, chargingAt) <= PLUG_FLAG_MAX_AGE_MS;
    if (plugged) {
      if (rules !== null) rules[i] = BY_PLUG;
      state[i] = STILL;
      if (located) parked.add(lat, lon);
      continue;
    }
    if (located && parked.size > 0) {
      if (rules !== null) rules[i] = BY_POSITION;
      const found = byPosition(readings, i, hi, parked);
      // A new spot after a move, or when the fixes outvote a spot that rested on too few (its outliers).
      if (found === MOVED || found === OUTVOTED) parked.restart(lat, lon);
      else if (found === STILL) parked.add(lat, lon);
      state[i] = found === OUTVOTED ? UNKNOWN : found;
      // A fix near the spot does not prove standing still (a slow drive moves ~100 m a minute): traction
      // power below still says driving.
      if (state[i] === MOVED) continue;
    } else if (located) {
      parked.add(lat, lon);
    }
    const power = r.powerKw;
    if (finite(power) && power < -DRIVING_DISCHARGE_KW) {
      if (rules !== null) rules[i] = BY_POWER;
      state[i] = MOVED;
    } else if (finite(power) && state[i] === UNKNOWN) {
      if (rules !== null) rules[i] = BY_POWER;
      state[i] = STILL;
    }
  }
}

/**
 * A located reading against the parking spot: STILL within its radius; MOVED when it and the next located
 * readings stay beyond it; UNKNOWN for scatter; OUTVOTED when those readings lie together and the spot
 * rested on too few fixes to outvote them (the fixes it rested on were the outliers).
 */
function byPosition(readings: readonly Reading[], i: number, hi: number, parked: ParkedFixes): number {
  const r = readings[i]!;
  const spot = parked.spot();
  if (!away(spot, r)) return STILL;
  const next: Reading[] = [r];
  for (let j = i + 1; j < hi && next.length < MOVE_CONFIRM_READINGS; j++) {
    const q = readings[j]!;
    if (finite(q.lat) && finite(q.lon)) next.push(q);
  }
  if (next.length < MOVE_CONFIRM_READINGS || !next.every((q) => away(spot, q))) return UNKNOWN; // scatter, or not yet known
  if (parked.size < MOVE_CONFIRM_READINGS && clustered(next)) return OUTVOTED;
  return MOVED;
}

/**
 * The last PARKED_POSITIONS fixes of a parked vehicle, and the parking spot they give. A ring of fixed
 * size (the spot's median does not depend on their order): a fix is added for most readings of a parked car.
 * Plain arrays: a typed array's buffer is allocated outside V8's heap, which for three per vehicle cost more
 * than they saved.
 */
class ParkedFixes {
  private readonly lat: number[] = new Array(PARKED_POSITIONS).fill(0);
  private readonly lon: number[] = new Array(PARKED_POSITIONS).fill(0);
  /** Room for their distances from the spot while it is computed. */
  private readonly distances: number[] = new Array(PARKED_POSITIONS).fill(0);
  /** Fixes held, and where the next one goes. */
  private held = 0;
  private next = 0;
  private cached: Spot | null = null;
  /** Fixes added since the spot was computed. */
  private added = 0;

  add(lat: number, lon: number): void {
    this.lat[this.next] = lat;
    this.lon[this.next] = lon;
    this.next = (this.next + 1) % PARKED_POSITIONS;
    if (this.held < PARKED_POSITIONS) this.held++;
    this.added++;
  }

  get size(): number {
    return this.held;
  }

  clear(): void {
    this.held = 0;
    this.next = 0;
    this.cached = null;
    this.added = 0;
  }

  restart(lat: number, lon: number): void {
    this.clear();
    this.add(lat, lon);
    this.added = 0;
  }

  /**
   * The spot, recomputed while it rests on few fixes and then after every few new ones: a median of 15
   * fixes hardly moves with one more, and recomputing it for every reading cost more than the rest of the
   * engine together.
   */
  spot(): Spot {
    if (this.cached === null || (this.added > 0 && (this.held < PARKED_POSITIONS || this.added >= 5))) {
      this.cached = spotOf(this.lat, this.lon, this.held, this.distances);
      this.added = 0;
    }
    return this.cached;
  }
}

interface Spot {
  lat: number;
  lon: number;
  radius: number;
}

/** The parking spot (median of the parked fixes) and how far from it a fix must be to count as away. */
export function parkingSpot(parked: readonly { lat: number; lon: number }[]): Spot {
  return spotOf(
    parked.map((p) => p.lat),
    parked.map((p) => p.lon),
    parked.length,
  );
}

/** parkingSpot over the first `n` fixes given as coordinates (`distances`: room for n). */
function spotOf(
  lats: ArrayLike<number>,
  lons: ArrayLike<number>,
  n: number,
  distances: number[] = new Array(n).fill(0),
): Spot {
  const lat = median(lats, n);
  const lon = median(lons, n);
  for (let k = 0; k < n; k++) distances[k] = metersApart(lat, lon, lats[k]!, lons[k]!);
  const spread = median(distances, n);
  return { lat, lon, radius: Math.max(MOVE_DISTANCE_M, PARKED_SPREAD_FACTOR * spread) };
}

function away(spot: Spot, r: Reading): boolean {
  return metersApart(spot.lat, spot.lon, r.lat!, r.lon!) > spot.radius;
}

/** Whether fixes lie together (a spot) rather than along a road (a drive). */
function clustered(fixes: readonly Reading[]): boolean {
  const lat = median(fixes.map((p) => p.lat!));
  const lon = median(fixes.map((p) => p.lon!));
  return fixes.every((p) => metersApart(lat, lon, p.lat!, p.lon!) <= MOVE_DISTANCE_M);
}
