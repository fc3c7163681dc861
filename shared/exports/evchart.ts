// EV-ChART Module 2 (charging sessions): the quarterly NEVI session upload to the Joint Office's EV-ChART,
// as CSV. Rows obey the field rules EV-ChART applies (shared/reference/upstream/evchart-module2-definition.json:
// ids ≤ 36 characters, text ≤ 255, decimals of precision 7 and scale 2 that are ≥ 0, datetimes).
//
// Columns. The definition file lists 12 fields; the reference README's Module 2 list has 14, adding
// station_id and network_provider. We write all 14: 23 CFR 680.112(a)(1) requires the quarterly session
// data to carry "the charging station identifier that the following data can be associated with", so a
// row without the station key cannot be tied to a station; our understanding (not verified) is that
// EV-ChART keys a station by station_id together with network_provider, which would explain why a
// per-module field definition leaves both out. The EV-ChART Data Input Template itself was not among the
// sources we could consult; if it turns out to lack them, drop them from EVCHART_MODULE2_COLUMNS.
//
// Which sessions. Module 2 reports sessions *of a station's ports*. An EV's session (from the car's own
// telemetry) happened at some charger we know nothing about, so it is skipped, and `context.onSkipped` is
// told; a charge-point session whose registration (`context.chargePoint`) lacks station_id,
// network_provider or port_id is an error (UnprocessableError `export_unrepresentable`, saying why the
// registration lacks it): a federal report must not carry guessed identifiers. charger_id is written
// when registered and left empty otherwise (EV-ChART allows it empty), never filled with another id.
//
// Values:
// - session_start/session_end: plug-in and plug-out when the charger reported them (the session is the
//   time at the port), else the charging start and end. UTC, `YYYY-MM-DDTHH:MM:SSZ`.
// - power_kw: peak session power (23 CFR 680.112(a)(5)); energy_kwh: energy dispensed ((a)(4)).
// - session_error/error_other: the charger's own error code (OCPP fault stoppedReason, else the failure
//   reason); error_other carries the failure reason when both exist. Empty when none.
// - payment_method/payment_other: the Atlas payment vocabulary (the published one closest to EV-ChART's,
//   whose list we could not consult); `other` with the charger's own word in payment_other.

import type { ChargeSessionRecord } from '../sessions/model.js';
import { chargePointRegistration, type ExportContext, unrepresentable } from './context.js';
import { csvCell, csvLine, csvStream } from './csv.js';
import {
  EVCHART_ID_MAX_LENGTH,
  EVCHART_NETWORK_PROVIDER_MAX_LENGTH,
  EVCHART_TEXT_MAX_LENGTH,
} from './evchart-limits.js';
import { sessionOutcome, sessionPayment } from './session-facts.js';

export const EVCHART_MODULE2_COLUMNS = [
  'station_id',
  'port_id',
  'network_provider',
  'charger_id',
  'session_id',
  'connector_id',
  'session_start',
  'session_end',
  'session_error',
  'error_other',
  'energy_kwh',
  'power_kw',
  'payment_method',
  'payment_other',
] as const;
export type EvchartModule2Column = (typeof EVCHART_MODULE2_COLUMNS)[number];
export type EvchartModule2Row = Record<EvchartModule2Column, string>;

export { EVCHART_ID_MAX_LENGTH, EVCHART_NETWORK_PROVIDER_MAX_LENGTH, EVCHART_TEXT_MAX_LENGTH };

const DECIMAL_PRECISION = 7;
const DECIMAL_SCALE = 2;
const DECIMAL_MAX = 10 ** (DECIMAL_PRECISION - DECIMAL_SCALE) - 10 ** -DECIMAL_SCALE;

const FORMAT = 'evchart';

/** Why EV sessions are left out, as told to `onSkipped`. */
export const EV_SESSION_NOT_REPORTABLE =
  'EV-ChART Module 2 reports sessions of a station; this is an EV session.';

const UNREGISTERED = 'the charge point has no registered value for it.';

/** A required value, whole: an identifier cut short would name another station or port. */
function required(
  session: ChargeSessionRecord,
  field: string,
  value: string | null | undefined,
  maxLength: number,
  missing = UNREGISTERED,
): string {
  if (value === null || value === undefined || value === '') {
    throw unrepresentable(FORMAT, session, field, missing);
  }
  if (value.length > maxLength) {
    throw unrepresentable(
      FORMAT,
      session,
      field,
      `'${value}' is longer than the ${maxLength} characters EV-ChART allows.`,
    );
  }
  return value;
}

