// Chargers open to public charging: the stored record (operator configuration plus what the charger
// last told us about each connector), the one-session-per-connector claim, the checks a start must pass,
// and the public resource. Pure functions of a record, a message and the time.

import {
  type ApiError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../errors.js';
import type { EvchartPortSnapshot } from '../sessions/model.js';
import {
  type ChargingState,
  normalizeOcppDateTime,
  type OcppConnectorStatus,
  type StatusNotificationRequest,
  type TransactionEventRequest,
} from './ocpp.js';
import { type ChargerTariff, pricingSummary } from './pricing.js';
import type {
  ChargerConfig,
  ChargerPricing,
  ConnectorType,
  PublicChargerResource,
  PublicConnectorStatus,
} from './schemas.js';

export interface ChargerConnector {
  connectorId: number;
  type: ConnectorType;
  maxPowerKw: number;
  /** OCPP 2.0.1 address of the connector: EVSE id and connector id within the EVSE. */
  evseId: number;
  evseConnectorId: number;
  /** EV-ChART port_id of the connector's port; set on every connector exactly when the charger has `evchart`. */
  portId: string | null;
}

/** The charger's station in EV-ChART (shared/public-charging/schemas.ts EvchartStationRegistration). */
export interface EvchartRegistration {
  stationId: string;
  networkProvider: string;
  chargerId: string | null;
}

/** What an EV-ChART export needs of a charger: which entity it is, and its registered station and ports. */
export type ChargerRegistrationView = Pick<
  ChargerRecord,
  'publicCode' | 'entityId' | 'evchart' | 'connectors'
>;

/**
 * The registered EV-ChART identity of one connector's port: the charger's station and the connector's
 * port id, or null when either is not registered (or the connector is not configured).
 */
export function registeredPortOf(
  charger: Pick<ChargerRecord, 'evchart' | 'connectors'>,
  connectorId: number,
): EvchartPortSnapshot | null {
  const { evchart } = charger;
  const portId = charger.connectors.find((c) => c.connectorId === connectorId)?.portId ?? null;
  if (!evchart || portId === null) return null;
  return {
    stationId: evchart.stationId,
    networkProvider: evchart.networkProvider,
    chargerId: evchart.chargerId,
    portId,
  };
}

/** What the charger last reported about a connector, and which public session holds it. */
export interface ConnectorState {
  /** OCPP 2.0.1 connector status from the latest StatusNotification (by its timestamp). */
  status: OcppConnectorStatus | null;
  statusAt: string | null;
  /** The running transaction on this connector, from TransactionEvents. */
  transactionId: string | null;
  chargingState: ChargingState | null;
  /** seqNo of the event that set chargingState, so a late event cannot overwrite a newer state. */
  chargingStateSeqNo: number | null;
  /** The last ended transaction: a late event of it must not reopen it. */
  endedTransactionId: string | null;
  transactionEndedAt: string | null;
  /** The public session that holds the connector (created … stopping); at most one. */
  activeSessionId: string | null;
}

export interface ChargerRecord {
  tenantId: string;
  publicCode: string;
  name: string;
  entityId: string;
  public: boolean;
  online: boolean;
  connectors: ChargerConnector[];
  /**
   * Tax-inclusive prices in minor units: with `tariffId`, the tariff's headline when it was registered
   * (pricingSummary; drivers are shown the current version's); without, the tariff it stands for.
   */
  pricing: ChargerPricing;
  /** The tenant's tariff that prices its sessions; null (and absent on older items): `pricing` does. */
  tariffId: string | null;
  holdAmount: number;
  /** Its identity in EV-ChART, for Module 2 exports; null when not registered. */
  evchart: EvchartRegistration | null;
  /** Keyed by connectorId. */
  connectorStates: Record<string, ConnectorState>;
  /** Optimistic concurrency: storage writes on the condition that the stored version is unchanged. */
  version: number;
  created: string;
  updated: string;
}

const EMPTY_STATE: ConnectorState = {
  status: null,
  statusAt: null,
  transactionId: null,
  chargingState: null,
  chargingStateSeqNo: null,
  endedTransactionId: null,
  transactionEndedAt: null,
  activeSessionId: null,
};

function toConnectors(config: ChargerConfig): ChargerConnector[] {
  return config.connectors.map((c) => ({
    connectorId: c.connectorId,
    type: c.type,
    maxPowerKw: c.maxPowerKw,
    evseId: c.evseId ?? c.connectorId,
    evseConnectorId: c.evseConnectorId,
    portId: c.portId ?? null,
  }));
}

/**
 * The record fields a configuration sets, for creation and reconfiguration alike. `pricing` is the
 * configuration's own, or the headline of the tariff it names (which the caller read).
 */
function configuredFields(config: ChargerConfig, pricing: ChargerPricing | undefined) {
  const prices = pricing ?? config.pricing;
  if (!prices) throw new Error('a charger configuration without pricing needs its tariff read first');
  return {
    publicCode: config.publicCode,
    name: config.name,
    entityId: config.entityId,
    public: config.public,
    online: config.online,
    connectors: toConnectors(config),
    pricing: prices,
    tariffId: config.tariffId ?? null,
    holdAmount: config.holdAmount,
    evchart: config.evchart
      ? {
          stationId: config.evchart.stationId,
          networkProvider: config.evchart.networkProvider,
          chargerId: config.evchart.chargerId ?? null,
        }
      : null,
  };
}

export function newChargerRecord(
  tenantId: string,
  config: ChargerConfig,
  now: Date,
  tariffPricing?: ChargerPricing,
): ChargerRecord {
  const at = now.toISOString();
  const fields = configuredFields(config, tariffPricing);
  const { connectors } = fields;
  return {
    tenantId,
    ...fields,
    connectorStates: Object.fromEntries(connectors.map((c) => [String(c.connectorId), EMPTY_STATE])),
    version: 1,
    created: at,
    updated: at,
  };
}

/** A new configuration; connector states survive for connectors that remain. */
export function reconfigureCharger(
  charger: ChargerRecord,
  config: ChargerConfig,
  now: Date,
  tariffPricing?: ChargerPricing,
): ChargerRecord {
  const fields = configuredFields(config, tariffPricing);
  const { connectors } = fields;
  return bump(
    {
      ...charger,
      ...fields,
      connectorStates: Object.fromEntries(
        connectors.map((c) => [
          String(c.connectorId),
          charger.connectorStates[String(c.connectorId)] ?? EMPTY_STATE,
        ]),
      ),
    },
    now,
  );
}

function bump(charger: ChargerRecord, now: Date): ChargerRecord {
  return { ...charger, version: charger.version + 1, updated: now.toISOString() };
}

function stateOf(charger: ChargerRecord, connectorId: number): ConnectorState {
  return charger.connectorStates[String(connectorId)] ?? EMPTY_STATE;
}

function withState(
  charger: ChargerRecord,
  connectorId: number,
  state: ConnectorState,
  now: Date,
): ChargerRecord {
  return bump(
    { ...charger, connectorStates: { ...charger.connectorStates, [String(connectorId)]: state } },
    now,
  );
}

export function findConnector(charger: ChargerRecord, connectorId: number): ChargerConnector | undefined {
  return charger.connectors.find((c) => c.connectorId === connectorId);
}

export function findConnectorByEvse(
  charger: ChargerRecord,
  evseId: number,
  evseConnectorId: number | undefined,
): ChargerConnector | undefined {
  const onEvse = charger.connectors.filter((c) => c.evseId === evseId);
  if (evseConnectorId === undefined) return onEvse.length === 1 ? onEvse[0] : undefined;
  return onEvse.find((c) => c.evseConnectorId === evseConnectorId);
}

// ---------------------------------------------------------------------------------------------------
// Plugchoice's connector status, derived

/**
 * OCPP 2.0.1 reports Available/Occupied/Reserved/Unavailable/Faulted; drivers get Plugchoice's OCPP 1.6
 * names. Occupied splits by what the transaction says: its charging state while one runs (Charging,
 * SuspendedEV, SuspendedEVSE; Preparing before energy flows), Finishing once it ended with the cable
 * still in, Preparing when plugged in without a transaction.
 */
export function publicConnectorStatus(state: ConnectorState | undefined): PublicConnectorStatus | null {
  if (!state?.status) return null;
  if (state.status !== 'Occupied') return state.status;
  if (state.transactionId !== null) {
    switch (state.chargingState) {
      case 'Charging':
      case 'SuspendedEV':
      case 'SuspendedEVSE':
        return state.chargingState;
      default:
        return 'Preparing';
    }
  }
  const endedAfterPlugIn =
    state.transactionEndedAt !== null &&
    (state.statusAt === null || state.transactionEndedAt >= state.statusAt);
  return endedAfterPlugIn ? 'Finishing' : 'Preparing';
}

// ---------------------------------------------------------------------------------------------------
// Charger messages

/**
 * A StatusNotification updates its connector unless an equal or newer one was applied already (events
 * arrive late and twice). Unknown connectors are ignored. Returns the same object when nothing changed.
 */
export function applyStatusNotificationToCharger(
  charger: ChargerRecord,
  notification: StatusNotificationRequest,
  now: Date,
): ChargerRecord {
  const connector = findConnectorByEvse(charger, notification.evseId, notification.connectorId);
  if (!connector) return charger;
  const state = stateOf(charger, connector.connectorId);
  const at = normalizeOcppDateTime(notification.timestamp);
  if (state.statusAt !== null && at <= state.statusAt) return charger;
  return withState(
    charger,
    connector.connectorId,
    { ...state, status: notification.connectorStatus, statusAt: at },
    now,
  );
}

/**
 * A TransactionEvent tracks the connector's running transaction and charging state. The first event of
 * a transaction names the EVSE; later ones are matched by transaction id. A late event of an ended
 * transaction changes nothing. Returns the same object when nothing changed.
 */
export function applyTransactionEventToCharger(
  charger: ChargerRecord,
  event: TransactionEventRequest,
  now: Date,
): ChargerRecord {
  const transactionId = event.transactionInfo.transactionId;
  const connector =
    charger.connectors.find((c) => stateOf(charger, c.connectorId).transactionId === transactionId) ??
    (event.evse ? findConnectorByEvse(charger, event.evse.id, event.evse.connectorId) : undefined);
  if (!connector) return charger;
  const state = stateOf(charger, connector.connectorId);
  if (state.endedTransactionId === transactionId) return charger;
  const reported = event.transactionInfo.chargingState ?? null;
  let next: ConnectorState;
  if (event.eventType === 'Ended') {
    // The late end of an older transaction must not close the one now running.
    if (state.transactionId !== null && state.transactionId !== transactionId) return charger;
    next = {
      ...state,
      transactionId: null,
      chargingState: reported ?? state.chargingState,
      chargingStateSeqNo: event.seqNo,
      endedTransactionId: transactionId,
      transactionEndedAt: normalizeOcppDateTime(event.timestamp),
    };
  } else if (state.transactionId !== transactionId) {
    next = {
      ...state,
      transactionId,
      chargingState: reported,
      chargingStateSeqNo: reported ? event.seqNo : null,
    };
  } else if (reported && (state.chargingStateSeqNo === null || event.seqNo > state.chargingStateSeqNo)) {
    next = { ...state, chargingState: reported, chargingStateSeqNo: event.seqNo };
  } else {
    return charger;
  }
  if (JSON.stringify(next) === JSON.stringify(state)) return charger;
  return withState(charger, connector.connectorId, next, now);
}

/**
 * The charger's connection state as the OCPP-J gateway sees it (a relayed charger's `online` is set by
 * its operator instead). Returns the same object when it already says so.
 */
export function setChargerOnline(charger: ChargerRecord, online: boolean, now: Date): ChargerRecord {
  return charger.online === online ? charger : bump({ ...charger, online }, now);
}

// ---------------------------------------------------------------------------------------------------
// Starting a session

const BLOCKING_STATUSES: ReadonlySet<OcppConnectorStatus> = new Set(['Faulted', 'Unavailable', 'Reserved']);

/**
 * Whether a public session may start on this connector now, as Plugchoice answers it: 404 unknown or
 * not public, 400 offline, 422 unknown connector, 409 connector unavailable (faulted, unavailable,
 * reserved, or held by another session). Occupied is fine: drivers plug in before they start. A
 * connector never heard from (status null) is taken to be usable; the start timeout covers a dead one.
 */
export function checkCanStartSession(
  charger: ChargerRecord | undefined,
  connectorId: number,
): ApiError | null {
  if (!charger?.public) return new NotFoundError('charger_not_found', 'No public charger has this code.');
  if (!charger.online) {
    return new ValidationError(
      'charger_offline',
      `Charger ${charger.publicCode} is offline; try again later.`,
    );
  }
  if (!findConnector(charger, connectorId)) {
    return new UnprocessableError(
      'connector_not_found',
      `Charger ${charger.publicCode} has no connector ${connectorId}.`,
      { extensions: { connectors: charger.connectors.map((c) => c.connectorId) } },
    );
  }
  const state = stateOf(charger, connectorId);
  if (state.activeSessionId !== null || (state.status !== null && BLOCKING_STATUSES.has(state.status))) {
    return new ConflictError(
      'connector_unavailable',
      `Connector ${connectorId} of charger ${charger.publicCode} is not available for a new session.`,
    );
  }
  return null;
}

/**
 * The charger with the connector held by `sessionId`: storage writes it (version-conditioned) together
 * with the new session, so two drivers can never start on one connector.
 */
export function claimConnector(
  charger: ChargerRecord | undefined,
  connectorId: number,
  sessionId: string,
  now: Date,
): ChargerRecord | ApiError {
  const refusal = checkCanStartSession(charger, connectorId);
  if (refusal) return refusal;
  const held = charger as ChargerRecord;
  return withState(held, connectorId, { ...stateOf(held, connectorId), activeSessionId: sessionId }, now);
}

/** Frees the connector when its session no longer holds it; a no-op (same object) for any other session. */
export function releaseConnector(
  charger: ChargerRecord,
  connectorId: number,
  sessionId: string,
  now: Date,
): ChargerRecord {
  const state = stateOf(charger, connectorId);
  if (state.activeSessionId !== sessionId) return charger;
  return withState(charger, connectorId, { ...state, activeSessionId: null }, now);
}

// ---------------------------------------------------------------------------------------------------
// Public resource

/**
 * The charger as drivers see it. `tariff` is the current version of the tariff it names (read by the
 * caller), whose headline is then its `pricing`; null or absent: the charger's own `pricing`.
 */
export function toPublicChargerResource(
  charger: ChargerRecord,
  tariff: ChargerTariff | null = null,
): PublicChargerResource {
  const pricing = tariff ? pricingSummary(tariff) : charger.pricing;
  return {
    data: {
      public_code: charger.publicCode,
      name: charger.name,
      online: charger.online,
      connectors: charger.connectors.map((c) => ({
        connector_id: c.connectorId,
        type: c.type,
        max_power_kw: c.maxPowerKw,
        status: publicConnectorStatus(stateOf(charger, c.connectorId)),
        available: checkCanStartSession(charger, c.connectorId) === null,
      })),
      pricing: {
        currency: pricing.currency,
        price_per_kwh: pricing.pricePerKwh,
        start_fee: pricing.startFee,
        tax_rate: pricing.taxRate,
      },
      tariff: tariff ? publicTariff(tariff) : null,
      hold_amount: charger.holdAmount,
    },
  };
}

/** A stored tariff's version as drivers see it; null for a charger's own `pricing` (no id). */
export function publicTariff(tariff: ChargerTariff): PublicChargerResource['data']['tariff'] {
  if (tariff.id === null || tariff.version === null) return null;
  return { id: tariff.id, version: tariff.version, currency: tariff.currency, elements: tariff.elements };
}
