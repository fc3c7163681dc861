// The charge-session engine: one entity's readings in, its completed sessions out. Pure: no storage, no
// clock, no randomness. Docs and every rule with its reason: README.md next to this file.
//
// Stages, in the order a reading meets them:
//   normalize.ts  the window's readings in time order, one per instant
//   movement.ts   per reading: did the vehicle move (odometer, plug, position, power)?
//   evidence.ts   per reading: is energy flowing, by its best signal?
//   intervals.ts  per pair of evidence readings: did energy flow between them (gaps, unseen charges)?
//   boundaries.ts where inside a flowing interval charging began or ended
//   spells.ts     runs of flowing intervals: flat readings inside them, their final edges, regeneration
//   sessions.ts   which spells are one plug-in; when a session is complete
//   enrich.ts     a closed session's record: energy, battery, peak, position, quality
// This file holds the scan that carries them through the readings, keeping only what they need of the
// past: the latest value of each signal (latest.ts), the drive that brought the car (drives.ts), the
// open spell (spells.ts) and the session being built (session-builder.ts, samples.ts).

import type { TenantLocation } from '../locations/match.js';
import type { Reading } from '../readings/model.js';
import { type FlowingInterval, placeEdges } from './boundaries.js';
import {
  BASELINE_MAX_AGE_MS,
  DATA_GAP_MS,
  MAX_BRIDGE_GAP_MS,
  MOVE_ODOMETER_KM,
  PAUSE_MIN_MS,
  PLUG_IN_MIN_MS,
  RESUME_RATE_MAX_WINDOW_MS,
  RESUME_RATE_WINDOW_MS,
  SOC_PLATEAU_MAX_MS,
} from './constants.js';
import { Drives } from './drives.js';
import { buildSession } from './enrich.js';
import {
  type Evidence,
  type EvidenceKind,
  evidenceOf,
  METER,
  NONE,
  POINT,
  registerResolutionKwh,
  SOC,
} from './evidence.js';
import { type IntervalFlow, type IntervalReadings, intervalFlow, NO_FLOW } from './intervals.js';
import { isoUtc } from './iso-time.js';
import { Latest } from './latest.js';
import { detectMovement, MOVED } from './movement.js';
import { orderedWindow, sortedWindow } from './normalize.js';
import type { SessionBuilder } from './session-builder.js';
import {
  hasEnded,
  isComplete,
  joinsSession,
  meterRateAhead,
  observeAfterClose,
  openSession,
  ratePinned,
  resumesAtRate,
} from './sessions.js';
import {
  type FlatReading,
  flatIsResolution,
  type MeasuredInterval,
  notCharging,
  Spell,
  spellEdges,
} from './spells.js';
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
    const scan = new Scan(input, raw, bounds.lo, bounds.hi);
    if (scan.scanRange(bounds.lo, bounds.hi) === bounds.hi) return withOngoing(input, scan.finish(from, to));
  }
  const readings = sortedWindow(raw, from, to);
  const scan = new Scan(input, readings, 0, readings.length);
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
  const scan = new Scan(input, readings, 0, readings.length);
  scan.scanRange(0, readings.length);
  const closed = scan.finish(from, to, { dataEnds: true });
  return { ...output, ongoing: closed.sessions.at(-1) ?? null };
}

/**
 * Room for the movement stage's answers, one byte per reading, kept across runs and grown as needed: a
 * typed array's memory lies outside V8's heap, and allocating one per run cost a few percent of the
 * engine's time. A run reads it only while it scans, and runs never overlap: a run that finds the
 * readings out of order is dropped before the sorted one starts, and the ongoing session's run starts
 * after the window's has finished.
 */
let movementBuffer = new Uint8Array(4096);

function movementRoom(readings: number): Uint8Array {
  if (movementBuffer.length < readings)
    movementBuffer = new Uint8Array(Math.max(readings, 2 * movementBuffer.length));
  return movementBuffer;
}

/** One reading's values; NaN when absent or not finite. */
interface Values {
  t: number;
  powerKw: number;
  energyKwh: number;
  soc: number;
  /** Only for a vehicle (a charge point does not drive). */
  odometerKm: number;
  rangeKm: number;
  /** Both coordinates or neither. */
  lat: number;
  lon: number;
  charging: boolean | undefined;
  plugged: boolean | undefined;
}

