// The session exports, in one place for the HTTP layer: which formats exist, what they apply to, the media
// type each is served as, and the functions that write them. All pure: sessions and context in, text out.

import * as z from 'zod/mini';

export { currencyExponent, decimalAmount } from '../money.js';
export { type AtlasSession, toAtlasSession } from './atlas.js';
export { type BecknEvChargingSession, becknConnectorType, toBecknSession } from './beckn.js';
export type { ChargePointRegistration, EntityExportInfo, ExportContext } from './context.js';
export { registeredPortId } from './context.js';
export {
  DER_CONNECT_CSV_COLUMNS,
  type DerConnectCsvOptions,
  derConnectCsv,
  derConnectCsvLine,
} from './der-connect-csv.js';
export {
  EV_SESSION_NOT_REPORTABLE,
  EVCHART_MODULE2_COLUMNS,
  type EvchartModule2Row,
  evchartCsv,
  toEvchartRow,
} from './evchart.js';

export const EXPORT_FORMATS = ['atlas', 'evchart', 'beckn', 'csv'] as const;
export const ExportFormat = z.enum(EXPORT_FORMATS).check(
  z.meta({
    description:
      'atlas: EV Charging Use Data Specification session objects (JSON); evchart: EV-ChART Module 2 CSV (charge points only); beckn: Beckn EvChargingSession v2.0 attributes (JSON with @context); csv: the session fields as CSV.',
  }),
);
export type ExportFormat = z.output<typeof ExportFormat>;

export interface ExportFormatInfo {
  mediaType: string;
  /** Entity types whose sessions the format can hold; a request for others should be refused up front. */
  entityTypes: readonly ('EV' | 'CP')[];
  /** Streamed CSV (header then rows) rather than one JSON document per page. */
  streamed: boolean;
}

export const EXPORT_FORMAT_INFO: Readonly<Record<ExportFormat, ExportFormatInfo>> = {
  atlas: { mediaType: 'application/json', entityTypes: ['EV', 'CP'], streamed: false },
  evchart: { mediaType: 'text/csv; charset=utf-8; header=present', entityTypes: ['CP'], streamed: true },
  beckn: { mediaType: 'application/json', entityTypes: ['EV', 'CP'], streamed: false },
  csv: { mediaType: 'text/csv; charset=utf-8; header=present', entityTypes: ['EV', 'CP'], streamed: true },
};
