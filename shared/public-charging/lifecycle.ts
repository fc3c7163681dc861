// The public charging session's state machine. One pure function, transition(record, input, now), takes
// every driver command, charger message, system event and operator action and answers the new record
// (version + 1) with the side effects to carry out, the same record unchanged, or the ApiError (409) to
// return — so storage applies it with one write conditioned on the version it read.
//
// What may happen in which status is data: TRANSITIONS[status][trigger]. Driver commands, operator
// actions and capture results that make no sense are refused (409 illegal_transition). Charger messages,
// payment webhooks and timers are facts that arrive late, twice or out of order, so where they no longer
// matter they are ignored rather than refused.

import { type ApiError, ConflictError } from '../errors.js';
import type { DomainEvent } from '../webhooks/events.js';
import { foldTransactionEvent, hasSeenSeqNo, transactionMismatch } from './metering.js';
import type { StatusNotificationRequest, TransactionEventRequest } from './ocpp.js';
import { capturedTax, chargedAmount, priceCharging, pricedUntil } from './pricing.js';
import type { FailureReason, PublicSessionStatus } from './schemas.js';
import type { PublicSessionRecord, StopCause } from './session.js';

// ---------------------------------------------------------------------------------------------------
// Timeouts

/**
 * `created` → `expired`. A driver standing at the charger pays within a few minutes, 3-D Secure and app
 * switching included; 10 minutes covers that while freeing a connector held by a walk-away quickly.
 */
export const CREATED_TIMEOUT_MS = 10 * 60_000;
/**
 * `authorized`/`starting` → `failed`, counted from authorization. Chargers answer RequestStartTransaction
 * in seconds and wait 1–3 minutes (EVConnectionTimeOut) for a cable; 5 minutes covers both plus a slow
 * uplink, and then the hold is released rather than kept for a start that is not coming.
 */
export const START_TIMEOUT_MS = 5 * 60_000;
/**
 * `stopping` → `settling` on the last metered energy when the charger never confirms the stop. Chargers
 * end a transaction within seconds of RequestStopTransaction; 15 minutes allows for one reconnect of an
 * offline charger. Settling on the last reading can only undercharge, never overcharge.
 */
export const STOP_TIMEOUT_MS = 15 * 60_000;
/**
 * `charging` → `stopping`. The slowest real case, a 100 kWh battery on 7.4 kW single-phase AC, takes
 * ~14 h; 24 h covers every full charge and still captures well inside a card hold's 7-day validity.
 */
export const MAX_CHARGING_DURATION_MS = 24 * 3_600_000;
/**
 * How long a finished session's token keeps working (GET answers 404 after it): long enough to look at
 * a receipt or dispute a charge, short enough that old tokens stop being credentials. Also the TTL of
 * the stored session.
 */
export const SESSION_TOKEN_RETENTION_MS = 30 * 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Triggers and inputs

export const DRIVER_TRIGGERS = ['confirm', 'stop', 'cancel'] as const;
export const CHARGER_TRIGGERS = [
  'transaction_started',
  'transaction_updated',
  'transaction_ended',
  'connector_status',
  'connector_down',
  'remote_start_accepted',
  'remote_start_rejected',
] as const;
export const SYSTEM_TRIGGERS = [
  'payment_authorized',
  'payment_failed',
  'capture_succeeded',
  'capture_failed',
  'created_timeout',
  'start_timeout',
  'stop_timeout',
  'charging_timeout',
] as const;
export const OPERATOR_TRIGGERS = ['refund', 'write_off', 'review', 'resolve', 'retry_capture'] as const;
export const SESSION_TRIGGERS = [
  ...DRIVER_TRIGGERS,
  ...CHARGER_TRIGGERS,
  ...SYSTEM_TRIGGERS,
  ...OPERATOR_TRIGGERS,
];
export type SessionTrigger =
  | (typeof DRIVER_TRIGGERS)[number]
  | (typeof CHARGER_TRIGGERS)[number]
  | (typeof SYSTEM_TRIGGERS)[number]
  | (typeof OPERATOR_TRIGGERS)[number];

export type TimeoutTrigger = 'created_timeout' | 'start_timeout' | 'stop_timeout' | 'charging_timeout';