/** Fills `x` with a reading's values. */
function readValues(x: Values, r: Reading, mobile: boolean): Values {
  const located = finite(r.lat) && finite(r.lon);
  x.t = r.t;
  x.powerKw = finite(r.powerKw) ? r.powerKw : Number.NaN;
  x.energyKwh = finite(r.energyKwh) ? r.energyKwh : Number.NaN;
  x.soc = finite(r.soc) ? r.soc : Number.NaN;
  x.odometerKm = mobile && finite(r.odometerKm) ? r.odometerKm : Number.NaN;
  x.rangeKm = finite(r.rangeKm) ? r.rangeKm : Number.NaN;
  x.lat = located ? (r.lat as number) : Number.NaN;
  x.lon = located ? (r.lon as number) : Number.NaN;
  x.charging = r.isCharging;
  x.plugged = r.isPluggedIn;
  return x;
}

const finite = (x: number | undefined): x is number => x !== undefined && x - x === 0;
const has = (x: number) => !Number.isNaN(x);

/** The previous evidence reading. */
interface Previous {
  i: number;
  t: number;
  kind: EvidenceKind;
  on: boolean;
  /** Power read there (NaN when none). */
  powerKw: number;
}

class Scan {
  private readonly entityId: string;
  /** Vehicles move (regeneration, driving off); charge points do not. */
  private readonly mobile: boolean;
  private readonly capacity: number;
  private readonly locations: readonly TenantLocation[];
  private readonly exactLocation: boolean;
  /** The window's end: the readings are complete up to here. */
  private readonly to: number;
  /** movement[i]: MOVED, STILL or UNKNOWN over the interval ending at reading i (movement.ts). */
  private readonly movement: Uint8Array;
  private readonly sessions: DetectedSession[] = [];
  private readonly skipped: SkippedSession[] = [];

  private readonly latest = new Latest();
  private readonly drives = new Drives();
  /**
   * The previous evidence reading, and the earliest reading a run needs to judge it as this one did: the
   * evidence reading before it, or the reading of its own signal it was judged against if earlier (-1: none).
   */
  private readonly previous: Previous = { i: -1, t: 0, kind: NONE, on: false, powerKw: Number.NaN };
  private beforePreviousI = -1;
  /** Whether anything but charging has been observed since the window start (else a spell is truncated). */
  private known = false;
  /** finish() was told the data ends here: the open spell is closed as it stands, not as completed. */
  private dataEnded = false;

  private spell: Spell | null = null;
  private cur: SessionBuilder | null = null;
  /** Data gaps since the current session opened, as pairs of epoch ms (for its quality). */
  private gaps: number[] = [];

  // The stages' arguments and answers per reading, refilled each time rather than allocated: objects made
  // per reading were a quarter of the engine's time, in garbage collection.
  // Written as literals with every field: an object built empty keeps all but its first few fields in a
  // separate array, one more load for each (Values' fields are read several times per reading).
  private readonly values: Values = {
    t: 0,
    powerKw: Number.NaN,
    energyKwh: Number.NaN,
    soc: Number.NaN,
    odometerKm: Number.NaN,
    rangeKm: Number.NaN,
    lat: Number.NaN,
    lon: Number.NaN,
    charging: undefined,
    plugged: undefined,
  };
  private readonly intervalReadings: IntervalReadings = {
    from: 0,
    to: 0,
    kind: NONE,
    on: false,
    onBefore: false,
    meterKwh: 0,
    meterBeforeKwh: 0,
    meterBeforeT: 0,
    soc: 0,
    socBefore: 0,
    socBeforeT: 0,
    capacityKwh: 0,
  };
  private readonly intervalAnswer: IntervalFlow = { ...NO_FLOW };
  private readonly flatReading: FlatReading = {
    t: 0,
    kind: NONE,
    unchanged: false,
    plugged: undefined,
    charging: undefined,
    moved: false,
  };
  private readonly flowingInterval: FlowingInterval = {
    from: 0,
    to: 0,
    acrossGap: false,
    flowingBefore: false,
    flowingAfter: false,
    rateBefore: 0,
    rateAfter: 0,
    meteredKwh: 0,
    energyAcrossKwh: 0,
    socAcross: 0,
    socRate: 0,
  };
  private readonly measured = {
    placed: { start: 0, end: 0, startRule: 'data_edge', endRule: 'data_edge' },
  } as MeasuredInterval;

