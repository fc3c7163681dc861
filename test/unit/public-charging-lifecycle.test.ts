// The public charging session's state machine: every status × every trigger, run through transition()
// with a real session in that status, against an expectation grid written here independently of the
// table; then the effects, guards, timeouts and invariants one by one.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, ConflictError } from '../../shared/errors.js';
import {
  CREATED_TIMEOUT_MS,
  isSessionTokenLive,
  MAX_CHARGING_DURATION_MS,
  nextTimeout,
  SESSION_TOKEN_RETENTION_MS,
  SESSION_TRIGGERS,
  type SessionChange,
  type SessionInput,
  type SessionTrigger,
  START_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  sessionTokenExpiresAt,
  TRANSITIONS,
  transition,
} from '../../shared/public-charging/lifecycle.js';
import { PUBLIC_SESSION_STATUSES, type PublicSessionStatus } from '../../shared/public-charging/schemas.js';
import type { PublicSessionRecord } from '../../shared/public-charging/session.js';
import {
  charger,
  drive,
  later,
  MINUTE,
  newSession,
  sessionIn,
  statusNotification,
  T0,
  txEvent,
} from '../fixtures/ocpp/builders.js';

const ev = (event: ReturnType<typeof txEvent>): SessionInput => ({ type: 'transaction_event', event });

function ok(result: SessionChange | ApiError): SessionChange {
  if (result instanceof ApiError) throw result;
  return result;
}

/** One representative input per trigger, fitting the record (unseen seqNos, matching ids). */
function inputFor(trigger: SessionTrigger, record: PublicSessionRecord): SessionInput {
  switch (trigger) {
    case 'confirm':
      return { type: 'confirm', paymentAuthorized: true };
    case 'transaction_started':
      return ev(txEvent('Started', 10, { beginWh: 1_000, wh: 1_000 }));
    case 'transaction_updated':
      return ev(txEvent('Updated', 11, { wh: 8_000 }));
    case 'transaction_ended':
      return ev(txEvent('Ended', 12, { beginWh: 1_000, endWh: 12_000, stoppedReason: 'EVDisconnected' }));
    case 'connector_status':
      return { type: 'status_notification', notification: statusNotification('Occupied') };
    case 'connector_down':
      return { type: 'status_notification', notification: statusNotification('Faulted') };
    case 'capture_succeeded':
      return { type: 'capture_succeeded', amountCaptured: record.costAmount ?? 550 };
    default:
      return { type: trigger } as SessionInput;
  }
}

// Columns in SESSION_TRIGGERS order. A status name: moves there. '=': same status, record changed.
// '.': nothing changes, no effects. '.stop' / '.cancel': nothing changes, but the charger is told to
// stop / the payment is cancelled. 'X': 409.
const COLUMNS = [
  'confirm',
  'stop',
  'cancel',
  'transaction_started',
  'transaction_updated',
  'transaction_ended',
  'connector_status',
  'connector_down',
  'remote_start_accepted',
  'remote_start_rejected',
  'payment_authorized',
  'payment_failed',
  'capture_succeeded',
  'capture_failed',
  'created_timeout',
  'start_timeout',
  'stop_timeout',
  'charging_timeout',
  'refund',
  'write_off',
  'review',
  'resolve',
  'retry_capture',
] as const;

