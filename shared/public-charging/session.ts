// The public charging session as stored, how one is started, and its driver-facing resource in
// Plugchoice's shape. Status changes live in lifecycle.ts; charger metering in metering.ts.

import { ApiError } from '../errors.js';
import type { EvchartPortSnapshot } from '../sessions/model.js';
import {
  type ChargerRecord,
  claimConnector,
  findConnector,
  publicConnectorStatus,
  registeredPortOf,
} from './charger.js';
import { formatEnergyKwh } from './money.js';
import type { ChargingState, StoppedReason } from './ocpp.js';
import { type ChargerTariff, type EnergySample, pricingSummary } from './pricing.js';
import type {
  ChargerPricing,
  ConnectorType,
  FailureReason,
  PublicSessionResource,
  PublicSessionStatus,
} from './schemas.js';

/**
 * The payment provider's handles for the session's hold (Stripe: a manual-capture PaymentIntent; local:
 * the built-in provider's hold, same shape so clients need not care).
 */
export interface PaymentRefs {
  provider: 'stripe' | 'local';
  /** The PaymentIntent id. */
  paymentId: string;
  /** Handed to the driver's app while `created` so it can confirm the payment; never logged. */
  clientSecret: string;
  publishableKey: string;
  /** The connected account the charge belongs to, when the operator is a Connect account. */
  accountId: string | null;
}

/** Meter bookkeeping of the session's transaction, folded from its TransactionEvents in any order. */
export interface MeterState {
  /** Lowest and highest Energy.Active.Import.Register seen, whole Wh. */
  registerMinWh: number | null;
  registerMaxWh: number | null;
  /** The register the charger reported with context Transaction.Begin, when it did. */
  registerBeginWh: number | null;
  peakPowerW: number | null;
  socFirst: { at: string; percent: number } | null;
  socLast: { at: string; percent: number } | null;
  /**
   * Timed registers, one per 15 minutes (pricing.ts), which shape the energy curve a time-of-use tariff
   * prices. Absent on sessions stored before it was kept (their curve is even).
   */
  samples?: EnergySample[];
}

/** Which TransactionEvent seqNos were applied: the highest, and those within SEQ_WINDOW below it. */
export interface SeqNoBook {
  highest: number | null;
  /** Ascending; every applied seqNo in (highest − SEQ_WINDOW, highest]. */
  recent: number[];
}

/** Why the system asked the charger to stop (the charger's own reason is `stoppedReason`). */
export type StopCause = 'driver' | 'hold_reached' | 'max_duration' | 'connector_down' | 'payment_failed';

export interface PublicSessionRecord {
  /** UUIDv7. Doubles as the OCPP idToken of the remote start. */
  id: string;
  /** SHA-256 hex of the session token; the token itself is never stored. */
  tokenHash: string;
  /** Optimistic concurrency: +1 on every change; storage writes on the condition it is unchanged. */
  version: number;
  tenantId: string;
  /** The charger's CP entity. */
  entityId: string;
  chargerCode: string;
  /** The charger's name when the session started (receipts keep it if the charger is renamed). */
  chargerName: string;
  connectorId: number;
  connectorType: ConnectorType;
  evseId: number;
  evseConnectorId: number;
  status: PublicSessionStatus;
  /** When the status last changed (server clock): what the status timeouts count from. */
  statusChangedAt: string;
  failureReason: FailureReason | null;
  stopCause: StopCause | null;
  driverEmail: string | null;
  /**
   * The charger's prices when the session started, tax-inclusive minor units: the driver pays what was
   * shown. With `tariff`, its headline (pricingSummary); without, the tariff itself (pricingTariff).
   */
  pricing: ChargerPricing;
  /**
   * The tariff version the charger named when the session started; null (or absent, on sessions stored
   * before chargers named tariffs) when the charger priced with `pricing`.
   */
  tariff?: ChargerTariff | null;
  /** The charge point's time zone at the start, where a tariff's local times are read; null: UTC. */
  timeZone?: string | null;
  /**
   * The connector's EV-ChART registration when the session started, kept for the measured session (its
   * export still knows the port if the charger is deleted or moved later); null when not registered.
   * Taken from the charger the start reads anyway, so keeping it costs no read. Sessions stored before
   * it was kept read as null.
   */
  evchart: EvchartPortSnapshot | null;
  amountAuthorized: number;
  /** Energy delivered, whole Wh; null until the charger reported an energy register. Never decreases. */
  energyWh: number | null;
  meter: MeterState;
  /** Running cost, then the final cost, in minor units; capped at amountAuthorized. */
  costAmount: number | null;
  amountCaptured: number | null;
  taxAmount: number | null;
  amountRefunded: number | null;
  payment: PaymentRefs;
  /** The RequestStartTransaction's remoteStartId, which the charger echoes in its first event. */
  remoteStartId: number;
  transactionId: string | null;
  chargingState: ChargingState | null;
  chargingStateSeqNo: number | null;
  /** OCPP stoppedReason, kept once reported. */
  stoppedReason: StoppedReason | null;
  timeSpentChargingSeconds: number | null;
  seqNos: SeqNoBook;
  /** Charger clock: CablePluggedIn and EVDeparted/EVDisconnected events of the transaction. */
  pluggedInAt: string | null;
  unpluggedAt: string | null;
  createdAt: string;
  updatedAt: string;
  authorizedAt: string | null;
  /** Charger clock: the earliest event of the transaction. */
  chargingStartedAt: string | null;
  stopRequestedAt: string | null;
  /** Charger clock of the Ended event; server clock when settled by the stop timeout. */
  completedAt: string | null;
  capturedAt: string | null;
  refundedAt: string | null;
  /** When the session last entered a final status; the token's retention counts from it. */
  finalizedAt: string | null;
}

