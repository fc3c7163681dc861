// Stage: spells into sessions — which spells are one plug-in, and when a session is complete (nothing
// later can change it). README.md, "Sessions: merging and completion".

import type { Reading } from '../readings/model.js';
import {
  BASELINE_MAX_AGE_MS,
  DATA_GAP_MS,
  MAX_BRIDGE_GAP_MS,
  MERGE_GAP_MS,
  METER_EPSILON_KWH,
  MOVE_ODOMETER_KM,
  PAUSE_MIN_MS,
  RESUME_RATE_MAX_WINDOW_MS,
  RESUME_RATE_PRECISION,
  RESUME_RATE_TOLERANCE,
  RESUME_RATE_WINDOW_MS,
  SETTLE_GAP_MS,
} from './constants.js';
import type { Drives } from './drives.js';
import { type EvidenceKind, POINT, registerResolutionKwh } from './evidence.js';
import type { Latest } from './latest.js';
import { MOVED, STILL } from './movement.js';
import { SessionBuilder } from './session-builder.js';

/**
 * A new session, opened by a spell starting at `start`, with the baselines it is measured from (the SoC,
 * range, meter and position last read at the opening reading `at`, if fresh) and its *context*: the
 * earliest reading they depend on, where a later run must start to compute it identically (resumeFrom).
 */
export function openSession(x: {
  start: number;
  kind: EvidenceKind;
  /** The reading that first showed the charge: it names the session. */
  anchor: number;
  /** Nothing but charging seen since the window start: its start is unknown. */
  truncated: boolean;
  /** The opening reading: the evidence reading where the first flowing interval begins. */
  at: number;
  previous: { i: number; on: boolean; kind: EvidenceKind };
  beforePreviousI: number;
  latest: Latest;
  drives: Drives;
  /** Odometer change over the first interval (the drive arrived inside it). */
  stepKm: number;
}): SessionBuilder {
  const { latest, drives, previous, at } = x;
  // Context: the opening reading, and for interval evidence the one before it (so a re-run sees the
  // quiet interval that precedes the first step), plus every baseline value the session uses.
  // (Also when the opening reading itself showed charging, after a gap: the next run must see the gap;
  // and when it is interval evidence — a SoC or meter reading between power readings after a silence —,
  // which a run starting there could not judge, and would take the session as already under way.)
  let context =
    (x.kind !== POINT || previous.kind !== POINT || previous.on) && x.beforePreviousI >= 0
      ? x.beforePreviousI
      : previous.i;
  const session = new SessionBuilder(x.start, x.truncated, x.kind, 0);
  session.anchor = x.anchor;
  if (latest.freshSoc(at)) {
    session.socOpen = latest.soc;
    session.socMax = latest.soc;
    if (latest.socI < context) context = latest.socI;
    // The drive that brought the vehicle here (still under way at the opening reading, or just ended)
    // gives its consumption per km. If it arrived inside the first interval, the opening SoC was read
    // while still driving: take off what the rest of the drive used.
    if (drives.startI >= 0) {
      const drive = drives.current(latest);
      if (drive !== null) {
        session.pctPerKm = drive.pctPerKm;
        if (x.stepKm >= MOVE_ODOMETER_KM) {
          session.socOpen = Math.max(0, latest.soc - drive.pctPerKm * x.stepKm);
        }
        if (drive.index < context) context = drive.index;
      }
    } else if (drives.lastPctPerKm > 0 && at - drives.lastEndT <= BASELINE_MAX_AGE_MS) {
      session.pctPerKm = drives.lastPctPerKm;
      if (drives.lastI < context) context = drives.lastI;
    }
  }
  if (latest.freshRange(at)) {
    session.rangeOpen = latest.rangeKm;
    if (latest.rangeI < context) context = latest.rangeI;
  }
  if (latest.freshMeter(at)) {
    session.meterOn = true;
    session.meterLastE = latest.meterKwh;
    session.meterLastT = latest.meterT;
    session.cMeterLastT = latest.meterT;
    session.meterOpenKwh = latest.meterKwh;
    if (latest.meterI < context) context = latest.meterI;
  }
  if (latest.freshOdometer(at) && latest.odometerI < context) context = latest.odometerI;
  if (latest.freshLocation(at)) {
    if (latest.locI < context) context = latest.locI;
    session.samples.pushLocation(latest.lat, latest.lon);
  }
  if (session.meterOn) session.samples.pushMeter(latest.meterT, 0);
  if (!Number.isNaN(session.socOpen)) session.samples.pushSoc(latest.socT, latest.soc);
  session.contextIndex = context;
  return session;
}

