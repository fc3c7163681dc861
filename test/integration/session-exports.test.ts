// The session exports over HTTP, on sessions of EVs and of charge points: every Atlas and Beckn item
// validates against its schema, every CSV parses (header, quoting, UTF-8) and every row obeys its rules;
// EV-ChART refuses EVs and never writes a made-up identifier; format and Accept choose the
// representation; CSV responses are capped and continue through the Link header with no gap or repeat.

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DER_CONNECT_CSV_COLUMNS, EVCHART_MODULE2_COLUMNS } from '../../shared/exports/index.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { CSV_MAX_RESPONSE_BYTES } from '../../shared/sessions/query.js';
import { AtlasSession, BecknSessionItem } from '../../shared/sessions/schemas.js';
import {
  describeErrors,
  EVCHART_README_COLUMNS,
  validateAtlas,
  validateBecknV2,
  validateDerConnectCsvRow,
  validateEvchartRow,
} from '../schemas/validators.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createEntity, expectProblem, registerCharger, walkPages } from '../support/requests.js';
import {
  recordDynamoCalls,
  sessionAt,
  sessionId,
  type TestEntity,
  writeSessions,
} from '../support/sessions.js';
import { EXAMPLE_SESSIONS } from '../unit/export-fixtures.js';

let api: TestApi;
let token: string;
let ev: TestEntity;
let cp: TestEntity;
let cpCalculated: TestEntity;
let walker: TestEntity;
let bulky: TestEntity;
const evSessions: ChargeSessionRecord[] = [];
const cpSessions: ChargeSessionRecord[] = [];
const walkerSessions: ChargeSessionRecord[] = [];

// Names refuse line breaks (nameString); the CSV's quoting of them is exercised by a location label below.
const EV_NAME = 'Family car, "blue" Zürich 東京 🚗';
const CP_NAME = '=Depot, bay 3';
const DAY = 86_400_000;
/** The example sessions start on 2024-05-01; each copy moves a whole number of days on from there. */
const BASE_SHIFT = Date.parse('2025-03-01T00:00:00.000Z') - Date.parse('2024-05-01T00:00:00.000Z');
const MARCH = 'start=2025-03-01T00:00:00Z&end=2025-04-01T00:00:00Z';

function shifted(session: ChargeSessionRecord, ms: number): ChargeSessionRecord {
  const move = (iso: string | null) => (iso === null ? null : new Date(Date.parse(iso) + ms).toISOString());
  return {
    ...session,
    start: move(session.start) as string,
    end: move(session.end) as string,
    created: move(session.created) as string,
    measured: session.measured
      ? {
          ...session.measured,
          plugStart: move(session.measured.plugStart),
          plugEnd: move(session.measured.plugEnd),
        }
      : null,
  };
}

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('exporter', { scopes: ['entities:write', 'sessions:read', 'chargers:write'] });
  ev = await createEntity(api, token, { type: 'EV', name: EV_NAME });
  cp = await createEntity(api, token, { type: 'CP', name: CP_NAME });
  // The charger the example measured sessions name (PC7K2Q, connector 2), registered in EV-ChART.
  await registerCharger(api, token, cp.id, {
    publicCode: 'PC7K2Q',
    name: 'Depot charger',
    public: false,
    connectors: [
      { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'DEPOT3-P1' },
      { connectorId: 2, type: 'CCS2', maxPowerKw: 150, portId: 'DEPOT3-P2' },
    ],
    pricing: { currency: 'USD', pricePerKwh: 39, startFee: 50, taxRate: 0 },
    evchart: { stationId: 'NEVI-DEPOT-3', networkProvider: 'acme_network', chargerId: 'CHG-7' },
  });
  cpCalculated = await createEntity(api, token, { type: 'CP', name: 'Telemetry-only charger' });
  walker = await createEntity(api, token, { type: 'EV', name: 'Walker' });
  bulky = await createEntity(api, token, { type: 'EV', name: 'Bulky labels' });
  let n = 0;
  for (const session of Object.values(EXAMPLE_SESSIONS)) {
    n++;
    const target = session.entityType === 'EV' ? ev : session.measured ? cp : cpCalculated;
    const copy = shifted(
      { ...session, tenantId: 'exporter', entityId: target.id, id: sessionId(n) },
      BASE_SHIFT + n * DAY,
    );
    if (target === ev) evSessions.push(copy);
    if (target === cp) cpSessions.push(copy);
    // The calculated charge-point session goes to February, outside the March exports of the fleet.
    if (target === cpCalculated) Object.assign(copy, shifted(copy, -30 * DAY));
    await writeSessions([copy]);
  }
  const labels = ['Home', 'Work, 2nd floor', 'Say "hi"', 'line1\nline2', '=SUM(A1)', 'Café Zürich'];
  for (let i = 0; i < 250; i++) {
    walkerSessions.push(
      sessionAt('exporter', walker, Date.parse('2025-05-01T00:00:00Z') + i * 3 * 3_600_000, 1_000 + i, {
        locationMatches: [
          { accuracy: 0.9, location: { id: `loc-${i % 6}`, label: labels[i % 6] as string } },
        ],
      }),
    );
  }
  // 60 sessions with 80 KB location labels: about 4.8 MB of CSV, more than one response may carry.
  const bulk = Array.from({ length: 60 }, (_, i) =>
    sessionAt('exporter', bulky, Date.parse('2025-07-01T00:00:00Z') + i * DAY, 2_000 + i, {
      locationMatches: [{ accuracy: 1, location: { id: 'big', label: `${i}:${'x'.repeat(80_000)}` } }],
    }),
  );
  await writeSessions([...walkerSessions, ...bulk]);
});
afterAll(() => api.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  api.request('GET', path, { token, headers });
const entityPath = (entity: TestEntity, query: string) =>
  `/v1/entities/${entity.id}/charge-sessions?${query}`;

function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const records = parse(text, { bom: false, relax_column_count: false }) as string[][];
  const [header = [], ...rest] = records;
  return {
    header,
    rows: rest.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] as string]))),
  };
}