// biome-ignore format: the grid reads as a table
const EXPECTED: Record<PublicSessionStatus, string> = {
  //               cnf         stop      cancel     | tx_start  tx_upd    tx_end    c_stat c_down    | rs_ok    rs_rej | pay_ok     pay_fail  cap_ok           cap_fail        | t_created t_start t_stop    t_charging | refund   write_off   review           resolve  retry
  created:         'authorized X         abandoned    .         .         .         .      failed      .        .        authorized =         X                X                 expired   .       .         .          X        X           X                X        X',
  authorized:      '.          X         abandoned    charging  charging  settling  .      failed      starting failed   .          failed    X                X                 .         failed  .         .          X        X           X                X        X',
  starting:        '.          X         abandoned    charging  charging  settling  .      failed      .        .        .          failed    X                X                 .         failed  .         .          X        X           X                X        X',
  charging:        '.          stopping  X            =         =         settling  .      stopping    .        .        .          stopping  X                X                 .         .       .         stopping   X        X           X                X        X',
  stopping:        'X          .         X            =         =         settling  .      .           .        .        .          .         X                X                 .         .       settling  .          X        X           X                X        X',
  settling:        'X          .         X            .         .         .         .      .           .        .        .          .         captured         capture_failed    .         .       .         .          X        X           X                X        X',
  captured:        'X          X         X            .         .         .         .      .           .        .        .          .         .                .                 .         .       .         .          refunded X           requires_review  X        X',
  no_charge:       'X          X         X            .         .         .         .      .           .        .        .          .         X                X                 .         .       .         .          X        X           requires_review  X        X',
  expired:         'X          X         X            .stop     .stop     .         .      .           .        .        .cancel    .         X                X                 .         .       .         .          X        X           X                X        X',
  failed:          'X          X         X            .stop     .stop     .         .      .           .        .        .cancel    .         X                X                 .         .       .         .          X        X           X                X        X',
  abandoned:       'X          X         .            .stop     .stop     .         .      .           .        .        .cancel    .         X                X                 .         .       .         .          X        X           X                X        X',
  capture_failed:  'X          X         X            .         .         .         .      .           .        .        .          .         captured         .                 .         .       .         .          X        written_off requires_review  X        settling',
  requires_review: 'X          X         X            .         .         .         .      .           .        .        .          .         .                .                 .         .       .         .          refunded written_off .                captured X',
  refunded:        'X          X         X            .         .         .         .      .           .        .        .          .         .                .                 .         .       .         .          .        X           X                X        X',
  written_off:     'X          X         X            .         .         .         .      .           .        .        .          .         requires_review  .                 .         .       .         .          X        .           X                X        X',
};

function observed(record: PublicSessionRecord, result: SessionChange | ApiError): string {
  if (result instanceof ApiError) {
    expect(result).toBeInstanceOf(ConflictError);
    expect(result.code).toBe('illegal_transition');
    return 'X';
  }
  if (!result.changed) {
    expect(result.record).toBe(record);
    if (result.effects.length === 0) return '.';
    expect(result.effects).toHaveLength(1);
    return result.effects[0]?.type === 'request_stop_transaction' ? '.stop' : '.cancel';
  }
  expect(result.record.version).toBe(record.version + 1);
  return result.record.status === record.status ? '=' : result.record.status;
}

describe('the transition table', () => {
  it('defines every status × trigger', () => {
    expect(COLUMNS).toEqual(SESSION_TRIGGERS);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...PUBLIC_SESSION_STATUSES].sort());
    for (const status of PUBLIC_SESSION_STATUSES) {
      expect(Object.keys(TRANSITIONS[status]).sort()).toEqual([...SESSION_TRIGGERS].sort());
    }
  });

  // Every timer is due two days after the start, so the grid sees what a due timer does.
  const now = later(2 * 24 * 60 * MINUTE);
  describe.each(PUBLIC_SESSION_STATUSES)('from %s', (status) => {
    const record = sessionIn(status);
    const expected = EXPECTED[status].trim().split(/\s+/) as string[];
    it('has one expectation per trigger', () => expect(expected).toHaveLength(COLUMNS.length));
    it.each(COLUMNS.map((trigger, i) => [trigger, expected[i] as string]))('%s → %s', (trigger, outcome) => {
      expect(observed(record, transition(record, inputFor(trigger, record), now))).toBe(outcome);
    });
  });
});