export type SessionInput =
  /** The driver says the payment is done; the caller asked the provider whether the hold is in place. */
  | { type: 'confirm'; paymentAuthorized: boolean }
  | { type: 'stop' }
  | { type: 'cancel' }
  | { type: 'transaction_event'; event: TransactionEventRequest }
  | { type: 'status_notification'; notification: StatusNotificationRequest }
  /** The charger's answer to RequestStartTransaction. */
  | { type: 'remote_start_accepted' }
  | { type: 'remote_start_rejected' }
  | { type: 'payment_authorized' }
  | { type: 'payment_failed' }
  | { type: 'capture_succeeded'; amountCaptured: number }
  | { type: 'capture_failed' }
  | { type: TimeoutTrigger }
  | { type: 'refund' }
  | { type: 'write_off' }
  | { type: 'review' }
  | { type: 'resolve' }
  | { type: 'retry_capture' };

/** The table's trigger for an input: charger messages split by what they say. */
export function triggerOf(input: SessionInput): SessionTrigger {
  switch (input.type) {
    case 'transaction_event':
      return input.event.eventType === 'Started'
        ? 'transaction_started'
        : input.event.eventType === 'Updated'
          ? 'transaction_updated'
          : 'transaction_ended';
    case 'status_notification':
      return input.notification.connectorStatus === 'Faulted' ||
        input.notification.connectorStatus === 'Unavailable'
        ? 'connector_down'
        : 'connector_status';
    default:
      return input.type;
  }
}

// ---------------------------------------------------------------------------------------------------
// The table

export type Outcome =
  /** 409 illegal_transition. */
  | { kind: 'reject' }
  /** Nothing changes; `effects` still run (e.g. stop a transaction the charger started too late). */
  | { kind: 'ignore'; effects?: readonly ('request_stop_transaction' | 'cancel_payment')[] }
  /**
   * The input's data is applied and the status moves to `to` (stays when absent), with these data rules:
   * ifNoEnergy — the session delivered no energy: go there instead (settling → no_charge);
   * ifHoldReached — the uncapped cost reached the hold: go there instead (charging → stopping);
   * ifAmountMismatch — the provider captured another amount than the cost: go there instead;
   * guard — refuse (409) unless the record allows it.
   */
  | {
      kind: 'apply';
      to?: PublicSessionStatus | 'settled';
      ifNoEnergy?: PublicSessionStatus;
      ifHoldReached?: PublicSessionStatus;
      ifAmountMismatch?: PublicSessionStatus;
      failureReason?: FailureReason;
      stopCause?: StopCause;
      guard?: 'has_capture' | 'capturable';
    };

const reject: Outcome = { kind: 'reject' };
const ignore: Outcome = { kind: 'ignore' };
const stay: Outcome = { kind: 'apply' };
const go = (
  to: PublicSessionStatus | 'settled',
  rules: Omit<Extract<Outcome, { kind: 'apply' }>, 'kind' | 'to'> = {},
): Outcome => ({
  kind: 'apply',
  to,
  ...rules,
});

/** What every status does with a trigger it does not list. */
const DEFAULTS: Record<SessionTrigger, Outcome> = {
  confirm: reject,
  stop: reject,
  cancel: reject,
  transaction_started: ignore,
  transaction_updated: ignore,
  transaction_ended: ignore,
  connector_status: ignore,
  connector_down: ignore,
  remote_start_accepted: ignore,
  remote_start_rejected: ignore,
  payment_authorized: ignore,
  payment_failed: ignore,
  capture_succeeded: reject,
  capture_failed: reject,
  created_timeout: ignore,
  start_timeout: ignore,
  stop_timeout: ignore,
  charging_timeout: ignore,
  refund: reject,
  write_off: reject,
  review: reject,
  resolve: reject,
  retry_capture: reject,
};

const settle = go('settling', { ifNoEnergy: 'no_charge' });
const beginCharging = go('charging', { ifHoldReached: 'stopping', stopCause: 'hold_reached' });
const cancelled = go('abandoned', { failureReason: 'cancelled_by_driver' });
const lateStart: Outcome = { kind: 'ignore', effects: ['request_stop_transaction'] };
const lateHold: Outcome = { kind: 'ignore', effects: ['cancel_payment'] };

