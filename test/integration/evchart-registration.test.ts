// EV-ChART Module 2 over HTTP, end to end from the operator's registration: a charger registered with
// its EV-ChART identity, a public session played to `captured` on it, and the entity's export carrying
// exactly the registered station_id, network_provider, charger_id and port_id — as registered now while
// the charger still registers the port (a correction applies), else as kept with the session when it
// started (the charger unregistered, re-linked or deleted since). The registration is the operator's
// (never on the public charger) and the tenant's alone.

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVCHART_MODULE2_COLUMNS } from '../../shared/exports/index.js';
import { listEntitySessions } from '../../shared/storage/sessions.js';
import { chargerConfigInput, later, txEvent } from '../fixtures/ocpp/builders.js';
import { describeErrors, validateEvchartRow } from '../schemas/validators.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { loopbackAddress } from '../support/fixtures.js';
import { createEntity } from '../support/requests.js';
import { recordDynamoCalls, sessionAt, writeSessions } from '../support/sessions.js';

let api: TestApi;
let operator: string;
let intruder: string;
let entityId: string;

const CODE = 'NEVI-07';
const EVCHART = { stationId: 'NEVI-AMS-STATION-07', networkProvider: 'acme_network', chargerId: 'CHG-07-A' };

const CONNECTORS = [
  { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-07-1' },
  { connectorId: 2, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-07-2' },
];

const chargerConfig = (overrides: Record<string, unknown> = {}) =>
  chargerConfigInput({
    publicCode: CODE,
    name: 'Corridor stop 7',
    entityId,
    connectors: CONNECTORS,
    pricing: { currency: 'USD', pricePerKwh: 49, startFee: 0, taxRate: 0 },
    evchart: EVCHART,
    ...overrides,
  });

beforeAll(async () => {
  api = await startTestApi();
  operator = await api.token('nevi-operator');
  intruder = await api.token('other-operator');
  entityId = (await createEntity(api, operator, { type: 'CP', name: 'Corridor stop 7' }, { capture: true }))
    .id;
});
afterAll(() => api.close());

const exportOf = (token: string, entity: string, start = '2025-03-01T00:00:00Z') =>
  api.request('GET', `/v1/entities/${entity}/charge-sessions?start=${start}&format=evchart`, { token });

function rowsOf(text: string): Record<string, string>[] {
  const [header = [], ...records] = parse(text) as string[][];
  expect(header).toEqual([...EVCHART_MODULE2_COLUMNS]);
  return records.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] as string])));
}

