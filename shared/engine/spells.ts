// Stage: spells — runs of flowing intervals. What the scan (compute.ts) knows of the spell it is in, and
// the rules that decide it: whether a flat reading inside it is resolution or a stop, where its edges lie
// once it closes, and whether it was charging at all (README.md, "Is energy flowing?").

import { averagedPowerEnd, clampTime, type PlacedEdges } from './boundaries.js';
import {
  CHARGING_POWER_MIN_KW,
  EDGE_IDLE_CADENCES,
  METER_EPSILON_KWH,
  METER_PEAK_WINDOW_MS,
  MOVE_ODOMETER_KM,
  PLUG_IN_MIN_MS,
  REGEN_MAX_MS,
  SOC_PLATEAU_MAX_MS,
  SOC_RISE_MIN_PERCENT,
  SOC_SPELL_MIN_RISE_PERCENT,
} from './constants.js';
import { type EvidenceKind, METER, POINT, registerResolutionKwh, SOC } from './evidence.js';
import { type BoundaryRule, socCheckedEdge } from './quality.js';
import type { SessionSamples } from './samples.js';
import { socCessation, socOnset } from './soc.js';

const HOUR_MS = 3_600_000;

/** The spell in progress. Times in epoch ms, energy in kWh, NaN when unknown. */
export class Spell {
  /** Its edges as placed so far (boundaries.ts), and how. */
  start: number;
  end = 0;
  startRule: BoundaryRule = 'midpoint';
  endRule: BoundaryRule = 'midpoint';
  readonly kind: EvidenceKind;
  /** Flowing intervals so far. */
  intervals = 1;
  /** Its first interval's readings, and whether that is interval evidence (flow for part of it, unknown where). */
  readonly firstFrom: number;
  readonly firstTo: number;
  readonly partial: boolean;
  /** It opened a new session (else it joined the current one). */
  newSession = true;
  /** SoC and odometer at its opening reading. */
  openSoc = Number.NaN;
  openOdometerKm = Number.NaN;
  /** Its first charging reading came less than a minute after driving (PLUG_IN_MIN_MS). */
  arrivedDriving = false;
  /** The vehicle drove up to the evidence reading before its first charging reading, this long before it (NaN: it did not). */
  drivenBeforeMs = Number.NaN;
  /** Flowing intervals in which the vehicle did not move; whether it moved in any. */
  stillIntervals = 0;
  moved = false;
  /** Odometer change over its latest interval (departure inside it). */
  lastKm = Number.NaN;
  /** Power (not a flag or a meter) said it flowed: regeneration shows in power and SoC only. */
  byPower = false;
  /** The smallest register step seen in it: the register's resolution, at most. */
  meterStep = Number.NaN;
  /** The meter's rate in its latest interval, kWh per ms. */
  rate = Number.NaN;
  /** Energy of a meter-only first interval, until the next interval's rate places the start. */
  pendingKwh = Number.NaN;
  /** Point-evidence edges (off→on, on→off), to place edges after idle silence. */
  firstEdge = false;
  lastEdge = false;
  /** Power at its first and second charging readings; power's energy over its first interval. */
  firstKw = Number.NaN;
  secondKw = Number.NaN;
  firstKwh = Number.NaN;
  /** The SoC read at both ends of its first (latest) interval, an edge, did not rise. */
  firstSocFlat = false;
  lastSocFlat = false;
  /** Its latest interval's readings, the power at its start and power's energy over it. */
  lastFrom = 0;
  lastTo = 0;
  lastKw = Number.NaN;
  lastKwh = Number.NaN;
  /** The interval before the latest: its start and power there (a partial average's full level). */
  beforeFrom = 0;
  beforeKw = Number.NaN;
  /** Intervals flowing at both ends (point evidence): their total length and number, the cadence. */
  interiorMs = 0;
  interiorCount = 0;
  /** SoC rise across a gap that opened it, and the SoC at its first charging reading. */
  pendingSoc = Number.NaN;
  firstOnSoc = Number.NaN;
  /** Energy of its latest interval when a meter placed its end. */
  lastMeterKwh = Number.NaN;
  /** While it was open a flag said plugged in or charging; readings with power flowing whose flags said unplugged or not charging. */
  flagSaidYes = false;
  flagDenials = 0;
  /** Readings in it at which power showed flowing. */
  chargingReadings = 0;

  constructor(start: number, kind: EvidenceKind, from: number, to: number, partial: boolean) {
    this.start = start;
    this.kind = kind;
    this.firstFrom = from;
    this.firstTo = to;
    this.partial = partial;
  }