  constructor(
    input: EngineInput,
    private readonly readings: readonly Reading[],
    lo: number,
    private readonly hi: number,
  ) {
    this.to = input.window.to;
    const entity: EngineEntity = input.entity;
    this.entityId = entity.id;
    this.mobile = entity.type === 'EV';
    this.capacity = entity.batteryCapacityKwh ?? Number.NaN;
    this.intervalReadings.capacityKwh = this.capacity;
    this.locations = input.locations;
    this.exactLocation = input.exactLocation;
    this.movement = detectMovement(readings, lo, hi, this.mobile, movementRoom(hi)).state;
  }

  /**
   * Scans `readings[lo, hi)` in time order and returns the index it stopped at: `hi`, or the first reading
   * that is not strictly after the one before it (the caller then sorts). The caller has checked that the
   * first and last lie in the window, so in strict time order all of them do.
   */
  scanRange(lo: number, hi: number): number {
    let previousT = Number.NEGATIVE_INFINITY;
    let i = lo;
    for (; i < hi; i++) {
      const r = this.readings[i]!;
      if (!(r.t > previousT)) break;
      // A data gap between any two readings: remembered for the quality of the session around it.
      if (r.t - previousT > DATA_GAP_MS && previousT > Number.NEGATIVE_INFINITY)
        this.gaps.push(previousT, r.t);
      previousT = r.t;
      this.read(readValues(this.values, r, this.mobile), i);
    }
    return i;
  }

  /** One reading, through the stages. */
  private read(x: Values, i: number): void {
    const latest = this.latest;
    if (x.plugged === false) latest.unpluggedT = x.t;
    else if (x.plugged === true) latest.pluggedT = x.t;

    // What this reading says about charging (evidence.ts), against the latest values before it.
    const evidence = evidenceOf(x, latest);
    let flowing = false;
    let trapezoid = Number.NaN; // this interval's energy by power, kWh
    if (evidence.kind !== NONE) {
      if (this.previous.i < 0 || !evidence.intervalKnown) {
        // First evidence of the window (or of this signal): no interval to judge yet.
        if (evidence.kind === POINT && !evidence.on) this.known = true;
      } else {
        const interval = this.interval(x, evidence, i);
        if (interval.flow > 0) {
          flowing = true;
          trapezoid = this.extendSpell(x, evidence, interval, i);
        } else if (this.spell !== null && flatIsResolution(this.spell, this.flat(x, evidence, i))) {
          // Resolution, not a stop: the spell goes on (spells.ts).
        } else {
          if (this.spell !== null) this.closeSpell();
          this.known = true;
        }
      }
    }
    // The vehicle's own flags while the spell is open (a flag sent on its own counts); one saying
    // unplugged or not charging only with power flowing at that instant (not across a gap: those
    // describe its ends).
    if (this.spell !== null && this.mobile)
      this.spell.flags(x.plugged, x.charging, evidence.kind === POINT && evidence.on);
    // A session that has ended with no spell open (unplugged or moved since its last spell) takes no more
    // spells (sessions.ts, hasEnded): it is built from what it committed, and records nothing more.
    const cur = this.cur;
    if (cur !== null && (this.spell !== null || !hasEnded(cur, latest.unpluggedT)))
      this.accumulate(cur, x, i, flowing, trapezoid);
    if (has(x.odometerKm)) this.drives.observe(latest, x);
    this.remember(x, i, evidence);
  }

  /** A reading whose evidence says not flowing, as the spell stage judges it (spells.ts, flatIsResolution). */
  private flat(x: Values, evidence: Evidence, i: number): FlatReading {
    const latest = this.latest;
    const flat = this.flatReading;
    flat.t = x.t;
    flat.kind = evidence.kind;
    flat.unchanged =
      evidence.kind === SOC
        ? x.soc === latest.soc
        : evidence.kind === METER && x.energyKwh === latest.meterKwh;
    flat.plugged = x.plugged;
    flat.charging = x.charging;
    flat.moved = this.movement[i] === MOVED;
    return flat;
  }

