// The spells and sessions stages (shared/engine/spells.ts, sessions.ts): the rules that keep a spell going,
// place its final edges, take it back as regeneration or flicker, and join spells into sessions.

import { describe, expect, it } from 'vitest';
import { computeSessions } from '../../shared/engine/compute.js';
import { Drives } from '../../shared/engine/drives.js';
import { METER, POINT, SOC } from '../../shared/engine/evidence.js';
import { Latest } from '../../shared/engine/latest.js';
import { MOVED, STILL, UNKNOWN } from '../../shared/engine/movement.js';
import { SessionSamples } from '../../shared/engine/samples.js';
import { SessionBuilder } from '../../shared/engine/session-builder.js';
import {
  isComplete,
  joinsSession,
  meterRateAhead,
  observeAfterClose,
  openSession,
  resumesAtRate,
} from '../../shared/engine/sessions.js';
import {
  flatIsResolution,
  type MeasuredInterval,
  notCharging,
  Spell,
  spellEdges,
} from '../../shared/engine/spells.js';
import { HOUR, MIN, series } from '../support/engine.js';

const T = 100 * HOUR;

describe('spells stage: a flat reading inside a spell', () => {
  const socSpell = () => Object.assign(new Spell(T, SOC, T, T + 10 * MIN, true), { lastTo: T + 10 * MIN });
  const flat = (over: Partial<Parameters<typeof flatIsResolution>[1]> = {}) => ({
    t: T + 40 * MIN,
    kind: SOC as typeof SOC | typeof METER,
    unchanged: true,
    plugged: undefined,
    charging: undefined,
    moved: false,
    ...over,
  });

  it('a flat SoC shorter than 60 min (the slowest 1 % step) is resolution; longer is a stop', () => {
    expect(flatIsResolution(socSpell(), flat())).toBe(true);
    expect(flatIsResolution(socSpell(), flat({ t: T + 70 * MIN }))).toBe(false);
  });

  it('unplugged, not charging or moved ends it however short', () => {
    expect(flatIsResolution(socSpell(), flat({ plugged: false }))).toBe(false);
    expect(flatIsResolution(socSpell(), flat({ charging: false }))).toBe(false);
    expect(flatIsResolution(socSpell(), flat({ moved: true }))).toBe(false);
  });

  it('a flat register: shorter than one register step at 0.3 kW', () => {
    const spell = Object.assign(new Spell(T, METER, T, T + 5 * MIN, true), {
      lastTo: T + 5 * MIN,
      meterStep: 0.01, // 2 min at 0.3 kW
    });
    expect(flatIsResolution(spell, flat({ kind: METER, t: T + 6 * MIN }))).toBe(true);
    expect(flatIsResolution(spell, flat({ kind: METER, t: T + 8 * MIN }))).toBe(false);
  });
});