/** Unplugged or moved since the session's last spell: nothing later can join it. */
export function hasEnded(cur: SessionBuilder, unpluggedT: number): boolean {
  return cur.moved || unpluggedT >= cur.closeT;
}

/**
 * A spell starting at `start` joins the session when it was not ended and the pause is ≤ 2 h with the
 * vehicle known to have stayed (a plugged-in reading since, the movement stage saw it standing still, or
 * a per-plug-in register still counting this session: `registerContinues`); with none of these known,
 * pauses ≤ 10 min join (another vehicle may have connected, or this one driven to another charger), and
 * longer ones when `resumedAtRate` says the charge went on at the rate it paused at (a vehicle measured
 * by its meter alone: `resumesAtRate`).
 */
export function joinsSession(
  cur: SessionBuilder,
  start: number,
  plug: { pluggedT: number; unpluggedT: number },
  /** The register's value at the new spell's opening reading; NaN when not read (fresh) there. */
  meterNowKwh = Number.NaN,
  /** Asked only for a pause between 10 min and 2 h with nothing else known. */
  resumedAtRate: () => boolean = () => false,
): boolean {
  if (hasEnded(cur, plug.unpluggedT)) return false;
  const pause = start - cur.end;
  if (pause <= SETTLE_GAP_MS) return true;
  if (pause > MERGE_GAP_MS) return false;
  const stayed = plug.pluggedT >= cur.closeT || cur.stationarySeen || registerContinues(cur, meterNowKwh);
  return stayed || resumedAtRate();
}

/** A meter's rate either side of a pause: kWh per ms, over `spanMs`; NaN rate when unknown. */
export interface RateOver {
  rate: number;
  spanMs: number;
}

/**
 * The charge went on at the rate it paused at: the same charger and car set it, and another charger at
 * a level other than the car's on-board limit is another level (constants.ts, RESUME_RATE_TOLERANCE).
 * Each rate is known to one register step over its span, which widens the tolerance; a rate known no
 * better than RESUME_RATE_PRECISION (a short span, a coarse register) cannot be compared, and neither
 * can an unknown one: not the same.
 */
export function resumesAtRate(before: RateOver, after: RateOver, resolutionKwh: number): boolean {
  if (!ratePinned(before, resolutionKwh) || !ratePinned(after, resolutionKwh)) return false;
  const quantisation = resolutionKwh / before.spanMs + resolutionKwh / after.spanMs;
  return (
    Math.abs(after.rate - before.rate) <=
    RESUME_RATE_TOLERANCE * Math.max(before.rate, after.rate) + quantisation
  );
}

/** A positive rate the register's steps pin: one step over its span is at most RESUME_RATE_PRECISION of it. */
export function ratePinned(r: RateOver, resolutionKwh: number): boolean {
  return r.rate > 0 && r.spanMs > 0 && resolutionKwh / r.spanMs <= RESUME_RATE_PRECISION * r.rate;
}

/**
 * The meter's rate from `readings[i]` (the first reading to show a resumed charge) over the intervals known
 * to have flowed throughout — those ending at a rise that another rise followed (the interval in which
 * the charge stopped or paused again flowed part of the time) —, until they cover RESUME_RATE_WINDOW_MS
 * with the rate pinned to RESUME_RATE_PRECISION by the register's steps (or RESUME_RATE_MAX_WINDOW_MS),
 * the meter stands for a pause (PAUSE_MIN_MS, or two register steps at the rate before the pause if
 * longer: a slow charge on a coarse register steps less often), or a silence (a data gap) cuts it; and
 * the register's resolution, the finest its values show. Null when the readings end before that is known
 * and the data may still come (the window ends within a data gap of the last reading): not known yet.
 */