function nextLink(response: { headers: Headers }): string | null {
  const link = response.headers.get('link');
  if (!link) return null;
  const match = /^<([^>]+)>; rel="next"$/.exec(link);
  expect(match, link).not.toBeNull();
  return (match![1] as string).slice(api.url.length);
}

describe('Atlas', () => {
  it('writes every session of an EV and of a charge point valid against the Atlas session schema', async () => {
    for (const [entity, sessions] of [
      [ev, evSessions],
      [cp, cpSessions],
    ] as const) {
      const response = await get(entityPath(entity, `${MARCH}&format=atlas`));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.body.data.map((item: any) => item.session_id)).toEqual(sessions.map((s) => s.id));
      for (const item of response.body.data) {
        expect(validateAtlas(item), describeErrors(validateAtlas)).toBe(true);
        expect(AtlasSession.safeParse(item).success).toBe(true);
        expect(item.port_id).toBeNull();
      }
    }
  });

  it('pages exactly like the default listing', async () => {
    const pages = await walkPages(api, entityPath(cp, `${MARCH}&format=atlas&pageSize=2`), token);
    for (const page of pages) {
      expect(page.meta.pageSize).toBe(2);
      if (page.links.next) expect(new URL(page.links.next).searchParams.get('format')).toBe('atlas');
    }
    const ids = pages.flatMap((page) => page.data.map((item: any) => item.session_id));
    expect(ids).toEqual(cpSessions.map((s) => s.id));
  });
});

describe('Beckn', () => {
  it('writes EvChargingSession v2.0 attributes valid against the schema, with the ids they lack', async () => {
    const response = await get(`/v1/charge-sessions?${MARCH}&format=beckn&pageSize=100`);
    expect(response.status).toBe(200);
    const items = response.body.data;
    expect(items.map((item: any) => item.id)).toEqual(
      [...evSessions, ...cpSessions].sort((a, b) => a.start.localeCompare(b.start)).map((s) => s.id),
    );
    expect(new Set(items.map((item: any) => item.entityId))).toEqual(new Set([ev.id, cp.id]));
    for (const item of items) {
      expect(validateBecknV2(item.attributes), describeErrors(validateBecknV2)).toBe(true);
      expect(BecknSessionItem.safeParse(item).success).toBe(true);
    }
    expect(items.some((item: any) => item.attributes.totalCost)).toBe(true);
  });
});