describe('what transitions set in motion', () => {
  it('confirm with the hold in place authorizes and asks the charger to start', () => {
    const change = ok(transition(newSession(), { type: 'confirm', paymentAuthorized: true }, later(MINUTE)));
    expect(change.record).toMatchObject({ status: 'authorized', authorizedAt: later(MINUTE).toISOString() });
    expect(change.effects).toEqual([
      { type: 'request_start_transaction', sessionId: change.record.id, remoteStartId: 4242, evseId: 1 },
    ]);
  });
  it('confirm without the hold is a 409 payment_not_authorized and changes nothing', () => {
    const result = transition(newSession(), { type: 'confirm', paymentAuthorized: false }, later(MINUTE));
    expect(result).toBeInstanceOf(ConflictError);
    expect((result as ConflictError).code).toBe('payment_not_authorized');
  });
  it('a declined card keeps the session open for another try, and authorization clears the reason', () => {
    const declined = ok(transition(newSession(), { type: 'payment_failed' }, later(MINUTE)));
    expect(declined.record).toMatchObject({ status: 'created', failureReason: 'payment_failed' });
    const paid = ok(transition(declined.record, { type: 'payment_authorized' }, later(2 * MINUTE)));
    expect(paid.record).toMatchObject({ status: 'authorized', failureReason: null });
  });
  it('stop asks the charger to stop the transaction', () => {
    const change = ok(transition(sessionIn('charging'), { type: 'stop' }, later(30 * MINUTE)));
    expect(change.record).toMatchObject({
      status: 'stopping',
      stopCause: 'driver',
      stopRequestedAt: later(30 * MINUTE).toISOString(),
    });
    expect(change.effects).toEqual([{ type: 'request_stop_transaction', transactionId: 'tx-1' }]);
  });
  it('Ended settles: the cost is fixed and captured, the connector is freed, the measured session recorded', () => {
    const settled = sessionIn('settling');
    expect(settled).toMatchObject({
      energyWh: 10_000,
      costAmount: 550,
      stoppedReason: 'Remote',
      completedAt: later(31 * MINUTE).toISOString(),
    });
    const change = ok(
      transition(
        sessionIn('stopping'),
        ev(txEvent('Ended', 2, { beginWh: 1_000, endWh: 11_000 })),
        later(31 * MINUTE),
      ),
    );
    expect(change.effects).toEqual([
      { type: 'capture_payment', paymentId: 'pi_123', amount: 550 },
      { type: 'release_connector', chargerCode: 'AMS-042', connectorId: 1, sessionId: change.record.id },
      { type: 'record_measured_session', sessionId: change.record.id },
    ]);
  });
  it('settling with zero energy becomes no_charge: nothing is captured and the hold is released', () => {
    const change = ok(
      transition(
        sessionIn('stopping'),
        ev(txEvent('Ended', 2, { beginWh: 6_000, endWh: 6_000 })),
        later(31 * MINUTE),
      ),
    );
    // Registers 1 000 → 6 000 were seen before: the Begin reading of 6 000 cannot lower energy (5 kWh).
    expect(change.record.status).toBe('settling');
    const zero = sessionIn('no_charge');
    expect(zero).toMatchObject({
      status: 'no_charge',
      energyWh: 0,
      costAmount: 0,
      stoppedReason: 'EVDisconnected',
    });
    const direct = ok(
      transition(
        sessionIn('starting'),
        ev(txEvent('Ended', 0, { beginWh: 500, endWh: 500, stoppedReason: 'EVDisconnected' })),
        later(4 * MINUTE),
      ),
    );
    expect(direct.record.status).toBe('no_charge');
    expect(direct.effects.map((e) => e.type)).toEqual(['cancel_payment', 'release_connector']);
  });
  it('a successful capture records the amount and its tax portion', () => {
    const captured = sessionIn('captured');
    // 550 incl. 21 % VAT: net 454.545… → 455, tax 95.
    expect(captured).toMatchObject({
      amountCaptured: 550,
      taxAmount: 95,
      capturedAt: later(32 * MINUTE).toISOString(),
    });
    expect(captured.finalizedAt).toBe(later(32 * MINUTE).toISOString());
  });
  it('a capture of another amount than the cost goes to review', () => {
    const change = ok(
      transition(
        sessionIn('settling'),
        { type: 'capture_succeeded', amountCaptured: 500 },
        later(32 * MINUTE),
      ),
    );
    expect(change.record).toMatchObject({ status: 'requires_review', amountCaptured: 500, taxAmount: 87 });
  });
  it('cancel releases the hold and the connector', () => {
    for (const status of ['created', 'authorized', 'starting'] as const) {
      const change = ok(transition(sessionIn(status), { type: 'cancel' }, later(2 * MINUTE)));
      expect(change.record).toMatchObject({ status: 'abandoned', failureReason: 'cancelled_by_driver' });
      expect(change.effects.map((e) => e.type)).toEqual(['cancel_payment', 'release_connector']);
    }
  });
  it('a start that arrives after the session was given up is stopped; a late hold is released', () => {
    const late = transition(
      sessionIn('abandoned'),
      ev(txEvent('Started', 0, { beginWh: 1 })),
      later(5 * MINUTE),
    );
    expect(ok(late).effects).toEqual([{ type: 'request_stop_transaction', transactionId: 'tx-1' }]);
    const hold = transition(sessionIn('expired'), { type: 'payment_authorized' }, later(12 * MINUTE));
    expect(ok(hold).effects).toEqual([{ type: 'cancel_payment', paymentId: 'pi_123' }]);
  });
  it('the charger refusing the start fails the session and releases the hold', () => {
    const change = ok(
      transition(sessionIn('authorized'), { type: 'remote_start_rejected' }, later(2 * MINUTE)),
    );
    expect(change.record).toMatchObject({ status: 'failed', failureReason: 'start_rejected' });
    expect(change.effects.map((e) => e.type)).toEqual(['cancel_payment', 'release_connector']);
  });
  it('a faulted connector fails a session that has not started and stops one that has', () => {
    const down = { type: 'status_notification', notification: statusNotification('Unavailable') } as const;
    expect(ok(transition(sessionIn('starting'), down, later(3 * MINUTE))).record).toMatchObject({
      status: 'failed',
      failureReason: 'connector_unavailable',
    });
    expect(ok(transition(sessionIn('charging'), down, later(10 * MINUTE))).record).toMatchObject({
      status: 'stopping',
      stopCause: 'connector_down',
    });
  });
  it('refund returns what was captured', () => {
    const change = ok(transition(sessionIn('captured'), { type: 'refund' }, later(60 * MINUTE)));
    expect(change.record).toMatchObject({ status: 'refunded', amountRefunded: 550 });
    expect(change.effects).toEqual([
      { type: 'refund_payment', paymentId: 'pi_123', amount: 550 },
      { type: 'record_measured_session', sessionId: change.record.id },
    ]);
  });
  it('a failed capture can be retried by an operator, also from review, and resolves by what money says', () => {
    const failed = sessionIn('capture_failed');
    expect(failed.failureReason).toBe('capture_failed');
    const retried = ok(transition(failed, { type: 'retry_capture' }, later(2 * 60 * MINUTE)));
    expect(retried.record.status).toBe('settling');
    expect(retried.effects[0]).toEqual({ type: 'capture_payment', paymentId: 'pi_123', amount: 550 });
    const reviewed = drive(failed, [[{ type: 'review' }, later(2 * 60 * MINUTE)]]);
    expect(ok(transition(reviewed, { type: 'resolve' }, later(3 * 60 * MINUTE))).record.status).toBe(
      'capture_failed',
    );
    expect(ok(transition(reviewed, { type: 'retry_capture' }, later(3 * 60 * MINUTE))).record.status).toBe(
      'settling',
    );
    const refund = transition(reviewed, { type: 'refund' }, later(3 * 60 * MINUTE));
    expect((refund as ConflictError).code).toBe('illegal_transition');
    const recaptured = ok(
      transition(failed, { type: 'capture_succeeded', amountCaptured: 550 }, later(3 * 60 * MINUTE)),
    );
    expect(recaptured.record).toMatchObject({ status: 'captured', failureReason: null, amountCaptured: 550 });
  });
  it('a no_charge review resolves back to no_charge and cannot be refunded', () => {
    const reviewed = drive(sessionIn('no_charge'), [[{ type: 'review' }, later(60 * MINUTE)]]);
    expect(ok(transition(reviewed, { type: 'resolve' }, later(61 * MINUTE))).record.status).toBe('no_charge');
    expect(transition(reviewed, { type: 'refund' }, later(61 * MINUTE))).toBeInstanceOf(ConflictError);
    expect(transition(reviewed, { type: 'retry_capture' }, later(61 * MINUTE))).toBeInstanceOf(ConflictError);
  });
  it('a refused command says which status and trigger', () => {
    const result = transition(sessionIn('charging'), { type: 'cancel' }, later(10 * MINUTE));
    expect(result).toBeInstanceOf(ConflictError);
    expect((result as ConflictError).extensions).toEqual({ sessionStatus: 'charging', trigger: 'cancel' });
    expect((result as ConflictError).status).toBe(409);
  });
});