describe('spells stage: what each flowing interval sets', () => {
  const interval = (over: Partial<MeasuredInterval>): MeasuredInterval => ({
    from: T,
    to: T + 10 * MIN,
    kind: METER,
    onAfter: true,
    pointBefore: false,
    pointAfter: false,
    pointEdge: false,
    flowingThroughout: true,
    acrossGap: false,
    meteredKwh: 1,
    meterKwh: 101,
    meteredStart: false,
    meteredEnd: false,
    rateAfter: Number.NaN,
    energyAcrossKwh: Number.NaN,
    socAcross: Number.NaN,
    powerBeforeKw: Number.NaN,
    powerAfterKw: Number.NaN,
    trapezoidKwh: Number.NaN,
    socAfter: Number.NaN,
    socFlat: false,
    stepKm: Number.NaN,
    moving: false,
    placed: { start: T + 5 * MIN, end: T + 5 * MIN, startRule: 'midpoint', endRule: 'midpoint' },
    ...over,
  });

  it('a meter-only start waits for the next interval’s rate: its energy at that rate before the reading', () => {
    const first = interval({ meteredKwh: 0.5 });
    const spell = new Spell(first.placed.start, METER, first.from, first.to, true);
    spell.first(first);
    spell.latest(first);
    expect(spell.pendingKwh).toBe(0.5);
    // 1 kWh per 10 min next: 0.5 kWh took 5 min, so charging began 5 min before the first interval's end.
    const next = interval({ from: T + 10 * MIN, to: T + 20 * MIN, meteredKwh: 1 });
    spell.next(next);
    expect(spell).toMatchObject({ start: T + 5 * MIN, startRule: 'metered', intervals: 2 });
  });

  it('a register’s step is its resolution or the smallest increase, never a whole interval’s increase', () => {
    const spell = new Spell(T, METER, T - 10 * MIN, T, true);
    spell.latest(interval({ meteredKwh: 8.4, meterKwh: 1234.5 })); // 0.1 kWh register at 50 kW
    expect(spell.meterStep).toBeCloseTo(0.1);
    spell.latest(interval({ meteredKwh: 0.03, meterKwh: 1234.53 }));
    expect(spell.meterStep).toBeCloseTo(0.01);
  });

  it('the cadence counts intervals flowing at both ends only (point evidence, no gap)', () => {
    const spell = new Spell(T, POINT, T - MIN, T, false);
    spell.next(interval({ kind: POINT, flowingThroughout: true }));
    spell.next(interval({ kind: POINT, flowingThroughout: false }));
    spell.next(interval({ kind: POINT, flowingThroughout: true, acrossGap: true }));
    expect(spell).toMatchObject({ interiorCount: 1, interiorMs: 10 * MIN });
  });
});

describe('drives', () => {
  /** Odometer 100 km and SoC 80 % read at T (reading 0). */
  const parkedAt100Km = () =>
    Object.assign(new Latest(), { odometerKm: 100, odometerI: 0, odometerT: T, soc: 80, socI: 0, socT: T });

  it('a drive’s consumption per km, from where it began (odometer ticking, fresh SoC) to where it ended', () => {
    const latest = parkedAt100Km();
    const drives = new Drives();
    drives.observe(latest, { t: T + MIN, odometerKm: 101, soc: 79.8 }); // ticking: a drive began at reading 0
    Object.assign(latest, { odometerKm: 120, odometerI: 5, soc: 76, socI: 5, socT: T + 20 * MIN });
    expect(drives.current(latest)).toEqual({ pctPerKm: 0.2, index: 0 });
    drives.observe(latest, { t: T + 21 * MIN, odometerKm: 120, soc: 76 }); // no tick: it ended
    expect(drives).toMatchObject({ startI: -1, lastI: 0, lastEndT: T + 21 * MIN });
    expect(drives.lastPctPerKm).toBeCloseTo(0.2);
  });

  it('a drive shorter than 5 km gives no consumption (the 1 % steps would dominate it)', () => {
    const latest = parkedAt100Km();
    const drives = new Drives();
    drives.observe(latest, { t: T + MIN, odometerKm: 101, soc: 80 });
    Object.assign(latest, { odometerKm: 103, soc: 79 });
    expect(drives.current(latest)).toBeNull();
  });
});

