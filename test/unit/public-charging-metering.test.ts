// Applying a charger's TransactionEvents robustly: twice, late, out of seqNo order (offline: true).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors.js';
import { type SessionInput, transition } from '../../shared/public-charging/lifecycle.js';
import {
  energyFromMeter,
  foldTransactionEvent,
  hasSeenSeqNo,
  recordSeqNo,
  SEQ_WINDOW,
} from '../../shared/public-charging/metering.js';
import type { TransactionEventRequest } from '../../shared/public-charging/ocpp.js';
import type { PublicSessionRecord } from '../../shared/public-charging/session.js';
import { later, MINUTE, sessionIn, TRANSACTION_BEGIN, txEvent } from '../fixtures/ocpp/builders.js';

const ev = (event: TransactionEventRequest): SessionInput => ({ type: 'transaction_event', event });

function apply(record: PublicSessionRecord, event: TransactionEventRequest, now = later(60 * MINUTE)) {
  const result = transition(record, ev(event), now);
  if (result instanceof ApiError) throw result;
  return result;
}

/** A realistic transaction: Started, n Updated with rising registers, Ended repeating Begin and End. */
function transactionEvents(increments: number[], beginWh: number): TransactionEventRequest[] {
  const events = [
    txEvent('Started', 0, { beginWh, chargingState: 'Charging', triggerReason: 'RemoteStart' }),
  ];
  let register = beginWh;
  increments.forEach((increment, i) => {
    register += increment;
    events.push(
      txEvent('Updated', i + 1, {
        wh: register,
        powerW: increment * 60,
        soc: Math.min(100, 20 + i),
        offline: i % 3 === 0,
        ...(i === 0 ? { chargingState: 'SuspendedEV' as const } : {}),
      }),
    );
  });
  const endWh = register + 123;
  events.push(
    txEvent('Ended', increments.length + 1, {
      beginWh,
      endWh,
      stoppedReason: 'EVDisconnected',
      chargingState: 'Idle',
      triggerReason: 'EVDeparted',
      timeSpentCharging: 60 * increments.length,
    }),
  );
  return events;
}

/** Folds the events in `order` (indices, duplicates allowed) into a fresh session, no status logic. */
function foldAll(events: TransactionEventRequest[], order: number[]): PublicSessionRecord {
  return order.reduce(
    (record, i) => foldTransactionEvent(record, events[i] as TransactionEventRequest),
    sessionIn('starting'),
  );
}

const permutationWithDuplicates = (n: number) =>
  fc
    .tuple(
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      fc.array(fc.nat({ max: n - 1 }), { maxLength: n }),
      fc.array(fc.nat(), { maxLength: n }),
    )
    .map(([permutation, duplicates, positions]) => {
      const order = [...permutation];
      duplicates.forEach((d, i) => {
        order.splice((positions[i] ?? 0) % (order.length + 1), 0, d);
      });
      return order;
    });

const scenario = fc
  .record({
    increments: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 12 }),
    beginWh: fc.integer({ min: 0, max: 10_000_000 }),
  })
  .chain(({ increments, beginWh }) =>
    permutationWithDuplicates(increments.length + 2).map((order) => ({ increments, beginWh, order })),
  );