  /** The interval from the previous evidence reading to this one (intervals.ts); breaks what it must. */
  private interval(x: Values, evidence: Evidence, i: number): IntervalFlow {
    const latest = this.latest;
    const previous = this.previous;
    const readings = this.intervalReadings;
    readings.from = previous.t;
    readings.to = x.t;
    readings.kind = evidence.kind;
    readings.on = evidence.on;
    readings.onBefore = previous.on;
    readings.meterKwh = x.energyKwh;
    readings.meterBeforeKwh = latest.meterKwh;
    readings.meterBeforeT = latest.meterT;
    readings.soc = x.soc;
    readings.socBefore = latest.soc;
    readings.socBeforeT = latest.socT;
    const interval = intervalFlow(readings, this.intervalAnswer);
    if (interval.breaks) {
      // More than a day of silence: whatever came before is closed and can no longer merge.
      if (this.spell !== null) this.closeSpell();
      if (this.cur !== null) this.finalize();
      this.known = true;
    } else if (
      interval.gap &&
      this.spell !== null &&
      (!previous.on || (evidence.kind === POINT && evidence.on)) &&
      this.movement[i] === MOVED
    ) {
      // The vehicle moved across the gap and charges after it (or had stopped before it): what charged
      // before the gap ended there. (Charging before and not after: it went on, then the car left.)
      this.closeSpell();
    }
    return interval;
  }

  /**
   * A flowing interval: opens a spell or extends the open one (spells.ts), with the edges placed inside it
   * (boundaries.ts) should it be the spell's first or last. Returns the interval's energy by power (NaN
   * when power did not measure it).
   */
  private extendSpell(x: Values, evidence: Evidence, interval: IntervalFlow, i: number): number {
    const m = this.measure(x, evidence, interval, i);
    const dt = m.to - m.from;
    // Power flowing while the vehicle drives off after charging is regeneration, not more charge: the
    // charge ended at the previous reading, and nothing later joins it.
    if (this.spell !== null && m.moving && !Number.isNaN(m.powerAfterKw) && this.spell.stillIntervals > 0) {
      this.closeSpell(dt);
      if (this.cur !== null) this.cur.moved = true;
    }
    let spell = this.spell;
    if (spell === null) {
      const partial = (!m.acrossGap && m.kind !== POINT) || interval.unseen;
      spell = this.openSpell(m.placed.start, m.kind, m.from, m.to, partial, m.stepKm, i);
      // Driving less than a minute before: no cable could have been connected and a charger started yet,
      // so the vehicle moved in this spell (brief, it is regeneration).
      if (this.movement[this.previous.i] === MOVED) spell.drivenBeforeMs = dt;
      if (this.movement[this.previous.i] === MOVED && dt < PLUG_IN_MIN_MS) {
        spell.moved = true;
        spell.arrivedDriving = true;
      }
      if (spell.newSession) this.cur!.firstOnT = m.pointBefore ? m.from : m.to;
      spell.first(m);
    } else {
      spell.next(m);
    }
    spell.latest(m);
    return m.trapezoidKwh;
  }

  /** A flowing interval as the spell stage needs it: rates either side, power's energy, edges placed. */
  private measure(x: Values, evidence: Evidence, interval: IntervalFlow, i: number): MeasuredInterval {
    const latest = this.latest;
    const previous = this.previous;
    const { kind, on } = evidence;
    const pT = previous.t;
    const dt = x.t - pT;
    const dE = interval.meteredKwh;
    const gapFlow = interval.acrossGap;
    const pointBefore = previous.on && previous.kind === POINT;
    const pointAfter = on && kind === POINT;
    // Rates (kWh per ms) either side: the power read there, else the meter's rate in the previous interval.
    const rateAfter = pointAfter && has(x.powerKw) ? x.powerKw / HOUR_MS : Number.NaN;
    const rateBefore =
      pointBefore && previous.powerKw > 0
        ? previous.powerKw / HOUR_MS
        : this.spell !== null
          ? this.spell.rate
          : Number.NaN;
    const trapezoid =
      has(x.powerKw) && !Number.isNaN(previous.powerKw) && !gapFlow
        ? (((previous.powerKw > 0 ? previous.powerKw : 0) + (x.powerKw > 0 ? x.powerKw : 0)) / 2) *
          (dt / HOUR_MS)
        : Number.NaN;
    const open = this.spell;
    const socRate =
      gapFlow && open !== null && pT > open.start
        ? (latest.soc - open.openSoc) / (pT - open.start)
        : Number.NaN;
    const m = this.measured;
    m.from = pT;
    m.to = x.t;
    m.kind = kind;
    m.onAfter = on;
    m.pointBefore = pointBefore;
    m.pointAfter = pointAfter;
    m.pointEdge = !gapFlow && kind === POINT && interval.flow === 1;
    m.flowingThroughout = interval.flow === 2;
    m.acrossGap = gapFlow;
    m.meteredKwh = dE;
    m.meterKwh = x.energyKwh;
    m.meteredStart = dE >= 0 && rateAfter > 0;
    m.meteredEnd = dE >= 0 && rateBefore > 0;
    m.rateAfter = rateAfter;
    m.energyAcrossKwh = interval.energyAcrossKwh;
    m.socAcross = interval.socAcross;
    m.powerBeforeKw = previous.powerKw;
    m.powerAfterKw = x.powerKw;
    m.trapezoidKwh = trapezoid;
    m.socAfter = x.soc;
    // The SoC read at both ends of this interval did not rise: checked against power's edge energy when
    // the spell closes (spells.ts, the SoC cross-check).
    m.socFlat = has(x.soc) && latest.socI === previous.i && x.soc <= latest.soc;
    m.stepKm = has(x.odometerKm) && latest.odometerI >= 0 ? x.odometerKm - latest.odometerKm : Number.NaN;
    m.moving = this.movement[i] === MOVED;
    const flowing = this.flowingInterval;
    flowing.from = pT;
    flowing.to = x.t;
    flowing.acrossGap = gapFlow;
    flowing.flowingBefore = pointBefore;
    flowing.flowingAfter = pointAfter;
    flowing.rateBefore = rateBefore;
    flowing.rateAfter = rateAfter;
    flowing.meteredKwh = dE;
    flowing.energyAcrossKwh = interval.energyAcrossKwh;
    flowing.socAcross = interval.socAcross;
    flowing.socRate = socRate;
    placeEdges(flowing, m.placed);
    return m;
  }

