// The charge-session listings over HTTP: a 1,000-session history walked page by page with no gap and no
// repeat, exact start/end boundaries, tenant isolation, sealed and bound continuation tokens, parameter
// errors naming their field, the fleet listing and its filters, and the DynamoDB calls each page costs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { type ApiResponse, startTestApi, type TestApi } from '../support/api.js';
import { createEntity, expectProblem, walkPages } from '../support/requests.js';
import { recordDynamoCalls, sessionAt, type TestEntity, writeSessions } from '../support/sessions.js';

let api: TestApi;
let tokenA: string;
let tokenB: string;
let ev: TestEntity;
let cp: TestEntity;
let edge: TestEntity;
let foreign: TestEntity;
const history: ChargeSessionRecord[] = [];
const cpSessions: ChargeSessionRecord[] = [];

const HISTORY_START = Date.parse('2025-01-01T00:00:00.000Z');
const HISTORY_STEP_MS = 7 * 3_600_000 + 13 * 60_000; // 1,000 sessions over ~301 days
const HISTORY_SIZE = 1_000;
/** The boundary entity's range: sessions a millisecond either side of each end. */
const T = Date.parse('2025-06-01T10:00:00.000Z');
const E = Date.parse('2025-06-02T10:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi();
  tokenA = await api.token('tenant-a', { scopes: ['entities:write', 'sessions:read'] });
  tokenB = await api.token('tenant-b', { scopes: ['entities:write', 'sessions:read'] });
  ev = await createEntity(api, tokenA, { type: 'EV', name: 'Long history' });
  cp = await createEntity(api, tokenA, { type: 'CP', name: 'Depot charger' });
  edge = await createEntity(api, tokenA, { type: 'EV', name: 'Boundary car' });
  foreign = await createEntity(api, tokenB, { type: 'EV', name: 'Someone else’s car' });
  for (let i = 0; i < HISTORY_SIZE; i++)
    history.push(sessionAt('tenant-a', ev, HISTORY_START + i * HISTORY_STEP_MS, i));
  for (let i = 0; i < 100; i++) {
    // Every tenth starts at the same millisecond as an EV session: the fleet order breaks ties by entity id.
    const startMs = HISTORY_START + i * 3 * 86_400_000 + (i % 10 === 0 ? 0 : 3_600_000);
    cpSessions.push(sessionAt('tenant-a', cp, startMs, 10_000 + i));
  }
  const boundary = [T - 1, T, T + 1, E - 1, E, E + 1].map((ms, i) =>
    sessionAt('tenant-a', edge, ms, 20_000 + i),
  );
  const foreignSessions = Array.from({ length: 20 }, (_, i) =>
    sessionAt('tenant-b', foreign, HISTORY_START + i * 86_400_000, 30_000 + i),
  );
  await writeSessions([...history, ...cpSessions, ...boundary, ...foreignSessions]);
});
afterAll(() => api.close());

const relative = (url: string) => url.slice(api.url.length);

const walk = (path: string, token = tokenA) => walkPages(api, path, token);

const byStartThenEntity = (a: ChargeSessionRecord, b: ChargeSessionRecord) =>
  a.start === b.start ? a.entityId.localeCompare(b.entityId) : a.start.localeCompare(b.start);

/** The tenant-settings read every page makes for the exact-locations policy. */
const isSettingsRead = (call: { command: string; input: any }) =>
  call.command === 'GetItem' && call.input.Key?.sk === 'SETTINGS';

