// The charge-session engine: one entity's readings in, its completed sessions out. Pure: no storage, no
// clock, no randomness. One pass over the time-ordered readings; docs in README.md next to this file.
//
// Vocabulary. An *evidence* reading says whether energy is flowing: by power (point evidence: on or off at
// that instant), else a meter step, else the charging flag (point), else a state-of-charge step (meter and
// SoC are interval evidence: they tell what happened between two readings). Consecutive evidence readings
// bound an *interval*; a run of flowing intervals is a *spell*; spells of one plug-in are merged into a
// *session*. A boundary lies somewhere between the readings either side of it; we place it where the
// metered energy at the measured rate puts it, else in the middle (which halves the worst-case error),
// except at a data edge (gap, window start) where it is the reading.

import type { TenantLocation } from '../locations/match.js';
import type { Reading } from '../readings/model.js';
import { averagedPowerEnd, clampTime, placeEdges } from './boundaries.js';
import {
  BASELINE_MAX_AGE_MS,
  CHARGING_POWER_MIN_KW,
  CONSUMPTION_MIN_KM,
  DATA_GAP_MS,
  EDGE_IDLE_CADENCES,
  MAX_BRIDGE_GAP_MS,
  MERGE_GAP_MS,
  METER_EPSILON_KWH,
  METER_MAX_PLAUSIBLE_KW,
  METER_PEAK_WINDOW_MS,
  MOVE_ODOMETER_KM,
  PAUSE_MIN_MS,
  PLUG_IN_MIN_MS,
  REGEN_MAX_MS,
  SETTLE_GAP_MS,
  SOC_PLATEAU_MAX_MS,
  SOC_RISE_MIN_PERCENT,
  SOC_SPELL_MIN_RISE_PERCENT,
} from './constants.js';
import { buildSession } from './enrich.js';
import { type EvidenceKind, evidenceOf, METER, NONE, POINT, registerResolutionKwh, SOC } from './evidence.js';
import { intervalFlow } from './intervals.js';
import { isoUtc } from './iso-time.js';
import { detectMovement, MOVED, STILL } from './movement.js';
import { orderedWindow, sortedWindow } from './normalize.js';
import { type BoundaryRule, socCheckedEdge } from './quality.js';
import { SessionBuilder } from './session-builder.js';
import { socOnset } from './soc.js';
import type { DetectedSession, EngineEntity, EngineInput, EngineOutput, SkippedSession } from './types.js';

const HOUR_MS = 3_600_000;

export function computeSessions(input: EngineInput): EngineOutput {
  const { window } = input;
  if (!(window.from <= window.to)) throw new RangeError('window.from must not be after window.to');
  const capacity = input.entity.batteryCapacityKwh;
  if (capacity !== null && !(capacity > 0))
    throw new RangeError('batteryCapacityKwh must be positive or null');
  const { from, to } = window;
  // Readings in order (the common case) are scanned in place; any disorder found on the way (or a
  // reading outside the window where it should not be) falls back to a sorted, de-duplicated copy.
  const raw = input.readings;
  const bounds = orderedWindow(raw, from, to);
  if (bounds !== null) {
    const movement = detectMovement(raw, bounds.lo, bounds.hi, input.entity.type === 'EV');
    const scan = new Scan(input.entity, raw, movement.state, input.locations, input.exactLocation);
    if (scan.scanRange(bounds.lo, bounds.hi) === bounds.hi) return withOngoing(input, scan.finish(from, to));
  }
  const readings = sortedWindow(raw, from, to);
  const movement = detectMovement(readings, 0, readings.length, input.entity.type === 'EV');
  const scan = new Scan(input.entity, readings, movement.state, input.locations, input.exactLocation);
  scan.scanRange(0, readings.length);
  return withOngoing(input, scan.finish(from, to));
}

/**
 * The session still in progress at `window.to`, as it stands: the same scan again from `resumeFrom` (where
 * the held-back session's context begins), told that the data ends at `window.to`, so it closes the open
 * spell and builds the session from what was seen. Its start — and so its id — is the one the completed
 * session will have, since later readings only extend a session. Null when nothing is in progress or
 * what is in progress is not (yet) a session by the rules (too little energy, a SoC rise under 5 %).
 */
function withOngoing(input: EngineInput, out: EngineOutput & { inProgress: boolean }): EngineOutput {
  const { inProgress, ...output } = out;
  if (!inProgress) return { ...output, ongoing: null };
  const from = output.resumeFrom;
  const to = input.window.to;
  const readings = sortedWindow(input.readings, from, to);
  const movement = detectMovement(readings, 0, readings.length, input.entity.type === 'EV');
  const scan = new Scan(input.entity, readings, movement.state, input.locations, input.exactLocation);
  scan.scanRange(0, readings.length);
  const closed = scan.finish(from, to, { dataEnds: true });
  return { ...output, ongoing: closed.sessions.at(-1) ?? null };
}

class Scan {
  private readonly entityId: string;
  /** Vehicles move (regeneration, driving off); charge points do not. */
  private readonly mobile: boolean;
  private readonly capacity: number;
  private readonly sessions: DetectedSession[] = [];
  private readonly skipped: SkippedSession[] = [];