describe('spells stage: final edges', () => {
  const context = {
    samples: new SessionSamples(),
    index: 0,
    capacityKwh: 60,
    dataEnded: false,
    lastT: T + HOUR,
    socNow: Number.NaN,
  };

  it('seen in one interval of interval evidence: the centre half of it', () => {
    const spell = new Spell(T + 5 * MIN, METER, T, T + 20 * MIN, true);
    spell.end = T + 15 * MIN;
    const edges = spellEdges(spell, context);
    expect(edges).toMatchObject({
      start: T + 5 * MIN,
      end: T + 15 * MIN,
      startRule: 'single_interval',
      endRule: 'single_interval',
    });
    // Cut by the data's end: not over, so not centred.
    expect(spellEdges(spell, { ...context, dataEnded: true }).startRule).toBe('midpoint');
  });

  it('idle wake: after a silence over 3 cadences, the start is half a cadence before the charging reading', () => {
    const spell = Object.assign(new Spell(T + 30 * MIN, POINT, T, T + HOUR, false), {
      intervals: 5,
      firstEdge: true,
      interiorMs: 4 * MIN,
      interiorCount: 4,
      firstKw: 6,
      firstKwh: 3, // power's trapezoid over the hour of silence
      end: T + 2 * HOUR,
    });
    const edges = spellEdges(spell, context);
    expect(edges.start).toBe(T + HOUR - 30_000);
    expect(edges.startRule).toBe('idle_wake');
    // The edge interval's energy follows the edge: 6 kW for 30 s instead of the trapezoid's 3 kWh.
    expect(edges.powerAdjustKwh[0]).toBeCloseTo(0.05 - 3);
  });

  it('SoC cross-check: where the SoC did not rise, power may not claim more than one 1 % step', () => {
    const spell = Object.assign(new Spell(T + 15 * MIN, POINT, T, T + 30 * MIN, false), {
      intervals: 3,
      firstSocFlat: true,
      firstKw: 50,
      firstKwh: 12.5, // 50 kW extrapolated over 15 min; 1 % of 60 kWh at 85 % is 0.71 kWh
      end: T + HOUR,
    });
    const edges = spellEdges(spell, context);
    expect(edges.startRule).toBe('soc_cross_check');
    const half = 0.6 / 0.85 / 2;
    expect(edges.start).toBe(Math.floor(T + 30 * MIN - (half / 50) * HOUR));
    expect(edges.powerAdjustKwh[0]).toBeCloseTo(half - 12.5);
  });

  it('a meter-only end: the last interval’s energy at the rate of the minutes before it', () => {
    const samples = new SessionSamples();
    for (let k = 0; k <= 6; k++) samples.pushMeter(T + k * 5 * MIN, k * 0.5); // 6 kW
    const spell = Object.assign(new Spell(T, METER, T - 5 * MIN, T, true), {
      intervals: 7,
      lastFrom: T + 30 * MIN,
      lastTo: T + 40 * MIN,
      lastMeterKwh: 0.25,
      end: T + 35 * MIN,
    });
    const edges = spellEdges(spell, { ...context, samples });
    expect(edges).toMatchObject({ end: T + 32.5 * MIN, endRule: 'metered' });
  });
});