describe('the hold', () => {
  it('when the running cost reaches the hold the session is stopped and the cost capped', () => {
    const small = charger({ holdAmount: 1_000 }); // 100 + 45/kWh: the hold is reached at 20 kWh
    const charging = sessionIn('charging', small);
    const below = ok(transition(charging, ev(txEvent('Updated', 5, { wh: 20_000 })), later(40 * MINUTE)));
    expect(below.record).toMatchObject({ status: 'charging', energyWh: 19_000, costAmount: 955 });
    const reached = ok(
      transition(below.record, ev(txEvent('Updated', 6, { wh: 21_500 })), later(41 * MINUTE)),
    );
    expect(reached.record).toMatchObject({
      status: 'stopping',
      stopCause: 'hold_reached',
      energyWh: 20_500,
      costAmount: 1_000,
    });
    expect(reached.effects).toEqual([{ type: 'request_stop_transaction', transactionId: 'tx-1' }]);
    const ended = ok(
      transition(
        reached.record,
        ev(txEvent('Ended', 7, { beginWh: 1_000, endWh: 22_000 })),
        later(42 * MINUTE),
      ),
    );
    expect(ended.record).toMatchObject({ status: 'settling', energyWh: 21_000, costAmount: 1_000 });
  });
});

describe('timeouts', () => {
  it('each open status has one pending timeout with its documented delay', () => {
    const due = (status: PublicSessionStatus) => nextTimeout(sessionIn(status));
    expect(due('created')).toEqual({
      trigger: 'created_timeout',
      dueAt: later(CREATED_TIMEOUT_MS).toISOString(),
    });
    expect(due('authorized')).toEqual({
      trigger: 'start_timeout',
      dueAt: later(MINUTE + START_TIMEOUT_MS).toISOString(),
    });
    expect(due('starting')).toEqual({
      trigger: 'start_timeout',
      dueAt: later(MINUTE + START_TIMEOUT_MS).toISOString(),
    });
    expect(due('charging')).toEqual({
      trigger: 'charging_timeout',
      dueAt: later(2 * MINUTE + MAX_CHARGING_DURATION_MS).toISOString(),
    });
    expect(due('stopping')).toEqual({
      trigger: 'stop_timeout',
      dueAt: later(30 * MINUTE + STOP_TIMEOUT_MS).toISOString(),
    });
    for (const status of ['settling', 'captured', 'no_charge', 'expired', 'capture_failed'] as const) {
      expect(due(status)).toBeNull();
    }
  });
  it('a timer that fires early changes nothing; on time it acts', () => {
    const created = newSession();
    expect(ok(transition(created, { type: 'created_timeout' }, later(CREATED_TIMEOUT_MS - 1))).changed).toBe(
      false,
    );
    const expired = ok(transition(created, { type: 'created_timeout' }, later(CREATED_TIMEOUT_MS)));
    expect(expired.record).toMatchObject({ status: 'expired', failureReason: 'payment_timeout' });
    expect(expired.effects.map((e) => e.type)).toEqual(['cancel_payment', 'release_connector']);
    const starting = sessionIn('starting');
    expect(
      ok(transition(starting, { type: 'start_timeout' }, later(MINUTE + START_TIMEOUT_MS - 1))).changed,
    ).toBe(false);
    expect(
      ok(transition(starting, { type: 'start_timeout' }, later(MINUTE + START_TIMEOUT_MS))).record,
    ).toMatchObject({
      status: 'failed',
      failureReason: 'start_timeout',
    });
  });
  it('a charger that never confirms the stop is settled on its last reading', () => {
    const stopping = sessionIn('stopping');
    const settled = ok(transition(stopping, { type: 'stop_timeout' }, later(30 * MINUTE + STOP_TIMEOUT_MS)));
    expect(settled.record).toMatchObject({
      status: 'settling',
      energyWh: 5_000,
      costAmount: 325,
      completedAt: later(30 * MINUTE + STOP_TIMEOUT_MS).toISOString(),
    });
    expect(settled.effects[0]).toEqual({ type: 'capture_payment', paymentId: 'pi_123', amount: 325 });
  });
  it('a session charging past the maximum duration is stopped', () => {
    const change = ok(
      transition(
        sessionIn('charging'),
        { type: 'charging_timeout' },
        later(2 * MINUTE + MAX_CHARGING_DURATION_MS),
      ),
    );
    expect(change.record).toMatchObject({ status: 'stopping', stopCause: 'max_duration' });
  });
  it("the token works until the retention after the session's final status", () => {
    expect(sessionTokenExpiresAt(sessionIn('charging'))).toBeNull();
    expect(isSessionTokenLive(sessionIn('charging'), later(365 * 24 * 60 * MINUTE))).toBe(true);
    const captured = sessionIn('captured');
    const finalAt = Date.parse(captured.finalizedAt as string);
    expect(sessionTokenExpiresAt(captured)).toBe(
      new Date(finalAt + SESSION_TOKEN_RETENTION_MS).toISOString(),
    );
    expect(isSessionTokenLive(captured, new Date(finalAt + SESSION_TOKEN_RETENTION_MS - 1))).toBe(true);
    expect(isSessionTokenLive(captured, new Date(finalAt + SESSION_TOKEN_RETENTION_MS))).toBe(false);
  });
});