  // Last known values (as of the last processed reading) with their time and index; index -1 = none.
  private mE = 0;
  private mT = 0;
  private mI = -1;
  private sV = 0;
  private sT = 0;
  private sI = -1;
  private rV = 0;
  private rT = 0;
  private rI = -1;
  private oV = 0;
  private oT = 0;
  private oI = -1;
  private laV = 0;
  private loV = 0;
  private lT = 0;
  private lI = -1;

  // The previous evidence reading, and the one before it.
  private pI = -1;
  private ppI = -1;
  private pT = 0;
  private pKind: EvidenceKind = NONE;
  private pOn = false;
  private pP = Number.NaN;

  /** Times of the latest power reading and the latest charging flag. */
  private powerT = Number.NEGATIVE_INFINITY;
  private flagT = Number.NEGATIVE_INFINITY;
  /** Times of the latest readings saying unplugged / plugged in. */
  private unpluggedT = Number.NEGATIVE_INFINITY;
  private pluggedT = Number.NEGATIVE_INFINITY;

  /** Where the current drive began (reading index, odometer, SoC); index -1 when standing still. */
  private driveI = -1;
  private driveOdo = 0;
  private driveSoc = 0;
  /** The last completed drive: consumption (% per km), where it began, when it ended. */
  private lastDrivePctPerKm = Number.NaN;
  private lastDriveI = -1;
  private lastDriveEndT = 0;
  /** Odometer change over the interval being processed. */
  private stepKm = Number.NaN;

  /** Whether anything but charging has been observed since the window start (else a spell is truncated). */
  private known = false;

  // The spell in progress.
  private inSpell = false;
  /** finish() was told the data ends here: the open spell is closed as it stands, not as completed. */
  private dataEnded = false;
  private spStart = 0;
  private spEnd = 0;
  private spKind: EvidenceKind = NONE;
  private spIntervals = 0;
  /** The spell's first interval, and whether it is interval evidence (flow for part of it, unknown where). */
  private spOnlyA = 0;
  private spOnlyB = 0;
  private spOnlyPartial = false;
  private spNew = false;
  private spOpenSoc = Number.NaN;
  /** Flowing intervals in which the vehicle did not move. */
  private spStill = 0;
  /** Odometer change over the spell's latest interval (departure inside it). */
  private spLastKm = Number.NaN;
  /** Whether power (not a flag or a meter) said it flowed: regeneration shows in power and SoC only. */
  private spByPower = false;
  private spOpenOdo = Number.NaN;
  /** Whether the vehicle moved during the spell (movement.ts: a plugged-in vehicle does not). */
  private spMoved = false;
  /** The smallest register step seen in the spell (kWh): the register's resolution, at most. */
  private spMeterStep = Number.NaN;
  /** The meter's rate in the spell's latest interval, kWh per ms. */
  private spRate = Number.NaN;
  /** Energy of a meter-only first interval, until the next interval's rate places the start. */
  private spPendingKwh = Number.NaN;
  // Edges with point evidence (off→on, on→off) and the spell's cadence, to place edges after idle silence.
  private spFirstEdge = false;
  private spFirstKw = Number.NaN;
  private spFirstKwh = Number.NaN;
  private spLastEdge = false;
  /** The SoC read at both ends of the spell's first (latest) interval, an edge, did not rise. */
  private spFirstSocFlat = false;
  private spLastSocFlat = false;
  private spLastA = 0;
  private spLastB = 0;
  private spLastKw = Number.NaN;
  /** Power at the spell's second charging reading, and the charging reading before the last one. */
  private spSecondKw = Number.NaN;
  private spBeforeA = 0;
  private spBeforeKw = Number.NaN;
  private spLastKwh = Number.NaN;
  private spInteriorMs = 0;
  private spInteriorCount = 0;
  /** SoC rise across a gap that opened the spell, and the SoC at its first charging reading. */
  private spPendingSoc = Number.NaN;
  private spFirstOnSoc = Number.NaN;
  /** Energy of the spell's latest interval when a meter placed its end. */
  private spLastMeterKwh = Number.NaN;
  /** How the spell's start and end were placed (quality.ts). */
  private spStartRule: BoundaryRule = 'midpoint';
  private spEndRule: BoundaryRule = 'midpoint';

  private cur: SessionBuilder | null = null;
  /** Data gaps since the current session opened, as pairs of epoch ms (for its quality). */
  private gaps: number[] = [];

  constructor(
    entity: EngineEntity,
    private readonly readings: readonly Reading[],
    /** movement[i]: MOVED, STILL or UNKNOWN over the interval ending at reading i (movement.ts). */
    private readonly movement: Uint8Array,
    private readonly locations: readonly TenantLocation[],
    private readonly exactLocation: boolean,
  ) {
    this.entityId = entity.id;
    this.mobile = entity.type === 'EV';
    this.capacity = entity.batteryCapacityKwh ?? Number.NaN;
  }

