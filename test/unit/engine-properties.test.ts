// Properties of the session engine that must hold for any input (fast-check): well-formed sessions that
// never overlap and never carry negative energy; the same output for readings in any order and with
// duplicates; the same sessions (ids and values) whether computed in one run or in many overlapping runs
// chained by resumeFrom; an in-progress session is held back and later emitted whole.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargeSessionId, computeSessions, type DetectedSession } from '../../shared/engine/index.js';
import type { Reading } from '../../shared/readings/model.js';
import { buildAdversaryCorpus } from '../adversary/corpus.js';
import { Rng } from '../simulator/prng.js';
import { PROFILES, type SimulatedEntity, simulateEntity } from '../simulator/simulate.js';
import { HOUR, MIN, series } from '../support/engine.js';

const RUNS = { numRuns: 40 };

/** A few simulated days of one entity of any profile, with its own seed. */
const simulated = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    profile: fc.constantFrom(...PROFILES),
    zone: fc.constantFrom('Europe/Amsterdam', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'),
    days: fc.integer({ min: 2, max: 4 }),
  })
  .map(({ seed, profile, zone, days }) =>
    simulateEntity({
      seed,
      id: `${profile}-${seed}`,
      profile,
      timeZone: zone,
      startDate: [2025, 3, 27],
      days,
    }),
  );

function run(e: SimulatedEntity, readings: readonly Reading[], from: number, to: number) {
  return computeSessions({
    entity: e.entity,
    readings,
    window: { from, to },
    locations: e.locations,
    exactLocation: true,
  });
}

const complete = (e: SimulatedEntity) => e.toMs + 25 * HOUR;

function expectWellFormed(
  entityId: string,
  sessions: readonly DetectedSession[],
  readings: readonly { t: number }[],
) {
  const times = new Set(readings.map((r) => r.t));
  let previousEnd = Number.NEGATIVE_INFINITY;
  const ids = new Set<string>();
  for (const s of sessions) {
    const start = Date.parse(s.start);
    const end = Date.parse(s.end);
    expect(start).toBeLessThanOrEqual(end);
    expect(start).toBeGreaterThanOrEqual(previousEnd); // ordered and never overlapping
    previousEnd = end;
    // Named by the reading that first showed the charge: one of the readings, inside the session.
    const anchor = [...times].find((t) => chargeSessionId(entityId, t) === s.id);
    expect(anchor).toBeDefined();
    expect(anchor!).toBeGreaterThanOrEqual(start);
    expect(ids.has(s.id)).toBe(false);
    ids.add(s.id);
    expect(Number.isFinite(s.energyKwh) && s.energyKwh >= 0).toBe(true);
    expect(Number.isFinite(s.averagePowerKw) && s.averagePowerKw >= 0).toBe(true);
    expect(s.peakPowerKw).toBeGreaterThanOrEqual(s.averagePowerKw * (1 - 1e-9));
    expect(s.chargingSeconds).toBeGreaterThanOrEqual(0);
    expect(s.chargingSeconds).toBeLessThanOrEqual((end - start) / 1000 + 1);
    for (const soc of [s.socStartPercent, s.socEndPercent]) {
      if (soc !== null) expect(soc >= 0 && soc <= 100).toBe(true);
    }
    for (const m of s.locationMatches) expect(m.accuracy > 0 && m.accuracy <= 1).toBe(true);
    expect(s.source).toBe('calculated');
  }
}

