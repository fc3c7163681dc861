// Beckn EvChargingSession v2.0 attributes (https://schema.beckn.io/EvChargingSession, seed 000), the object
// a BPP attaches to Order.fulfillments[].attributes. Only what the stored session knows is written; every
// unknown property is omitted (all v2.0 properties are optional). Validated against the schema built in
// test/schemas/beckn-ev-charging-session-v2.ts from Beckn's published v1 YAML plus the v2.0 properties.
//
// Decisions:
// - `@context`/`@type`: written. The v1 YAML declares them through `x-jsonld` and Beckn v2 attribute
//   objects carry them inline (the Beckn v2 EV-charging field reference marks both required); the v1
//   example payloads predate that and lack them.
// - sessionStatus: a stored session is over: COMPLETED, or INTERRUPTED when the charger reported a fault.
// - connectorStatus, telemetry, buyerFinderFee: omitted. The first is the connector's state now, not the
//   session's; sessions keep no time series; we take no commission.
// - maxPowerKW: the peak power; omitted below 1 kW, the schema's minimum (a trickle is not a "max power").
// - meteredDurationMinutes: start to end of the session, as in Beckn's completed example (08:05 → 08:47 = 42).
// - totalCost: a schema.org PriceSpecification (the v2.0 type), tax included, in the session's currency;
//   only for measured sessions with a cost in a currency whose minor unit is known.
// - authorizationMode, connectorType: mapped from the charger's words when they name a Beckn value; else omitted.

import { decimalAmount } from '../money.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import type { ExportContext } from './context.js';
import { normalisedToken, roundTo, sessionOutcome, sessionPayment } from './session-facts.js';

export const BECKN_CONTEXT = 'https://schema.beckn.io/EvChargingSession/v2.0/context.jsonld';
export const BECKN_TYPE = 'EvChargingSession';

export const BECKN_SESSION_STATUSES = ['PENDING', 'ACTIVE', 'STOP', 'COMPLETED', 'INTERRUPTED'] as const;
export const BECKN_CONNECTOR_TYPES = ['CCS2', 'Type2', 'CHAdeMO', 'GB_T'] as const;
export type BecknConnectorType = (typeof BECKN_CONNECTOR_TYPES)[number];

export interface BecknPriceSpecification {
  '@type': 'schema:PriceSpecification';
  'schema:price': number;
  'schema:priceCurrency': string;
  'schema:valueAddedTaxIncluded': boolean;
}

export interface BecknEvChargingSession {
  '@context': typeof BECKN_CONTEXT;
  '@type': typeof BECKN_TYPE;
  sessionStatus: (typeof BECKN_SESSION_STATUSES)[number];
  connectorType?: BecknConnectorType;
  maxPowerKW?: number;
  meteredEnergyKWh: number;
  meteredDurationMinutes: number;
  totalCost?: BecknPriceSpecification;
  authorizationMode?: string;
  trackingUrl?: string;
}

/**
 * Connector names to Beckn's four, normalised (lower case, no punctuation): OCPP 2.0.1 ConnectorEnumType
 * (`cCCS2`, `cType2`, `sType2`, `cG105` = CHAdeMO), OCPI ConnectorType (`IEC_62196_T2_COMBO`,
 * `IEC_62196_T2`, `CHADEMO`, `GBT_AC`, `GBT_DC`) and plain names. CCS1, Type 1 and NACS have no Beckn value.
 */
const CONNECTOR_ALIASES: Readonly<Record<string, BecknConnectorType>> = {
  ccs2: 'CCS2',
  cccs2: 'CCS2',
  combo2: 'CCS2',
  iec62196t2combo: 'CCS2',
  type2: 'Type2',
  ctype2: 'Type2',
  stype2: 'Type2',
  iec62196t2: 'Type2',
  mennekes: 'Type2',
  chademo: 'CHAdeMO',
  cg105: 'CHAdeMO',
  gbt: 'GB_T',
  gbtac: 'GB_T',
  gbtdc: 'GB_T',
};

export function becknConnectorType(connectorType: string | null | undefined): BecknConnectorType | undefined {
  if (!connectorType) return undefined;
  return CONNECTOR_ALIASES[connectorType.toLowerCase().replace(/[^a-z0-9]/g, '')];
}

/** Payment words that say how the session was authorised, to the modes Beckn names (RFID, APP, PLUG_AND_CHARGE). */
const AUTHORIZATION_MODES: Readonly<Record<string, string>> = {
  rfid: 'RFID',
  app: 'APP',
  application: 'APP',
  mobile_app: 'APP',
  web: 'APP',
  app_qr: 'APP_QR',
  qr: 'APP_QR',
  plug_charge: 'PLUG_AND_CHARGE',
  plug_and_charge: 'PLUG_AND_CHARGE',
  plugandcharge: 'PLUG_AND_CHARGE',
  autocharge: 'PLUG_AND_CHARGE',
};

/** Beckn has no minimum-power semantics below this; its schema requires maxPowerKW ≥ 1. */
export const BECKN_MIN_MAX_POWER_KW = 1;

const QUANTITY_PLACES = 4;
const MINUTE_PLACES = 2;

export function toBecknSession(
  session: ChargeSessionRecord,
  context: ExportContext = {},
): BecknEvChargingSession {
  const measured = session.measured;
  const outcome = sessionOutcome(session);
  const payment = sessionPayment(session);
  const connectorType = becknConnectorType(measured?.connectorType);
  const authorizationMode = payment ? AUTHORIZATION_MODES[normalisedToken(payment.raw)] : undefined;
  const price =
    measured && measured.currency !== null
      ? decimalAmount(measured.costAmount, measured.currency, context.currencyExponents)
      : null;
  const trackingUrl = context.trackingUrl?.(session);
  // Beckn types trackingUrl as a URI; a caller's malformed one is left out rather than sent on.
  const validTrackingUrl = trackingUrl !== undefined && URL.canParse(trackingUrl) ? trackingUrl : undefined;
  const minutes = (Date.parse(session.end) - Date.parse(session.start)) / 60_000;
  return {
    '@context': BECKN_CONTEXT,
    '@type': BECKN_TYPE,
    sessionStatus: outcome.successful === false ? 'INTERRUPTED' : 'COMPLETED',
    ...(connectorType ? { connectorType } : {}),
    ...(session.peakPowerKw >= BECKN_MIN_MAX_POWER_KW
      ? { maxPowerKW: roundTo(session.peakPowerKw, QUANTITY_PLACES) }
      : {}),
    meteredEnergyKWh: roundTo(session.energyKwh, QUANTITY_PLACES),
    meteredDurationMinutes: roundTo(Math.max(0, minutes), MINUTE_PLACES),
    ...(price !== null && measured?.currency
      ? {
          totalCost: {
            '@type': 'schema:PriceSpecification' as const,
            'schema:price': price,
            'schema:priceCurrency': measured.currency.toUpperCase(),
            'schema:valueAddedTaxIncluded': true,
          },
        }
      : {}),
    ...(authorizationMode ? { authorizationMode } : {}),
    ...(validTrackingUrl ? { trackingUrl: validTrackingUrl } : {}),
  };
}