/** Before the charger started: the same rules in `authorized` and `starting`. */
const beforeCharging: Partial<Record<SessionTrigger, Outcome>> = {
  confirm: ignore,
  cancel: cancelled,
  transaction_started: beginCharging,
  transaction_updated: beginCharging,
  transaction_ended: settle,
  connector_down: go('failed', { failureReason: 'connector_unavailable' }),
  payment_failed: go('failed', { failureReason: 'payment_failed' }),
  start_timeout: go('failed', { failureReason: 'start_timeout' }),
};

/** Gave up before charging: a start that comes anyway is stopped, a hold that comes anyway is released. */
const gaveUp: Partial<Record<SessionTrigger, Outcome>> = {
  transaction_started: lateStart,
  transaction_updated: lateStart,
  payment_authorized: lateHold,
};

const OVERRIDES: Record<PublicSessionStatus, Partial<Record<SessionTrigger, Outcome>>> = {
  created: {
    confirm: go('authorized'),
    cancel: cancelled,
    payment_authorized: go('authorized'),
    // A declined card can be retried in the app until the session expires.
    payment_failed: { kind: 'apply', failureReason: 'payment_failed' },
    connector_down: go('failed', { failureReason: 'connector_unavailable' }),
    created_timeout: go('expired', { failureReason: 'payment_timeout' }),
  },
  authorized: {
    ...beforeCharging,
    remote_start_accepted: go('starting'),
    remote_start_rejected: go('failed', { failureReason: 'start_rejected' }),
  },
  starting: { ...beforeCharging },
  charging: {
    confirm: ignore,
    stop: go('stopping', { stopCause: 'driver' }),
    transaction_started: { kind: 'apply', ifHoldReached: 'stopping', stopCause: 'hold_reached' },
    transaction_updated: { kind: 'apply', ifHoldReached: 'stopping', stopCause: 'hold_reached' },
    transaction_ended: settle,
    connector_down: go('stopping', { stopCause: 'connector_down' }),
    payment_failed: go('stopping', { stopCause: 'payment_failed' }),
    charging_timeout: go('stopping', { stopCause: 'max_duration' }),
  },
  stopping: {
    stop: ignore,
    transaction_started: stay,
    transaction_updated: stay,
    transaction_ended: settle,
    stop_timeout: settle,
  },
  settling: {
    stop: ignore,
    capture_succeeded: go('captured', { ifAmountMismatch: 'requires_review' }),
    capture_failed: go('capture_failed', { failureReason: 'capture_failed' }),
  },
  captured: {
    capture_succeeded: ignore,
    capture_failed: ignore,
    refund: go('refunded', { guard: 'has_capture' }),
    review: go('requires_review'),
  },
  no_charge: { review: go('requires_review') },
  expired: { ...gaveUp },
  failed: { ...gaveUp },
  abandoned: { ...gaveUp, cancel: ignore },
  capture_failed: {
    capture_succeeded: go('captured', { ifAmountMismatch: 'requires_review' }),
    capture_failed: ignore,
    retry_capture: go('settling', { guard: 'capturable' }),
    write_off: go('written_off'),
    review: go('requires_review'),
  },
  requires_review: {
    capture_succeeded: stay,
    capture_failed: ignore,
    refund: go('refunded', { guard: 'has_capture' }),
    write_off: go('written_off'),
    review: ignore,
    resolve: go('settled'),
    retry_capture: go('settling', { guard: 'capturable' }),
  },
  refunded: { refund: ignore, capture_succeeded: ignore, capture_failed: ignore },
  // Money that arrives after a write-off needs a person.
  written_off: { write_off: ignore, capture_succeeded: go('requires_review'), capture_failed: ignore },
};

/** The transition table: every status × every trigger. */
export const TRANSITIONS: Readonly<Record<PublicSessionStatus, Readonly<Record<SessionTrigger, Outcome>>>> =
  Object.fromEntries(
    Object.entries(OVERRIDES).map(([status, overrides]) => [status, { ...DEFAULTS, ...overrides }]),
  ) as Record<PublicSessionStatus, Record<SessionTrigger, Outcome>>;