/** A driver's whole public session on connector 2 of `code`, relayed as a CSMS would: 12 kWh, captured. */
async function playCapturedSession(code = CODE, t0 = new Date('2025-03-04T08:00:00.000Z')): Promise<string> {
  const ip = loopbackAddress();
  const started = await api.request('POST', '/v1/public-charging/sessions', {
    sourceIp: ip,
    body: { code, connector_id: 2 },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const token = started.body.token as string;
  const confirmed = await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, {
    sourceIp: ip,
  });
  expect(confirmed.body.data.status).toBe('authorized');
  const commands = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
  const start = commands.body.data.find((c: any) => c.action === 'RequestStartTransaction');
  expect(start.request.evseId).toBe(2);
  const accepted = await api.request('POST', `/v1/chargers/${code}/commands/${start.commandId}/result`, {
    token: operator,
    body: { status: 'Accepted' },
  });
  expect(accepted.status).toBe(200);
  const send = async (event: unknown) => {
    const response = await api.request('POST', `/v1/chargers/${code}/transaction-events`, {
      token: operator,
      body: event,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const transaction = { transactionId: `TX-${code}`, evse: { id: 2, connectorId: 1 } };
  await send(
    txEvent('Started', 0, {
      ...transaction,
      at: t0,
      beginWh: 50_000,
      chargingState: 'Charging',
      remoteStartId: start.request.remoteStartId,
    }),
  );
  await send(
    txEvent('Updated', 1, { ...transaction, at: later(10 * 60_000, t0), wh: 56_000, powerW: 48_000 }),
  );
  const stopped = await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip });
  expect(stopped.body.data.status).toBe('stopping');
  const ended = await send(
    txEvent('Ended', 2, {
      ...transaction,
      at: later(20 * 60_000, t0),
      endWh: 62_000,
      stoppedReason: 'Remote',
      triggerReason: 'RemoteStop',
    }),
  );
  expect(ended.session.status).toBe('captured');
  return ended.session.id as string;
}

describe('an EV-ChART export from a registered charger', () => {
  it('carries the registered station, provider, charger and port of a session played to captured', async () => {
    const registered = await api.request('POST', '/v1/chargers', { token: operator, body: chargerConfig() });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body.evchart).toEqual(EVCHART);
    expect(registered.body.connectors.map((c: any) => c.portId)).toEqual(['PORT-07-1', 'PORT-07-2']);

    const sessionId = await playCapturedSession();
    // The measured session keeps the registration its port had when the session started.
    const [stored] = (
      await listEntitySessions(
        'nevi-operator',
        entityId,
        { start: '2025-03-01T00:00:00Z' },
        { pageSize: 1, startKey: undefined },
      )
    ).items;
    expect(stored?.measured?.evchart).toEqual({ ...EVCHART, portId: 'PORT-07-2' });

    const response = await exportOf(operator, entityId);
    expect(response.status, response.text).toBe(200);
    const rows = rowsOf(response.text);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    expect(row).toEqual({
      station_id: 'NEVI-AMS-STATION-07',
      port_id: 'PORT-07-2',
      network_provider: 'acme_network',
      charger_id: 'CHG-07-A',
      session_id: sessionId,
      connector_id: '2',
      session_start: '2025-03-04T08:00:00Z',
      session_end: '2025-03-04T08:20:00Z',
      session_error: '',
      error_other: '',
      energy_kwh: '12.00',
      power_kw: '48.00',
      // Public charging records its payments as 'card', which the Atlas vocabulary EV-ChART's
      // payment_method uses has no word for (shared/exports/session-facts.ts).
      payment_method: 'other',
      payment_other: 'card',
    });
    // The fleet export says the same.
    const fleet = await api.request('GET', '/v1/charge-sessions?start=2025-03-01T00:00:00Z&format=evchart', {
      token: operator,
    });
    expect(fleet.status, fleet.text).toBe(200);
    expect(rowsOf(fleet.text)).toEqual(rows);
  });

  it('reads the registration as it is now over the one kept: a corrected port id shows in the next export', async () => {
    const corrected = chargerConfig({
      evchart: { stationId: EVCHART.stationId, networkProvider: 'acme_network_v2' },
      connectors: [
        { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-07-1' },
        { connectorId: 2, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-07-2B' },
      ],
    });
    const put = await api.request('PUT', `/v1/chargers/${CODE}`, { token: operator, body: corrected });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const [row] = rowsOf((await exportOf(operator, entityId)).text);
    expect(row).toMatchObject({ port_id: 'PORT-07-2B', network_provider: 'acme_network_v2', charger_id: '' });
    // Restored for the tests that follow.
    expect(
      (await api.request('PUT', `/v1/chargers/${CODE}`, { token: operator, body: chargerConfig() })).status,
    ).toBe(200);
  });

  it('reads the chargers once per export response, on GSI1, whatever the number of sessions', async () => {
    // Five more measured sessions of the charger, on connector 1: six rows in one response.
    const [played] = (
      await listEntitySessions(
        'nevi-operator',
        entityId,
        { start: '2025-03-01T00:00:00Z' },
        {
          pageSize: 1,
          startKey: undefined,
        },
      )
    ).items;
    const more = Array.from({ length: 5 }, (_, i) =>
      sessionAt(
        'nevi-operator',
        { id: entityId, type: 'CP' },
        Date.parse('2025-03-10T08:00:00Z') + i * 86_400_000,
        100 + i,
        {
          source: 'measured',
          method: 'energy_meter',
          measured: {
            ...played!.measured!,
            connectorId: 1,
            evchart: { ...played!.measured!.evchart!, portId: 'PORT-07-1' },
          },
        },
      ),
    );
    await writeSessions(more);
    const recorder = recordDynamoCalls();
    try {
      const response = await exportOf(operator, entityId);
      expect(response.status, response.text).toBe(200);
      const rows = rowsOf(response.text);
      expect(rows.map((row) => row.port_id)).toEqual(['PORT-07-2', ...more.map(() => 'PORT-07-1')]);
      for (const row of rows) expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
      const chargerReads = recorder.calls.filter(
        (call) => call.command === 'Query' && call.input.IndexName === 'GSI1',
      );
      // The entity's chargers only: the tenant's charger list, filtered to the entity exported.
      expect(chargerReads).toHaveLength(1);
      expect(chargerReads[0]?.input).toMatchObject({
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: '#entity = :entity',
        ExpressionAttributeValues: { ':pk': 'T#nevi-operator#CHARGERS', ':entity': entityId },
      });
      // Besides: the entity, the tenant's settings and the sessions' one Query.
      expect(recorder.calls.map((call) => call.command).sort()).toEqual([
        'GetItem',
        'GetItem',
        'Query',
        'Query',
      ]);
    } finally {
      recorder.stop();
    }
  });

  it('reads every charger of the tenant once per fleet export response, and once per response when paged', async () => {
    const recorder = recordDynamoCalls();
    try {
      const fleet = await api.request(
        'GET',
        '/v1/charge-sessions?start=2025-03-01T00:00:00Z&format=evchart&pageSize=4',
        { token: operator },
      );
      expect(fleet.status, fleet.text).toBe(200);
      expect(rowsOf(fleet.text)).toHaveLength(4);
      const next = /^<([^>]+)>; rel="next"$/.exec(fleet.headers.get('link') ?? '')?.[1];
      expect(next, fleet.headers.get('link') ?? 'no Link header').toBeDefined();
      const rest = await api.request('GET', next!.slice(api.url.length), { token: operator });
      expect(rest.status, rest.text).toBe(200);
      expect(rowsOf(rest.text).map((row) => row.port_id)).toEqual(['PORT-07-1', 'PORT-07-1']);
      const chargerReads = recorder.calls.filter(
        (call) => call.command === 'Query' && call.input.IndexName === 'GSI1',
      );
      expect(chargerReads).toHaveLength(2);
      for (const read of chargerReads) {
        expect(read.input.FilterExpression).toBeUndefined();
        expect(read.input.ExpressionAttributeValues).toEqual({ ':pk': 'T#nevi-operator#CHARGERS' });
      }
    } finally {
      recorder.stop();
    }
  });

  it('takes the registration kept with each session once the charger is unregistered', async () => {
    const plain = chargerConfig({
      evchart: undefined,
      connectors: CONNECTORS.map(({ portId: _portId, ...connector }) => connector),
    });
    const put = await api.request('PUT', `/v1/chargers/${CODE}`, { token: operator, body: plain });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.evchart).toBeNull();
    const response = await exportOf(operator, entityId);
    expect(response.status, response.text).toBe(200);
    const rows = rowsOf(response.text);
    expect(rows.map((row) => [row.station_id, row.network_provider, row.charger_id, row.port_id])).toEqual([
      [EVCHART.stationId, EVCHART.networkProvider, EVCHART.chargerId, 'PORT-07-2'],
      ...Array.from({ length: 5 }, () => [
        EVCHART.stationId,
        EVCHART.networkProvider,
        EVCHART.chargerId,
        'PORT-07-1',
      ]),
    ]);
    expect(
      (await api.request('PUT', `/v1/chargers/${CODE}`, { token: operator, body: chargerConfig() })).status,
    ).toBe(200);
  });
});

describe('the registration', () => {
  it('refuses bad values field by field', async () => {
    const response = await api.request('POST', '/v1/chargers', {
      token: operator,
      body: chargerConfig({
        publicCode: 'NEVI-08',
        evchart: { stationId: 's'.repeat(37), networkProvider: '' },
        connectors: [
          { connectorId: 1, type: 'CCS2', maxPowerKw: 150 },
          { connectorId: 2, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-07-2' },
        ],
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((e: any) => [e.field, e.code]).sort()).toEqual([
      ['connectors[0].portId', 'required'],
      ['evchart.networkProvider', 'too_small'],
      ['evchart.stationId', 'too_big'],
    ]);
  });

  it('is shown to the operator and never on the public charger', async () => {
    const own = await api.request('GET', `/v1/chargers/${CODE}`, { token: operator });
    expect(own.body.evchart).toEqual(EVCHART);
    const list = await api.request('GET', '/v1/chargers', { token: operator });
    expect(list.body.data[0].evchart).toEqual(EVCHART);
    const driver = await api.request('GET', `/v1/public-charging/chargers/${CODE}`, {
      sourceIp: loopbackAddress(),
    });
    expect(driver.status).toBe(200);
    for (const value of [
      ...Object.values(EVCHART),
      'PORT-07-1',
      'PORT-07-2',
      'evchart',
      'portId',
      'port_id',
    ]) {
      expect(driver.text).not.toContain(value);
    }
  });

  it("is the tenant's own: another tenant's export never takes it, even naming the same charger", async () => {
    const cp = await api.request('POST', '/v1/entities', {
      token: intruder,
      body: { type: 'CP', name: 'Copy' },
    });
    // A measured session of the other tenant's charge point that names the operator's charger code.
    const foreign = sessionAt(
      'other-operator',
      { id: cp.body.id, type: 'CP' },
      Date.parse('2025-03-05T10:00:00Z'),
      1,
      {
        source: 'measured',
        method: 'energy_meter',
        measured: {
          chargerCode: CODE,
          connectorId: 2,
          connectorType: 'CCS2',
          stoppedReason: 'Remote',
          plugStart: null,
          plugEnd: null,
          currency: 'USD',
          costAmount: 100,
          taxAmount: 0,
          pricePerKwh: 49,
          startFee: 0,
          paymentType: 'card',
          finalStatus: 'captured',
          failureReason: null,
          evchart: null,
        },
      },
    );
    await writeSessions([foreign]);
    const response = await exportOf(intruder, cp.body.id);
    expect(response.status).toBe(422);
    expect(response.body.errors[0].message).toContain(
      `charger ${CODE}, which measured it, is no longer one of`,
    );
    for (const value of [...Object.values(EVCHART), 'PORT-07']) expect(response.text).not.toContain(value);
    // And the operator's entity stays out of reach.
    expect((await exportOf(intruder, entityId)).status).toBe(404);
  });
});

describe('a calculated charge-point session (telemetry, no connector)', () => {
  let telemetryCp: string;
  const SOLO = 'SOLO-01';

  const soloConfig = (connectors: Record<string, unknown>[]) => ({
    publicCode: SOLO,
    name: 'Single-port wallbox',
    entityId: telemetryCp,
    public: false,
    connectors,
    pricing: { currency: 'USD', pricePerKwh: 40, startFee: 0, taxRate: 0 },
    holdAmount: 2_000,
    evchart: { stationId: 'NEVI-SOLO', networkProvider: 'acme_network' },
  });

  beforeAll(async () => {
    const cp = await api.request('POST', '/v1/entities', {
      token: operator,
      body: { type: 'CP', name: 'Telemetry wallbox' },
    });
    telemetryCp = cp.body.id;
    await writeSessions([
      sessionAt('nevi-operator', { id: telemetryCp, type: 'CP' }, Date.parse('2025-03-06T18:00:00Z'), 7),
    ]);
  });

  it('exports with the entity’s single registered port', async () => {
    const created = await api.request('POST', '/v1/chargers', {
      token: operator,
      body: soloConfig([{ connectorId: 1, type: 'Type2', maxPowerKw: 11, portId: 'SOLO-PORT' }]),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const response = await exportOf(operator, telemetryCp);
    expect(response.status, response.text).toBe(200);
    const [row] = rowsOf(response.text);
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    expect(row).toMatchObject({
      station_id: 'NEVI-SOLO',
      network_provider: 'acme_network',
      port_id: 'SOLO-PORT',
      charger_id: '',
      connector_id: '',
    });
  });

  it('is refused with 422 naming why when the entity has several ports', async () => {
    const put = await api.request('PUT', `/v1/chargers/${SOLO}`, {
      token: operator,
      body: soloConfig([
        { connectorId: 1, type: 'Type2', maxPowerKw: 11, portId: 'SOLO-PORT' },
        { connectorId: 2, type: 'Type2', maxPowerKw: 11, portId: 'SOLO-PORT-2' },
      ]),
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const response = await exportOf(operator, telemetryCp);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('export_unrepresentable');
    expect(response.body.exportField).toBe('port_id');
    expect(response.body.errors[0].message).toContain('port_id: ');
    expect(response.body.errors[0].message).toContain("register 2 ports ('SOLO-PORT', 'SOLO-PORT-2')");
    expect(response.body.errors[0].message).toContain('which one it used is unknown');
  });
});

describe('a charger registered only after its session', () => {
  const LATE = 'NEVI-09';
  let lateCp: string;

  beforeAll(async () => {
    lateCp = (await createEntity(api, operator, { type: 'CP', name: 'Corridor stop 9' }, { capture: true }))
      .id;
  });

  it('is refused while unregistered, then exports with the registration as it is now', async () => {
    const unregistered = chargerConfig({
      publicCode: LATE,
      entityId: lateCp,
      evchart: undefined,
      connectors: CONNECTORS.map(({ portId: _portId, ...connector }) => connector),
    });
    const created = await api.request('POST', '/v1/chargers', { token: operator, body: unregistered });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sessionId = await playCapturedSession(LATE, new Date('2025-03-08T09:00:00.000Z'));
    const [stored] = (
      await listEntitySessions(
        'nevi-operator',
        lateCp,
        { start: '2025-03-01T00:00:00Z' },
        { pageSize: 1, startKey: undefined },
      )
    ).items;
    expect(stored?.id).toBe(sessionId);
    expect(stored?.measured?.evchart).toBeNull();

    const refused = await exportOf(operator, lateCp);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('export_unrepresentable');
    expect(refused.body.errors[0].message).toContain(
      `station_id: charger ${LATE} has no EV-ChART registration, and the session keeps none from when it started`,
    );

    const late = { stationId: 'NEVI-STATION-09', networkProvider: 'acme_network', chargerId: 'CHG-09' };
    const registered = await api.request('PUT', `/v1/chargers/${LATE}`, {
      token: operator,
      body: chargerConfig({
        publicCode: LATE,
        entityId: lateCp,
        evchart: late,
        connectors: [
          { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-09-1' },
          { connectorId: 2, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-09-2' },
        ],
      }),
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    const response = await exportOf(operator, lateCp);
    expect(response.status, response.text).toBe(200);
    const [row] = rowsOf(response.text);
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    expect(row).toMatchObject({
      session_id: sessionId,
      station_id: late.stationId,
      network_provider: late.networkProvider,
      charger_id: late.chargerId,
      port_id: 'PORT-09-2',
    });
  });
});

describe('a charger re-linked to another entity, then deleted', () => {
  /** The identity of every row of the entity's export, which must still succeed. */
  async function exportedIdentities(): Promise<(string | undefined)[][]> {
    const response = await exportOf(operator, entityId);
    expect(response.status, response.text).toBe(200);
    const rows = rowsOf(response.text);
    for (const row of rows) expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    return rows.map((row) => [row.station_id, row.network_provider, row.charger_id, row.port_id]);
  }
  const kept = (port: string) => [EVCHART.stationId, EVCHART.networkProvider, EVCHART.chargerId, port];
  const keptRows = [kept('PORT-07-2'), ...Array.from({ length: 5 }, () => kept('PORT-07-1'))];

  it("leaves its measured sessions exporting with the registration they kept, not the charger's new one", async () => {
    const cp = await api.request('POST', '/v1/entities', {
      token: operator,
      body: { type: 'CP', name: 'Corridor stop 12' },
    });
    expect(cp.status).toBe(201);
    // Moved to another site and registered there under another station: none of that is this entity's.
    const moved = await api.request('PUT', `/v1/chargers/${CODE}`, {
      token: operator,
      body: chargerConfig({
        entityId: cp.body.id,
        evchart: { stationId: 'NEVI-STATION-12', networkProvider: 'acme_network', chargerId: 'CHG-12' },
      }),
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await exportedIdentities()).toEqual(keptRows);

    const deleted = await api.request('DELETE', `/v1/chargers/${CODE}`, { token: operator });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect(await exportedIdentities()).toEqual(keptRows);
  });
});