  /**
   * Scans `readings[lo, hi)` in time order, one reading at a time, and returns the index it stopped at:
   * `hi`, or the first reading that is not strictly after the one before it. The caller has checked that
   * the first and last lie in the window, so in strict time order all of them do (checking each reading
   * against the window cost ~16 instructions a reading: V8 re-checked and unboxed `from` and `to` each time).
   *
   * The per-reading work is this loop's body, not a method called once per reading, on purpose: V8
   * inlines a helper only at call sites that run often relative to the calls of the function holding them.
   * With a per-reading method, every helper on a less common branch (a flowing interval, an open session)
   * stayed a real call that boxed its numbers on the heap: ~60 bytes of garbage and a few calls per reading.
   */
  scanRange(lo: number, hi: number): number {
    const readings = this.readings;
    // A boolean V8 knows to be one. It tracks no type for a boolean field, so every test of `this.mobile`
    // (and of `a && b` built on it) was a full truthiness check: several compares and a memory load.
    const mobile = this.mobile === true;
    let previous = Number.NEGATIVE_INFINITY;
    let i = lo;
    for (; i < hi; i++) {
      const r = readings[i]!;
      const t = r.t;
      if (!(t > previous)) break;
      // A data gap between any two readings: remembered for the quality of the session around it.
      if (t - previous > DATA_GAP_MS && previous > Number.NEGATIVE_INFINITY) this.gaps.push(previous, t);
      previous = t;
      const power = r.powerKw;
      const meter = r.energyKwh;
      const charging = r.isCharging;
      const soc = r.soc;
      const odo = r.odometerKm;
      const lat = r.lat;
      const lon = r.lon;
      // Present and finite (x - x is NaN for NaN and ±Infinity); written out, this is the hottest code.
      const hasPower = power !== undefined && power - power === 0;
      const hasMeter = meter !== undefined && meter - meter === 0;
      const hasSoc = soc !== undefined && soc - soc === 0;
      const hasOdo = mobile && odo !== undefined && odo - odo === 0;
      const hasLoc = lat !== undefined && lon !== undefined && lat - lat === 0 && lon - lon === 0;
      const plugged = r.isPluggedIn;
      if (plugged === false) this.unpluggedT = t;
      else if (plugged === true) this.pluggedT = t;

      // What this reading says about charging (evidence.ts).
      const evidence = evidenceOf(
        {
          t,
          powerKw: hasPower ? power : Number.NaN,
          energyKwh: hasMeter ? meter : Number.NaN,
          charging,
          soc: hasSoc ? soc : Number.NaN,
        },
        {
          powerT: this.powerT,
          flagT: this.flagT,
          meterT: this.mI >= 0 ? this.mT : Number.NaN,
          meterKwh: this.mE,
          socT: this.sI >= 0 ? this.sT : Number.NaN,
          soc: this.sV,
        },
      );
      const kind = evidence.kind;
      const on = evidence.on;
      const intervalKnown = evidence.intervalKnown;

      let flow = 0;
      let gapFlow = false;
      let trapezoid = Number.NaN; // this interval's energy by power, kWh
      let unseen = false; // a whole charge between two readings that both said "not charging"
      if (kind !== NONE) {
        if (this.pI < 0 || !intervalKnown) {
          // First evidence of the window (or of this signal): no interval to judge yet.
          if (kind === POINT && !on) this.known = true;
        } else {
          const pT = this.pT;
          const dt = t - pT;
          // Did energy flow over this interval (intervals.ts)?
          const interval = intervalFlow({
            from: pT,
            to: t,
            kind,
            on,
            onBefore: this.pOn,
            meterKwh: hasMeter ? meter : Number.NaN,
            meterBeforeKwh: this.mE,
            meterBeforeT: this.mI >= 0 ? this.mT : Number.NaN,
            soc: hasSoc ? soc : Number.NaN,
            socBefore: this.sV,
            socBeforeT: this.sI >= 0 ? this.sT : Number.NaN,
            capacityKwh: this.capacity,
          });
          const dE = interval.meteredKwh;
          const energyAcross = interval.energyAcrossKwh;
          const socAcross = interval.socAcross;
          flow = interval.flow;
          gapFlow = interval.acrossGap;
          unseen = interval.unseen;
          if (interval.breaks) {
            // Hard break: whatever came before is closed and can no longer merge.
            if (this.inSpell) this.closeSpell();
            if (this.cur !== null) this.finalize();
            this.known = true;
          } else if (interval.gap && this.inSpell && (!this.pOn || (kind === POINT && on))) {
            // The vehicle moved across the gap and charges after it (or had stopped before it): what charged
            // before the gap ended there. (Charging before and not after: it went on, then the car left.)
            if (this.movement[i] === MOVED) this.closeSpell();
          }

          if (flow > 0) {
            const pointBefore = this.pOn && this.pKind === POINT;
            const pointAfter = on && kind === POINT;
            // Rates (kWh per ms) either side: the power read there, else the meter's rate in the previous interval.
            const rateAfter = pointAfter && hasPower ? power / HOUR_MS : Number.NaN;
            const rateBefore =
              pointBefore && this.pP > 0 ? this.pP / HOUR_MS : this.inSpell ? this.spRate : Number.NaN;
            trapezoid =
              hasPower && !Number.isNaN(this.pP) && !gapFlow
                ? (((this.pP > 0 ? this.pP : 0) + (power > 0 ? power : 0)) / 2) * (dt / HOUR_MS)
                : Number.NaN;
            const meteredStart = dE >= 0 && rateAfter > 0;
            const meteredEnd = dE >= 0 && rateBefore > 0;
            // Where charging began and ended inside this interval, should it be the spell's edge (boundaries.ts).
            const socRate =
              gapFlow && this.inSpell && pT > this.spStart
                ? (this.sV - this.spOpenSoc) / (pT - this.spStart)
                : Number.NaN;
            const placed = placeEdges({
              from: pT,
              to: t,
              acrossGap: gapFlow,
              flowingBefore: pointBefore,
              flowingAfter: pointAfter,
              rateBefore,
              rateAfter,
              meteredKwh: dE,
              energyAcrossKwh: energyAcross,
              socAcross,
              socRate,
            });
            const s = placed.start;
            const e = placed.end;
            const sRule = placed.startRule;
            const eRule = placed.endRule;
            // The SoC read at both ends of this interval did not rise: checked against power's edge energy
            // when the spell closes (quality.ts, socCheckedEdge).
            const socFlat = hasSoc && this.sI === this.pI && soc <= this.sV;
            const pointEdge = !gapFlow && kind === POINT && flow === 1;
            this.stepKm = hasOdo && this.oI >= 0 ? odo - this.oV : Number.NaN;
            const moving = this.movement[i] === MOVED;
            // Power flowing while the vehicle drives off after charging is regeneration, not more charge:
            // the charge ended at the previous reading.
            if (this.inSpell && moving && hasPower && this.spStill > 0) {
              this.closeSpell(true);
              // It drove away after that charge: nothing later joins it.
              if (this.cur !== null) this.cur.moved = true;
            }
            if (!this.inSpell) {
              this.openSpell(s, kind, pT, t, (!gapFlow && kind !== POINT) || unseen);
              this.spStartRule = sRule;
              // Driving less than a minute before: no cable could have been connected and a charger started
              // yet, so the vehicle moved in this spell (brief, it is regeneration).
              if (this.movement[this.pI] === MOVED && t - pT < PLUG_IN_MIN_MS) this.spMoved = true;
              if (this.spNew) this.cur!.firstOnT = pointBefore ? pT : t;
              this.spFirstEdge = pointEdge && !meteredStart;
              this.spFirstSocFlat = pointEdge && on && socFlat;
              this.spFirstKw = hasPower ? power : Number.NaN;
              this.spSecondKw = Number.NaN;
              this.spFirstKwh = trapezoid;
              // A meter-only start waits for the next interval's rate.
              const counted = gapFlow ? (Number.isNaN(socAcross) ? energyAcross : Number.NaN) : dE;
              this.spPendingKwh = !(rateAfter > 0) && !pointBefore && counted > 0 ? counted : Number.NaN;
              // Charging after a gap in which the SoC rose, with no power to say when: the spell's SoC rate
              // will tell how long that rise took.
              this.spPendingSoc =
                gapFlow && pointAfter && !(rateAfter > 0) && socAcross > 0 ? socAcross : Number.NaN;
              this.spFirstOnSoc = hasSoc ? soc : Number.NaN;
            } else {
              if (this.spIntervals === 1 && this.spPendingKwh > 0 && dE > 0 && !gapFlow) {
                this.spStart = clampTime(
                  this.spOnlyB - this.spPendingKwh / (dE / dt),
                  this.spOnlyA,
                  this.spOnlyB,
                );
                this.spStartRule = 'metered';
              }
              this.spPendingKwh = Number.NaN;
              if (this.spIntervals === 1) this.spSecondKw = hasPower ? power : Number.NaN;
              this.spIntervals++;
              if (flow === 2 && !gapFlow && kind === POINT) {
                this.spInteriorMs += dt;
                this.spInteriorCount++;
              }
            }
            this.spLastEdge = pointEdge && pointBefore && !meteredEnd;
            this.spLastSocFlat = pointEdge && pointBefore && !on && socFlat;
            this.spLastMeterKwh = meteredEnd && kind === METER ? dE : Number.NaN;
            this.spBeforeA = this.spLastA;
            this.spBeforeKw = this.spLastKw;
            this.spLastA = pT;
            this.spLastB = t;
            this.spLastKw = this.pP;
            this.spLastKwh = trapezoid;
            if (!moving) this.spStill++;
            else this.spMoved = true;
            this.spLastKm = this.stepKm;
            if (hasPower) this.spByPower = true;
            this.spRate = !gapFlow && dE > 0 ? dE / dt : Number.NaN;
            if (!gapFlow && dE > METER_EPSILON_KWH) {
              // One register step: at most the smallest increase seen, and at most the register's own
              // resolution (an increase over a whole interval at 50 kW is hundreds of steps).
              const step = Math.min(dE, registerResolutionKwh(meter as number));
              if (!(step >= this.spMeterStep)) this.spMeterStep = step;
            }
            this.spEnd = e;
            this.spEndRule = eRule;
          } else if (
            this.inSpell &&
            plugged !== false &&
            charging !== false &&
            this.movement[i] !== MOVED &&
            ((this.spKind === SOC &&
              kind === SOC &&
              soc === this.sV &&
              t - this.spLastB < SOC_PLATEAU_MAX_MS) ||
              (this.spKind === METER &&
                kind === METER &&
                meter === this.mE &&
                t - this.spLastB < (this.spMeterStep / CHARGING_POWER_MIN_KW) * HOUR_MS))
          ) {
            // A flat SoC or register inside its spell, shorter than the slowest charge takes per 1 % step
            // (per register step), with nothing saying it stopped (unplugged, not charging, moved):
            // resolution, not a stop. The spell goes on; if the next step comes too late (or the value
            // falls), it ends at its last step.
          } else {
            if (this.inSpell) this.closeSpell();
            this.known = true;
          }
        }
      }

      // Running totals of the open session.
      const cur = this.cur;
      if (cur !== null) {
        if (hasMeter && cur.meterOn) {
          const d = meter - cur.meterLastE;
          if (d < 0) cur.meterResets++;
          else if (d <= (METER_MAX_PLAUSIBLE_KW * (t - cur.meterLastT)) / HOUR_MS) cur.meterSum += d;
          else cur.meterResets++;
          cur.meterLastE = meter;
          cur.meterLastT = t;
          cur.samples.pushMeter(t, cur.meterSum);
        }
        if (flow > 0) {
          if (trapezoid >= 0) {
            const a = (this.pP as number) > 0 ? this.pP : 0;
            const b = (power as number) > 0 ? (power as number) : 0;
            cur.powerEnergy += trapezoid;
            cur.hadPower = true;
            if (b > cur.peak) cur.peak = b;
            if (a > cur.peak) cur.peak = a;
          } else {
            cur.powerOk = false;
          }
        }
        if (hasSoc) {
          if (soc > cur.socMax) {
            if (this.sI >= 0) cur.samples.pushStep(this.sT, t, soc, this.inSpell ? cur.spells : -1);
            cur.socMax = soc;
          } else if (Number.isNaN(cur.socMax)) {
            cur.socMax = soc;
          }
          cur.samples.pushSoc(t, soc);
        }
        // A charge point stands still: one position per session is its position.
        if (hasLoc && (mobile || cur.samples.lat.length === 0)) cur.samples.pushLocation(lat, lon);
        // (A charge point does not move.)
        if (mobile && cur.spells > 0) this.observeAfterClose(cur, hasOdo, odo, i);
      }

      // Track the current drive (SoC and odometer where it began), to correct a baseline read while driving.
      if (hasOdo && this.oI >= 0) {
        if (odo - this.oV >= MOVE_ODOMETER_KM) {
          if (this.driveI < 0 && this.fresh(this.sI, this.sT, t)) {
            this.driveI = this.oI;
            this.driveOdo = this.oV;
            this.driveSoc = this.sV;
          }
        } else {
          if (this.driveI >= 0) {
            // A drive just ended: keep its consumption for a session that opens right after it.
            const km = this.oV - this.driveOdo;
            const used = this.driveSoc - (hasSoc ? soc : this.sV);
            this.lastDrivePctPerKm = km >= CONSUMPTION_MIN_KM && used > 0 ? used / km : Number.NaN;
            this.lastDriveI = this.driveI;
            this.lastDriveEndT = t;
          }
          this.driveI = -1;
        }
      }

      // Remember this reading.
      if (hasPower) this.powerT = t;
      if (charging !== undefined) this.flagT = t;
      if (hasMeter) {
        this.mE = meter;
        this.mT = t;
        this.mI = i;
      }
      if (hasSoc) {
        this.sV = soc;
        this.sT = t;
        this.sI = i;
      }
      const range = r.rangeKm;
      if (range !== undefined && range - range === 0) {
        this.rV = range;
        this.rT = t;
        this.rI = i;
      }
      if (hasOdo) {
        this.oV = odo;
        this.oT = t;
        this.oI = i;
      }
      if (hasLoc) {
        this.laV = lat;
        this.loV = lon;
        this.lT = t;
        this.lI = i;
      }
      if (kind !== NONE) {
        this.ppI = this.pI;
        this.pI = i;
        this.pT = t;
        this.pKind = kind;
        this.pOn = on;
        this.pP = hasPower ? power : Number.NaN;
      }
    }
    return i;
  }