describe("an entity's sessions", () => {
  it('walks a 1,000-session history in pages with no gap and no repeat, by start ascending', async () => {
    const pages = await walk(`/v1/entities/${ev.id}/charge-sessions?start=2024-12-31T00:00:00Z&pageSize=37`);
    expect(pages).toHaveLength(Math.ceil(HISTORY_SIZE / 37));
    for (const page of pages.slice(0, -1)) expect(page.data).toHaveLength(37);
    expect(pages.at(-1).data).toHaveLength(HISTORY_SIZE % 37);
    expect(pages.at(-1).links.next).toBeNull();
    const ids = pages.flatMap((page) => page.data.map((item: any) => item.id));
    expect(ids).toEqual(history.map((session) => session.id));
    const starts = pages.flatMap((page) => page.data.map((item: any) => item.data.start));
    expect(starts).toEqual([...starts].sort());
    expect(pages[0].meta.pageSize).toBe(37);
  });

  it('answers the DER-Connect shape, 25 to a page by default', async () => {
    const response = await api.request(
      'GET',
      `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T00:00:00Z`,
      {
        token: tokenA,
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('vary')).toBe('Accept');
    expect(response.body.data).toHaveLength(25);
    expect(response.body.meta).toEqual({ continuationToken: expect.any(String), pageSize: 25 });
    const first = history[0] as ChargeSessionRecord;
    expect(response.body.data[0]).toEqual({
      id: first.id,
      entityId: ev.id,
      created: first.created,
      data: {
        start: first.start,
        end: first.end,
        charge: {
          total: { total: first.energyKwh, unit: 'kWh' },
          averagePower: { value: 7.2, unit: 'kW' },
          peakPower: { value: 11, unit: 'kW' },
          start: { value: 20, unit: '%' },
          end: { value: 80, unit: '%' },
        },
        locationMatches: [],
        method: 'state_of_charge',
        source: 'calculated',
        chargingDuration: 3_300,
        // Stored without pricing (as before costs existed): no category of its own, and no cost.
        category: 'other',
        cost: null,
        // Stored before status existed: completed, final.
        status: 'completed',
        provisional: false,
      },
    });
    const next = new URL(response.body.links.next);
    expect(next.pathname).toBe(`/v1/entities/${ev.id}/charge-sessions`);
    expect(next.searchParams.get('start')).toBe('2025-01-01T00:00:00.000Z');
    expect(next.searchParams.get('continuationToken')).toBe(response.body.meta.continuationToken);
  });

  it('includes a session starting exactly at start and excludes one a millisecond before; end is exclusive', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const list = async (query: string) => {
      const response = await api.request('GET', `/v1/entities/${edge.id}/charge-sessions?${query}`, {
        token: tokenA,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.data.map((item: any) => item.data.start);
    };
    expect(await list(`start=${iso(T)}&end=${iso(E)}`)).toEqual([iso(T), iso(T + 1), iso(E - 1)]);
    expect(await list(`start=${iso(T + 1)}&end=${iso(E + 1)}`)).toEqual([iso(T + 1), iso(E - 1), iso(E)]);
    expect(await list(`start=${iso(T - 1)}&end=${iso(T)}`)).toEqual([iso(T - 1)]);
    expect(await list(`start=${iso(T)}&end=${iso(T + 1)}`)).toEqual([iso(T)]);
    expect(await list(`start=${iso(T)}`)).toEqual([iso(T), iso(T + 1), iso(E - 1), iso(E), iso(E + 1)]);
    // The same instants with an offset, percent-encoded and not (an unencoded + arrives as a space).
    expect(await list('start=2025-06-01T12:00:00%2B02:00&end=2025-06-02T12:00:00+02:00')).toEqual([
      iso(T),
      iso(T + 1),
      iso(E - 1),
    ]);
    // Finer than a millisecond rounds up: start stays inclusive and end exclusive at the millisecond keys.
    expect(await list('start=2025-06-01T09:59:59.9995Z&end=2025-06-02T09:59:59.9991Z')).toEqual([
      iso(T),
      iso(T + 1),
      iso(E - 1),
    ]);
  });

  it('answers 404 entity_not_found for another tenant’s entity and an unknown id', async () => {
    for (const id of [foreign.id, '01900000-0000-7000-8000-00000000dead']) {
      const response = await api.request(
        'GET',
        `/v1/entities/${id}/charge-sessions?start=2025-01-01T00:00:00Z`,
        {
          token: tokenA,
        },
      );
      expectProblem(response, 404, 'entity_not_found');
      expect(JSON.stringify(response.body)).not.toContain('Someone');
    }
  });

  it('costs one Query and one read of the entity per page, however deep into a long history', async () => {
    const recorder = recordDynamoCalls();
    try {
      let path: string | null =
        `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T00:00:00Z&pageSize=40`;
      for (let page = 0; page < 25 && path; page++) {
        recorder.reset();
        const response: ApiResponse = await api.request('GET', path, { token: tokenA });
        expect(response.status).toBe(200);
        // One Query, plus the entity and the tenant's settings (exact-locations policy), sent together.
        expect(recorder.calls.map((call) => call.command).sort()).toEqual(['GetItem', 'GetItem', 'Query']);
        expect(recorder.calls.filter(isSettingsRead)).toHaveLength(1);
        const query = recorder.calls.find((call) => call.command === 'Query')!;
        expect(query.input.IndexName).toBeUndefined();
        expect(query.input.Limit).toBe(41);
        expect(query.output?.ScannedCount).toBeLessThanOrEqual(41);
        // The two reads go out together, so either may be recorded first.
        const get = recorder.calls.find((call) => call.command === 'GetItem' && !isSettingsRead(call))!;
        expect(get.input.Key).toEqual({ pk: 'T#tenant-a', sk: `ENTITY#${ev.id}` });
        path = response.body.links.next ? relative(response.body.links.next) : null;
      }
      expect(path).toBeNull();
    } finally {
      recorder.stop();
    }
  });
});

describe('continuation tokens', () => {
  async function firstToken(path: string, token = tokenA): Promise<string> {
    const response = await api.request('GET', path, { token });
    expect(response.status).toBe(200);
    return response.body.meta.continuationToken;
  }

  it('refuse an altered token with 400 invalid_continuation_token', async () => {
    const path = `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T00:00:00Z&pageSize=10`;
    const token = await firstToken(path);
    for (const position of [0, 20, token.length - 1]) {
      const char = token[position] === 'A' ? 'B' : 'A';
      const altered = token.slice(0, position) + char + token.slice(position + 1);
      const response = await api.request('GET', `${path}&continuationToken=${altered}`, { token: tokenA });
      expectProblem(response, 400, 'invalid_continuation_token');
      expect(response.body.errors[0]).toMatchObject({ in: 'query', field: 'continuationToken' });
    }
    const garbage = await api.request('GET', `${path}&continuationToken=not-a-token`, { token: tokenA });
    expectProblem(garbage, 400, 'invalid_continuation_token');
  });

  it('refuse a token of another query: any other start, end, entity, filter or format', async () => {
    const base = 'start=2025-01-01T00:00:00Z&end=2025-06-01T00:00:00Z&pageSize=10';
    const token = await firstToken(`/v1/entities/${ev.id}/charge-sessions?${base}`);
    const others = [
      `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T00:00:00.001Z&end=2025-06-01T00:00:00Z`,
      `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T00:00:00Z&end=2025-06-01T00:00:00.001Z`,
      `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T00:00:00Z`,
      `/v1/entities/${edge.id}/charge-sessions?${base}`,
      `/v1/entities/${ev.id}/charge-sessions?${base}&format=atlas`,
      `/v1/charge-sessions?${base}&entityId=${ev.id}`,
    ];
    for (const path of others) {
      const response = await api.request('GET', `${path}&continuationToken=${token}`, { token: tokenA });
      expectProblem(response, 400, 'invalid_continuation_token');
    }
    // The same query with another page size, or another spelling of the same instants, continues.
    const same = await api.request(
      'GET',
      `/v1/entities/${ev.id}/charge-sessions?start=2025-01-01T01:00:00%2B01:00&end=2025-06-01T00:00:00.000Z&pageSize=3&continuationToken=${token}`,
      { token: tokenA },
    );
    expect(same.status).toBe(200);
    expect(same.body.data.map((item: any) => item.id)).toEqual(history.slice(10, 13).map((s) => s.id));
  });

  it('refuse another tenant’s token: never another tenant’s data', async () => {
    const path = '/v1/charge-sessions?start=2025-01-01T00:00:00Z&pageSize=5';
    const tokenOfA = await firstToken(path, tokenA);
    const response = await api.request('GET', `${path}&continuationToken=${tokenOfA}`, { token: tokenB });
    expectProblem(response, 400, 'invalid_continuation_token');
    expect(JSON.stringify(response.body)).not.toContain(ev.id);
  });
});

describe('parameters', () => {
  const path = () => `/v1/entities/${ev.id}/charge-sessions`;

  async function expectFieldError(query: string, field: string, code?: string, route = path()) {
    const response = await api.request('GET', `${route}?${query}`, { token: tokenA });
    expectProblem(response, 400, 'validation_failed');
    const error = response.body.errors.find((e: any) => e.field === field);
    expect(error, JSON.stringify(response.body.errors)).toMatchObject({ in: 'query', field });
    if (code) expect(error.code).toBe(code);
    expect(response.body.detail).toContain(`query.${field}`);
  }

  it('need start, as an RFC 3339 date-time with an offset (a bare date is refused)', async () => {
    await expectFieldError('', 'start', 'required');
    await expectFieldError('end=2025-02-01T00:00:00Z', 'start', 'required');
    for (const bad of [
      '2025-01-01',
      '2025-01-01T00:00:00',
      '2025-13-01T00:00:00Z',
      '2025-02-29T00:00:00Z',
      'yesterday',
      '1735689600',
    ]) {
      await expectFieldError(`start=${encodeURIComponent(bad)}`, 'start', 'invalid_datetime');
    }
    await expectFieldError('start=2025-01-01T00:00:00Z&end=2025-02-30T00:00:00Z', 'end', 'invalid_datetime');
  });

  it('need end after start, and within 366 days of it', async () => {
    await expectFieldError('start=2025-02-01T00:00:00Z&end=2025-01-01T00:00:00Z', 'end', 'invalid_range');
    await expectFieldError('start=2025-02-01T00:00:00Z&end=2025-02-01T00:00:00Z', 'end', 'invalid_range');
    await expectFieldError('start=2025-01-01T00:00:00Z&end=2026-01-02T00:00:00.001Z', 'end', 'invalid_range');
    const longest = await api.request(
      'GET',
      `${path()}?start=2025-01-01T00:00:00Z&end=2026-01-02T00:00:00Z`,
      {
        token: tokenA,
      },
    );
    expect(longest.status).toBe(200);
  });

  it('bound the page size, and refuse unknown parameters and formats', async () => {
    const start = 'start=2025-01-01T00:00:00Z';
    await expectFieldError(`${start}&pageSize=0`, 'pageSize', 'too_small');
    await expectFieldError(`${start}&pageSize=101`, 'pageSize', 'too_big');
    await expectFieldError(`${start}&pageSize=10001&format=csv`, 'pageSize', 'too_big');
    await expectFieldError(`${start}&pageSize=2.5`, 'pageSize');
    await expectFieldError(`${start}&pageSize=ten`, 'pageSize');
    await expectFieldError(`${start}&format=xml`, 'format');
    await expectFieldError(`${start}&since=2025-01-01`, 'since', 'unrecognized_field');
    await expectFieldError(`${start}&networkProvider=acme`, 'networkProvider', 'unrecognized_field');
    await expectFieldError(`${start}&entityId=not-a-uuid`, 'entityId', 'invalid_uuid', '/v1/charge-sessions');
    await expectFieldError(`${start}&type=BUS`, 'type', undefined, '/v1/charge-sessions');
  });
});

describe('the fleet listing', () => {
  const tenantA = () => [...history, ...cpSessions].sort(byStartThenEntity);

  it("walks every session of the tenant's entities by start, and only the tenant's", async () => {
    const pages = await walk(
      '/v1/charge-sessions?start=2025-01-01T00:00:00Z&end=2025-12-31T00:00:00Z&pageSize=100',
    );
    const ids = pages.flatMap((page) => page.data.map((item: any) => `${item.entityId}/${item.id}`));
    const expected = tenantA().map((session) => `${session.entityId}/${session.id}`);
    // The boundary car's sessions are in June; interleave them where they belong.
    const edgeIds = pages.flatMap((page) => page.data.filter((item: any) => item.entityId === edge.id));
    expect(edgeIds).toHaveLength(6);
    expect(ids.filter((id) => !id.startsWith(edge.id))).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((id) => id.startsWith(foreign.id))).toBe(false);
  });

  it('filters by type, and by entity from its own partition', async () => {
    const cps = await walk('/v1/charge-sessions?start=2025-01-01T00:00:00Z&type=CP&pageSize=100');
    const cpIds = cps.flatMap((page) => page.data.map((item: any) => item.id));
    expect(cpIds).toEqual(cpSessions.map((session) => session.id));

    const evs = await walk('/v1/charge-sessions?start=2025-01-01T00:00:00Z&type=EV&pageSize=100');
    const evItems = evs.flatMap((page) => page.data);
    expect(evItems).toHaveLength(HISTORY_SIZE + 6);
    expect(evItems.every((item: any) => item.entityId !== cp.id)).toBe(true);

    const recorder = recordDynamoCalls();
    try {
      const one = await walk(`/v1/charge-sessions?start=2025-01-01T00:00:00Z&entityId=${cp.id}&pageSize=100`);
      expect(one.flatMap((page) => page.data.map((item: any) => item.id))).toEqual(
        cpSessions.map((s) => s.id),
      );
      const queries = recorder.calls.filter((call) => call.command === 'Query');
      expect(queries.every((call) => call.input.IndexName === undefined)).toBe(true);
      expect(recorder.calls.every((call) => call.command === 'Query' || isSettingsRead(call))).toBe(true);
    } finally {
      recorder.stop();
    }

    const mismatch = await api.request(
      'GET',
      `/v1/charge-sessions?start=2025-01-01T00:00:00Z&entityId=${cp.id}&type=EV`,
      {
        token: tokenA,
      },
    );
    expect(mismatch.status).toBe(200);
    expect(mismatch.body.data).toEqual([]);
    const unknown = await api.request(
      'GET',
      `/v1/charge-sessions?start=2025-01-01T00:00:00Z&entityId=${foreign.id}`,
      {
        token: tokenA,
      },
    );
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ data: [], links: { next: null } });
  });

  it('costs one Query on the fleet index per page, and reads no entity', async () => {
    const recorder = recordDynamoCalls();
    try {
      let path: string | null = '/v1/charge-sessions?start=2025-01-01T00:00:00Z&pageSize=50';
      for (let page = 0; page < 8 && path; page++) {
        recorder.reset();
        const response: ApiResponse = await api.request('GET', path, { token: tokenA });
        expect(response.status).toBe(200);
        // One Query on the fleet index, and the tenant's settings (exact-locations policy); no entity.
        expect(recorder.calls).toHaveLength(2);
        expect(recorder.calls.filter(isSettingsRead)).toHaveLength(1);
        expect(recorder.calls.find((call) => call.command === 'Query')).toMatchObject({
          command: 'Query',
          input: { IndexName: 'GSI2', Limit: 51 },
        });
        path = response.body.links.next ? relative(response.body.links.next) : null;
      }
    } finally {
      recorder.stop();
    }
  });
});

