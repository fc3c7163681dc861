// Daily rollups over HTTP: sessions stored directly, the job run (planner → queue → worker) with a processor
// that computes nothing, then GET /v1/fleet/daily-energy — local days per entity zone, midnight split by
// time share, DST days, a rerun that changes nothing, paging, filters, bounds and field errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../../infra/local/aggregate.js';
import { createWorkerHandler } from '../../shared/pipeline/worker.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { processedOnly } from '../support/job.js';
import { createEntity, walkPages } from '../support/requests.js';
import { sessionAt, type TestEntity, writeSessions } from '../support/sessions.js';

let api: TestApi;
let token: string;
let otherToken: string;
let berlin: TestEntity;
let newYork: TestEntity;
let kolkata: TestEntity;
let foreign: TestEntity;
const worker = createWorkerHandler(processedOnly);
const AS_OF = new Date('2026-04-01T02:00:00.000Z');
const H = 3_600_000;

/** An entity in `timeZone` with capture on (the job only rolls up such entities). */
const entityIn = (tokenFor: string, type: 'EV' | 'CP', timeZone: string) =>
  createEntity(
    api,
    tokenFor,
    { type, name: `${type} in ${timeZone}`, timeZone, capabilities: ['power', 'energy'] },
    { capture: true },
  );

const at = (iso: string) => Date.parse(iso);

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('dash', { scopes: ['entities:write', 'sessions:read'] });
  otherToken = await api.token('other-fleet', { scopes: ['entities:write', 'sessions:read'] });
  berlin = await entityIn(token, 'EV', 'Europe/Berlin');
  newYork = await entityIn(token, 'CP', 'America/New_York');
  kolkata = await entityIn(token, 'EV', 'Asia/Kolkata');
  foreign = await entityIn(otherToken, 'EV', 'Europe/Berlin');
  const session = (entity: TestEntity, start: string, hours: number, energyKwh: number, n: number) =>
    sessionAt(entity === foreign ? 'other-fleet' : 'dash', entity, at(start), n, {
      end: new Date(at(start) + hours * H).toISOString(),
      energyKwh,
      chargingSeconds: hours * 3600,
    });
  await writeSessions([
    // 22:00–02:00 in Berlin: half on each day.
    session(berlin, '2026-01-05T21:00:00.000Z', 4, 8, 1),
    session(berlin, '2026-01-20T10:00:00.000Z', 1, 5, 2),
    // 23:00 CET to 05:00 CEST across the spring-forward night: 1 of 5 real hours before midnight.
    session(berlin, '2026-03-28T22:00:00.000Z', 5, 10, 3),
    // The same instants as the first: 16:00–20:00 in New York, one day.
    session(newYork, '2026-01-05T21:00:00.000Z', 4, 8, 4),
    // 23:30–01:30 in Kolkata (UTC+5:30).
    session(kolkata, '2026-01-05T18:00:00.000Z', 2, 6, 5),
    // Another tenant's car, charging at the same instants.
    session(foreign, '2026-01-05T21:00:00.000Z', 4, 100, 6),
  ]);
});
afterAll(() => api.close());

const get = (path: string, tokenFor = token) => api.request('GET', path, { token: tokenFor });
const day = (
  entity: TestEntity,
  date: string,
  timeZone: string,
  energy: number,
  count: number,
  minutes: number,
) => ({
  entityId: entity.id,
  entityType: entity.type,
  date,
  timeZone,
  energy: { value: energy, unit: 'kWh' },
  sessionCount: count,
  chargingMinutes: minutes,
  updated: expect.any(String),
});
const byDateThenEntity = (a: any, b: any) =>
  a.date === b.date ? a.entityId.localeCompare(b.entityId) : a.date.localeCompare(b.date);

const walk = (path: string, tokenFor = token) => walkPages(api, path, tokenFor, 100);