  /** Its first interval: what its start rules need later (idle wake, SoC cross-check, pending energy). */
  first(m: MeasuredInterval): void {
    this.startRule = m.placed.startRule;
    this.firstEdge = m.pointEdge && !m.meteredStart;
    this.firstSocFlat = m.pointEdge && m.onAfter && m.socFlat;
    this.firstKw = m.powerAfterKw;
    this.firstKwh = m.trapezoidKwh;
    // A meter-only start waits for the next interval's rate.
    const counted = m.acrossGap ? (Number.isNaN(m.socAcross) ? m.energyAcrossKwh : Number.NaN) : m.meteredKwh;
    this.pendingKwh = !(m.rateAfter > 0) && !m.pointBefore && counted > 0 ? counted : Number.NaN;
    // Charging after a gap in which the SoC rose, with no power to say when: the spell's SoC rate will
    // tell how long that rise took.
    this.pendingSoc =
      m.acrossGap && m.pointAfter && !(m.rateAfter > 0) && m.socAcross > 0 ? m.socAcross : Number.NaN;
    this.firstOnSoc = m.socAfter;
  }

  /** A further interval: a pending meter-only start placed at its rate; the cadence of interior intervals. */
  next(m: MeasuredInterval): void {
    const dt = m.to - m.from;
    if (this.intervals === 1 && this.pendingKwh > 0 && m.meteredKwh > 0 && !m.acrossGap) {
      this.start = clampTime(
        this.firstTo - this.pendingKwh / (m.meteredKwh / dt),
        this.firstFrom,
        this.firstTo,
      );
      this.startRule = 'metered';
    }
    this.pendingKwh = Number.NaN;
    if (this.intervals === 1) this.secondKw = m.powerAfterKw;
    this.intervals++;
    if (m.flowingThroughout && !m.acrossGap && m.kind === POINT) {
      this.interiorMs += dt;
      this.interiorCount++;
    }
  }

  /** A reading while it is open: what the vehicle's own flags say (the flag-denial rule in notCharging). */
  flags(plugged: boolean | undefined, charging: boolean | undefined, poweredNow: boolean): void {
    if (poweredNow) this.chargingReadings++;
    if (plugged === true || charging === true) this.flagSaidYes = true;
    else if (poweredNow && (plugged === false || charging === false)) this.flagDenials++;
  }

  /** Every interval, first or not, is its latest until the next: its end rules read these. */
  latest(m: MeasuredInterval): void {
    const dt = m.to - m.from;
    this.lastEdge = m.pointEdge && m.pointBefore && !m.meteredEnd;
    this.lastSocFlat = m.pointEdge && m.pointBefore && !m.onAfter && m.socFlat;
    this.lastMeterKwh = m.meteredEnd && m.kind === METER ? m.meteredKwh : Number.NaN;
    this.beforeFrom = this.lastFrom;
    this.beforeKw = this.lastKw;
    this.lastFrom = m.from;
    this.lastTo = m.to;
    this.lastKw = m.powerBeforeKw;
    this.lastKwh = m.trapezoidKwh;
    if (!m.moving) this.stillIntervals++;
    else this.moved = true;
    this.lastKm = m.stepKm;
    if (!Number.isNaN(m.powerAfterKw)) this.byPower = true;
    this.rate = !m.acrossGap && m.meteredKwh > 0 ? m.meteredKwh / dt : Number.NaN;
    if (!m.acrossGap && m.meteredKwh > METER_EPSILON_KWH) {
      // One register step: at most the smallest increase seen, and at most the register's own resolution
      // (an increase over a whole interval at 50 kW is hundreds of steps).
      const step = Math.min(m.meteredKwh, registerResolutionKwh(m.meterKwh));
      if (!(step >= this.meterStep)) this.meterStep = step;
    }
    this.end = m.placed.end;
    this.endRule = m.placed.endRule;
  }
}