// ---------------------------------------------------------------------------------------------------
// Status classes and effects

/** Statuses in which the session holds its connector (no other session may start on it). */
export const CONNECTOR_HOLDING_STATUSES: ReadonlySet<PublicSessionStatus> = new Set([
  'created',
  'authorized',
  'starting',
  'charging',
  'stopping',
]);
/** Nothing more happens for the driver; the token's retention starts. */
export const FINAL_STATUSES: ReadonlySet<PublicSessionStatus> = new Set([
  'captured',
  'no_charge',
  'expired',
  'failed',
  'abandoned',
  'refunded',
  'written_off',
]);
/** Charging is over and energy is final: the measured charge session can be recorded (if energy > 0). */
export const MEASURED_STATUSES: ReadonlySet<PublicSessionStatus> = new Set([
  'settling',
  'captured',
  'capture_failed',
  'requires_review',
  'refunded',
  'written_off',
]);

export type SessionEffect =
  | { type: 'request_start_transaction'; sessionId: string; remoteStartId: number; evseId: number }
  | { type: 'request_stop_transaction'; transactionId: string }
  | { type: 'cancel_payment'; paymentId: string }
  | { type: 'capture_payment'; paymentId: string; amount: number }
  | { type: 'refund_payment'; paymentId: string; amount: number }
  | { type: 'release_connector'; chargerCode: string; connectorId: number; sessionId: string }
  | { type: 'record_measured_session'; sessionId: string }
  /** A status change's webhook event, stored with the change it reports (shared/public-sessions/engine.ts). */
  | { type: 'record_webhook_event'; event: DomainEvent };

/** What entering a status sets in motion (idempotent at the provider and charger, so safe to repeat). */
const ENTRY_EFFECTS: Partial<Record<PublicSessionStatus, SessionEffect['type']>> = {
  authorized: 'request_start_transaction',
  stopping: 'request_stop_transaction',
  settling: 'capture_payment',
  no_charge: 'cancel_payment',
  expired: 'cancel_payment',
  abandoned: 'cancel_payment',
  failed: 'cancel_payment',
  written_off: 'cancel_payment',
  refunded: 'refund_payment',
};