  /** A vehicle's movement after a session's last spell decides whether the next spell may join it. */
  private observeAfterClose(cur: SessionBuilder, hasOdo: boolean, odo: number | undefined, i: number): void {
    if (cur.moved) return;
    if (hasOdo && !Number.isNaN(cur.closeOdo)) {
      // The odometer is authoritative when there is one.
      if ((odo as number) - cur.closeOdo >= MOVE_ODOMETER_KM) cur.moved = true;
      else cur.stationarySeen = true;
    } else if (this.movement[i] === MOVED) {
      cur.moved = true;
    } else if (this.movement[i] === STILL) {
      cur.stationarySeen = true;
    }
  }

  /** Unplugged or moved since the session's last spell: nothing later can join it. */
  private ended(cur: SessionBuilder): boolean {
    return cur.moved || this.unpluggedT >= cur.closeT;
  }

  /** A fresh value: read no longer than BASELINE_MAX_AGE_MS before `at`. */
  private fresh(index: number, time: number, at: number): boolean {
    return index >= 0 && at - time <= BASELINE_MAX_AGE_MS;
  }

  private openSpell(start: number, kind: EvidenceKind, a: number, b: number, partial: boolean): void {
    const pT = this.pT;
    this.inSpell = true;
    this.spStart = start;
    this.spKind = kind;
    this.spIntervals = 1;
    this.spOnlyA = a;
    this.spOnlyB = b;
    this.spOnlyPartial = partial;
    this.spOpenSoc = this.fresh(this.sI, this.sT, pT) ? this.sV : Number.NaN;
    this.spStill = 0;
    this.spByPower = false;
    this.spMeterStep = Number.NaN;
    this.spInteriorMs = 0;
    this.spInteriorCount = 0;
    this.spLastMeterKwh = Number.NaN;
    this.spRate = Number.NaN;
    this.spOpenOdo = this.fresh(this.oI, this.oT, pT) ? this.oV : Number.NaN;
    this.spMoved = false;
    const located = this.fresh(this.lI, this.lT, pT);

    const cur = this.cur;
    if (cur !== null) {
      const pause = start - cur.end;
      const limit = this.pluggedT >= cur.closeT || cur.stationarySeen ? MERGE_GAP_MS : SETTLE_GAP_MS;
      if (!this.ended(cur) && pause <= limit) {
        this.spNew = false;
        return;
      }
      this.finalize();
    }
    this.spNew = true;
    // Gaps that ended before this session's first interval cannot lie inside it.
    const gaps: number[] = [];
    for (let k = 0; k + 1 < this.gaps.length; k += 2) {
      if (this.gaps[k + 1]! >= a) gaps.push(this.gaps[k]!, this.gaps[k + 1]!);
    }
    this.gaps = gaps;

    // Context: the opening reading, and for interval evidence the one before it (so a re-run sees the
    // quiet interval that precedes the first step), plus every baseline value the session uses.
    // (Also when the opening reading itself showed charging, after a gap: the next run must see the gap.)
    let context =
      (kind !== POINT || (this.pOn && this.pKind === POINT)) && this.ppI >= 0 ? this.ppI : this.pI;
    const session = new SessionBuilder(start, !this.known, kind, 0);
    session.anchor = b;
    if (this.fresh(this.sI, this.sT, pT)) {
      session.socOpen = this.sV;
      session.socMax = this.sV;
      if (this.sI < context) context = this.sI;
      // The drive that brought the vehicle here (still under way at the opening reading, or just ended)
      // gives its consumption per km. If it arrived inside the first interval, the opening SoC was read
      // while still driving: take off what the rest of the drive used.
      if (this.driveI >= 0) {
        const km = this.oV - this.driveOdo;
        const used = this.driveSoc - this.sV;
        if (km >= CONSUMPTION_MIN_KM && used > 0) {
          session.pctPerKm = used / km;
          if (this.stepKm >= MOVE_ODOMETER_KM) {
            session.socOpen = Math.max(0, this.sV - session.pctPerKm * this.stepKm);
          }
          if (this.driveI < context) context = this.driveI;
        }
      } else if (this.lastDrivePctPerKm > 0 && pT - this.lastDriveEndT <= BASELINE_MAX_AGE_MS) {
        session.pctPerKm = this.lastDrivePctPerKm;
        if (this.lastDriveI < context) context = this.lastDriveI;
      }
    }
    if (this.fresh(this.rI, this.rT, pT)) {
      session.rangeOpen = this.rV;
      if (this.rI < context) context = this.rI;
    }
    if (this.fresh(this.mI, this.mT, pT)) {
      session.meterOn = true;
      session.meterLastE = this.mE;
      session.meterLastT = this.mT;
      session.cMeterLastT = this.mT;
      if (this.mI < context) context = this.mI;
    }
    if (this.fresh(this.oI, this.oT, pT) && this.oI < context) context = this.oI;
    if (located) {
      if (this.lI < context) context = this.lI;
      session.samples.pushLocation(this.laV, this.loV);
    }
    if (session.meterOn) session.samples.pushMeter(this.mT, 0);
    if (!Number.isNaN(session.socOpen)) session.samples.pushSoc(this.sT, this.sV);
    session.contextIndex = context;
    this.cur = session;
  }