describe('charger messages for someone else', () => {
  it('an event of another transaction is a 409 transaction_mismatch, whatever the status', () => {
    for (const status of ['charging', 'settling', 'abandoned'] as const) {
      const result = transition(
        sessionIn(status),
        ev(txEvent('Updated', 9, { wh: 1, transactionId: 'tx-other' })),
        later(5 * MINUTE),
      );
      if (status === 'abandoned') {
        // No transaction was linked before it was abandoned: an unnamed start is matched by remoteStartId.
        const other = transition(
          sessionIn(status),
          ev(txEvent('Started', 0, { remoteStartId: 1 })),
          later(5 * MINUTE),
        );
        expect((other as ConflictError).code).toBe('transaction_mismatch');
      } else {
        expect((result as ConflictError).code).toBe('transaction_mismatch');
      }
    }
  });
  it('an event on another EVSE, or a status of another connector, is a 409 too', () => {
    const wrongEvse = transition(
      sessionIn('charging'),
      ev(txEvent('Updated', 9, { wh: 1, evse: { id: 2 } })),
      later(5 * MINUTE),
    );
    expect((wrongEvse as ConflictError).code).toBe('transaction_mismatch');
    const wrongConnector = transition(
      sessionIn('charging'),
      { type: 'status_notification', notification: statusNotification('Faulted', later(5 * MINUTE), 2, 1) },
      later(5 * MINUTE),
    );
    expect((wrongConnector as ConflictError).code).toBe('transaction_mismatch');
  });
});