  /** Running totals and samples of the open session. */
  private accumulate(cur: SessionBuilder, x: Values, i: number, flowing: boolean, trapezoid: number): void {
    const { t } = x;
    const latest = this.latest;
    if (has(x.energyKwh)) cur.addMeter(t, x.energyKwh);
    if (flowing) cur.addFlowingInterval(trapezoid, this.previous.powerKw, x.powerKw);
    if (has(x.soc)) {
      cur.addSoc(t, x.soc, latest.socT, this.spell !== null ? cur.spells : -1);
    }
    // A charge point stands still: one position per session is its position.
    if (has(x.lat) && (this.mobile || cur.samples.lat.length === 0)) cur.samples.pushLocation(x.lat, x.lon);
    if (this.mobile && cur.spells > 0) observeAfterClose(cur, x.odometerKm, this.movement[i]!);
  }

  private remember(x: Values, i: number, evidence: Evidence): void {
    const { t } = x;
    const latest = this.latest;
    // Interval evidence was judged against its signal's reading before it (a meter step, a SoC rise):
    // a run starting at this reading's predecessor must reach back to that one too.
    const judgedAgainst = evidence.kind === METER ? latest.meterI : evidence.kind === SOC ? latest.socI : -1;
    if (has(x.powerKw)) latest.powerT = t;
    if (x.charging !== undefined) latest.flagT = t;
    if (has(x.energyKwh)) {
      latest.meterKwh = x.energyKwh;
      latest.meterT = t;
      latest.meterI = i;
    }
    if (has(x.soc)) {
      latest.soc = x.soc;
      latest.socT = t;
      latest.socI = i;
    }
    if (has(x.rangeKm)) {
      latest.rangeKm = x.rangeKm;
      latest.rangeT = t;
      latest.rangeI = i;
    }
    if (has(x.odometerKm)) {
      latest.odometerKm = x.odometerKm;
      latest.odometerT = t;
      latest.odometerI = i;
    }
    if (has(x.lat)) {
      latest.lat = x.lat;
      latest.lon = x.lon;
      latest.locT = t;
      latest.locI = i;
    }
    if (evidence.kind !== NONE) {
      const previous = this.previous;
      this.beforePreviousI =
        evidence.intervalKnown && judgedAgainst >= 0 && judgedAgainst < previous.i
          ? judgedAgainst
          : previous.i;
      previous.i = i;
      previous.t = t;
      previous.kind = evidence.kind;
      previous.on = evidence.on;
      previous.powerKw = x.powerKw;
    }
  }