function id(session: ChargeSessionRecord, field: string, value: string | null | undefined, missing?: string) {
  return required(session, field, value, EVCHART_ID_MAX_LENGTH, missing);
}

function optionalId(session: ChargeSessionRecord, field: string, value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '' : id(session, field, value);
}

/** Free text is cut at EV-ChART's limit rather than failing a federal upload over a long error message. */
function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const codePoints = Array.from(value);
  return codePoints.length <= EVCHART_TEXT_MAX_LENGTH
    ? value
    : codePoints.slice(0, EVCHART_TEXT_MAX_LENGTH).join('');
}

function decimal(session: ChargeSessionRecord, field: string, value: number): string {
  if (!Number.isFinite(value) || value < 0) {
    throw unrepresentable(FORMAT, session, field, `${value} is not a non-negative number.`);
  }
  const rounded = Number(value.toFixed(DECIMAL_SCALE));
  if (rounded > DECIMAL_MAX) {
    throw unrepresentable(
      FORMAT,
      session,
      field,
      `${value} exceeds decimal(${DECIMAL_PRECISION},${DECIMAL_SCALE}).`,
    );
  }
  return rounded.toFixed(DECIMAL_SCALE);
}

/** `2024-05-01T10:15:30Z`: ISO 8601 in UTC to the second; milliseconds are truncated. */
export function evchartDatetime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** The Module 2 row of a charge-point session; throws for EV sessions and unregistered charge points. */
export function toEvchartRow(session: ChargeSessionRecord, context: ExportContext = {}): EvchartModule2Row {
  if (session.entityType !== 'CP') {
    throw unrepresentable(FORMAT, session, 'entityType', EV_SESSION_NOT_REPORTABLE);
  }
  const registration = chargePointRegistration(session, context);
  // Name the field the reason is about, not the first column that happens to be empty with it.
  if (registration.unresolved && registration.unresolvedField) {
    throw unrepresentable(FORMAT, session, registration.unresolvedField, registration.unresolved);
  }
  const missing = registration.unresolved ?? UNREGISTERED;
  const measured = session.measured;
  const outcome = sessionOutcome(session);
  const payment = sessionPayment(session);
  const faultCode = outcome.errorCodes[0] ?? null;
  return {
    station_id: id(session, 'station_id', registration.stationId, missing),
    port_id: id(session, 'port_id', registration.portId, missing),
    network_provider: required(
      session,
      'network_provider',
      registration.networkProvider,
      EVCHART_NETWORK_PROVIDER_MAX_LENGTH,
      missing,
    ),
    charger_id: optionalId(session, 'charger_id', registration.chargerId),
    session_id: id(session, 'session_id', session.id),
    connector_id: optionalId(session, 'connector_id', measured ? String(measured.connectorId) : null),
    session_start: evchartDatetime(measured?.plugStart ?? session.start),
    session_end: evchartDatetime(measured?.plugEnd ?? session.end),
    session_error: text(faultCode),
    error_other: text(outcome.errorCodes[1] ?? null),
    energy_kwh: decimal(session, 'energy_kwh', session.energyKwh),
    power_kw: decimal(session, 'power_kw', session.peakPowerKw),
    payment_method: payment?.type ?? '',
    payment_other: payment?.type === 'other' ? text(payment.raw) : '',
  };
}

export function evchartLine(row: EvchartModule2Row): string {
  // No formula defusing: this file is for a machine upload, where a leading `'` would change the id.
  return csvLine(EVCHART_MODULE2_COLUMNS.map((column) => csvCell(row[column])));
}

/**
 * The Module 2 CSV of a quarter, streamed: the header, then one row per charge-point session. Reads one
 * session per row pulled, so a busy station's quarter never sits in memory. EV sessions are skipped.
 */
export function evchartCsv(
  sessions: AsyncIterable<ChargeSessionRecord>,
  context: ExportContext = {},
): AsyncIterable<string> {
  return csvStream(EVCHART_MODULE2_COLUMNS, sessions, (session) => {
    if (session.entityType !== 'CP') {
      context.onSkipped?.(session, EV_SESSION_NOT_REPORTABLE);
      return null;
    }
    return evchartLine(toEvchartRow(session, context));
  });
}