/** What the scan measured of a flowing interval, for the spell it opens or extends. */
export interface MeasuredInterval {
  /** The readings either side (epoch ms). */
  from: number;
  to: number;
  kind: EvidenceKind;
  /** The evidence at `to` says flowing. */
  onAfter: boolean;
  /** Point evidence (power, flag) said flowing at `from` / at `to`. */
  pointBefore: boolean;
  pointAfter: boolean;
  /** Point evidence flowing at one end only: charging began or ended inside. */
  pointEdge: boolean;
  /** Flowing at both ends (or throughout): an interior interval, for the cadence. */
  flowingThroughout: boolean;
  acrossGap: boolean;
  /** The meter over the interval (kWh, NaN when not read at both ends) and its value at `to`. */
  meteredKwh: number;
  meterKwh: number;
  /** The energy the interval's edge placement used: metered start / end (boundaries.ts). */
  meteredStart: boolean;
  meteredEnd: boolean;
  /** The charge rate measured at `to` (kWh per ms), NaN when unknown. */
  rateAfter: number;
  /** Across a gap (or unseen): kWh and SoC points that rose, NaN when not. */
  energyAcrossKwh: number;
  socAcross: number;
  /** Power at `from` and at `to` (kW, NaN when not read), and power's energy over the interval. */
  powerBeforeKw: number;
  powerAfterKw: number;
  trapezoidKwh: number;
  /** SoC at `to` (NaN when not read); it was read at both ends and did not rise. */
  socAfter: number;
  socFlat: boolean;
  /** Odometer change over the interval; the vehicle moved in it. */
  stepKm: number;
  moving: boolean;
  /** Where charging began and ended inside it, should it be the spell's edge. */
  placed: PlacedEdges;
}

/** A reading whose evidence says not flowing (the scan refills one per such reading rather than allocate). */
export interface FlatReading {
  t: number;
  kind: EvidenceKind;
  /** The value is the same as the previous one of its signal. */
  unchanged: boolean;
  plugged: boolean | undefined;
  charging: boolean | undefined;
  moved: boolean;
}

/**
 * A flat SoC or register inside its spell, shorter than the slowest charge takes per 1 % step (per
 * register step at 0.3 kW), with nothing saying it stopped (unplugged, not charging, moved): resolution,
 * not a stop. The spell goes on; if the next step comes too late (or the value falls), it ends at its
 * last step.
 */
export function flatIsResolution(spell: Spell, x: FlatReading): boolean {
  if (x.plugged === false || x.charging === false || x.moved || !x.unchanged || x.kind !== spell.kind) {
    return false;
  }
  const flat = x.t - spell.lastTo;
  if (spell.kind === SOC) return flat < SOC_PLATEAU_MAX_MS;
  if (spell.kind === METER) return flat < (spell.meterStep / CHARGING_POWER_MIN_KW) * HOUR_MS;
  return false;
}

export interface SpellEdges {
  start: number;
  end: number;
  startRule: BoundaryRule;
  endRule: BoundaryRule;
  /** The readings either side of the end (its uncertainty). */
  endFrom: number;
  endTo: number;
  /** Changes to power's energy as edges moved, in the order made (applied in turn: same rounding). */
  powerAdjustKwh: number[];
}

/**
 * A closed spell's final edges. Each rule refines the placement made interval by interval (boundaries.ts):
 * - a spell seen in one interval of interval evidence flowed for part of it: the centre half of it;
 * - a meter-only end: the last interval's energy at the rate of the minutes before it;
 * - a SoC-only start: half a step (at the spell's step rate) before its first 1 % step; its end, half a
 *   step after its last;
 * - after a gap in which the SoC rose, with no power to say when: that rise at the spell's SoC rate;
 * - idle wake: an edge after a silence longer than 3× the spell's cadence lies half a cadence from the
 *   charging reading (a sleeping car wakes when charging starts);
 * - averaged power: a partial average ends the charge inside the last charging reading's period;
 * - SoC cross-check: where the SoC did not rise over an edge interval, power's extrapolation may not
 *   claim more than one 1 % step there.
 */