describe('exact locations', () => {
  it('are served only while the tenant’s opt-in is on, whatever was stored while it was', async () => {
    const tenant = 'tenant-privacy';
    const token = await api.token(tenant);
    const ev = (
      await api.request('POST', '/v1/entities', { token, body: { type: 'EV', name: 'Private car' } })
    ).body;
    const { upsertSession } = await import('../../shared/storage/sessions.js');
    const { setExactLocations } = await import('../../shared/storage/tenant-settings.js');
    await upsertSession({
      tenantId: tenant,
      entityId: ev.id,
      entityType: 'EV',
      id: `${ev.id.slice(0, -1)}0`,
      start: '2026-02-01T18:00:00.000Z',
      end: '2026-02-01T19:00:00.000Z',
      energyKwh: 7,
      averagePowerKw: 7,
      peakPowerKw: 7.2,
      chargingSeconds: 3_600,
      socStartPercent: null,
      socEndPercent: null,
      rangeStartKm: null,
      rangeEndKm: null,
      locationMatches: [],
      position: { lat: 52.3702157, lon: 4.8951679 },
      method: 'power_flow',
      source: 'calculated',
      created: '2026-02-02T02:00:00.000Z',
      measured: null,
    });
    const read = async () =>
      (
        await api.request('GET', `/v1/entities/${ev.id}/charge-sessions?start=2026-02-01T00:00:00Z`, {
          token,
        })
      ).body.data[0].data.location;
    await setExactLocations(tenant, true, new Date());
    expect(await read()).toEqual({ lat: 52.3702157, lon: 4.8951679 });
    await setExactLocations(tenant, false, new Date());
    expect(await read()).toBeUndefined();
    const fleet = await api.request('GET', '/v1/charge-sessions?start=2026-02-01T00:00:00Z', { token });
    expect(JSON.stringify(fleet.body)).not.toContain('52.3702157');
  });
});