  /**
   * Opens a spell at `start` over the interval [a, b]: it joins the current session (sessions.ts) or
   * opens a new one with the baselines it needs (SoC, range, meter, position, the drive's consumption) and
   * the earliest reading they depend on (its context, for resumeFrom).
   */
  private openSpell(
    start: number,
    kind: EvidenceKind,
    a: number,
    b: number,
    partial: boolean,
    stepKm: number,
    /** The reading that shows it (its first charging reading). */
    i: number,
  ): Spell {
    const latest = this.latest;
    const pT = this.previous.t;
    const spell = new Spell(start, kind, a, b, partial);
    this.spell = spell;
    spell.openSoc = latest.freshSoc(pT) ? latest.soc : Number.NaN;
    spell.openOdometerKm = latest.freshOdometer(pT) ? latest.odometerKm : Number.NaN;

    const cur = this.cur;
    if (cur !== null) {
      const meterNow = latest.freshMeter(pT) ? latest.meterKwh : Number.NaN;
      const resumed = () => this.mobile && kind === METER && cur.meterOn && this.resumedAtRate(cur, i);
      if (joinsSession(cur, start, latest, meterNow, resumed)) {
        spell.newSession = false;
        return spell;
      }
      this.finalize();
    }
    // Gaps that ended before this session's first interval cannot lie inside it.
    const gaps: number[] = [];
    for (let k = 0; k + 1 < this.gaps.length; k += 2) {
      if (this.gaps[k + 1]! >= a) gaps.push(this.gaps[k]!, this.gaps[k + 1]!);
    }
    this.gaps = gaps;

    const previous = this.previous;
    const session = openSession({
      start,
      kind,
      anchor: b,
      truncated: !this.known,
      at: pT,
      previous: { i: previous.i, on: previous.on, kind: previous.kind },
      beforePreviousI: this.beforePreviousI,
      latest,
      drives: this.drives,
      stepKm,
    });
    this.cur = session;
    return spell;
  }

  /**
   * Closes the open spell: its final edges (spells.ts), then either takes it back (regeneration, SoC
   * flicker) or commits it to its session. `drivingOffAfterMs`: closed because the vehicle moved off while
   * power still showed, this long after its last charging reading (NaN otherwise).
   */
  private closeSpell(drivingOffAfterMs = Number.NaN): void {
    const spell = this.spell!;
    this.spell = null;
    this.known = true;
    const cur = this.cur;
    if (cur === null) return;
    const latest = this.latest;
    const pT = this.previous.t;
    const socNow = latest.freshSoc(pT) ? latest.soc : Number.NaN;
    const edges = spellEdges(spell, {
      samples: cur.samples,
      index: cur.spells,
      capacityKwh: this.capacity,
      dataEnded: this.dataEnded,
      lastT: pT,
      socNow,
    });
    for (const kwh of edges.powerAdjustKwh) cur.powerEnergy += kwh;
    let { start, end } = edges;
    const odometerKm = latest.freshOdometer(pT) ? latest.odometerKm : Number.NaN;
    const verdict = notCharging(spell, {
      start,
      end,
      drivingOffAfterMs,
      odometerKm,
      socRise: socNow - spell.openSoc,
    });
    if (verdict !== null) {
      // Regeneration while driving, power the vehicle's flags deny, or SoC noise: not charging. Undo what
      // the spell added. (Denied by flags alone says nothing of driving: an unplugged flag ends the
      // session by itself, a "not charging" one during a pause must not.)
      if (spell.newSession) {
        this.cur = null;
      } else {
        cur.rollback();
        // Regeneration means it drove since the session's last spell: nothing later joins the session.
        if (verdict === 'regeneration') cur.moved = true;
      }
      return;
    }
    if (spell.newSession) {
      cur.start = start;
      cur.startEdge = { rule: edges.startRule, from: spell.firstFrom, to: spell.firstTo };
    }
    // The pause to the previous spell, from this spell's final start (refined since the merge decision);
    // spells of one session never overlap. Pauses shorter than a step of the spell's signal count as
    // charging time.
    if (!spell.newSession && start < cur.end) start = cur.end;
    if (end < start) end = start;
    const pause = spell.newSession ? 0 : start - cur.end;
    const pauseCounts = pause < (spell.kind === SOC ? SOC_PLATEAU_MAX_MS : PAUSE_MIN_MS);
    cur.chargingMs += end - start + (pauseCounts ? pause : 0);
    cur.end = end;
    cur.endEdge = { rule: edges.endRule, from: edges.endFrom, to: edges.endTo };
    // Commit: what the session is, as of this spell.
    cur.commit(pT, this.previous.on ? pT : spell.lastFrom, spell.firstTo);
    cur.socClose = socNow;
    // Read after driving off (departure inside the last interval): add back what that driving used. (Not
    // when the spell is that one interval: its driving was taken off the opening SoC already.)
    if (
      spell.lastKm >= MOVE_ODOMETER_KM &&
      cur.pctPerKm > 0 &&
      !(spell.newSession && spell.intervals === 1)
    ) {
      cur.socClose = Math.min(100, cur.socClose + cur.pctPerKm * spell.lastKm);
    }
    cur.rangeClose = latest.freshRange(pT) ? latest.rangeKm : Number.NaN;
    cur.closeOdo = odometerKm;
    cur.located = latest.freshLocation(pT);
  }