  /** `drivingOff`: closed because the vehicle moved off while power still showed. */
  private closeSpell(drivingOff = false): void {
    this.inSpell = false;
    this.known = true;
    const cur = this.cur;
    if (cur === null) return;
    let start = this.spStart;
    let end = this.spEnd;
    let startRule = this.spStartRule;
    let endRule = this.spEndRule;
    // Energy power gave the first and last intervals (as the edge rules below leave it).
    let firstKwh = this.spFirstKwh;
    let lastKwh = this.spLastKwh;
    if (this.spIntervals === 1 && this.spOnlyPartial && !this.dataEnded) {
      // Seen in a single interval of interval evidence: it flowed for part of it; centre half of it.
      const quarter = (this.spOnlyB - this.spOnlyA) / 4;
      start = Math.floor(this.spOnlyA + quarter);
      end = Math.floor(this.spOnlyB - quarter);
      startRule = 'single_interval';
      endRule = 'single_interval';
    }
    if (this.spLastMeterKwh >= 0 && this.cur !== null) {
      // A meter-only end: the last interval's energy at the rate of the minutes before it (one interval's
      // rate is too coarse when register steps are few per interval).
      const rate = cur.samples.meterRateBefore(this.spLastA, METER_PEAK_WINDOW_MS);
      if (rate > 0) {
        end = clampTime(this.spLastA + this.spLastMeterKwh / rate, this.spLastA, this.spLastB);
        endRule = 'metered';
      }
    }
    if (this.spKind === SOC && this.spIntervals > 1) {
      // Charging seen only as 1 % steps: the first step shows when the true SoC crossed a level, which it
      // had reached on average half a step's time after charging began. The spell's own step rate says
      // how long a step takes.
      const onset = socOnset(cur.samples.socSteps(false), cur.spells);
      if (onset < start) {
        start = Math.floor(onset);
        startRule = 'soc_rate';
      }
    }
    if (this.spPendingSoc > 0 && this.pT > this.spOnlyB && this.fresh(this.sI, this.sT, this.pT)) {
      // The SoC rose across the gap before the first charging reading; at the spell's SoC rate that rise
      // (half a step less, for quantisation) took this long.
      const rate = (this.sV - this.spFirstOnSoc) / (this.pT - this.spOnlyB);
      if (rate > 0) {
        start = clampTime(this.spOnlyB - (this.spPendingSoc - 0.5) / rate, this.spOnlyA, this.spOnlyB);
        startRule = 'soc_rate';
      }
    }
    if (this.spInteriorCount > 0) {
      // An edge after a silence much longer than the spell's own cadence: the entity was idle (a car
      // wakes when charging starts), so the edge lies about half a cadence from the charging reading, not
      // in the middle of the silence. The edge interval's energy follows the edge.
      const cadence = this.spInteriorMs / this.spInteriorCount;
      if (this.spFirstEdge && this.spOnlyB - this.spOnlyA > EDGE_IDLE_CADENCES * cadence) {
        start = Math.max(this.spOnlyA, Math.floor(this.spOnlyB - cadence / 2));
        startRule = 'idle_wake';
        if (this.spFirstKw > 0 && this.spFirstKwh >= 0) {
          const kwh = (this.spFirstKw * (this.spOnlyB - start)) / HOUR_MS;
          cur.powerEnergy += kwh - this.spFirstKwh;
          firstKwh = kwh;
        }
      }
      if (this.spLastEdge && this.spLastB - this.spLastA > EDGE_IDLE_CADENCES * cadence) {
        end = Math.min(this.spLastB, Math.floor(this.spLastA + cadence / 2));
        endRule = 'idle_wake';
        if (this.spLastKw > 0 && this.spLastKwh >= 0) {
          const kwh = (this.spLastKw * (end - this.spLastA)) / HOUR_MS;
          cur.powerEnergy += kwh - this.spLastKwh;
          lastKwh = kwh;
        }
      }
    }
    let endFrom = this.spLastA;
    let endTo = this.spLastB;
    if (this.spByPower && this.spLastEdge && endRule === 'midpoint' && this.spIntervals >= 3) {
      // Power averaged over each period: the charge ended inside the last charging reading's period.
      const averaged = averagedPowerEnd({
        firstKw: this.spFirstKw,
        secondKw: this.spSecondKw,
        beforeAt: this.spBeforeA,
        beforeKw: this.spBeforeKw,
        lastAt: this.spLastA,
        lastKw: this.spLastKw,
      });
      if (averaged !== null) {
        end = averaged;
        endRule = 'metered';
        endFrom = this.spBeforeA;
        endTo = this.spLastA;
      }
    }
    // Cross-check power's edges against the SoC: where it did not rise over an edge interval, power's
    // extrapolation may not claim more than one 1 % step there (the 21.5 kWh-for-11 kWh case).
    if (this.spFirstSocFlat && firstKwh >= 0) {
      const edge = socCheckedEdge({
        from: this.spOnlyA,
        to: this.spOnlyB,
        startsHere: true,
        kw: this.spFirstKw,
        capacityKwh: this.capacity,
        byPowerKwh: firstKwh,
      });
      if (edge !== null) {
        start = edge.at;
        startRule = 'soc_cross_check';
        cur.powerEnergy += edge.kwh - firstKwh;
      }
    }
    if (this.spLastSocFlat && lastKwh >= 0 && this.spIntervals > 1) {
      const edge = socCheckedEdge({
        from: this.spLastA,
        to: this.spLastB,
        startsHere: false,
        kw: this.spLastKw,
        capacityKwh: this.capacity,
        byPowerKwh: lastKwh,
      });
      if (edge !== null) {
        end = edge.at;
        endRule = 'soc_cross_check';
        cur.powerEnergy += edge.kwh - lastKwh;
      }
    }
    const pT = this.pT;
    const odoNow = this.fresh(this.oI, this.oT, pT) ? this.oV : Number.NaN;
    const located = this.fresh(this.lI, this.lT, pT);
    const socRise = this.fresh(this.sI, this.sT, pT) ? this.sV - this.spOpenSoc : Number.NaN;
    // Power into the battery or a rising SoC while the vehicle drives is regeneration: a spell that moved
    // and was brief or never still, unless the SoC rose as only charging can make it.
    const driving =
      (this.spByPower || this.spKind === SOC) &&
      (drivingOff || odoNow - this.spOpenOdo >= MOVE_ODOMETER_KM || this.spMoved) &&
      (this.spStill === 0 || end - start < REGEN_MAX_MS) &&
      !(socRise >= SOC_RISE_MIN_PERCENT);
    const flicker = this.spKind === SOC && !(socRise >= SOC_SPELL_MIN_RISE_PERCENT);
    if (driving || flicker) {
      // Regeneration while driving, or SoC noise: not charging. Undo what the spell added.
      if (this.spNew) {
        this.cur = null;
      } else {
        this.revert(cur);
        // Regeneration means it drove since the session's last spell: nothing later joins the session.
        if (driving) cur.moved = true;
      }
      return;
    }
    if (this.spNew) {
      cur.start = start;
      cur.startEdge = { rule: startRule, from: this.spOnlyA, to: this.spOnlyB };
    }
    // The pause to the previous spell, from this spell's final start (refined since the merge decision);
    // spells of one session never overlap.
    if (!this.spNew && start < cur.end) start = cur.end;
    if (end < start) end = start;
    const pause = this.spNew ? 0 : start - cur.end;
    const pauseCounts = pause < (this.spKind === SOC ? SOC_PLATEAU_MAX_MS : PAUSE_MIN_MS);
    cur.chargingMs += end - start + (pauseCounts ? pause : 0);
    cur.end = end;
    cur.endEdge = { rule: endRule, from: endFrom, to: endTo };
    this.commit(cur, odoNow, located);
  }