describe('spells stage: not charging', () => {
  const moved = (over: Partial<Spell> = {}) =>
    Object.assign(new Spell(T, POINT, T, T + MIN, false), { byPower: true, moved: true, ...over });
  const x = {
    start: T,
    end: T + 2 * MIN,
    drivingOffAfterMs: Number.NaN,
    odometerKm: Number.NaN,
    socRise: Number.NaN,
  };

  it('power while the vehicle moves, brief or never still, is regeneration', () => {
    expect(notCharging(moved(), x)).toBe('regeneration');
    expect(notCharging(moved({ stillIntervals: 3 }), x)).toBe('regeneration');
    // Still for a while and longer than 5 min: a charge the vehicle drove off from.
    expect(notCharging(moved({ stillIntervals: 3 }), { ...x, end: T + 20 * MIN })).toBeNull();
  });

  it('unless the SoC rose ≥ 5 %, which only charging does', () => {
    expect(notCharging(moved(), { ...x, socRise: 5 })).toBeNull();
  });

  it('a flag or meter spell is never regeneration (regeneration shows in power and SoC only)', () => {
    expect(notCharging(moved({ byPower: false }), x)).toBeNull();
  });

  it('driving less than a minute before and after: regeneration however long the readings between', () => {
    const long = { ...x, end: T + 8 * MIN };
    const between = moved({ stillIntervals: 3, arrivedDriving: true });
    expect(notCharging(between, { ...long, drivingOffAfterMs: 30_000 })).toBe('regeneration');
    // Left more than a minute after the last charging reading: time to unplug, a charge it drove off from.
    expect(notCharging(between, { ...long, drivingOffAfterMs: 2 * MIN })).toBeNull();
    // Arrived more than a minute before the first: time to plug in.
    expect(notCharging(moved({ stillIntervals: 3 }), { ...long, drivingOffAfterMs: 30_000 })).toBeNull();
  });

  it('end to end: positive power across a lost burst inside a drive is no session', () => {
    const t0 = 1_000 * HOUR;
    const readings = [
      ...series(t0, t0 + 10 * MIN, 30_000, () => ({ powerKw: -25 })),
      { t: t0 + 10 * MIN + 25_000, powerKw: 31 }, // 25 s after traction
      // 7.5 minutes of lost readings
      { t: t0 + 18 * MIN, powerKw: 32 },
      { t: t0 + 18 * MIN + 30_000, powerKw: 31.5 },
      ...series(t0 + 18 * MIN + 57_000, t0 + 30 * MIN, 30_000, () => ({ powerKw: -20 })), // 27 s after
      ...series(t0 + 30 * MIN, t0 + 5 * HOUR, 30_000, () => ({ powerKw: 0 })),
    ];
    const out = computeSessions({
      entity: { id: 'ev', type: 'EV', batteryCapacityKwh: null },
      readings,
      window: { from: t0, to: t0 + 5 * HOUR },
      locations: [],
      exactLocation: false,
    });
    expect(out.sessions).toEqual([]);
  });

  it('power the vehicle’s own flags deny is not a charge; a flag saying plugged in while it is open keeps it', () => {
    const spell = (over: Partial<Spell>) =>
      Object.assign(new Spell(T, POINT, T, T + MIN, false), { byPower: true, stillIntervals: 3, ...over });
    const long = { ...x, end: T + 30 * MIN };
    expect(notCharging(spell({ flagDenials: 2 }), long)).toBe('unplugged');
    expect(notCharging(spell({ flagDenials: 1 }), x)).toBe('unplugged');
    // A flag saying plugged in or charging while it was open (sent on its own, too) keeps it: flags can
    // lag the power, so a real charge's first reading may still say unplugged.
    expect(notCharging(spell({ flagDenials: 5, flagSaidYes: true }), long)).toBeNull();
    expect(notCharging(spell({}), long)).toBeNull(); // no flags: nothing denies it
    expect(notCharging(spell({ flagDenials: 2 }), { ...long, socRise: 6 })).toBeNull();
  });

  it('end to end: a charge whose first reading still says unplugged, its plug state sent on its own, is kept', () => {
    // Power every 5 min; 7.2 kW from 00:30 to 02:30. The first charging reading carries the flag of the
    // poll before (unplugged); "plugged in" arrives on its own 20 s later, on change.
    const t0 = 1_500 * HOUR;
    const readings = [
      ...series(t0, t0 + 4 * HOUR, 5 * MIN, (t) => {
        const on = t >= t0 + 30 * MIN && t < t0 + 150 * MIN;
        return { powerKw: on ? 7.2 : 0, ...(t <= t0 + 30 * MIN ? { isPluggedIn: false } : {}) };
      }),
      { t: t0 + 30 * MIN + 20_000, isPluggedIn: true },
    ].sort((a, b) => a.t - b.t);
    for (const type of ['EV', 'CP'] as const) {
      const { sessions } = computeSessions({
        entity: { id: 'e', type, batteryCapacityKwh: null },
        readings,
        window: { from: t0, to: t0 + 6 * HOUR },
        locations: [],
        exactLocation: false,
      });
      expect(sessions, type).toHaveLength(1);
      expect(sessions[0]!.energyKwh, type).toBeCloseTo(14.4, 0);
    }
  });

  it('power at one reading right after driving is braking: driving close on both sides, or under two plug-ins’ time after', () => {
    const once = (over: Partial<Spell>) =>
      Object.assign(new Spell(T, POINT, T, T + MIN, false), {
        byPower: true,
        chargingReadings: 1,
        stillIntervals: 1,
        ...over,
      });
    const long = { ...x, end: T + 12 * MIN };
    // Driving at the readings either side, 2.5 min apart each: less than a plug-in, an unplug and a
    // braking's length between them.
    expect(notCharging(once({ drivenBeforeMs: 2.5 * MIN }), { ...long, drivingOffAfterMs: 2.5 * MIN })).toBe(
      'regeneration',
    );
    // Ten minutes apart each: room for a short DC stop; kept.
    expect(
      notCharging(once({ drivenBeforeMs: 10 * MIN }), { ...long, drivingOffAfterMs: 10 * MIN }),
    ).toBeNull();
    // 90 s after traction, then standing: too soon to have plugged in, charged and stopped.
    expect(notCharging(once({ drivenBeforeMs: 90_000 }), long)).toBe('regeneration');
    // Ten minutes after traction, then standing: time for a short DC stop; kept.
    expect(notCharging(once({ drivenBeforeMs: 10 * MIN }), long)).toBeNull();
    // Two charging readings: a charger holding its level; kept.
    expect(notCharging(once({ drivenBeforeMs: 90_000, chargingReadings: 2 }), long)).toBeNull();
    // A flag saying plugged in or charging, or not after driving: kept.
    expect(notCharging(once({ drivenBeforeMs: 90_000, flagSaidYes: true }), long)).toBeNull();
    expect(notCharging(once({}), long)).toBeNull();
  });

  it('end to end: braking power as a drive ends, and power while reporting unplugged, are no sessions', () => {
    const t0 = 1_000 * HOUR;
    const run = (readings: Parameters<typeof computeSessions>[0]['readings']) =>
      computeSessions({
        entity: { id: 'ev', type: 'EV', batteryCapacityKwh: 60 },
        readings,
        window: { from: t0, to: t0 + 6 * HOUR },
        locations: [],
        exactLocation: false,
      }).sessions;
    // Power only, every 70 s: a drive whose last reading catches the braking to a stop, then parked.
    const braking = [
      ...series(t0, t0 + 20 * MIN, 70_000, () => ({ powerKw: -25 })),
      { t: t0 + 21 * MIN + 10_000, powerKw: 36 }, // 80 s after the last traction reading
      ...series(t0 + 22 * MIN + 20_000, t0 + 3 * HOUR, 70_000, () => ({ powerKw: 0 })),
    ];
    expect(run(braking)).toEqual([]);
    // The same with a real charge after parking: 10 min standing, then 7 kW for an hour.
    const charge = [
      ...braking.filter((r) => r.t < t0 + HOUR),
      ...series(t0 + HOUR, t0 + 2 * HOUR, 70_000, () => ({ powerKw: 7 })),
      ...series(t0 + 2 * HOUR, t0 + 3 * HOUR, 70_000, () => ({ powerKw: 0 })),
    ];
    expect(run(charge)).toHaveLength(1);
    // Standing, power and plug flag every 30 s: power shows for 20 minutes while every reading says
    // unplugged. No traction, no movement: only the flags can say it was not a charge.
    const unplugged = series(t0, t0 + 3 * HOUR, 30_000, (t) => ({
      powerKw: t >= t0 + HOUR && t < t0 + HOUR + 20 * MIN ? 3 : 0,
      isPluggedIn: false,
    }));
    expect(run(unplugged)).toEqual([]);
    expect(run(unplugged.map(({ isPluggedIn: _, ...r }) => r))).toHaveLength(1);
  });

  it('a SoC-only spell rising under 2 % is flicker', () => {
    const soc = Object.assign(new Spell(T, SOC, T, T + MIN, true), { stillIntervals: 2 });
    expect(notCharging(soc, { ...x, end: T + HOUR, socRise: 1 })).toBe('flicker');
    expect(notCharging(soc, { ...x, end: T + HOUR, socRise: 2 })).toBeNull();
  });
});

