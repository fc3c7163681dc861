// The foundation flow over HTTP: register entities, battery capacity, the CaptureChargeSessions feature,
// and tenant isolation on every id.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createEntity, expectProblem, walkPages } from '../support/requests.js';

let api: TestApi;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  api = await startTestApi();
  tokenA = await api.token('tenant-a');
  tokenB = await api.token('tenant-b');
});
afterAll(() => api.close());

describe('the foundation flow', () => {
  it('creates an EV, requires its battery capacity for capture, then enables it; other tenants see 404', async () => {
    const created = await api.request('POST', '/v1/entities', {
      token: tokenA,
      body: {
        type: 'EV',
        name: 'Family car',
        vendor: 'Kia',
        model: 'EV6',
        timeZone: 'Europe/Berlin',
        capabilities: ['soc', 'range'],
      },
    });
    expect(created.status).toBe(201);
    const ev = created.body;
    expect(ev).toMatchObject({
      type: 'EV',
      name: 'Family car',
      vendor: 'Kia',
      model: 'EV6',
      timeZone: 'Europe/Berlin',
      capabilities: ['soc', 'range'],
      batteryCapacity: null,
      features: [{ feature: 'CaptureChargeSessions', enabled: false, since: null }],
    });
    expect(created.headers.get('location')).toBe(`${api.url}/v1/entities/${ev.id}`);

    const refused = await api.request('PATCH', `/v1/entities/${ev.id}/features`, {
      token: tokenA,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
    expectProblem(refused, 400, 'battery_capacity_required');
    expect(refused.body.detail).toContain(`PUT /v1/entities/${ev.id}/battery-capacity`);

    const unset = await api.request('GET', `/v1/entities/${ev.id}/battery-capacity`, { token: tokenA });
    expectProblem(unset, 404, 'battery_capacity_not_set');

    const capacity = await api.request('PUT', `/v1/entities/${ev.id}/battery-capacity`, {
      token: tokenA,
      body: { batteryCapacity: { value: 77.4, unit: 'kWh' } },
    });
    expect(capacity.status).toBe(200);
    expect(capacity.body).toEqual({
      entityId: ev.id,
      batteryCapacity: { value: 77.4, unit: 'kWh' },
      updated: expect.any(String),
    });
    const readBack = await api.request('GET', `/v1/entities/${ev.id}/battery-capacity`, { token: tokenA });
    expect(readBack.body).toEqual(capacity.body);

    const enabled = await api.request('PATCH', `/v1/entities/${ev.id}/features`, {
      token: tokenA,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual([
      { feature: 'CaptureChargeSessions', enabled: true, since: expect.any(String) },
    ]);

    const again = await api.request('PATCH', `/v1/entities/${ev.id}/features`, {
      token: tokenA,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
    expect(again.body).toEqual(enabled.body); // idempotent: `since` does not move

    const features = await api.request('GET', `/v1/entities/${ev.id}/features`, { token: tokenA });
    expect(features.status).toBe(200);
    expect(features.body).toEqual(enabled.body);

    const foreign = [
      ['GET', `/v1/entities/${ev.id}`, undefined],
      ['DELETE', `/v1/entities/${ev.id}`, undefined],
      ['GET', `/v1/entities/${ev.id}/battery-capacity`, undefined],
      ['PUT', `/v1/entities/${ev.id}/battery-capacity`, { batteryCapacity: 50 }],
      ['GET', `/v1/entities/${ev.id}/features`, undefined],
      ['PATCH', `/v1/entities/${ev.id}/features`, { feature: 'CaptureChargeSessions', enabled: false }],
    ] as const;
    for (const [method, path, body] of foreign) {
      const response = await api.request(method, path, { token: tokenB, body });
      expectProblem(response, 404, 'entity_not_found');
      expect(response.text).not.toContain('Family car');
    }
    // Tenant B's attempts changed nothing.
    const still = await api.request('GET', `/v1/entities/${ev.id}`, { token: tokenA });
    expect(still.body.features[0].enabled).toBe(true);
    expect(still.body.batteryCapacity).toEqual({ value: 77.4, unit: 'kWh' });
  });

  it('enables capture on an EV that reports power without a battery capacity, and on a CP', async () => {
    for (const body of [
      { type: 'EV', name: 'Metered car', capabilities: ['power', 'soc'] },
      { type: 'CP', name: 'Wallbox' },
    ]) {
      const entity = (await api.request('POST', '/v1/entities', { token: tokenA, body })).body;
      const response = await api.request('PATCH', `/v1/entities/${entity.id}/features`, {
        token: tokenA,
        body: { feature: 'CaptureChargeSessions', enabled: true },
      });
      expect(response.status).toBe(200);
      expect(response.body[0].enabled).toBe(true);
    }
  });

  it('refuses battery capacity on a charge point and out of bounds', async () => {
    const cp = (
      await api.request('POST', '/v1/entities', { token: tokenA, body: { type: 'CP', name: 'Pole 1' } })
    ).body;
    expectProblem(
      await api.request('PUT', `/v1/entities/${cp.id}/battery-capacity`, {
        token: tokenA,
        body: { batteryCapacity: 60 },
      }),
      400,
      'battery_capacity_ev_only',
    );
    const ev = (
      await api.request('POST', '/v1/entities', { token: tokenA, body: { type: 'EV', name: 'Car' } })
    ).body;
    for (const batteryCapacity of [0, -5, 1000.5, '75', null, { value: 60, unit: 'Wh' }, { value: 60 }]) {
      const response = await api.request('PUT', `/v1/entities/${ev.id}/battery-capacity`, {
        token: tokenA,
        body: { batteryCapacity },
      });
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([
        expect.objectContaining({ in: 'body', field: 'batteryCapacity' }),
      ]);
    }
    const tooBig = await api.request('PUT', `/v1/entities/${ev.id}/battery-capacity`, {
      token: tokenA,
      body: { batteryCapacity: { value: 1000.5, unit: 'kWh' } },
    });
    expectProblem(tooBig, 400, 'validation_failed');
    expect(tooBig.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'batteryCapacity.value', code: 'too_big' }),
    ]);
  });

  it('takes the battery capacity at creation, in the one shape every answer gives it: two calls to capture', async () => {
    const token = await api.token('tenant-capacity-at-creation');
    const created = await api.request('POST', '/v1/entities', {
      token,
      body: {
        type: 'EV',
        name: 'SoC-only car',
        capabilities: ['soc'],
        batteryCapacity: { value: 64.5, unit: 'kWh' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.batteryCapacity).toEqual({ value: 64.5, unit: 'kWh' });
    const enabled = await api.request('PATCH', `/v1/entities/${created.body.id}/features`, {
      token,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual([
      { feature: 'CaptureChargeSessions', enabled: true, since: expect.any(String) },
    ]);
    // The request's shape is the answer's shape, in the entity and in the battery-capacity resource.
    const resource = await api.request('GET', `/v1/entities/${created.body.id}/battery-capacity`, { token });
    expect(resource.body).toEqual({
      entityId: created.body.id,
      batteryCapacity: { value: 64.5, unit: 'kWh' },
      updated: created.body.created,
    });
    // A bare number of kWh (DER-Connect's form, and this API's before) is still read, into the same shape.
    const legacy = await api.request('PUT', `/v1/entities/${created.body.id}/battery-capacity`, {
      token,
      body: { batteryCapacity: 70 },
    });
    expect(legacy.body.batteryCapacity).toEqual({ value: 70, unit: 'kWh' });
    const entity = await api.request('GET', `/v1/entities/${created.body.id}`, { token });
    expect(entity.body.batteryCapacity).toEqual(legacy.body.batteryCapacity);

    const cp = await api.request('POST', '/v1/entities', {
      token,
      body: { type: 'CP', name: 'Pole', batteryCapacity: { value: 60, unit: 'kWh' } },
    });
    expectProblem(cp, 400, 'battery_capacity_ev_only');
    expect(cp.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'batteryCapacity', code: 'battery_capacity_ev_only' }),
    ]);
    const list = await api.request('GET', '/v1/entities', { token });
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
  });

  it('disabling takes the entity out of capture and keeps the history of `since`', async () => {
    const cp = (
      await api.request('POST', '/v1/entities', { token: tokenA, body: { type: 'CP', name: 'Pole 2' } })
    ).body;
    const on = await api.request('PATCH', `/v1/entities/${cp.id}/features`, {
      token: tokenA,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
    const off = await api.request('PATCH', `/v1/entities/${cp.id}/features`, {
      token: tokenA,
      body: { feature: 'CaptureChargeSessions', enabled: false },
    });
    expect(off.body[0].enabled).toBe(false);
    expect(Date.parse(off.body[0].since)).toBeGreaterThanOrEqual(Date.parse(on.body[0].since));
  });
});

describe('entities', () => {
  it('lists a tenant’s entities in pages, oldest first, with no gaps or repeats, and filters by type', async () => {
    const token = await api.token('tenant-list');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const type = i % 3 === 0 ? 'CP' : 'EV';
      ids.push((await api.request('POST', '/v1/entities', { token, body: { type, name: `E${i}` } })).body.id);
    }
    const pages = await walkPages(api, '/v1/entities?pageSize=3', token);
    for (const page of pages) {
      expect(page.meta.pageSize).toBe(3);
      expect(page.data.length).toBeLessThanOrEqual(3);
    }
    expect(pages.flatMap((page) => page.data.map((e: { id: string }) => e.id))).toEqual(ids);
    expect(pages).toHaveLength(3); // 3 + 3 + 1, and no empty trailing page

    const cps = await api.request('GET', '/v1/entities?type=CP', { token });
    expect(cps.body.data.map((e: { id: string }) => e.id)).toEqual([ids[0], ids[3], ids[6]]);
  });

  it('rejects a continuation token from another tenant, another query, or altered', async () => {
    const token = await api.token('tenant-cursor');
    for (let i = 0; i < 3; i++)
      await api.request('POST', '/v1/entities', { token, body: { type: 'EV', name: `C${i}` } });
    const first = await api.request('GET', '/v1/entities?pageSize=1', { token });
    const cursor: string = first.body.meta.continuationToken;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);

    const other = await api.token('tenant-thief');
    const cases = [
      api.request('GET', `/v1/entities?pageSize=1&continuationToken=${cursor}`, { token: other }),
      api.request('GET', `/v1/entities?pageSize=1&type=EV&continuationToken=${cursor}`, { token }),
      api.request(
        'GET',
        `/v1/entities?pageSize=1&continuationToken=${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'BB' : 'AA'}`,
        { token },
      ),
      api.request('GET', '/v1/entities?continuationToken=not-a-token', { token }),
    ];
    for (const response of await Promise.all(cases)) {
      expectProblem(response, 400, 'invalid_continuation_token');
      expect(response.body.errors[0]).toMatchObject({ in: 'query', field: 'continuationToken' });
    }
    const second = await api.request('GET', `/v1/entities?pageSize=1&continuationToken=${cursor}`, { token });
    expect(second.status).toBe(200);
    expect(second.body.data[0].name).toBe('C1');
  });

  it('validates creation field by field, and never writes a rejected entity', async () => {
    const token = await api.token('tenant-validation');
    const response = await api.request('POST', '/v1/entities', {
      token,
      body: {
        type: 'BUS',
        name: '',
        timeZone: 'Mars/Olympus',
        capabilities: ['soc', 'soc', 'warp'],
        colour: 'red',
      },
    });
    expectProblem(response, 400, 'validation_failed');
    const fields = response.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['capabilities[2]', 'colour', 'name', 'timeZone', 'type']);
    expect(response.body.errors.find((e: { field: string }) => e.field === 'colour').code).toBe(
      'unrecognized_field',
    );
    expect(response.body.errors.find((e: { field: string }) => e.field === 'timeZone').code).toBe(
      'invalid_time_zone',
    );
    const list = await api.request('GET', '/v1/entities', { token });
    expect(list.body.data).toEqual([]);
  });

  it('refuses control characters, line breaks and unpaired surrogates in every name, naming the field', async () => {
    const token = await api.token('tenant-names');
    const bad = ['NUL\u0000', 'BEL\u0007', 'two\nlines', 'tab\there', 'C1\u0085', 'half \uD83D pair'];
    for (const text of bad) {
      const entity = await api.request('POST', '/v1/entities', {
        token,
        body: { type: 'EV', name: text, vendor: text, model: text },
      });
      expectProblem(entity, 400, 'validation_failed');
      expect(entity.body.errors.map((e: { field: string; code: string }) => `${e.field} ${e.code}`)).toEqual([
        'name invalid_characters',
        'vendor invalid_characters',
        'model invalid_characters',
      ]);
      const location = await api.request('POST', '/v1/locations', {
        token,
        body: { label: text, lat: 52.37, lon: 4.89, radiusMeters: 75 },
      });
      expectProblem(location, 400, 'validation_failed');
      expect(location.body.errors).toEqual([
        expect.objectContaining({ in: 'body', field: 'label', code: 'invalid_characters' }),
      ]);
    }
    const cp = await api.request('POST', '/v1/entities', {
      token,
      body: { type: 'CP', name: 'Drive 🚗 Zoë' },
    });
    expect(cp.status).toBe(201);
    expect(cp.body.name).toBe('Drive 🚗 Zoë');
    const charger = await api.request('POST', '/v1/chargers', {
      token,
      body: {
        publicCode: 'NAMES-1',
        public: true,
        name: 'Bay\u00071',
        entityId: cp.body.id,
        connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150 }],
        pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 100, taxRate: 0.21 },
        holdAmount: 5_000,
      },
    });
    expectProblem(charger, 400, 'validation_failed');
    expect(charger.body.errors).toEqual([
      expect.objectContaining({ field: 'name', code: 'invalid_characters' }),
    ]);
    const list = await api.request('GET', '/v1/entities', { token });
    expect(list.body.data.map((e: { name: string }) => e.name)).toEqual(['Drive 🚗 Zoë']);
  });

  it('gets and deletes an entity; unknown ids are 404, malformed ones 400', async () => {
    const token = await api.token('tenant-delete');
    const ev = (await api.request('POST', '/v1/entities', { token, body: { type: 'EV', name: 'Gone soon' } }))
      .body;
    expect((await api.request('GET', `/v1/entities/${ev.id}`, { token })).body).toEqual(ev);
    expect((await api.request('DELETE', `/v1/entities/${ev.id}`, { token })).status).toBe(204);
    expectProblem(await api.request('GET', `/v1/entities/${ev.id}`, { token }), 404, 'entity_not_found');
    expectProblem(await api.request('DELETE', `/v1/entities/${ev.id}`, { token }), 404, 'entity_not_found');
    expectProblem(await api.request('GET', '/v1/entities/not-a-uuid', { token }), 400, 'validation_failed');
    expectProblem(await api.request('GET', '/v1/entities/..%2F..%2Fetc', { token }), 404, 'route_not_found');
  });
});

describe('request bodies over HTTP', () => {
  it('answers 413 stating the limit, 415 for a non-JSON type, 400 for malformed JSON or no body — and writes nothing', async () => {
    const token = await api.token('tenant-bodies');
    const big = await api.request('POST', '/v1/entities', {
      token,
      body: { type: 'EV', name: 'x', vendor: 'v'.repeat(70_000) },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'payload_too_large', limitBytes: 65536 });
    expect(big.body.detail).toContain('65536 bytes');

    const text = await api.request('POST', '/v1/entities', {
      token,
      rawBody: '{"type":"EV","name":"x"}',
      headers: { 'content-type': 'text/plain' },
    });
    expectProblem(text, 415, 'unsupported_media_type');

    const malformed = await api.request('POST', '/v1/entities', {
      token,
      rawBody: '{"type":"EV",',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(malformed, 400, 'malformed_json');

    const empty = await api.request('POST', '/v1/entities', {
      token,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(empty, 400, 'body_required');

    expect((await api.request('GET', '/v1/entities', { token })).body.data).toEqual([]);
  });
});

describe('deleting an entity', () => {
  it('removes its readings, sessions, rollups and capture entry, and a DELETE interrupted midway can be sent again', async () => {
    const token = await api.token('tenant-cascade');
    const ev = await createEntity(
      api,
      token,
      { type: 'EV', name: 'Short-lived', capabilities: ['power'] },
      { capture: true },
    );
    const now = Date.now();
    const readings = Array.from({ length: 120 }, (_, i) => ({
      timestamp: new Date(now - 3 * 3_600_000 + i * 60_000).toISOString(),
      powerKw: i < 60 ? 7 : 0,
    }));
    expect(
      (await api.request('POST', `/v1/entities/${ev.id}/readings`, { token, body: { readings } })).status,
    ).toBe(202);
    const { upsertSession } = await import('../../shared/storage/sessions.js');
    const { writeRollups } = await import('../../shared/storage/rollups.js');
    const start = new Date(now - 3 * 3_600_000).toISOString();
    await upsertSession({
      tenantId: 'tenant-cascade',
      entityId: ev.id,
      entityType: 'EV',
      id: `${ev.id.slice(0, -1)}0`,
      start,
      end: new Date(now - 2 * 3_600_000).toISOString(),
      energyKwh: 7,
      averagePowerKw: 7,
      peakPowerKw: 7,
      chargingSeconds: 3_600,
      socStartPercent: null,
      socEndPercent: null,
      rangeStartKm: null,
      rangeEndKm: null,
      locationMatches: [],
      position: null,
      method: 'power_flow',
      source: 'calculated',
      created: start,
      measured: null,
    });
    const date = start.slice(0, 10);
    await writeRollups('tenant-cascade', ev.id, {
      puts: [
        {
          tenantId: 'tenant-cascade',
          entityId: ev.id,
          entityType: 'EV',
          date,
          timeZone: 'UTC',
          energyKwh: 7,
          sessionCount: 1,
          chargingMinutes: 60,
          updated: start,
        } as never,
      ],
      deletes: [],
    });
    const fleet = () =>
      api.request('GET', `/v1/charge-sessions?start=${new Date(now - 86_400_000).toISOString()}`, { token });
    const energy = () =>
      api.request(
        'GET',
        `/v1/fleet/daily-energy?start=${date}&end=${new Date(now + 2 * 86_400_000).toISOString().slice(0, 10)}`,
        { token },
      );
    expect((await fleet()).body.data).toHaveLength(1);
    expect((await energy()).body.data).toHaveLength(1);

    // The last write fails: 503, and the entity is still there, so the client sends the DELETE again.
    const { injectFaults } = await import('../support/faults.js');
    const stop = injectFaults({ rate: 1, commands: ['DeleteItemCommand'] });
    let interrupted: Awaited<ReturnType<typeof api.request>>;
    try {
      interrupted = await api.request('DELETE', `/v1/entities/${ev.id}`, { token });
    } finally {
      stop();
    }
    expect(interrupted.status).toBe(503);
    expect((await api.request('GET', `/v1/entities/${ev.id}`, { token })).status).toBe(200);
    expect((await api.request('DELETE', `/v1/entities/${ev.id}`, { token })).status).toBe(204);

    expect((await api.request('GET', `/v1/entities/${ev.id}`, { token })).status).toBe(404);
    expect((await fleet()).body.data).toEqual([]);
    expect((await energy()).body.data).toEqual([]);
    const { entityDataPartitions } = await import('../../shared/storage/entity-data.js');
    const { localClient } = await import('../../infra/local/dynamo.js');
    const { QueryCommand } = await import('@aws-sdk/client-dynamodb');
    const client = localClient(api.endpoint);
    for (const partition of entityDataPartitions('tenant-cascade', ev.id)) {
      const left = await client.send(
        new QueryCommand({
          TableName: api.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: partition } },
        }),
      );
      expect(left.Count, partition).toBe(0);
    }
    const { listCaptureShard, CAPTURE_SHARDS } = await import('../../shared/storage/entities.js');
    for (let shard = 0; shard < CAPTURE_SHARDS; shard++) {
      const page = await listCaptureShard(shard, undefined, 1000);
      expect(JSON.stringify(page)).not.toContain(ev.id);
    }
    client.destroy();
  });

  it('answers 202 with what it removed when time runs short, and the next DELETE finishes the job', async () => {
    const token = await api.token('tenant-big');
    const ev = await createEntity(api, token, { type: 'EV', name: 'Long history', capabilities: ['power'] });
    const now = Date.now();
    const readings = Array.from({ length: 60 }, (_, i) => ({
      timestamp: new Date(now - 2 * 3_600_000 + i * 60_000).toISOString(),
      powerKw: 7,
    }));
    await api.request('POST', `/v1/entities/${ev.id}/readings`, { token, body: { readings } });
    const { handler } = await import('../../functions/entities.js');
    const { httpEvent, lambdaContext } = await import('../support/events.js');
    const deleteEvent = httpEvent({
      routeKey: 'DELETE /v1/entities/{entityId}',
      pathParameters: { entityId: ev.id },
      authorizer: { tenantId: 'tenant-big', tokenId: 'tok', scopes: 'entities:write' },
    });
    // Plenty of time for the first page of keys, then the clock runs short: the purge stops there.
    const left = [20_000, 1_000];
    const shortOnTime = {
      ...lambdaContext('entities'),
      getRemainingTimeInMillis: () => left.shift() ?? 1_000,
    };
    const partial = (await handler(deleteEvent, shortOnTime)) as {
      statusCode: number;
      headers: any;
      body: string;
    };
    expect(partial.statusCode).toBe(202);
    expect(partial.headers['Retry-After']).toBe('1');
    // The readings (stored a bucket of readings per item) went in the first page; sessions and rollups wait.
    const progress = JSON.parse(partial.body);
    expect(progress.status).toBe('in_progress');
    expect(progress.deletedItems).toBeGreaterThan(0);
    const still = await api.request('GET', `/v1/entities/${ev.id}`, { token });
    expect(still.status).toBe(200);
    expect(
      (
        await api.request(
          'GET',
          `/v1/entities/${ev.id}/readings?start=${new Date(now - 86_400_000).toISOString()}`,
          {
            token,
          },
        )
      ).body.data ?? [],
    ).toEqual([]);

    const done = (await handler(deleteEvent, lambdaContext('entities'))) as { statusCode: number };
    expect(done.statusCode).toBe(204);
    expect((await api.request('GET', `/v1/entities/${ev.id}`, { token })).status).toBe(404);
  });
});
