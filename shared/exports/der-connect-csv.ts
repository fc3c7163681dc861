// The DER-Connect session fields as CSV: the export users of session trackers (TeslaMate, evcc) ask for
// most, to open in a spreadsheet. RFC 4180: a header row, CRLF line ends, fields quoted when they hold a
// comma, quote, CR or LF, quotes doubled; UTF-8 (an optional byte-order mark helps Excel detect it).
//
// Formula injection (OWASP "CSV Injection"): free-text cells (ids, names, location labels) that start with
// `=`, `+`, `-`, `@`, tab or CR get a leading `'`, so a spreadsheet shows text instead of running a formula
// someone typed into an entity name. The cost is that such a value reads back with the `'`; numbers we
// format ourselves are never touched, so a script reading the numbers sees them exactly.

import type { ChargeSessionRecord } from '../sessions/model.js';
import { type ExportContext, entityInfo } from './context.js';
import { csvCell, csvLine, csvStream } from './csv.js';
import { decimalText } from './session-facts.js';

export const DER_CONNECT_CSV_COLUMNS = [
  'id',
  'entity_id',
  'entity_name',
  'start',
  'end',
  'energy_kwh',
  'average_power_kw',
  'peak_power_kw',
  'soc_start_percent',
  'soc_end_percent',
  'range_start_km',
  'range_end_km',
  'location_label',
  'location_accuracy',
  'method',
  'source',
] as const;
export type DerConnectCsvColumn = (typeof DER_CONNECT_CSV_COLUMNS)[number];

/** UTF-8 byte-order mark: Excel opens a CSV as UTF-8 only when it starts with one. */
export const UTF8_BOM = '\uFEFF';

export interface DerConnectCsvOptions {
  /** Start the file with a byte-order mark (for Excel). Off by default: many CSV readers keep it in the first header. */
  byteOrderMark?: boolean;
}

/** Same precision as the read API (shared/sessions/model.ts toChargeSessionResource). */
const QUANTITY_PLACES = 4;
const PERCENT_PLACES = 2;

const textCell = (value: string) => csvCell(value, { defuseFormula: true });
const numberCell = (value: number | null, places: number) =>
  value === null ? '' : decimalText(value, places);

export function toDerConnectCsvCells(
  session: ChargeSessionRecord,
  context: ExportContext = {},
): Record<DerConnectCsvColumn, string> {
  const location = session.locationMatches[0];
  return {
    id: textCell(session.id),
    entity_id: textCell(session.entityId),
    entity_name: textCell(entityInfo(context, session.entityId).name ?? ''),
    start: session.start,
    end: session.end,
    energy_kwh: numberCell(session.energyKwh, QUANTITY_PLACES),
    average_power_kw: numberCell(session.averagePowerKw, QUANTITY_PLACES),
    peak_power_kw: numberCell(session.peakPowerKw, QUANTITY_PLACES),
    soc_start_percent: numberCell(session.socStartPercent, PERCENT_PLACES),
    soc_end_percent: numberCell(session.socEndPercent, PERCENT_PLACES),
    range_start_km: numberCell(session.rangeStartKm, QUANTITY_PLACES),
    range_end_km: numberCell(session.rangeEndKm, QUANTITY_PLACES),
    location_label: location ? textCell(location.location.label) : '',
    location_accuracy: location ? numberCell(location.accuracy, QUANTITY_PLACES) : '',
    method: session.method,
    source: session.source,
  };
}

export function derConnectCsvLine(session: ChargeSessionRecord, context: ExportContext = {}): string {
  const cells = toDerConnectCsvCells(session, context);
  return csvLine(DER_CONNECT_CSV_COLUMNS.map((column) => cells[column]));
}

/** The CSV of any sessions (EVs and charge points), streamed: header, then one line per session pulled. */
export function derConnectCsv(
  sessions: AsyncIterable<ChargeSessionRecord>,
  context: ExportContext = {},
  options: DerConnectCsvOptions = {},
): AsyncIterable<string> {
  return csvStream(
    DER_CONNECT_CSV_COLUMNS,
    sessions,
    (session) => derConnectCsvLine(session, context),
    options.byteOrderMark ? UTF8_BOM : '',
  );
}