  /**
   * The meter resumed at the rate the session paused at (sessions.ts, resumesAtRate): the rate over the
   * last RESUME_RATE_WINDOW_MS of the session's latest spell (up to the reading before the one that
   * showed it stop: the interval in which it stopped flowed part of the time) against the rate ahead of
   * reading `i`, the first to show the new charge. When the readings end before that is known and more
   * may still come (the window ends within a data gap of them), it joins for now: the session stays in
   * progress and the next run decides with what follows.
   */
  private resumedAtRate(cur: SessionBuilder, i: number): boolean {
    const until = cur.endEdge.from;
    let before = cur.samples.meterRateBetween(Math.max(cur.spellOnT, until - RESUME_RATE_WINDOW_MS), until);
    const resolution = registerResolutionKwh(this.readings[i]!.energyKwh ?? Number.NaN);
    if (!ratePinned(before, resolution)) {
      // Not pinned by the register's steps over 15 min: over more of the spell, up to an hour.
      before = cur.samples.meterRateBetween(Math.max(cur.spellOnT, until - RESUME_RATE_MAX_WINDOW_MS), until);
    }
    const after = meterRateAhead(this.readings, i, this.hi, { rateBefore: before.rate, dataEnds: this.to });
    return after === null || resumesAtRate(before, after, after.resolutionKwh);
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
      this.skipped.push({ start: isoUtc(cur.start), end: isoUtc(cur.end), reason: result });
    } else {
      this.sessions.push(result);
    }
  }

  /**
   * Ends the scan at `to`. A session that may still continue is held back (`inProgress`), unless
   * `dataEnds`: then it is closed and built as it stands (the provisional `ongoing` session).
   */
  finish(from: number, to: number, { dataEnds = false } = {}): EngineOutput & { inProgress: boolean } {
    const lastT = this.previous.t;
    // A spell cut by the data's end is not over: its start stays where the completed session will have it.
    this.dataEnded = dataEnds;
    if (this.spell !== null && (dataEnds || to - lastT > MAX_BRIDGE_GAP_MS)) this.closeSpell();
    const cur = this.cur;
    if (cur !== null && this.spell === null) {
      if (dataEnds || isComplete(cur, { lastT, to, unpluggedT: this.latest.unpluggedT })) this.finalize();
    }
    const inProgress = this.cur !== null;
    let resumeFrom = from;
    if (this.cur !== null) {
      resumeFrom = this.readings[this.cur.contextIndex]!.t;
    } else if (this.previous.i >= 0) {
      resumeFrom = this.readings[this.idleContext()]!.t;
    }
    if (resumeFrom < from) resumeFrom = from;
    if (resumeFrom > to) resumeFrom = to;
    return { sessions: this.sessions, skipped: this.skipped, resumeFrom, ongoing: null, inProgress };
  }

  /**
   * With nothing pending, what the next run needs: the last quiet evidence (two readings for interval
   * evidence), any value recent enough to be a baseline for a session that opens next, and the drive
   * under way (or just ended) that would correct its opening SoC.
   */
  private idleContext(): number {
    const previous = this.previous;
    const horizon = previous.t - BASELINE_MAX_AGE_MS;
    let context =
      (previous.kind !== POINT || previous.on) && this.beforePreviousI >= 0
        ? this.beforePreviousI
        : previous.i;
    context = this.latest.earliestSince(context, horizon);
    const drives = this.drives;
    if (drives.startI >= 0 && drives.startI < context) context = drives.startI;
    if (drives.lastI >= 0 && drives.lastI < context && drives.lastEndT >= horizon) context = drives.lastI;
    return context;
  }
}