function effect(
  type: SessionEffect['type'],
  record: PublicSessionRecord,
  transactionId: string | null,
): SessionEffect | null {
  switch (type) {
    case 'request_start_transaction':
      return { type, sessionId: record.id, remoteStartId: record.remoteStartId, evseId: record.evseId };
    case 'request_stop_transaction':
      // Without a transaction id there is nothing to stop yet; a late start is stopped when it arrives.
      return transactionId === null ? null : { type, transactionId };
    case 'cancel_payment':
      return { type, paymentId: record.payment.paymentId };
    case 'capture_payment':
      return { type, paymentId: record.payment.paymentId, amount: record.costAmount ?? 0 };
    case 'refund_payment':
      return { type, paymentId: record.payment.paymentId, amount: record.amountCaptured ?? 0 };
    case 'release_connector':
      return { type, chargerCode: record.chargerCode, connectorId: record.connectorId, sessionId: record.id };
    case 'record_measured_session':
      return { type, sessionId: record.id };
    case 'record_webhook_event':
      // Not an entry effect: the engine adds it to any status change (shared/public-sessions/engine.ts).
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Timeouts as data for the scheduler

/** The one timeout pending in the record's status, and when it falls due; null when none. */
export function nextTimeout(record: PublicSessionRecord): { trigger: TimeoutTrigger; dueAt: string } | null {
  const after = (from: string, ms: number) => new Date(Date.parse(from) + ms).toISOString();
  switch (record.status) {
    case 'created':
      return { trigger: 'created_timeout', dueAt: after(record.createdAt, CREATED_TIMEOUT_MS) };
    case 'authorized':
    case 'starting':
      return {
        trigger: 'start_timeout',
        dueAt: after(record.authorizedAt ?? record.statusChangedAt, START_TIMEOUT_MS),
      };
    case 'charging':
      return { trigger: 'charging_timeout', dueAt: after(record.statusChangedAt, MAX_CHARGING_DURATION_MS) };
    case 'stopping':
      return { trigger: 'stop_timeout', dueAt: after(record.statusChangedAt, STOP_TIMEOUT_MS) };
    default:
      return null;
  }
}

/** When the session's token stops working (and the stored session may go): null while not final. */
export function sessionTokenExpiresAt(record: PublicSessionRecord): string | null {
  if (record.finalizedAt === null || !FINAL_STATUSES.has(record.status)) return null;
  return new Date(Date.parse(record.finalizedAt) + SESSION_TOKEN_RETENTION_MS).toISOString();
}

/** GET by token answers 404 once this is false ("unknown or expired"). */
export function isSessionTokenLive(record: PublicSessionRecord, now: Date): boolean {
  const expiresAt = sessionTokenExpiresAt(record);
  return expiresAt === null || now.getTime() < Date.parse(expiresAt);
}

// ---------------------------------------------------------------------------------------------------
// The transition function

export interface SessionChange {
  record: PublicSessionRecord;
  /** False when nothing changed: storage skips the write (effects, if any, still run). */
  changed: boolean;
  effects: SessionEffect[];
}

function illegal(record: PublicSessionRecord, trigger: SessionTrigger, detail?: string): ConflictError {
  return new ConflictError(
    'illegal_transition',
    detail ?? `A session in status '${record.status}' cannot take '${trigger}'.`,
    { extensions: { sessionStatus: record.status, trigger } },
  );
}

/** The status a reviewed session returns to: what its money says. */
function settledStatus(record: PublicSessionRecord): PublicSessionStatus {
  if ((record.amountCaptured ?? 0) > 0) return 'captured';
  if ((record.energyWh ?? 0) === 0) return 'no_charge';
  return 'capture_failed';
}

function statusNotificationMismatch(
  record: PublicSessionRecord,
  n: StatusNotificationRequest,
): ConflictError | null {
  if (n.evseId === record.evseId && n.connectorId === record.evseConnectorId) return null;
  return new ConflictError(
    'transaction_mismatch',
    `EVSE ${n.evseId} connector ${n.connectorId} is not session ${record.id}'s connector.`,
  );
}

const unchanged = (record: PublicSessionRecord, effects: SessionEffect[] = []): SessionChange => ({
  record,
  changed: false,
  effects,
});

export function transition(
  record: PublicSessionRecord,
  input: SessionInput,
  now: Date,
): SessionChange | ApiError {
  const trigger = triggerOf(input);
  const event = input.type === 'transaction_event' ? input.event : undefined;

  // A message for another transaction or connector is a routing error whatever the status.
  if (event) {
    const mismatch = transactionMismatch(record, event);
    if (mismatch) return mismatch;
  }
  if (input.type === 'status_notification') {
    const mismatch = statusNotificationMismatch(record, input.notification);
    if (mismatch) return mismatch;
  }

  const outcome = TRANSITIONS[record.status][trigger];
  if (outcome.kind === 'reject') return illegal(record, trigger);
  if (outcome.kind === 'ignore') {
    const transactionId = event?.transactionInfo.transactionId ?? record.transactionId;
    const effects = (outcome.effects ?? [])
      .map((type) => effect(type, record, transactionId))
      .filter((e): e is SessionEffect => e !== null);
    return unchanged(record, effects);
  }

  // Pre-conditions of the input itself.
  if (input.type === 'confirm' && !input.paymentAuthorized) {
    return new ConflictError(
      'payment_not_authorized',
      'The payment has not been authorized yet; complete it first.',
      {
        extensions: { sessionStatus: record.status },
      },
    );
  }
  const timeout = nextTimeout(record);
  if (
    (trigger === 'created_timeout' ||
      trigger === 'start_timeout' ||
      trigger === 'stop_timeout' ||
      trigger === 'charging_timeout') &&
    (timeout?.trigger !== trigger || now.getTime() < Date.parse(timeout.dueAt))
  ) {
    return unchanged(record); // a timer that fired early or for an earlier status
  }
  if (event && hasSeenSeqNo(record.seqNos, event.seqNo)) return unchanged(record);
  if (outcome.guard === 'has_capture' && !((record.amountCaptured ?? 0) > 0)) {
    return illegal(record, trigger, 'Nothing was captured, so there is nothing to refund.');
  }
  if (outcome.guard === 'capturable' && !((record.energyWh ?? 0) > 0 && record.amountCaptured === null)) {
    return illegal(record, trigger, 'There is no uncaptured cost to capture.');
  }

  // Apply the input's data.
  const at = now.toISOString();
  let next: PublicSessionRecord = event ? foldTransactionEvent(record, event) : record;
  if (input.type === 'capture_succeeded' && next.amountCaptured === null) {
    next = {
      ...next,
      amountCaptured: input.amountCaptured,
      taxAmount: capturedTax(next, pricedUntil(next), input.amountCaptured),
      capturedAt: at,
    };
  }
  if (outcome.failureReason && outcome.to === undefined)
    next = { ...next, failureReason: outcome.failureReason };

  // Decide the status.
  let to: PublicSessionStatus =
    outcome.to === 'settled' ? settledStatus(next) : (outcome.to ?? record.status);
  if (outcome.ifNoEnergy && (next.energyWh ?? 0) === 0) to = outcome.ifNoEnergy;
  const holdReached =
    outcome.ifHoldReached !== undefined &&
    next.energyWh !== null &&
    (priceCharging(next, pricedUntil(next))?.gross ?? 0) >= next.amountAuthorized;
  if (holdReached && outcome.ifHoldReached) to = outcome.ifHoldReached;
  if (
    outcome.ifAmountMismatch &&
    input.type === 'capture_succeeded' &&
    input.amountCaptured !== next.costAmount
  ) {
    to = outcome.ifAmountMismatch;
  }

  const effects: SessionEffect[] = [];
  if (to !== record.status) {
    next = enterStatus(next, to, outcome, holdReached, at);
    const entry = ENTRY_EFFECTS[to];
    const candidates: SessionEffect['type'][] = entry ? [entry] : [];
    if (CONNECTOR_HOLDING_STATUSES.has(record.status) && !CONNECTOR_HOLDING_STATUSES.has(to)) {
      candidates.push('release_connector');
    }
    if (MEASURED_STATUSES.has(to) && (next.energyWh ?? 0) > 0) candidates.push('record_measured_session');
    for (const type of candidates) {
      const e = effect(type, next, next.transactionId);
      if (e) effects.push(e);
    }
  }

  if (JSON.stringify(next) === JSON.stringify(record)) return unchanged(record);
  return { record: { ...next, version: record.version + 1, updatedAt: at }, changed: true, effects };
}

/** Bookkeeping of entering a status: its timestamps, reasons and the amounts it fixes. */
function enterStatus(
  record: PublicSessionRecord,
  to: PublicSessionStatus,
  outcome: Extract<Outcome, { kind: 'apply' }>,
  holdReached: boolean,
  at: string,
): PublicSessionRecord {
  let next: PublicSessionRecord = { ...record, status: to, statusChangedAt: at };
  if (outcome.failureReason && (to === outcome.to || outcome.to === undefined)) {
    next = { ...next, failureReason: outcome.failureReason };
  }
  if (FINAL_STATUSES.has(to)) next = { ...next, finalizedAt: at };
  switch (to) {
    case 'authorized':
      return { ...next, authorizedAt: at, failureReason: null };
    case 'stopping': {
      const stopCause = holdReached ? 'hold_reached' : (outcome.stopCause ?? 'driver');
      return { ...next, stopRequestedAt: at, stopCause };
    }
    case 'settling':
      // Energy is final from here on: late charger events no longer change it, so the capture amount holds.
      return {
        ...next,
        completedAt: next.completedAt ?? at,
        costAmount: chargedAmount(next, next.completedAt ?? at) ?? 0,
      };
    case 'captured':
      return { ...next, failureReason: null };
    case 'no_charge':
      return { ...next, completedAt: next.completedAt ?? at, costAmount: 0, energyWh: next.energyWh ?? 0 };
    case 'refunded':
      return { ...next, refundedAt: at, amountRefunded: next.amountCaptured };
    default:
      return next;
  }
}