export function spellEdges(
  spell: Spell,
  x: {
    samples: SessionSamples;
    /** Which spell of its session (its SoC steps are recorded under this number). */
    index: number;
    capacityKwh: number;
    /** finish() was told the data ends here: the spell is cut, not over. */
    dataEnded: boolean;
    /** The last evidence reading's time, and the SoC then (NaN when not fresh). */
    lastT: number;
    socNow: number;
  },
): SpellEdges {
  let start = spell.start;
  let end = spell.end;
  let startRule = spell.startRule;
  let endRule = spell.endRule;
  const powerAdjustKwh: number[] = [];
  // Energy power gave the first and last intervals (as the edge rules below leave it).
  let firstKwh = spell.firstKwh;
  let lastKwh = spell.lastKwh;
  if (spell.intervals === 1 && spell.partial && !x.dataEnded) {
    // Seen in a single interval of interval evidence: it flowed for part of it; centre half of it.
    const quarter = (spell.firstTo - spell.firstFrom) / 4;
    start = Math.floor(spell.firstFrom + quarter);
    end = Math.floor(spell.firstTo - quarter);
    startRule = 'single_interval';
    endRule = 'single_interval';
  }
  if (spell.lastMeterKwh >= 0) {
    // A meter-only end: the last interval's energy at the rate of the minutes before it (one interval's
    // rate is too coarse when register steps are few per interval).
    const rate = x.samples.meterRateBefore(spell.lastFrom, METER_PEAK_WINDOW_MS);
    if (rate > 0) {
      end = clampTime(spell.lastFrom + spell.lastMeterKwh / rate, spell.lastFrom, spell.lastTo);
      endRule = 'metered';
    }
  }
  if (spell.kind === SOC && spell.intervals > 1) {
    // Charging seen only as 1 % steps: the first step shows when the true SoC crossed a level, which it
    // had reached on average half a step's time after charging began.
    const onset = socOnset(x.samples.socSteps(false), x.index);
    if (onset < start) {
      start = Math.floor(onset);
      startRule = 'soc_rate';
    }
    // Symmetrically, the last step shows when the true SoC entered its final level; charging went on
    // until it sat anywhere in that bucket: on average half a step's time after the step. Not past the
    // last reading the spell saw (a flat reading later than that would have closed it).
    const cessation = socCessation(x.samples.socSteps(false), x.index);
    if (cessation > end && !x.dataEnded) {
      end = Math.floor(Math.min(cessation, Math.max(end, x.lastT)));
      endRule = 'soc_rate';
    }
  }
  if (spell.pendingSoc > 0 && x.lastT > spell.firstTo && !Number.isNaN(x.socNow)) {
    // The SoC rose across the gap before the first charging reading; at the spell's SoC rate that rise
    // (half a step less, for quantisation) took this long.
    const rate = (x.socNow - spell.firstOnSoc) / (x.lastT - spell.firstTo);
    if (rate > 0) {
      start = clampTime(spell.firstTo - (spell.pendingSoc - 0.5) / rate, spell.firstFrom, spell.firstTo);
      startRule = 'soc_rate';
    }
  }
  if (spell.interiorCount > 0) {
    // An edge after a silence much longer than the spell's own cadence: the entity was idle, so the edge
    // lies about half a cadence from the charging reading. The edge interval's energy follows the edge.
    const cadence = spell.interiorMs / spell.interiorCount;
    if (spell.firstEdge && spell.firstTo - spell.firstFrom > EDGE_IDLE_CADENCES * cadence) {
      start = Math.max(spell.firstFrom, Math.floor(spell.firstTo - cadence / 2));
      startRule = 'idle_wake';
      if (spell.firstKw > 0 && spell.firstKwh >= 0) {
        const kwh = (spell.firstKw * (spell.firstTo - start)) / HOUR_MS;
        powerAdjustKwh.push(kwh - spell.firstKwh);
        firstKwh = kwh;
      }
    }
    if (spell.lastEdge && spell.lastTo - spell.lastFrom > EDGE_IDLE_CADENCES * cadence) {
      end = Math.min(spell.lastTo, Math.floor(spell.lastFrom + cadence / 2));
      endRule = 'idle_wake';
      if (spell.lastKw > 0 && spell.lastKwh >= 0) {
        const kwh = (spell.lastKw * (end - spell.lastFrom)) / HOUR_MS;
        powerAdjustKwh.push(kwh - spell.lastKwh);
        lastKwh = kwh;
      }
    }
  }
  let endFrom = spell.lastFrom;
  let endTo = spell.lastTo;
  if (spell.byPower && spell.lastEdge && endRule === 'midpoint' && spell.intervals >= 3) {
    // Power averaged over each period: the charge ended inside the last charging reading's period.
    const averaged = averagedPowerEnd({
      firstKw: spell.firstKw,
      secondKw: spell.secondKw,
      beforeAt: spell.beforeFrom,
      beforeKw: spell.beforeKw,
      lastAt: spell.lastFrom,
      lastKw: spell.lastKw,
    });
    if (averaged !== null) {
      end = averaged;
      endRule = 'metered';
      endFrom = spell.beforeFrom;
      endTo = spell.lastFrom;
    }
  }
  // Cross-check power's edges against the SoC: where it did not rise over an edge interval, power's
  // extrapolation may not claim more than one 1 % step there (the 21.5 kWh-for-11 kWh case).
  if (spell.firstSocFlat && firstKwh >= 0) {
    const edge = socCheckedEdge({
      from: spell.firstFrom,
      to: spell.firstTo,
      startsHere: true,
      kw: spell.firstKw,
      capacityKwh: x.capacityKwh,
      byPowerKwh: firstKwh,
    });
    if (edge !== null) {
      start = edge.at;
      startRule = 'soc_cross_check';
      powerAdjustKwh.push(edge.kwh - firstKwh);
    }
  }
  if (spell.lastSocFlat && lastKwh >= 0 && spell.intervals > 1) {
    const edge = socCheckedEdge({
      from: spell.lastFrom,
      to: spell.lastTo,
      startsHere: false,
      kw: spell.lastKw,
      capacityKwh: x.capacityKwh,
      byPowerKwh: lastKwh,
    });
    if (edge !== null) {
      end = edge.at;
      endRule = 'soc_cross_check';
      powerAdjustKwh.push(edge.kwh - lastKwh);
    }
  }
  return { start, end, startRule, endRule, endFrom, endTo, powerAdjustKwh };
}