export interface StartPublicSessionInput {
  /** UUIDv7 of the new session. */
  sessionId: string;
  tokenHash: string;
  connectorId: number;
  driverEmail: string | null;
  /** The hold the caller created with the provider for charger.holdAmount. */
  payment: PaymentRefs;
  /** A random positive 31-bit integer (OCPP integers are 32-bit on most chargers). */
  remoteStartId: number;
  /** The current version of the tariff the charger names (read by the caller); absent/null: its `pricing`. */
  tariff?: ChargerTariff | null;
  /** The charge point entity's time zone; absent/null: UTC. */
  timeZone?: string | null;
}

/**
 * A new session in `created` and the charger with its connector claimed for it, or why not (404, 400,
 * 422, 409). Storage writes both in one transaction, each conditioned on its version / absence.
 */
export function startPublicSession(
  charger: ChargerRecord | undefined,
  input: StartPublicSessionInput,
  now: Date,
): { session: PublicSessionRecord; charger: ChargerRecord } | ApiError {
  const claimed = claimConnector(charger, input.connectorId, input.sessionId, now);
  if (claimed instanceof ApiError) return claimed;
  const connector = findConnector(claimed, input.connectorId);
  if (!connector) throw new Error('claimConnector accepted an unknown connector');
  if (
    !Number.isInteger(input.remoteStartId) ||
    input.remoteStartId < 1 ||
    input.remoteStartId > 2 ** 31 - 1
  ) {
    throw new RangeError('remoteStartId must be a positive 31-bit integer');
  }
  const at = now.toISOString();
  const session: PublicSessionRecord = {
    id: input.sessionId,
    tokenHash: input.tokenHash,
    version: 1,
    tenantId: claimed.tenantId,
    entityId: claimed.entityId,
    chargerCode: claimed.publicCode,
    chargerName: claimed.name,
    connectorId: connector.connectorId,
    connectorType: connector.type,
    evseId: connector.evseId,
    evseConnectorId: connector.evseConnectorId,
    status: 'created',
    statusChangedAt: at,
    failureReason: null,
    stopCause: null,
    driverEmail: input.driverEmail,
    pricing: input.tariff ? pricingSummary(input.tariff) : claimed.pricing,
    tariff: input.tariff ?? null,
    timeZone: input.timeZone ?? null,
    evchart: registeredPortOf(claimed, connector.connectorId),
    amountAuthorized: claimed.holdAmount,
    energyWh: null,
    meter: {
      registerMinWh: null,
      registerMaxWh: null,
      registerBeginWh: null,
      peakPowerW: null,
      socFirst: null,
      socLast: null,
      samples: [],
    },
    costAmount: null,
    amountCaptured: null,
    taxAmount: null,
    amountRefunded: null,
    payment: input.payment,
    remoteStartId: input.remoteStartId,
    transactionId: null,
    chargingState: null,
    chargingStateSeqNo: null,
    stoppedReason: null,
    timeSpentChargingSeconds: null,
    seqNos: { highest: null, recent: [] },
    pluggedInAt: null,
    unpluggedAt: null,
    createdAt: at,
    updatedAt: at,
    authorizedAt: null,
    chargingStartedAt: null,
    stopRequestedAt: null,
    completedAt: null,
    capturedAt: null,
    refundedAt: null,
    finalizedAt: null,
  };
  return { session, charger: claimed };
}

export interface PublicSessionResourceOptions {
  /** Whether `payment` may be shown (it still is only while `created`). */
  includePayment: boolean;
  /**
   * The charger as stored now, for its live name, online flag and connector status; undefined when it
   * was deleted (then the name at start is shown and it is reported offline).
   */
  charger: ChargerRecord | undefined;
}

/** Plugchoice's `{ data, payment }` for a session; `payment` is null unless the session is `created`. */
export function toPublicSessionResource(
  record: PublicSessionRecord,
  options: PublicSessionResourceOptions,
): PublicSessionResource {
  const charger = options.charger;
  return {
    data: {
      status: record.status,
      failure_reason: record.failureReason,
      connector_id: record.connectorId,
      connector_status: charger
        ? publicConnectorStatus(charger.connectorStates[String(record.connectorId)])
        : null,
      charger: {
        public_code: record.chargerCode,
        name: charger?.name ?? record.chargerName,
        online: charger?.online ?? false,
      },
      pricing: {
        currency: record.pricing.currency,
        price_per_kwh: record.pricing.pricePerKwh,
        start_fee: record.pricing.startFee,
      },
      amount_authorized: record.amountAuthorized,
      energy_kwh: record.energyWh === null ? null : formatEnergyKwh(record.energyWh),
      cost_amount: record.costAmount,
      amount_captured: record.amountCaptured,
      tax_amount: record.taxAmount,
      driver_email: record.driverEmail,
      created_at: record.createdAt,
      authorized_at: record.authorizedAt,
      charging_started_at: record.chargingStartedAt,
      completed_at: record.completedAt,
      captured_at: record.capturedAt,
    },
    payment:
      options.includePayment && record.status === 'created'
        ? {
            client_secret: record.payment.clientSecret,
            publishable_key: record.payment.publishableKey,
            stripe_account_id: record.payment.accountId,
          }
        : null,
  };
}