describe('the DER-Connect CSV', () => {
  it('parses with its header, quoting and UTF-8 intact; every row obeys the row rules', async () => {
    const response = await get(entityPath(ev, `${MARCH}&format=csv`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="charge-sessions.csv"');
    expect(response.headers.get('vary')).toBe('Accept');
    expect(response.headers.get('link')).toBeNull();
    expect(response.text.startsWith(`${DER_CONNECT_CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    const { header, rows } = parseCsv(response.text);
    expect(header).toEqual([...DER_CONNECT_CSV_COLUMNS]);
    expect(rows.map((row) => row.id)).toEqual(evSessions.map((s) => s.id));
    for (const row of rows) {
      expect(validateDerConnectCsvRow(row), describeErrors(validateDerConnectCsvRow)).toBe(true);
      expect(row.entity_name).toBe(EV_NAME);
    }
    expect(rows[0]?.location_label).toBe('Home, "Garage" — Zürich');
  });

  it('is what Accept: text/csv gets without format, on both listings', async () => {
    const byFormat = await get(entityPath(ev, `${MARCH}&format=csv`));
    const byAccept = await get(entityPath(ev, MARCH), { accept: 'text/csv' });
    expect(byAccept.status).toBe(200);
    expect(byAccept.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(byAccept.text).toBe(byFormat.text);
    const fleet = await get(`/v1/charge-sessions?${MARCH}`, { accept: 'text/*, application/json;q=0.5' });
    expect(fleet.status).toBe(200);
    expect(parseCsv(fleet.text).rows).toHaveLength(evSessions.length + cpSessions.length);
  });

  it("names each fleet row's entity, reading names once per page, and defuses formula-like names", async () => {
    const recorder = recordDynamoCalls();
    try {
      const response = await get(
        '/v1/charge-sessions?start=2025-03-01T00:00:00Z&end=2025-06-30T00:00:00Z&format=csv',
      );
      expect(response.status).toBe(200);
      const { rows } = parseCsv(response.text);
      const names = new Map([
        [ev.id, EV_NAME],
        [cp.id, `'${CP_NAME}`],
        [walker.id, 'Walker'],
      ]);
      expect(rows).toHaveLength(evSessions.length + cpSessions.length + walkerSessions.length);
      for (const row of rows) expect(row.entity_name).toBe(names.get(row.entity_id as string));
      const commands = recorder.calls.map((call) => call.command);
      expect(commands.filter((c) => c === 'BatchGetItem').length).toBeLessThanOrEqual(
        commands.filter((c) => c === 'Query').length,
      );
      // Besides, one read of the tenant's settings (whether exact positions may be written).
      const others = recorder.calls.filter((c) => c.command !== 'BatchGetItem' && c.command !== 'Query');
      expect(others.map((c) => [c.command, c.input.Key])).toEqual([
        ['GetItem', { pk: 'T#exporter', sk: 'SETTINGS' }],
      ]);
      expect(
        recorder.calls.every((call) => call.command !== 'Query' || call.input.IndexName === 'GSI2'),
      ).toBe(true);
    } finally {
      recorder.stop();
    }
  });

  it('continues through the Link header, with no gap and no repeat, when pageSize caps a response', async () => {
    const ids: string[] = [];
    let responses = 0;
    let path: string | null = entityPath(walker, 'start=2025-05-01T00:00:00Z&pageSize=60');
    while (path) {
      const response = await get(path, { accept: 'text/csv' });
      expect(response.status).toBe(200);
      responses++;
      const { header, rows } = parseCsv(response.text);
      expect(header).toEqual([...DER_CONNECT_CSV_COLUMNS]);
      for (const row of rows)
        expect(validateDerConnectCsvRow(row), describeErrors(validateDerConnectCsvRow)).toBe(true);
      ids.push(...rows.map((row) => row.id as string));
      path = nextLink(response);
      if (path) {
        const url = new URL(`${api.url}${path}`);
        expect(url.searchParams.get('format')).toBe('csv');
        expect(url.searchParams.get('pageSize')).toBe('60');
      }
    }
    expect(responses).toBe(Math.ceil(walkerSessions.length / 60));
    expect(ids).toEqual(walkerSessions.map((s) => s.id));
  });

  it(`ends a response before ${CSV_MAX_RESPONSE_BYTES / 1024 / 1024} MiB and resumes at the next session`, async () => {
    const first = await get(entityPath(bulky, 'start=2025-07-01T00:00:00Z&format=csv'));
    expect(first.status).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(first.text))).toBeLessThanOrEqual(CSV_MAX_RESPONSE_BYTES + 2);
    const next = nextLink(first);
    expect(next).not.toBeNull();
    const second = await get(next as string);
    expect(second.status).toBe(200);
    expect(nextLink(second)).toBeNull();
    const ids = [...parseCsv(first.text).rows, ...parseCsv(second.text).rows].map(
      (row) => row.location_label?.split(':')[0],
    );
    expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => String(i)));
  });

  it('refuses a JSON page’s token for a CSV, and the other way round', async () => {
    const json = await get(entityPath(walker, 'start=2025-05-01T00:00:00Z&pageSize=5'));
    const csvWithJsonToken = await get(
      entityPath(
        walker,
        `start=2025-05-01T00:00:00Z&format=csv&continuationToken=${json.body.meta.continuationToken}`,
      ),
    );
    expectProblem(csvWithJsonToken, 400, 'invalid_continuation_token');
    const csv = await get(entityPath(walker, 'start=2025-05-01T00:00:00Z&format=csv&pageSize=5'));
    const token = new URL(`${api.url}${nextLink(csv)}`).searchParams.get('continuationToken');
    const jsonWithCsvToken = await get(
      entityPath(walker, `start=2025-05-01T00:00:00Z&continuationToken=${token}`),
    );
    expectProblem(jsonWithCsvToken, 400, 'invalid_continuation_token');
  });
});