export function meterRateAhead(
  readings: readonly Reading[],
  i: number,
  hi: number,
  x: { rateBefore: number; dataEnds: number },
): (RateOver & { resolutionKwh: number }) | null {
  const t0 = readings[i]!.t;
  const e0 = readings[i]!.energyKwh;
  if (e0 === undefined || !Number.isFinite(e0)) return { rate: Number.NaN, spanMs: 0, resolutionKwh: 0 };
  let resolutionKwh = registerResolutionKwh(e0);
  let riseT = t0;
  let riseE = e0;
  let fullT = t0;
  let fullE = e0;
  let lastT = t0;
  let lastE = e0;
  const measured = () => ({
    rate: fullT > t0 ? (fullE - e0) / (fullT - t0) : Number.NaN,
    spanMs: fullT - t0,
    resolutionKwh,
  });
  for (let j = i + 1; j < hi; j++) {
    const r = readings[j]!;
    const e = r.energyKwh;
    if (e === undefined || !Number.isFinite(e)) continue;
    if (r.t - lastT > DATA_GAP_MS) return measured();
    resolutionKwh = Math.min(resolutionKwh, registerResolutionKwh(e));
    if (e > lastE) {
      fullT = riseT;
      fullE = riseE;
      riseT = r.t;
      riseE = e;
    }
    lastT = r.t;
    lastE = e;
    const stall = Math.max(PAUSE_MIN_MS, x.rateBefore > 0 ? (2 * resolutionKwh) / x.rateBefore : 0);
    const span = fullT - t0;
    const pinned = ratePinned({ rate: (fullE - e0) / span, spanMs: span }, resolutionKwh);
    if (
      (span >= RESUME_RATE_WINDOW_MS && pinned) ||
      span >= RESUME_RATE_MAX_WINDOW_MS ||
      r.t - riseT > stall
    ) {
      return measured();
    }
  }
  return x.dataEnds - lastT <= DATA_GAP_MS ? null : measured();
}

/**
 * The cable stayed in, by the register: one that read zero when the session opened counts per plug-in
 * (a charger's or car's "energy this session", an OCPP transaction meter), and restarts from zero at the
 * next plug-in. Still holding everything the session counted, never having fallen since, it is the same
 * plug-in: the car cannot have been unplugged and charged elsewhere in between.
 */
export function registerContinues(cur: SessionBuilder, meterNowKwh: number): boolean {
  return (
    cur.meterOn &&
    cur.meterOpenKwh <= METER_EPSILON_KWH &&
    cur.cMeterSum > METER_EPSILON_KWH &&
    cur.meterResets === cur.cMeterResets &&
    meterNowKwh >= cur.meterSum - METER_EPSILON_KWH
  );
}

/**
 * A vehicle's reading after a session's last spell: did it move away, or stand still? The odometer is
 * authoritative when there is one; else the movement stage's verdict for the reading.
 */
export function observeAfterClose(cur: SessionBuilder, odometerKm: number, movement: number): void {
  if (cur.moved) return;
  if (!Number.isNaN(odometerKm) && !Number.isNaN(cur.closeOdo)) {
    if (odometerKm - cur.closeOdo >= MOVE_ODOMETER_KM) cur.moved = true;
    else cur.stationarySeen = true;
  } else if (movement === MOVED) {
    cur.moved = true;
  } else if (movement === STILL) {
    cur.stationarySeen = true;
  }
}

/**
 * A session with no spell open is complete once nothing later can join it: it ended (unplugged, moved),
 * or the data reaches more than 2 h past its end (the middle of the silence up to `to`, when the last
 * reading is older), or a whole day of silence follows.
 */
export function isComplete(
  cur: SessionBuilder,
  x: { lastT: number; to: number; unpluggedT: number },
): boolean {
  return (
    hasEnded(cur, x.unpluggedT) ||
    (x.lastT + x.to) / 2 - cur.end > MERGE_GAP_MS ||
    x.to - x.lastT > MAX_BRIDGE_GAP_MS
  );
}