  private commit(cur: SessionBuilder, odoNow: number, located: boolean): void {
    const pT = this.pT;
    cur.spells++;
    cur.closeT = pT;
    cur.lastOnT = this.pOn ? pT : this.spLastA;
    cur.cMeterSum = cur.meterSum;
    cur.cMeterResets = cur.meterResets;
    cur.cMeterLastT = cur.meterLastT;
    cur.cPowerEnergy = cur.powerEnergy;
    cur.cPowerOk = cur.powerOk;
    cur.cHadPower = cur.hadPower;
    cur.cPeak = cur.peak;
    cur.samples.commit();
    cur.socClose = this.fresh(this.sI, this.sT, pT) ? this.sV : Number.NaN;
    // (Not when the spell is that one interval: its driving was taken off the opening SoC already.)
    if (this.spLastKm >= MOVE_ODOMETER_KM && cur.pctPerKm > 0 && !(this.spNew && this.spIntervals === 1)) {
      // Read after driving off (departure inside the last interval): add back what that driving used.
      cur.socClose = Math.min(100, cur.socClose + cur.pctPerKm * this.spLastKm);
    }
    cur.rangeClose = this.fresh(this.rI, this.rT, pT) ? this.rV : Number.NaN;
    cur.closeOdo = odoNow;
    cur.located = located;
    cur.moved = false;
    cur.stationarySeen = false;
  }