describe('status', () => {
  it('lists completed sessions by default; status=active|completed|all chooses, on the entity and the fleet listing', async () => {
    const car = await createEntity(api, tokenA, { type: 'EV', name: 'Charging now' });
    const base = Date.parse('2025-09-01T08:00:00.000Z');
    const done = sessionAt('tenant-a', car, base, 40_001, { status: 'completed' });
    const old = sessionAt('tenant-a', car, base + 3_600_000 * 3, 40_002); // stored before status existed
    const now = sessionAt('tenant-a', car, base + 3_600_000 * 6, 40_003, {
      status: 'active',
      asOf: new Date(base + 3_600_000 * 6.5).toISOString(),
    });
    delete (old as Partial<ChargeSessionRecord>).status;
    await writeSessions([done, now]);
    const { documentClient, tableName } = await import('../../shared/storage/client.js');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { sessionKeys } = await import('../../shared/storage/sessions.js');
    // The item as the daily job wrote it before this change: no status attribute at all.
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...old,
          ...sessionKeys.primary('tenant-a', car.id, old.start),
          ...sessionKeys.fleet('tenant-a', car.id, old.start),
        },
      }),
    );
    const ids = async (path: string) => {
      const response = await api.request('GET', path, { token: tokenA });
      expect(response.status).toBe(200);
      return response.body.data.map((item: any) => [item.id, item.data.status, item.data.provisional]);
    };
    const range = 'start=2025-09-01T00:00:00Z&end=2025-09-02T00:00:00Z';
    const entityPath = `/v1/entities/${car.id}/charge-sessions?${range}`;
    const completedOnly = [
      [done.id, 'completed', false],
      [old.id, 'completed', false],
    ];
    expect(await ids(entityPath)).toEqual(completedOnly);
    expect(await ids(`${entityPath}&status=completed`)).toEqual(completedOnly);
    expect(await ids(`${entityPath}&status=active`)).toEqual([[now.id, 'active', true]]);
    expect(await ids(`${entityPath}&status=all`)).toEqual([...completedOnly, [now.id, 'active', true]]);
    const fleetPath = `/v1/charge-sessions?${range}&entityId=${car.id}`;
    expect(await ids(fleetPath)).toEqual(completedOnly);
    expect(await ids(`/v1/charge-sessions?${range}&status=active`)).toEqual([[now.id, 'active', true]]);
    const active = await api.request('GET', `${entityPath}&status=active`, { token: tokenA });
    expect(active.body.data[0].data.asOf).toBe(now.asOf);

    // Exports hold final values only; an unknown status is a 400 naming it.
    const csv = await api.request('GET', `${entityPath}&status=active&format=csv`, { token: tokenA });
    expectProblem(csv, 422, 'format_not_applicable');
    expect(csv.body.errors[0].field).toBe('status');
    const wrong = await api.request('GET', `${entityPath}&status=charging`, { token: tokenA });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('status');
  });
});
