import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../shared/errors.js';
import type { ExportContext } from '../../shared/exports/context.js';
import { EV_SESSION_NOT_REPORTABLE, evchartCsv, toEvchartRow } from '../../shared/exports/evchart.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import {
  describeErrors,
  EVCHART_README_COLUMNS,
  evchartDefinition,
  evchartFields,
  validateEvchartRow,
} from '../schemas/validators.js';
import { thrownApiError } from '../support/errors.js';
import {
  CP_ID,
  collect,
  cpCalculatedSession,
  cpMeasuredSession,
  EXAMPLE_SESSIONS,
  evSession,
  fromArray,
  REGISTERED_CONTEXT,
} from './export-fixtures.js';

function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const records = parse(text, { bom: true, relax_column_count: false }) as string[][];
  const [header = [], ...body] = records;
  return {
    header,
    rows: body.map((cells) =>
      Object.fromEntries(header.map((column, index) => [column, cells[index] ?? ''])),
    ),
  };
}

function expectUnrepresentable(run: () => unknown, field: string): void {
  const error = thrownApiError(run);
  expect(error).toBeInstanceOf(UnprocessableError);
  expect(error.code).toBe('export_unrepresentable');
  expect(error.extensions.exportField).toBe(field);
}

describe('EV-ChART Module 2 export', () => {
  it('covers every field of the upstream definition, plus the README station key, in README order', () => {
    const definitionColumns = evchartDefinition.fields.map((field) => field.field_name);
    expect(evchartDefinition.module).toBe(2);
    expect(EVCHART_README_COLUMNS.filter((column) => definitionColumns.includes(column))).toEqual(
      definitionColumns,
    );
    expect(evchartFields.map((field) => field.field_name).sort()).toEqual([...EVCHART_README_COLUMNS].sort());
  });

  it('writes exactly the Module 2 header, then valid rows for every charge-point example', async () => {
    const sessions = Object.values(EXAMPLE_SESSIONS);
    const text = await collect(evchartCsv(fromArray(sessions), REGISTERED_CONTEXT));
    expect(text.startsWith(`${EVCHART_README_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const { header, rows } = parseCsv(text);
    expect(header).toEqual(EVCHART_README_COLUMNS);
    expect(rows).toHaveLength(sessions.filter((session) => session.entityType === 'CP').length);
    for (const row of rows) expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
  });

  it('maps a measured session: plug times, connector port, peak power, payment', () => {
    expect(toEvchartRow(cpMeasuredSession(), REGISTERED_CONTEXT)).toEqual({
      station_id: 'STN-0001',
      port_id: 'PORT-0001-2',
      network_provider: 'acme_network',
      charger_id: 'CHG-0001',
      session_id: '0190a1b2-0001-7000-8000-000000000003',
      connector_id: '2',
      session_start: '2024-05-01T22:05:12Z',
      session_end: '2024-05-02T01:47:00Z',
      session_error: '',
      error_other: '',
      energy_kwh: '31.23',
      power_kw: '11.04',
      payment_method: 'application',
      payment_other: '',
    });
  });

  it('uses charging times, the default port and no connector for a calculated charge-point session', () => {
    const row = toEvchartRow(cpCalculatedSession(), REGISTERED_CONTEXT);
    expect(row).toMatchObject({
      port_id: 'PORT-0001-1',
      connector_id: '',
      session_start: '2024-05-01T22:10:00Z',
      session_end: '2024-05-02T01:40:00Z',
      payment_method: '',
    });
  });

  it("reports errors in the charger's words and keeps unknown payment words in payment_other", () => {
    const row = toEvchartRow(
      cpMeasuredSession({
        stoppedReason: 'OvercurrentFault',
        failureReason: 'Contactor welded, "C2"',
        paymentType: 'Stripe, card',
      }),
      REGISTERED_CONTEXT,
    );
    expect(row).toMatchObject({
      session_error: 'OvercurrentFault',
      error_other: 'Contactor welded, "C2"',
      payment_method: 'other',
      payment_other: 'Stripe, card',
    });
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    const long = toEvchartRow(cpMeasuredSession({ failureReason: 'x'.repeat(300) }), REGISTERED_CONTEXT);
    expect(long.session_error).toHaveLength(255);
  });

  it('quotes fields that hold commas or quotes so the file still parses', async () => {
    const context: ExportContext = {
      chargePoint: () => ({ stationId: 'S,1', networkProvider: 'Big "Net", Inc', portId: 'P1' }),
    };
    const text = await collect(evchartCsv(fromArray([cpCalculatedSession()]), context));
    expect(text).toContain('"S,1"');
    expect(text).toContain('"Big ""Net"", Inc"');
    const { rows } = parseCsv(text);
    expect(rows[0]).toMatchObject({ station_id: 'S,1', network_provider: 'Big "Net", Inc' });
  });

  it('skips EV sessions and says so; refuses them as single rows', async () => {
    const skipped: [string, string][] = [];
    const context: ExportContext = {
      ...REGISTERED_CONTEXT,
      onSkipped: (session, reason) => skipped.push([session.id, reason]),
    };
    const text = await collect(evchartCsv(fromArray([evSession(), cpCalculatedSession()]), context));
    expect(parseCsv(text).rows).toHaveLength(1);
    expect(skipped).toEqual([[evSession().id, EV_SESSION_NOT_REPORTABLE]]);
    expectUnrepresentable(() => toEvchartRow(evSession(), REGISTERED_CONTEXT), 'entityType');
  });

  it('refuses rather than guesses identifiers a federal report must carry', () => {
    const registeredWithout = (missing: string): ExportContext => ({
      chargePoint: () => ({
        stationId: 'STN-1',
        networkProvider: 'net',
        portId: 'PORT-1',
        [missing]: null,
      }),
    });
    expectUnrepresentable(() => toEvchartRow(cpCalculatedSession()), 'station_id');
    expectUnrepresentable(
      () => toEvchartRow(cpCalculatedSession(), registeredWithout('stationId')),
      'station_id',
    );
    expectUnrepresentable(
      () => toEvchartRow(cpCalculatedSession(), registeredWithout('networkProvider')),
      'network_provider',
    );
    expectUnrepresentable(() => toEvchartRow(cpCalculatedSession(), registeredWithout('portId')), 'port_id');
    expectUnrepresentable(
      () => toEvchartRow(cpCalculatedSession({ id: 'x'.repeat(37) }), REGISTERED_CONTEXT),
      'session_id',
    );
    expectUnrepresentable(
      () => toEvchartRow(cpCalculatedSession({ energyKwh: 100_000 }), REGISTERED_CONTEXT),
      'energy_kwh',
    );
    // The largest decimal(7,2) still fits.
    expect(toEvchartRow(cpCalculatedSession({ energyKwh: 99_999.99 }), REGISTERED_CONTEXT).energy_kwh).toBe(
      '99999.99',
    );
  });

  it('fails the export stream at the session that cannot be written', async () => {
    const unregistered: ChargeSessionRecord = cpCalculatedSession({ entityId: 'not-registered' });
    expect(unregistered.entityId).not.toBe(CP_ID);
    await expect(
      collect(evchartCsv(fromArray([cpCalculatedSession(), unregistered]), REGISTERED_CONTEXT)),
    ).rejects.toBeInstanceOf(UnprocessableError);
  });

  it('has row rules that reject what the definition forbids', () => {
    const good = toEvchartRow(cpMeasuredSession(), REGISTERED_CONTEXT);
    const broken: Record<string, unknown>[] = [
      { ...good, port_id: '' }, // required, no empty allowed
      { ...good, session_id: 'x'.repeat(37) },
      { ...good, energy_kwh: '-1.00' },
      { ...good, energy_kwh: '12.345' },
      { ...good, power_kw: '123456.00' },
      { ...good, session_start: '2024-05-01 22:05' },
      { ...good, payment_method: 'x'.repeat(256) },
      { ...good, unknown_column: '' },
    ];
    for (const row of broken) expect(validateEvchartRow(row)).toBe(false);
    const { session_error: _omitted, ...missing } = good;
    expect(validateEvchartRow(missing)).toBe(false);
    const { charger_id: _optional, ...withoutOptional } = good;
    expect(validateEvchartRow(withoutOptional)).toBe(true);
  });
});