  private revert(cur: SessionBuilder): void {
    cur.meterSum = cur.cMeterSum;
    cur.meterResets = cur.cMeterResets;
    cur.powerEnergy = cur.cPowerEnergy;
    cur.powerOk = cur.cPowerOk;
    cur.hadPower = cur.cHadPower;
    cur.peak = cur.cPeak;
    cur.samples.revert();
  }

  /** Emit (or skip, with the reason) the current session; its spells are all closed. */
  private finalize(): void {
    const cur = this.cur;
    this.cur = null;
    if (cur === null || cur.spells === 0) return;
    const result = buildSession(cur, {
      entityId: this.entityId,
      capacityKwh: this.capacity,
      locations: this.locations,
      exactLocation: this.exactLocation,
      gaps: this.gaps,
    });
    if (typeof result === 'string') {
      this.skipped.push({
        start: isoUtc(cur.start),
        end: isoUtc(cur.end),
        reason: result,
      });
    } else {
      this.sessions.push(result);
    }
  }

  /**
   * Ends the scan at `to`. A session that may still continue is held back (`inProgress`), unless
   * `dataEnds`: then it is closed and built as it stands (the provisional `ongoing` session).
   */
  finish(from: number, to: number, { dataEnds = false } = {}): EngineOutput & { inProgress: boolean } {
    const lastT = this.pT;
    // A spell cut by the data's end is not over: its start stays where the completed session will have it.
    this.dataEnded = dataEnds;
    if (this.inSpell && (dataEnds || to - lastT > MAX_BRIDGE_GAP_MS)) this.closeSpell();
    const cur = this.cur;
    if (cur !== null && !this.inSpell) {
      const complete =
        dataEnds ||
        this.ended(cur) ||
        (lastT + to) / 2 - cur.end > MERGE_GAP_MS ||
        to - lastT > MAX_BRIDGE_GAP_MS;
      if (complete) this.finalize();
    }
    const inProgress = this.cur !== null;
    const readings = this.readings;
    let resumeFrom = from;
    if (this.cur !== null) {
      resumeFrom = readings[this.cur.contextIndex]!.t;
    } else if (this.pI >= 0) {
      // Idle: the next run needs the last quiet evidence (two readings for interval evidence) and any value
      // recent enough to serve as a baseline for a session that opens next.
      let context = (this.pKind !== POINT || this.pOn) && this.ppI >= 0 ? this.ppI : this.pI;
      const horizon = lastT - BASELINE_MAX_AGE_MS;
      if (this.mI >= 0 && this.mI < context && this.mT >= horizon) context = this.mI;
      if (this.sI >= 0 && this.sI < context && this.sT >= horizon) context = this.sI;
      if (this.rI >= 0 && this.rI < context && this.rT >= horizon) context = this.rI;
      if (this.oI >= 0 && this.oI < context && this.oT >= horizon) context = this.oI;
      if (this.lI >= 0 && this.lI < context && this.lT >= horizon) context = this.lI;
      if (this.driveI >= 0 && this.driveI < context) context = this.driveI;
      if (this.lastDriveI >= 0 && this.lastDriveI < context && this.lastDriveEndT >= horizon) {
        context = this.lastDriveI;
      }
      resumeFrom = readings[context]!.t;
    }
    if (resumeFrom < from) resumeFrom = from;
    if (resumeFrom > to) resumeFrom = to;
    return { sessions: this.sessions, skipped: this.skipped, resumeFrom, ongoing: null, inProgress };
  }
}