describe('folding TransactionEvents', () => {
  it('gives the same record whatever the order and however many duplicates', () => {
    fc.assert(
      fc.property(scenario, ({ increments, beginWh, order }) => {
        const events = transactionEvents(increments, beginWh);
        const inOrder = foldAll(events, [...events.keys()]);
        const shuffled = foldAll(events, order);
        expect(shuffled).toEqual(inOrder);
        const total = increments.reduce((a, b) => a + b, 0) + 123;
        expect(inOrder).toMatchObject({
          energyWh: total,
          stoppedReason: 'EVDisconnected',
          chargingState: 'Idle',
          chargingStartedAt: TRANSACTION_BEGIN.toISOString(),
          timeSpentChargingSeconds: 60 * increments.length,
          transactionId: 'tx-1',
        });
        expect(inOrder.meter.peakPowerW).toBe(Math.max(...increments) * 60);
      }),
      { seed: 101, numRuns: 300 },
    );
  });

  it('through the state machine: settles on the full energy whatever the order; duplicates change nothing', () => {
    fc.assert(
      fc.property(scenario, ({ increments, beginWh, order }) => {
        const events = transactionEvents(increments, beginWh);
        let record = sessionIn('starting');
        let energy = 0;
        const applied = new Set<number>();
        for (const i of order) {
          const change = apply(record, events[i] as TransactionEventRequest);
          if (applied.has(i)) expect(change.changed).toBe(false);
          applied.add(i);
          expect(change.record.energyWh ?? 0).toBeGreaterThanOrEqual(energy);
          energy = change.record.energyWh ?? 0;
          record = change.record;
        }
        const total = increments.reduce((a, b) => a + b, 0) + 123;
        expect(record).toMatchObject({
          status: 'settling',
          energyWh: total,
          stoppedReason: 'EVDisconnected',
        });
        expect(record.chargingStartedAt).toBe(TRANSACTION_BEGIN.toISOString());
      }),
      { seed: 102, numRuns: 300 },
    );
  });

  it('a late Updated after Ended moves nothing back and lowers nothing', () => {
    const settling = sessionIn('settling');
    const late = apply(
      settling,
      txEvent('Updated', 1, { wh: 3_000, offline: true, chargingState: 'Charging' }),
    );
    expect(late.changed).toBe(false);
    expect(late.record).toBe(settling);
    // Not even a higher late register: once settling, the capture amount must not move.
    expect(apply(settling, txEvent('Updated', 9, { wh: 90_000 })).changed).toBe(false);
    const lateStarted = apply(sessionIn('captured'), txEvent('Started', 0, { beginWh: 0 }));
    expect(lateStarted.changed).toBe(false);
  });

  it('the same event twice: the second changes nothing and returns the same record', () => {
    const charging = sessionIn('charging');
    const event = txEvent('Updated', 7, { wh: 9_000 });
    const first = apply(charging, event);
    expect(first.changed).toBe(true);
    const second = apply(first.record, event);
    expect(second.changed).toBe(false);
    expect(second.record).toBe(first.record);
  });

  it('an out-of-order older event fills in what it knows without undoing newer facts', () => {
    const charging = sessionIn('charging'); // Started (Charging, seqNo 0), Updated 6 000 Wh (seqNo 1)
    const newer = apply(charging, txEvent('Updated', 5, { wh: 9_000, chargingState: 'SuspendedEV' })).record;
    const older = apply(
      newer,
      txEvent('Updated', 3, { wh: 7_000, chargingState: 'Charging', offline: true }),
    ).record;
    expect(older).toMatchObject({ energyWh: 8_000, chargingState: 'SuspendedEV', chargingStateSeqNo: 5 });
    expect(older.seqNos).toEqual({ highest: 5, recent: [0, 1, 3, 5] });
  });
});