describe('sessions stage', () => {
  const session = () => {
    const b = new SessionBuilder(T, false, POINT, 0);
    b.commit(T + HOUR, T + HOUR, T);
    b.end = T + HOUR;
    return b;
  };
  const noPlug = { pluggedT: Number.NEGATIVE_INFINITY, unpluggedT: Number.NEGATIVE_INFINITY };

  it('a pause ≤ 2 h joins when the vehicle stayed plugged in or was seen standing still', () => {
    expect(joinsSession(session(), T + 2 * HOUR, { ...noPlug, pluggedT: T + 90 * MIN })).toBe(true);
    expect(joinsSession(session(), T + 3.5 * HOUR, { ...noPlug, pluggedT: T + 90 * MIN })).toBe(false);
    const still = session();
    still.stationarySeen = true;
    expect(joinsSession(still, T + 2 * HOUR, noPlug)).toBe(true);
  });

  it('with neither known, only pauses ≤ 10 min join (another vehicle may have connected)', () => {
    expect(joinsSession(session(), T + HOUR + 10 * MIN, noPlug)).toBe(true);
    expect(joinsSession(session(), T + HOUR + 11 * MIN, noPlug)).toBe(false);
  });

  it('a per-plug-in register (zero at the opening) still holding the session’s count: the cable stayed in', () => {
    // Counted 5 kWh from zero, then a 30-minute pause with nothing but the register.
    const counted = (openKwh: number) => {
      const b = new SessionBuilder(T, false, METER, 0);
      Object.assign(b, { meterOn: true, meterOpenKwh: openKwh, meterSum: 5 });
      b.commit(T + HOUR, T + HOUR, T);
      b.end = T + HOUR;
      return b;
    };
    const start = T + 90 * MIN;
    expect(joinsSession(counted(0), start, noPlug, 5)).toBe(true);
    // Restarted from zero: plugged in anew (elsewhere, or another car's transaction).
    expect(joinsSession(counted(0), start, noPlug, 0)).toBe(false);
    // A lifetime register says nothing about the cable.
    expect(joinsSession(counted(12_345), start, noPlug, 12_350)).toBe(false);
    // Not read at the new spell's opening.
    expect(joinsSession(counted(0), start, noPlug, Number.NaN)).toBe(false);
    // A fall since the last spell (a reset, then counting again past the old value) is a new plug-in.
    const reset = counted(0);
    reset.meterResets = 1;
    expect(joinsSession(reset, start, noPlug, 6)).toBe(false);
  });

  it('with only a meter, a pause of 10 min – 2 h joins when the charge resumed at the rate it paused at', () => {
    const kw = (x: number) => x / HOUR; // kWh per ms
    const over = (rateKw: number, minutes = 15) => ({ rate: kw(rateKw), spanMs: minutes * MIN });
    expect(resumesAtRate(over(7.4), over(7.3), 0.01)).toBe(true);
    expect(resumesAtRate(over(7.4), over(11), 0.01)).toBe(false); // another AC level: another charger
    expect(resumesAtRate(over(7.4), over(50), 0.01)).toBe(false); // DC
    // A 0.01 kWh register over 15 min at 3.7 kW is known to ~1 %: its quantisation widens the bar a little.
    expect(resumesAtRate(over(3.7, 15), over(4.2, 15), 0.01)).toBe(true);
    expect(resumesAtRate(over(3.7, 15), over(4.6, 15), 0.01)).toBe(false);
    // A 0.1 kWh register over 5 min at 3.7 kW is known to ~30 %, worse than the tolerance: not compared.
    expect(resumesAtRate(over(3.7, 5), over(3.7, 5), 0.1)).toBe(false);
    // Known to 5 %, needed to keep levels 1.48× apart apart: 0.1 kWh at 3.7 kW takes 33 min of charge.
    expect(resumesAtRate(over(3.7, 15), over(3.7, 15), 0.1)).toBe(false);
    expect(resumesAtRate(over(3.7, 35), over(3.7, 35), 0.1)).toBe(true);
    expect(resumesAtRate({ rate: Number.NaN, spanMs: 0 }, over(7.4), 0.01)).toBe(false); // unknown: not the same
    // joinsSession asks only for pauses between 10 min and 2 h, with nothing else known.
    let asked = 0;
    const ask = () => {
      asked++;
      return true;
    };
    expect(joinsSession(session(), T + HOUR + 5 * MIN, noPlug, Number.NaN, ask)).toBe(true);
    expect(joinsSession(session(), T + 3.5 * HOUR, noPlug, Number.NaN, ask)).toBe(false);
    expect(asked).toBe(0);
    expect(joinsSession(session(), T + 2 * HOUR, noPlug, Number.NaN, ask)).toBe(true);
    expect(asked).toBe(1);
  });

  it('the rate ahead counts intervals that flowed throughout; unknown while the readings end first', () => {
    // 6 kW read every 2 min from T; it stops between T+20 and T+22 (0.1 kWh instead of 0.2).
    const readings = series(T, T + 40 * MIN, 2 * MIN, (t) => {
      const m = (t - T) / MIN;
      return { energyKwh: 100 + Math.min(m, 20) * 0.1 + (m >= 22 ? 0.1 : 0) };
    });
    const ahead = { rateBefore: 6 / HOUR, dataEnds: T + 10 * HOUR };
    const full = meterRateAhead(readings, 0, readings.length, ahead)!;
    expect(full.rate * HOUR).toBeCloseTo(6, 6);
    // Up to a rise that another rise followed, at least 15 min and until one 0.1 kWh step is ≤ 5 % of
    // what was counted (2 kWh: 20 min at 6 kW).
    expect(full.spanMs).toBe(20 * MIN);
    const stops = meterRateAhead(readings.slice(0, 8).concat(readings.slice(11)), 0, 17, ahead)!;
    // Readings lost from T+16 to T+20; it stands from T+22: the rate up to T+14, the last rise another followed.
    expect(stops.rate * HOUR).toBeCloseTo(6, 6);
    expect(stops.spanMs).toBe(14 * MIN);
    expect(full.resolutionKwh).toBe(0.1); // the finest its values show (100.0 alone would say 1 kWh)
    // The window's readings end at T+8: unknown while more may come, measured once the silence is longer
    // than a data gap; a silence inside the readings cuts the window likewise.
    expect(meterRateAhead(readings, 0, 5, { ...ahead, dataEnds: T + 20 * MIN })).toBeNull();
    expect(meterRateAhead(readings, 0, 5, { ...ahead, dataEnds: T + 2 * HOUR })!.spanMs).toBe(6 * MIN);
    const silence = [...readings.slice(0, 5), { t: T + 3 * HOUR, energyKwh: 110 }];
    expect(meterRateAhead(silence, 0, silence.length, ahead)!.spanMs).toBe(6 * MIN);
  });

  it('end to end, meter only: runs chained across a resume decide as one run does, also after a long sleep', () => {
    // 7.4 kW for an hour, 30 min flat, 11 kW for 10 min, then asleep for a day: a run cut a day later
    // must not take the resume for "not known yet" and merge what one run splits.
    const t0 = 3_500 * HOUR;
    const readings: { t: number; energyKwh: number }[] = [];
    let kwh = 1_000;
    for (let m = -30; m <= 1_660; m++) {
      kwh += ((m > 0 && m <= 60 ? 7.4 : m > 90 && m <= 100 ? 11 : 0) * MIN) / HOUR;
      if (m <= 101 || m >= 1_600) readings.push({ t: t0 + m * MIN, energyKwh: Math.round(kwh * 100) / 100 });
    }
    const run = (from: number, to: number) =>
      computeSessions({
        entity: { id: 'ev', type: 'EV', batteryCapacityKwh: null },
        readings,
        window: { from, to },
        locations: [],
        exactLocation: false,
      });
    const end = t0 + 1_700 * MIN;
    const whole = run(t0 - HOUR, end).sessions;
    expect(whole).toHaveLength(2);
    for (const cutHours of [5, 26]) {
      const first = run(t0 - HOUR, t0 + cutHours * HOUR);
      const next = run(first.resumeFrom, end);
      expect([...first.sessions, ...next.sessions], `cut at ${cutHours} h`).toEqual(whole);
    }
  });

  it('end to end, meter only: a tariff pause joins; a charge at another level an hour later does not', () => {
    const t0 = 3_000 * HOUR;
    // 7.4 kW from 1:00 to 2:00, paused for 35 min, 7.4 kW again for an hour; then, after 50 min at rest,
    // 11 kW for 40 min (a drive to another charger the meter cannot see). A 0.01 kWh register every 2 min.
    const rateAt = (t: number) => {
      const h = (t - t0) / HOUR;
      return (h >= 1 && h < 2) || (h >= 2 + 35 / 60 && h < 3 + 35 / 60)
        ? 7.4
        : h >= 4.5 && h < 4.5 + 40 / 60
          ? 11
          : 0;
    };
    let kwh = 12_345;
    const readings = series(t0, t0 + 8 * HOUR, 2 * MIN, (t) => {
      kwh += (rateAt(t - MIN) * 2) / 60;
      return { energyKwh: Math.round(kwh * 100) / 100 };
    });
    const { sessions } = computeSessions({
      entity: { id: 'ev', type: 'EV', batteryCapacityKwh: null },
      readings,
      window: { from: t0, to: t0 + 8 * HOUR },
      locations: [],
      exactLocation: false,
    });
    expect(sessions.map((s) => Math.round(s.energyKwh * 10) / 10)).toEqual([14.8, 7.3]);
  });

  it('unplugged or moved since its last spell: nothing joins it', () => {
    expect(joinsSession(session(), T + HOUR + MIN, { pluggedT: T + HOUR, unpluggedT: T + HOUR })).toBe(false);
    const moved = session();
    moved.moved = true;
    expect(joinsSession(moved, T + HOUR + MIN, { ...noPlug, pluggedT: T + HOUR })).toBe(false);
  });

  it('after its last spell the odometer decides movement when there is one, else the movement stage', () => {
    const withOdo = session();
    withOdo.closeOdo = 1000;
    observeAfterClose(withOdo, 1000, MOVED);
    expect(withOdo).toMatchObject({ moved: false, stationarySeen: true });
    observeAfterClose(withOdo, 1000.1, STILL);
    expect(withOdo.moved).toBe(true);
    const without = session();
    observeAfterClose(without, Number.NaN, UNKNOWN);
    expect(without).toMatchObject({ moved: false, stationarySeen: false });
    observeAfterClose(without, Number.NaN, MOVED);
    expect(without.moved).toBe(true);
  });

  it('complete once ended, or the data reaches more than 2 h past its end, or a day of silence follows', () => {
    const unpluggedT = Number.NEGATIVE_INFINITY;
    expect(isComplete(session(), { lastT: T + 2 * HOUR, to: T + 2 * HOUR, unpluggedT })).toBe(false);
    expect(isComplete(session(), { lastT: T + 3.5 * HOUR, to: T + 3.5 * HOUR, unpluggedT })).toBe(true);
    expect(isComplete(session(), { lastT: T + HOUR, to: T + 26 * HOUR, unpluggedT })).toBe(true);
    expect(isComplete(session(), { lastT: T + HOUR, to: T + HOUR, unpluggedT: T + HOUR })).toBe(true);
  });
});

