import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../shared/exports/csv.js';
import { DER_CONNECT_CSV_COLUMNS, derConnectCsv, UTF8_BOM } from '../../shared/exports/der-connect-csv.js';
import { derConnectCsvRowSchema, describeErrors, validateDerConnectCsvRow } from '../schemas/validators.js';
import {
  collect,
  cpMeasuredSession,
  EV_ID,
  EXAMPLE_SESSIONS,
  evSession,
  fromArray,
  REGISTERED_CONTEXT,
} from './export-fixtures.js';

function parseRows(text: string): Record<string, string>[] {
  return parse(text, { columns: true, bom: true, relax_column_count: false }) as Record<string, string>[];
}

describe('DER-Connect CSV export', () => {
  it('writes the header its row schema names, CRLF line ends, one row per session', async () => {
    expect([...DER_CONNECT_CSV_COLUMNS]).toEqual(derConnectCsvRowSchema['required']);
    const sessions = Object.values(EXAMPLE_SESSIONS);
    const text = await collect(derConnectCsv(fromArray(sessions), REGISTERED_CONTEXT));
    expect(text.split('\r\n')[0]).toBe(DER_CONNECT_CSV_COLUMNS.join(','));
    // Every line break outside quoted fields is CRLF: no bare LF ends a record.
    const unquoted = text.replace(/"(?:[^"]|"")*"/g, '');
    expect(unquoted.match(/\n/g)?.length).toBe(sessions.length + 1);
    expect(unquoted.match(/\r\n/g)?.length).toBe(sessions.length + 1);
    const rows = parseRows(text);
    expect(rows).toHaveLength(sessions.length);
    for (const row of rows)
      expect(validateDerConnectCsvRow(row), describeErrors(validateDerConnectCsvRow)).toBe(true);
  });

  it('writes the session values, units in the header, empty cells for what is unknown', async () => {
    const text = await collect(
      derConnectCsv(fromArray([evSession(), cpMeasuredSession()]), REGISTERED_CONTEXT),
    );
    const [ev, cp] = parseRows(text);
    expect(ev).toEqual({
      id: '0190a1b2-0001-7000-8000-000000000001',
      entity_id: EV_ID,
      entity_name: `'=HYPERLINK("http://evil.example","Car")`,
      start: '2024-05-01T22:10:00.000Z',
      end: '2024-05-02T01:40:00.000Z',
      energy_kwh: '31.2346',
      average_power_kw: '9.1',
      peak_power_kw: '11.04',
      soc_start_percent: '22.5',
      soc_end_percent: '80',
      range_start_km: '101.2',
      range_end_km: '355.75',
      location_label: 'Home, "Garage" — Zürich',
      location_accuracy: '0.92',
      method: 'energy_meter',
      source: 'calculated',
    });
    expect(cp).toMatchObject({
      entity_name: 'Depot, bay 3',
      soc_start_percent: '',
      range_end_km: '',
      location_label: '',
      location_accuracy: '',
      source: 'measured',
    });
  });

  it('quotes commas, quotes and line breaks, and keeps non-ASCII text as UTF-8', async () => {
    const labels = ['a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'Ürümqi 東京 🚗', ' padded '];
    const sessions = labels.map((label, index) =>
      evSession({ id: `id-${index}`, locationMatches: [{ accuracy: 1, location: { id: 'l', label } }] }),
    );
    const text = await collect(derConnectCsv(fromArray(sessions)));
    expect(text).toContain('"a,b"');
    expect(text).toContain('"say ""hi"""');
    expect(text).toContain('"two\nlines"');
    // A lone CR is quoted too: csv-parse copes either way, but spreadsheets take it for a line end.
    expect(csvCell('a\rb')).toBe('"a\rb"');
    const bytes = Buffer.from(text, 'utf8');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(text);
    expect(parseRows(bytes.toString('utf8')).map((row) => row['location_label'])).toEqual(labels);
  });

  it('defuses text that a spreadsheet would run as a formula, and only text', async () => {
    const triggers = ['=1+1', '+41 44 000', '-5', '@SUM(A1)', '\tcmd', '\rcmd'];
    const sessions = triggers.map((label, index) =>
      evSession({ id: `id-${index}`, locationMatches: [{ accuracy: 0.5, location: { id: 'l', label } }] }),
    );
    const rows = parseRows(await collect(derConnectCsv(fromArray(sessions))));
    expect(rows.map((row) => row['location_label'])).toEqual(triggers.map((label) => `'${label}`));
    for (const row of rows) expect(validateDerConnectCsvRow(row)).toBe(true);
    expect(csvCell('-5')).toBe('-5'); // numbers and machine files are left alone
    expect(csvCell('-5', { defuseFormula: true })).toBe("'-5");
  });

  it('starts with a UTF-8 byte-order mark only when asked', async () => {
    const plain = await collect(derConnectCsv(fromArray([evSession()])));
    const withBom = await collect(derConnectCsv(fromArray([evSession()]), {}, { byteOrderMark: true }));
    expect(plain.startsWith(UTF8_BOM)).toBe(false);
    expect(withBom).toBe(UTF8_BOM + plain);
    expect(parseRows(withBom)).toEqual(parseRows(plain));
  });

  it('writes only the header for no sessions', async () => {
    expect(await collect(derConnectCsv(fromArray([])))).toBe(`${DER_CONNECT_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('has row rules that reject undefused formulas, units out of shape and unknown columns', () => {
    const good: Record<string, string> = {
      id: 'a',
      entity_id: 'b',
      entity_name: '',
      start: '2024-05-01T22:10:00.000Z',
      end: '2024-05-02T01:40:00.000Z',
      energy_kwh: '1.5',
      average_power_kw: '1',
      peak_power_kw: '2',
      soc_start_percent: '',
      soc_end_percent: '100',
      range_start_km: '',
      range_end_km: '',
      location_label: '',
      location_accuracy: '',
      method: 'power_flow',
      source: 'calculated',
    };
    expect(validateDerConnectCsvRow(good), describeErrors(validateDerConnectCsvRow)).toBe(true);
    for (const broken of [
      { ...good, entity_name: '=cmd' },
      { ...good, energy_kwh: '1e-7' },
      { ...good, soc_end_percent: '100.5' },
      { ...good, location_accuracy: '1.2' },
      { ...good, method: 'guess' },
      { ...good, extra: '' },
    ]) {
      expect(validateDerConnectCsvRow(broken)).toBe(false);
    }
  });
});