describe('EV-ChART Module 2', () => {
  const evchart = (entity: TestEntity, query = `${MARCH}&format=evchart`) => get(entityPath(entity, query));

  it("writes a charge point's measured sessions with exactly the Module 2 columns, every row valid", async () => {
    const response = await evchart(cp);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="evchart-module2.csv"');
    const { header, rows } = parseCsv(response.text);
    expect(header).toEqual([...EVCHART_MODULE2_COLUMNS]);
    expect(header).toEqual(EVCHART_README_COLUMNS);
    expect(rows.map((row) => row.session_id)).toEqual(cpSessions.map((s) => s.id));
    for (const row of rows) {
      expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
      // Every identifier is the registered one: the charger's station and id, its connector 2's port.
      expect(row).toMatchObject({
        station_id: 'NEVI-DEPOT-3',
        network_provider: 'acme_network',
        charger_id: 'CHG-7',
        port_id: 'DEPOT3-P2',
        connector_id: '2',
      });
    }
  });

  it('refuses an EV up front with 422 format_not_applicable, on the entity and on the fleet', async () => {
    const entity = await evchart(ev);
    expectProblem(entity, 422, 'format_not_applicable');
    expect(entity.body.errors[0]).toMatchObject({ in: 'query', field: 'format' });
    const fleet = await get(`/v1/charge-sessions?${MARCH}&format=evchart&type=EV`);
    expectProblem(fleet, 422, 'format_not_applicable');
  });

  it('lists only charge points on the fleet', async () => {
    const response = await get(`/v1/charge-sessions?${MARCH}&format=evchart`);
    expect(response.status, response.text).toBe(200);
    const { rows } = parseCsv(response.text);
    expect(rows.map((row) => row.session_id)).toEqual(cpSessions.map((s) => s.id));
  });

  it('takes no network provider from the request: the registration is the one source', async () => {
    const response = await evchart(cp, `${MARCH}&format=evchart&networkProvider=other_network`);
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors[0]).toMatchObject({
      in: 'query',
      field: 'networkProvider',
      code: 'unrecognized_field',
    });
  });

  it('refuses a session of a charge point with no registered port with 422 export_unrepresentable', async () => {
    const calculated = await evchart(cpCalculated, 'start=2025-01-01T00:00:00Z&format=evchart');
    expectProblem(calculated, 422, 'export_unrepresentable');
    expect(calculated.body.errors[0]).toMatchObject({ in: 'query', field: 'format' });
    // The port is what is missing, so the refusal names port_id (and why), not the station.
    expect(calculated.body.exportField).toBe('port_id');
    expect(calculated.body.errors[0].message).toContain('port_id: ');
    expect(calculated.body.errors[0].message).toContain('no charger is linked to this charge point');
  });
});

describe('content negotiation', () => {
  it('answers 406 not_acceptable for an Accept it cannot serve, naming the header', async () => {
    const response = await get(entityPath(ev, MARCH), { accept: 'application/xml' });
    expectProblem(response, 406, 'not_acceptable');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors[0]).toMatchObject({ in: 'header', field: 'accept' });
  });

  it('lets format win over Accept, and prefers the higher quality', async () => {
    const atlas = await get(entityPath(ev, `${MARCH}&format=atlas`), { accept: 'text/csv' });
    expect(atlas.status).toBe(200);
    expect(atlas.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const csv = await get(entityPath(ev, `${MARCH}&format=csv`), { accept: 'application/json' });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const json = await get(entityPath(ev, MARCH), { accept: 'text/csv;q=0.2, application/json' });
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const any = await get(entityPath(ev, MARCH), { accept: '*/*' });
    expect(any.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});