describe('energy from registers', () => {
  const meter = (min: number | null, max: number | null, begin: number | null) => ({
    registerMinWh: min,
    registerMaxWh: max,
    registerBeginWh: begin,
    peakPowerW: null,
    socFirst: null,
    socLast: null,
  });
  it('counts from the Transaction.Begin register when known, else from the lowest register seen', () => {
    expect(energyFromMeter(meter(5_000, 9_000, 4_000), null)).toBe(5_000);
    expect(energyFromMeter(meter(5_000, 9_000, null), null)).toBe(4_000);
    expect(energyFromMeter(meter(null, null, null), null)).toBeNull();
  });
  it('never goes below what was already reported, nor below zero', () => {
    expect(energyFromMeter(meter(5_000, 9_000, 8_500), 4_000)).toBe(4_000);
    expect(energyFromMeter(meter(5_000, 5_000, 6_000), null)).toBe(0);
  });
  it('a Begin reading that arrives after the periodic ones raises energy to the true total', () => {
    const starting = sessionIn('starting');
    const updated = apply(starting, txEvent('Updated', 3, { wh: 12_000 })).record;
    expect(updated).toMatchObject({ status: 'charging', energyWh: 0 });
    const begun = apply(updated, txEvent('Started', 0, { beginWh: 10_000 })).record;
    expect(begun.energyWh).toBe(2_000);
    expect(begun.costAmount).toBe(100 + 90);
  });
  it('keeps SoC at the first and last reading by time, whichever came first', () => {
    const charging = sessionIn('charging'); // SoC 40 % at 10:03
    const late = apply(
      charging,
      txEvent('Updated', 4, { soc: 35, at: later(150_000), offline: true }),
    ).record;
    const next = apply(late, txEvent('Updated', 5, { soc: 55, at: later(20 * MINUTE) })).record;
    expect(next.meter.socFirst).toEqual({ at: later(150_000).toISOString(), percent: 35 });
    expect(next.meter.socLast).toEqual({ at: later(20 * MINUTE).toISOString(), percent: 55 });
  });
  it('records when the cable went in and out', () => {
    const charging = sessionIn('charging');
    const plugged = apply(
      charging,
      txEvent('Updated', 4, { triggerReason: 'CablePluggedIn', at: later(90_000) }),
    ).record;
    const gone = apply(
      plugged,
      txEvent('Ended', 9, { triggerReason: 'EVDeparted', at: later(40 * MINUTE), endWh: 9_000 }),
    ).record;
    expect(gone).toMatchObject({
      pluggedInAt: later(90_000).toISOString(),
      unpluggedAt: later(40 * MINUTE).toISOString(),
    });
  });
});

describe('seqNo bookkeeping', () => {
  it('remembers the highest seqNo and every one within the window below it', () => {
    let book = { highest: null as number | null, recent: [] as number[] };
    for (const n of [5, 3, 9, 4, 9]) book = recordSeqNo(book, n);
    expect(book).toEqual({ highest: 9, recent: [3, 4, 5, 9] });
    expect(hasSeenSeqNo(book, 4)).toBe(true);
    expect(hasSeenSeqNo(book, 6)).toBe(false);
    book = recordSeqNo(book, 9 + SEQ_WINDOW);
    expect(book).toEqual({ highest: 9 + SEQ_WINDOW, recent: [9 + SEQ_WINDOW] });
    expect(recordSeqNo(book, 9)).toEqual(book); // too old to remember
  });
  it('stays within the window and detects every duplicate inside it', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 500 }), { maxLength: 200 }), (seqNos) => {
        let book = { highest: null as number | null, recent: [] as number[] };
        for (const n of seqNos) book = recordSeqNo(book, n);
        expect(book.recent.length).toBeLessThanOrEqual(SEQ_WINDOW);
        for (const n of seqNos) {
          if (book.highest !== null && n > book.highest - SEQ_WINDOW)
            expect(hasSeenSeqNo(book, n)).toBe(true);
        }
      }),
      { seed: 103, numRuns: 300 },
    );
  });
  it('an event too old for the window is still applied idempotently', () => {
    let record = sessionIn('charging');
    record = apply(record, txEvent('Updated', 200, { wh: 9_000 })).record;
    const old = txEvent('Updated', 2, { wh: 7_000 });
    const once = apply(record, old);
    // Its register adds nothing to the energy, only a timed sample to the curve a tariff prices (once).
    expect(once.record.energyWh).toBe(record.energyWh);
    expect(once.record.costAmount).toBe(record.costAmount);
    expect(apply(once.record, old).changed).toBe(false);
    // A register below the Begin reading is recorded, but Begin stays the start: energy is unchanged.
    const lower = txEvent('Updated', 3, { wh: 500, offline: true });
    const first = apply(record, lower);
    expect(first.changed).toBe(true);
    expect(first.record.meter.registerMinWh).toBe(500);
    expect(first.record.energyWh).toBe(record.energyWh);
    expect(apply(first.record, lower).changed).toBe(false);
  });
});
