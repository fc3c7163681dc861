// Property tests: for every session the store can hold, every format's output obeys its rules.

import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toAtlasSession } from '../../shared/exports/atlas.js';
import { toBecknSession } from '../../shared/exports/beckn.js';
import { DER_CONNECT_CSV_COLUMNS, derConnectCsvLine } from '../../shared/exports/der-connect-csv.js';
import { EVCHART_MODULE2_COLUMNS, evchartLine, toEvchartRow } from '../../shared/exports/evchart.js';
import {
  describeErrors,
  validateAtlas,
  validateBecknV2,
  validateDerConnectCsvRow,
  validateEvchartRow,
} from '../schemas/validators.js';
import { REGISTER_EVERY_CP, sessionArbitrary } from './export-fixtures.js';

/** Seeded so a failure replays; the count keeps the file within a few seconds. */
const RUNS = { numRuns: 400, seed: 20_240_501 };

function parseLine(header: readonly string[], line: string): Record<string, string> {
  const rows = parse(header.join(',') + '\r\n' + line, { columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(1);
  return rows[0] ?? {};
}

describe('every valid session exports validly', () => {
  it('as an Atlas session', () => {
    fc.assert(
      fc.property(sessionArbitrary, (session) => {
        const atlas = toAtlasSession(session, REGISTER_EVERY_CP);
        expect(validateAtlas(atlas), describeErrors(validateAtlas)).toBe(true);
        // Nothing the session does not know is filled in.
        if (session.source === 'calculated') {
          expect([atlas.plug_start_datetime, atlas.successful_completion, atlas.payment_type]).toEqual([
            null,
            null,
            null,
          ]);
        }
        if (session.entityType === 'EV') expect(atlas.port_id).toBeNull();
      }),
      RUNS,
    );
  });

  it('as Beckn EvChargingSession v2.0 attributes', () => {
    fc.assert(
      fc.property(sessionArbitrary, (session) => {
        const beckn = toBecknSession(session);
        expect(validateBecknV2(beckn), describeErrors(validateBecknV2)).toBe(true);
      }),
      RUNS,
    );
  });

  it('as an EV-ChART Module 2 row (charge points), parsed back from its CSV line', () => {
    fc.assert(
      fc.property(
        sessionArbitrary.filter((session) => session.entityType === 'CP'),
        (session) => {
          const row = toEvchartRow(session, REGISTER_EVERY_CP);
          const parsed = parseLine(EVCHART_MODULE2_COLUMNS, evchartLine(row));
          expect(parsed).toEqual(row);
          expect(validateEvchartRow(parsed), describeErrors(validateEvchartRow)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('as a DER-Connect CSV line that parses back to the values', () => {
    fc.assert(
      fc.property(sessionArbitrary, (session) => {
        const parsed = parseLine(DER_CONNECT_CSV_COLUMNS, derConnectCsvLine(session, REGISTER_EVERY_CP));
        expect(validateDerConnectCsvRow(parsed), describeErrors(validateDerConnectCsvRow)).toBe(true);
        expect(parsed['id']).toBe(session.id);
        expect(Number(parsed['energy_kwh'])).toBeCloseTo(session.energyKwh, 4);
        const label = session.locationMatches[0]?.location.label ?? '';
        // Text survives the round trip, with a leading apostrophe only where it would start a formula.
        expect(parsed['location_label']).toBe(/^[=+\-@\t\r]/.test(label) ? `'${label}` : label);
      }),
      RUNS,
    );
  });
});