describe('daily energy', () => {
  let january: any;

  it('rolls each entity’s sessions up per local day in its own zone, midnight split by time share', async () => {
    const summary = await runAggregation({ worker, asOf: AS_OF });
    expect(summary).toMatchObject({ entities: 4, processed: 4, failedAttempts: 0, deadLetters: [] });
    const response = await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-02-01');
    expect(response.status).toBe(200);
    january = response.body;
    expect(january.data).toEqual(
      [
        day(berlin, '2026-01-05', 'Europe/Berlin', 4, 1, 120),
        day(berlin, '2026-01-06', 'Europe/Berlin', 4, 0, 120),
        day(berlin, '2026-01-20', 'Europe/Berlin', 5, 1, 60),
        day(newYork, '2026-01-05', 'America/New_York', 8, 1, 240),
        day(kolkata, '2026-01-05', 'Asia/Kolkata', 1.5, 1, 30),
        day(kolkata, '2026-01-06', 'Asia/Kolkata', 4.5, 0, 90),
      ].sort(byDateThenEntity),
    );
    expect(january.links.next).toBeNull();
    expect(january.meta).toEqual({ continuationToken: null, pageSize: 100 });
  });

  it('splits by real elapsed time into a 23-hour DST day', async () => {
    const response = await get(
      `/v1/fleet/daily-energy?start=2026-03-01&end=2026-04-01&entityId=${berlin.id}`,
    );
    expect(response.body.data).toEqual([
      day(berlin, '2026-03-28', 'Europe/Berlin', 2, 1, 60),
      day(berlin, '2026-03-29', 'Europe/Berlin', 8, 0, 240),
    ]);
  });

  it('changes nothing when the job runs again, and only the affected day when a session is added', async () => {
    const again = await runAggregation({ worker, asOf: AS_OF });
    expect(again).toMatchObject({ processed: 4, rollupsWritten: 0, rollupsDeleted: 0 });
    expect((await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-02-01')).body).toEqual(january);

    await writeSessions([
      sessionAt('dash', newYork, at('2026-01-20T15:00:00.000Z'), 7, {
        end: '2026-01-20T16:30:00.000Z',
        energyKwh: 9,
        chargingSeconds: 5400,
      }),
    ]);
    const third = await runAggregation({ worker, asOf: AS_OF });
    expect(third).toMatchObject({ rollupsWritten: 1, rollupsDeleted: 0 });
    const after = (await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-02-01')).body.data;
    const added = day(newYork, '2026-01-20', 'America/New_York', 9, 1, 90);
    expect(after).toEqual([...january.data, added].sort(byDateThenEntity));
    // The days that did not change keep their `updated`.
    for (const item of january.data) expect(after).toContainEqual(item);
  });

  it('pages by date then entity with no gap and no repeat; end is exclusive', async () => {
    const all = (await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-04-01&pageSize=1000')).body.data;
    expect(all).toHaveLength(9);
    const pages = await walk('/v1/fleet/daily-energy?start=2026-01-01&end=2026-04-01&pageSize=2');
    expect(pages).toHaveLength(5);
    expect(pages.flatMap((page) => page.data)).toEqual(all);
    const firstFive = await get('/v1/fleet/daily-energy?start=2026-01-05&end=2026-01-06');
    expect(firstFive.body.data.map((d: any) => d.date)).toEqual(['2026-01-05', '2026-01-05', '2026-01-05']);
    const one = await get(`/v1/fleet/daily-energy?start=2026-01-06&end=2026-01-07&entityId=${kolkata.id}`);
    expect(one.body.data).toEqual([day(kolkata, '2026-01-06', 'Asia/Kolkata', 4.5, 0, 90)]);
  });

  it('binds continuation tokens to the tenant and the query', async () => {
    const first = await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-04-01&pageSize=2');
    const continuation = first.body.meta.continuationToken as string;
    const moved = await get(
      `/v1/fleet/daily-energy?start=2026-01-02&end=2026-04-01&continuationToken=${continuation}`,
    );
    expect(moved.status).toBe(400);
    expect(moved.body.code).toBe('invalid_continuation_token');
    const stolen = await get(
      `/v1/fleet/daily-energy?start=2026-01-01&end=2026-04-01&continuationToken=${continuation}`,
      otherToken,
    );
    expect(stolen.status).toBe(400);
  });

  it('shows a tenant only its own entities', async () => {
    const theirs = await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-02-01', otherToken);
    expect(theirs.body.data.map((d: any) => [d.entityId, d.energy.value])).toEqual([
      [foreign.id, 50],
      [foreign.id, 50],
    ]);
    const peek = await get(`/v1/fleet/daily-energy?start=2026-01-01&end=2026-02-01&entityId=${foreign.id}`);
    expect(peek.status).toBe(200);
    expect(peek.body.data).toEqual([]);
  });

  it('answers 400 naming the field for every bad parameter, and 403 without sessions:read', async () => {
    const cases: [string, string, string][] = [
      ['end=2026-02-01', 'start', 'required'],
      ['start=2026-01-01', 'end', 'required'],
      ['start=2026-02-30&end=2026-03-01', 'start', 'invalid_date'],
      ['start=2026-01-01T00:00:00Z&end=2026-03-01', 'start', 'too_big'],
      ['start=2026-01-01&end=2026-01-01', 'end', 'invalid_range'],
      ['start=2026-01-02&end=2026-01-01', 'end', 'invalid_range'],
      ['start=2025-01-01&end=2026-01-03', 'end', 'invalid_range'],
      ['start=2026-01-01&end=2026-02-01&pageSize=1001', 'pageSize', 'too_big'],
      ['start=2026-01-01&end=2026-02-01&pageSize=0', 'pageSize', 'too_small'],
      ['start=2026-01-01&end=2026-02-01&entityId=car-1', 'entityId', 'invalid_uuid'],
      ['start=2026-01-01&end=2026-02-01&type=EV', 'type', 'unrecognized_field'],
    ];
    for (const [query, field, code] of cases) {
      const response = await get(`/v1/fleet/daily-energy?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.code, query).toBe('validation_failed');
      expect(response.body.errors, query).toContainEqual(
        expect.objectContaining({ in: 'query', field, code }),
      );
    }
    // A whole leap year is allowed (366 days).
    expect((await get('/v1/fleet/daily-energy?start=2028-01-01&end=2029-01-01')).status).toBe(200);
    const narrow = await api.token('dash', { scopes: ['entities:read'] });
    const refused = await get('/v1/fleet/daily-energy?start=2026-01-01&end=2026-02-01', narrow);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('insufficient_scope');
  });
});