/**
 * Not charging, though it flowed:
 * - power or a rising SoC while the vehicle drives is regeneration (a spell that moved and was brief or
 *   never still, or one that began less than a minute after driving and ended less than a minute before
 *   driving on — no time to plug in, nor to unplug — unless the SoC rose as only charging can make it);
 * - power seen at one reading only, right after driving, is braking as the car stops (below);
 * - power the vehicle's own flags deny (`unplugged`; the scan records flags for vehicles only): a flag
 *   read with power flowing said unplugged or not charging, and no flag while the spell was open said
 *   plugged in or charging. No charger delivers through a cable that is not connected. Flags can lag the
 *   power, so a real charge's first reading may still say unplugged: a later one, or the plug state a
 *   car sends on its own on change, keeps it;
 * - a SoC-only spell rising < 2 % is flicker.
 */
export function notCharging(
  spell: Spell,
  x: {
    start: number;
    end: number;
    /** Closed because the vehicle drove off while power still showed, this long after its last charging reading (NaN: not). */
    drivingOffAfterMs: number;
    /** Odometer now (NaN when not fresh), SoC rise since the spell opened (NaN when unknown). */
    odometerKm: number;
    socRise: number;
  },
): 'regeneration' | 'unplugged' | 'flicker' | null {
  const drivingOff = x.drivingOffAfterMs >= 0;
  // Driving both less than a minute before and after: whatever the readings between showed (a burst of
  // lost readings can hide the traction), no cable was connected.
  const between = spell.arrivedDriving && x.drivingOffAfterMs < PLUG_IN_MIN_MS;
  // Power seen at one reading only, right after driving, is braking as the car stops, not a charge: a
  // charge needs the car to stand while a cable is connected and a charger starts (PLUG_IN_MIN_MS), and
  // is seen again at the next reading unless it was over by then. So: one charging reading with driving
  // at the readings either side less than a plug-in, an unplug and a braking's length apart
  // (2 × PLUG_IN_MIN_MS + REGEN_MAX_MS); or one less than two plug-ins' time after driving and no other:
  // a charge begun within a minute of stopping and over before the next reading is far rarer than the
  // braking every stop makes (a judgement, with its trade-off measured in README.md's known limits).
  // Not when a flag says plugged in or charging, or the SoC rose as only charging can make it.
  const once = spell.byPower && spell.chargingReadings === 1 && !spell.partial && !spell.flagSaidYes;
  const blip =
    once &&
    spell.drivenBeforeMs >= 0 &&
    (spell.drivenBeforeMs + x.drivingOffAfterMs < 2 * PLUG_IN_MIN_MS + REGEN_MAX_MS ||
      (!drivingOff && spell.drivenBeforeMs < 2 * PLUG_IN_MIN_MS));
  const driving =
    (spell.byPower || spell.kind === SOC) &&
    (between ||
      blip ||
      ((drivingOff || x.odometerKm - spell.openOdometerKm >= MOVE_ODOMETER_KM || spell.moved) &&
        (spell.stillIntervals === 0 || x.end - x.start < REGEN_MAX_MS))) &&
    !(x.socRise >= SOC_RISE_MIN_PERCENT);
  if (driving) return 'regeneration';
  if (spell.byPower && spell.flagDenials > 0 && !spell.flagSaidYes && !(x.socRise >= SOC_RISE_MIN_PERCENT)) {
    return 'unplugged';
  }
  if (spell.kind === SOC && !(x.socRise >= SOC_SPELL_MIN_RISE_PERCENT)) return 'flicker';
  return null;
}