// ---------------------------------------------------------------------------------------------------
// Invariants over random input sequences

// Weighted towards the happy path (confirm, charger events) so sequences reach charging and beyond.
const anyInput: fc.Arbitrary<SessionInput> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<SessionInput>({ type: 'confirm', paymentAuthorized: true }) },
  fc.constantFrom<SessionInput>(
    { type: 'confirm', paymentAuthorized: false },
    { type: 'stop' },
    { type: 'cancel' },
    { type: 'remote_start_accepted' },
    { type: 'remote_start_rejected' },
    { type: 'payment_authorized' },
    { type: 'payment_failed' },
    { type: 'capture_failed' },
    { type: 'created_timeout' },
    { type: 'start_timeout' },
    { type: 'stop_timeout' },
    { type: 'charging_timeout' },
    { type: 'refund' },
    { type: 'write_off' },
    { type: 'review' },
    { type: 'resolve' },
    { type: 'retry_capture' },
  ),
  // -1 stands for "exactly the session's cost" (resolved below), the usual capture.
  fc
    .oneof(fc.constant(-1), fc.integer({ min: 0, max: 3000 }))
    .map((amount): SessionInput => ({ type: 'capture_succeeded', amountCaptured: amount })),
  fc.constantFrom('Available', 'Occupied', 'Faulted', 'Unavailable', 'Reserved').map(
    (s): SessionInput => ({
      type: 'status_notification',
      notification: statusNotification(s as 'Occupied'),
    }),
  ),
  {
    weight: 6,
    arbitrary: fc
      .record({
        type: fc.constantFrom('Started', 'Updated', 'Updated', 'Ended'),
        seqNo: fc.integer({ min: 0, max: 40 }),
        wh: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 150_000 })),
      })
      .map(
        ({ type, seqNo, wh }): SessionInput =>
          ev(
            txEvent(type as 'Updated', seqNo, {
              wh: 1_000 + wh,
              beginWh: type === 'Updated' ? undefined : 1_000,
            }),
          ),
      ),
  },
);