/** Runs chained the way the daily job chains them: each from the previous resumeFrom. */
function chained(e: SimulatedEntity, cuts: number[]) {
  const found = new Map<string, DetectedSession>();
  let from = e.fromMs;
  for (const to of [...cuts, complete(e)]) {
    const out = run(e, e.readings, from, to);
    expect(out.resumeFrom).toBeGreaterThanOrEqual(from);
    expect(out.resumeFrom).toBeLessThanOrEqual(to);
    for (const s of out.sessions) {
      const earlier = found.get(s.id);
      if (earlier) expect(s).toEqual(earlier); // re-emitted only identically
      found.set(s.id, s);
    }
    from = out.resumeFrom;
  }
  return [...found.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

describe('engine properties', () => {
  it('emits well-formed sessions that never overlap, with energy ≥ 0 (simulated entities)', () => {
    fc.assert(
      fc.property(simulated, (e) => {
        expectWellFormed(e.entity.id, run(e, e.readings, e.fromMs, complete(e)).sessions, e.readings);
      }),
      RUNS,
    );
  });

  it('never breaks its invariants on arbitrary readings (resets, negative power, noise, gaps)', () => {
    const reading = fc.record(
      {
        dt: fc.integer({ min: 1_000, max: 3 * HOUR }),
        soc: fc.integer({ min: 0, max: 100 }),
        powerKw: fc.double({ min: -50, max: 300, noNaN: true }),
        energyKwh: fc.double({ min: 0, max: 1_000, noNaN: true }),
        isPluggedIn: fc.boolean(),
        isCharging: fc.boolean(),
        odometerKm: fc.integer({ min: 0, max: 20 }),
        lat: fc.double({ min: 52, max: 52.01, noNaN: true }),
        lon: fc.double({ min: 4, max: 4.01, noNaN: true }),
      },
      { requiredKeys: ['dt'] },
    );
    fc.assert(
      fc.property(
        fc.array(reading, { maxLength: 200 }),
        fc.option(fc.integer({ min: 10, max: 120 })),
        (rows, cap) => {
          let t = Date.UTC(2025, 0, 1);
          const readings: Reading[] = rows.map(({ dt, ...fields }) => {
            t += dt;
            return { t, ...fields };
          });
          const out = computeSessions({
            entity: { id: 'fuzz', type: 'EV', batteryCapacityKwh: cap },
            readings,
            window: { from: Date.UTC(2025, 0, 1), to: t + 48 * HOUR },
            locations: [{ id: 'home', label: 'Home', lat: 52.005, lon: 4.005, radiusMeters: 100 }],
            exactLocation: true,
          });
          expectWellFormed('fuzz', out.sessions, readings);
          expect(out.resumeFrom).toBeLessThanOrEqual(t + 48 * HOUR);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same output for readings in any order and with duplicates', () => {
    fc.assert(
      fc.property(simulated, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (e, seed) => {
        const rng = new Rng(seed);
        const shuffled = e.readings.flatMap((r) => (rng.chance(0.05) ? [r, { ...r }] : [r]));
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const ordered = run(e, e.readings, e.fromMs, complete(e));
        expect(run(e, shuffled, e.fromMs, complete(e))).toEqual(ordered);
      }),
      RUNS,
    );
  });

  it('finds the same sessions, ids and values in one run or in many runs chained by resumeFrom', () => {
    fc.assert(
      fc.property(
        simulated,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
        (e, marks) => {
          const cuts = marks.map((m) => Math.floor(e.fromMs + m * (e.toMs - e.fromMs))).sort((a, b) => a - b);
          const batch = run(e, e.readings, e.fromMs, complete(e)).sessions;
          expect(chained(e, cuts)).toEqual(batch);
        },
      ),
      RUNS,
    );
  });

  it('re-running from an earlier resumeFrom (overlapping windows) reproduces the same sessions', () => {
    fc.assert(
      fc.property(simulated, fc.double({ min: 0, max: 1, noNaN: true }), (e, mark) => {
        const batch = run(e, e.readings, e.fromMs, complete(e)).sessions;
        const cut = Math.floor(e.fromMs + mark * (e.toMs - e.fromMs));
        const restart = run(e, e.readings, e.fromMs, cut).resumeFrom;
        // The overlap re-reads what the first run saw after `restart`.
        const again = run(e, e.readings, restart, complete(e)).sessions;
        const byId = new Map(batch.map((s) => [s.id, s]));
        for (const s of again) expect(s).toEqual(byId.get(s.id));
        for (const s of batch) {
          if (Date.parse(s.start) > cut) expect(again).toContainEqual(s);
        }
      }),
      RUNS,
    );
  });

  it('holds back a session in progress at the window end and emits it whole on the next run', () => {
    const withSessions = simulated.filter((e) => e.truth.length > 0);
    fc.assert(
      fc.property(withSessions, fc.nat(), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (e, pick, at) => {
        const truth = e.truth[pick % e.truth.length]!;
        const to = Math.floor(truth.startMs + at * (truth.endMs - truth.startMs));
        const first = run(e, e.readings, e.fromMs, to);
        for (const s of first.sessions) expect(Date.parse(s.end)).toBeLessThan(truth.startMs);
        expect(first.resumeFrom).toBeLessThanOrEqual(truth.startMs);
        const batch = run(e, e.readings, e.fromMs, complete(e)).sessions;
        const whole = batch.filter(
          (s) => Date.parse(s.start) <= truth.endMs && truth.startMs <= Date.parse(s.end),
        );
        const next = run(e, e.readings, first.resumeFrom, complete(e)).sessions;
        for (const s of whole) expect(next).toContainEqual(s);
        // What is shown in progress is the session it becomes, so far: same id, a start that moves no more
        // than the boundary's uncertainty, no more energy.
        if (first.ongoing !== null) {
          const becomes = batch.find((s) => s.id === first.ongoing!.id);
          expect(becomes).toBeDefined();
          const moved = Math.abs(Date.parse(first.ongoing.start) - Date.parse(becomes!.start)) / 1000;
          const uncertainty = Math.max(
            first.ongoing.quality.start.uncertaintySeconds,
            becomes!.quality.start.uncertaintySeconds,
          );
          expect(moved).toBeLessThanOrEqual(uncertainty + 1);
          expect(Date.parse(first.ongoing.end)).toBeLessThanOrEqual(to);
          expect(first.ongoing.energyKwh).toBeLessThanOrEqual(becomes!.energyKwh * 1.02 + 0.05);
        }
      }),
      RUNS,
    );
  });

  it('a session opened after a silence by a side message is not lost when a run resumes there', () => {
    // A car that sends power/meter and flags in one message and its SoC in another, 10 s later, goes to
    // sleep for an hour; the first message after it is the SoC one, then charging starts. A run cut
    // during the charge holds the session back and resumes at its opening reading: that SoC message,
    // which a run starting there cannot judge (no SoC before it), nor the meter reading after it (no
    // meter before it). The next run must still see the charge start inside the window.
    const t0 = 2_000 * HOUR;
    const sideMessages = (readings: Reading[], soc: (t: number) => number) =>
      readings.flatMap((r) => [r, { t: r.t + 10_000, soc: soc(r.t) }]);
    const chargeAt = t0 + 2 * HOUR;
    const soc = (t: number) => Math.floor(50 + Math.max(0, t - chargeAt) / (6 * MIN));
    const energy = (t: number) => 1_000 + (Math.min(Math.max(0, t - chargeAt), 3 * HOUR) / HOUR) * 11;
    const variants: Record<string, (t: number, on: boolean) => Omit<Reading, 't'>> = {
      'power and plug flag': (_, on) => ({ powerKw: on ? 11 : 0, isPluggedIn: on }),
      'meter and plug flag': (t, on) => ({ energyKwh: energy(t), isPluggedIn: on }),
    };
    for (const [name, fields] of Object.entries(variants)) {
      const readings = [
        ...sideMessages(
          series(t0, t0 + HOUR, 2 * MIN, (t) => fields(t, false)),
          soc,
        ),
        { t: chargeAt - 2 * MIN, soc: 50 }, // the first message after an hour asleep
        ...sideMessages(
          series(chargeAt + MIN, chargeAt + 3 * HOUR, 2 * MIN, (t) => fields(t, true)),
          soc,
        ),
        ...series(chargeAt + 3 * HOUR, chargeAt + 6 * HOUR, 5 * MIN, (t) => fields(t, false)),
      ];
      const input = (from: number, to: number) =>
        computeSessions({
          entity: { id: 'ev', type: 'EV', batteryCapacityKwh: 60 },
          readings,
          window: { from, to },
          locations: [],
          exactLocation: false,
        });
      const whole = input(t0, t0 + 12 * HOUR);
      expect(whole.sessions, name).toHaveLength(1);
      const first = input(t0, chargeAt + HOUR);
      expect(first.sessions, name).toEqual([]);
      const next = input(first.resumeFrom, t0 + 12 * HOUR);
      expect(next.skipped, name).toEqual([]);
      expect(next.sessions, name).toEqual(whole.sessions);
    }
  });

  it('chained every 1.7 h or 5.3 h over both fixed adversary corpora, finds what one run finds', () => {
    // The adversary's outages, side messages and sleeping cars put cuts where a hand-built case would
    // not: a session held back at a side message after an hour asleep was skipped by the next run.
    for (const seed of [20251025, 20250101]) {
      for (const car of buildAdversaryCorpus({ seed, carsPerMode: 8, days: 10 })) {
        const input = (window: { from: number; to: number }) =>
          computeSessions({
            entity: car.entity,
            readings: car.readings,
            window,
            locations: car.locations,
            exactLocation: false,
          });
        const whole = input(car.window).sessions;
        for (const stepHours of [1.7, 5.3]) {
          const found = new Map<string, DetectedSession>();
          let from = car.window.from;
          for (let to = from + stepHours * HOUR; ; to += stepHours * HOUR) {
            const out = input({ from, to: Math.min(to, car.window.to) });
            for (const s of out.sessions) found.set(s.id, s);
            from = out.resumeFrom;
            if (to >= car.window.to) break;
          }
          const chainedSessions = [...found.values()].sort(
            (a, b) => Date.parse(a.start) - Date.parse(b.start),
          );
          expect(chainedSessions, `${car.entity.id} every ${stepHours} h`).toEqual(whole);
        }
      }
    }
  });
});