describe('sessions stage: a new session’s baselines and context', () => {
  const opening = (latest: Latest, drives = new Drives(), stepKm = Number.NaN) =>
    openSession({
      start: T + 2 * MIN,
      kind: POINT,
      anchor: T + 5 * MIN,
      truncated: false,
      at: T,
      previous: { i: 10, on: false, kind: POINT },
      beforePreviousI: 9,
      latest,
      drives,
      stepKm,
    });

  it('opens from the values last read, if fresh (≤ 45 min), and its context is the earliest of them', () => {
    const latest = Object.assign(new Latest(), {
      soc: 40,
      socT: T - 10 * MIN,
      socI: 7,
      rangeKm: 200,
      rangeT: T - 50 * MIN,
      rangeI: 3,
    });
    const session = opening(latest);
    expect(session).toMatchObject({ socOpen: 40, anchor: T + 5 * MIN, contextIndex: 7 });
    expect(session.rangeOpen).toBeNaN(); // 50 min old: no baseline
  });

  it('a SoC read while still driving in the first interval: what the rest of the drive used comes off', () => {
    const latest = Object.assign(new Latest(), {
      soc: 40,
      socT: T,
      socI: 10,
      odometerKm: 120,
      odometerI: 10,
    });
    const drives = Object.assign(new Drives(), { startI: 2, startKm: 100, startSoc: 44 }); // 0.2 % per km
    const session = opening(latest, drives, 5);
    expect(session.pctPerKm).toBeCloseTo(0.2);
    expect(session.socOpen).toBeCloseTo(39);
    expect(session.contextIndex).toBe(2); // the drive's start
  });
});