const BEFORE_METERING: ReadonlySet<PublicSessionStatus> = new Set(['created', 'authorized', 'starting']);
const METERING: ReadonlySet<PublicSessionStatus> = new Set(['charging', 'stopping']);

describe('invariants over random sequences of inputs', () => {
  it('version, energy, status order, cost cap, and idempotence hold after every step', () => {
    const reached = new Set<PublicSessionStatus>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyInput, fc.integer({ min: 0, max: 30 * MINUTE })), { maxLength: 40 }),
        (steps) => {
          let record = newSession();
          let clock = T0.getTime();
          let leftMetering = false;
          for (const [step, advance] of steps) {
            const input: SessionInput =
              step.type === 'capture_succeeded' && step.amountCaptured === -1
                ? { type: 'capture_succeeded', amountCaptured: record.costAmount ?? 0 }
                : step;
            clock += advance;
            const now = new Date(clock);
            const result = transition(record, input, now);
            if (result instanceof ApiError) {
              expect(result.status).toBe(409);
              continue;
            }
            if (!result.changed) {
              expect(result.record).toBe(record);
            } else {
              const next = result.record;
              expect(next.version).toBe(record.version + 1);
              expect(next.updatedAt).toBe(now.toISOString());
              // Energy never decreases; once charging is over it is frozen.
              expect(next.energyWh ?? 0).toBeGreaterThanOrEqual(record.energyWh ?? 0);
              if (leftMetering) expect(next.energyWh).toBe(record.energyWh);
              // No way back: never to created, never from charging-or-later back before charging.
              expect(next.status === 'created' && record.status !== 'created').toBe(false);
              if (!BEFORE_METERING.has(record.status)) expect(BEFORE_METERING.has(next.status)).toBe(false);
              if (!BEFORE_METERING.has(record.status) && !METERING.has(record.status)) {
                expect(METERING.has(next.status)).toBe(false);
              }
              if (next.costAmount !== null)
                expect(next.costAmount).toBeLessThanOrEqual(next.amountAuthorized);
              if (record.stoppedReason !== null) expect(next.stoppedReason).toBe(record.stoppedReason);
              record = next;
              reached.add(next.status);
            }
            if (!BEFORE_METERING.has(record.status) && !METERING.has(record.status)) leftMetering = true;
            // The same input again changes nothing (or is refused).
            const again = transition(record, input, now);
            if (!(again instanceof ApiError)) expect(again.changed).toBe(false);
          }
        },
      ),
      { seed: 20250301, numRuns: 400 },
    );
    // The sequences must get past charging, or the invariants above would be checked on little.
    for (const status of [
      'charging',
      'stopping',
      'settling',
      'captured',
      'no_charge',
      'requires_review',
    ] as const) {
      expect(reached).toContain(status);
    }
  });
});
