// A tenant's named locations over HTTP: create, read, list a page at a time, delete; bounds on every
// field; the per-tenant cap; and tenant isolation (another tenant's ids are a 404, never a leak).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  api = await startTestApi();
  tokenA = await api.token('locations-a');
  tokenB = await api.token('locations-b');
});
afterAll(() => api.close());

const home = { label: 'Home', lat: 52.3702, lon: 4.8952, radiusMeters: 75 };

describe('/v1/locations', () => {
  it('creates, gets, lists and deletes a location', async () => {
    const created = await api.request('POST', '/v1/locations', {
      token: tokenA,
      body: { ...home, label: ' Home ' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      ...home,
      category: 'other',
      tariffId: null,
      created: expect.any(String),
    });
    expect(created.headers.get('location')).toBe(`${api.url}/v1/locations/${created.body.id}`);

    const got = await api.request('GET', `/v1/locations/${created.body.id}`, { token: tokenA });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const depot = await api.request('POST', '/v1/locations', {
      token: tokenA,
      body: { label: 'Depot', lat: -33.8688, lon: 151.2093, radiusMeters: 500 },
    });
    const work = await api.request('POST', '/v1/locations', {
      token: tokenA,
      body: { label: 'Work', lat: 0, lon: -180, radiusMeters: 5 },
    });
    const first = await api.request('GET', '/v1/locations?pageSize=2', { token: tokenA });
    expect(first.status).toBe(200);
    expect(first.body.data.map((l: { label: string }) => l.label)).toEqual(['Home', 'Depot']);
    const second = await api.request('GET', first.body.links.next.replace(api.url, ''), { token: tokenA });
    expect(second.body.data).toEqual([work.body]);
    expect(second.body.links.next).toBeNull();

    const deleted = await api.request('DELETE', `/v1/locations/${depot.body.id}`, { token: tokenA });
    expect(deleted.status).toBe(204);
    const gone = await api.request('GET', `/v1/locations/${depot.body.id}`, { token: tokenA });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('location_not_found');
    const again = await api.request('DELETE', `/v1/locations/${depot.body.id}`, { token: tokenA });
    expect(again.status).toBe(404);
  });

  it('edits a location in place: the fields given, and its tariff with the reference counts kept right', async () => {
    const tenant = await api.token('locations-edit');
    const tariffBody = (name: string) => ({
      name,
      currency: 'EUR',
      elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.3 }] }],
    });
    const { body: a } = await api.request('POST', '/v1/tariffs', { token: tenant, body: tariffBody('A') });
    const { body: b } = await api.request('POST', '/v1/tariffs', { token: tenant, body: tariffBody('B') });
    const { body: place } = await api.request('POST', '/v1/locations', {
      token: tenant,
      body: { ...home, tariffId: a.id },
    });
    const url = `/v1/locations/${place.id}`;

    const renamed = await api.request('PATCH', url, {
      token: tenant,
      body: { label: 'Home (Amsterdam)', category: 'home' },
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toEqual({ ...place, label: 'Home (Amsterdam)', category: 'home' });
    expect((await api.request('GET', url, { token: tenant })).body).toEqual(renamed.body);

    // Bad input changes nothing: an unknown tariff, a category not in the list, an unknown field.
    for (const [body, field, code] of [
      [{ tariffId: '01900000-0000-7000-8000-000000000bad', label: 'X' }, 'tariffId', 'unknown_tariff'],
      [{ category: 'garage' }, 'category', undefined],
      [{ colour: 'red' }, undefined, undefined],
    ] as const) {
      const res = await api.request('PATCH', url, { token: tenant, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      if (field) expect(res.body.errors).toContainEqual(expect.objectContaining({ field }));
      if (code) expect(res.body.errors).toContainEqual(expect.objectContaining({ code }));
    }
    expect((await api.request('GET', url, { token: tenant })).body).toEqual(renamed.body);
    // The refused unknown tariff left A's count alone: A is still referenced once.
    expect((await api.request('DELETE', `/v1/tariffs/${a.id}`, { token: tenant })).status).toBe(409);

    // Moving the place to tariff B: B is now referenced (409 on delete), A is not (204).
    const moved = await api.request('PATCH', url, { token: tenant, body: { tariffId: b.id } });
    expect(moved.body).toMatchObject({ tariffId: b.id, category: 'home', label: 'Home (Amsterdam)' });
    const refusal = await api.request('DELETE', `/v1/tariffs/${b.id}`, { token: tenant });
    expect(refusal.status).toBe(409);
    expect(refusal.body.code).toBe('tariff_in_use');
    expect((await api.request('DELETE', `/v1/tariffs/${a.id}`, { token: tenant })).status).toBe(204);
    // Naming the same tariff again counts it once, not twice.
    await api.request('PATCH', url, { token: tenant, body: { tariffId: b.id } });
    // Taking it off releases B.
    const cleared = await api.request('PATCH', url, { token: tenant, body: { tariffId: null } });
    expect(cleared.body.tariffId).toBeNull();
    expect((await api.request('DELETE', `/v1/tariffs/${b.id}`, { token: tenant })).status).toBe(204);

    // Another tenant's location, or none, is a 404.
    expect((await api.request('PATCH', url, { token: tokenB, body: { label: 'Mine' } })).status).toBe(404);
    await api.request('DELETE', url, { token: tenant });
    const gone = await api.request('PATCH', url, { token: tenant, body: { label: 'Back' } });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('location_not_found');
  });

  it('checks every field', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...home, label: '  ' }, 'label', 'too_small'],
      [{ ...home, label: 'x'.repeat(101) }, 'label', 'too_big'],
      [{ ...home, lat: 90.1 }, 'lat', 'too_big'],
      [{ ...home, lon: -180.5 }, 'lon', 'too_small'],
      [{ ...home, radiusMeters: 4 }, 'radiusMeters', 'too_small'],
      [{ ...home, radiusMeters: 10_001 }, 'radiusMeters', 'too_big'],
      [{ label: 'Home', lat: 1, lon: 1 }, 'radiusMeters', 'required'],
      [{ ...home, id: 'mine' }, 'id', 'unrecognized_field'],
    ];
    for (const [body, field, code] of cases) {
      const response = await api.request('POST', '/v1/locations', { token: tokenA, body });
      expect(response.status, field).toBe(400);
      expect(response.body.errors, field).toEqual([expect.objectContaining({ in: 'body', field, code })]);
    }
  });

  it('keeps tenants apart: another tenant’s location is a 404 to read or delete, and absent from lists', async () => {
    const mine = await api.request('POST', '/v1/locations', {
      token: tokenA,
      body: { ...home, label: 'Secret' },
    });
    for (const method of ['GET', 'DELETE']) {
      const response = await api.request(method, `/v1/locations/${mine.body.id}`, { token: tokenB });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('location_not_found');
      expect(response.text).not.toContain('Secret');
    }
    const theirs = await api.request('GET', '/v1/locations', { token: tokenB });
    expect(theirs.body.data).toEqual([]);
    expect((await api.request('GET', `/v1/locations/${mine.body.id}`, { token: tokenA })).status).toBe(200);
    expect((await api.request('GET', '/v1/locations/not-a-uuid', { token: tokenA })).status).toBe(400);
  });

  it('refuses a location beyond the cap with 409 location_limit_reached', async () => {
    const { putNewLocation } = await import('../../shared/storage/locations.js');
    const { MAX_LOCATIONS_PER_TENANT } = await import('../../shared/locations/schemas.js');
    const { uuidv7 } = await import('../../shared/ids.js');
    const { mapConcurrent } = await import('../../shared/concurrency.js');
    const tenantId = 'locations-full';
    const token = await api.token(tenantId);
    await mapConcurrent(Array.from({ length: MAX_LOCATIONS_PER_TENANT }), 32, (_, i) =>
      putNewLocation({
        tenantId,
        id: uuidv7(Date.now() + i),
        ...home,
        label: `Place ${i}`,
        category: 'other',
        tariffId: null,
        created: new Date().toISOString(),
      }),
    );
    const refused = await api.request('POST', '/v1/locations', { token, body: home });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'location_limit_reached', limit: MAX_LOCATIONS_PER_TENANT });
    const list = await api.request('GET', '/v1/locations?pageSize=1', { token });
    await api.request('DELETE', `/v1/locations/${list.body.data[0].id}`, { token });
    expect((await api.request('POST', '/v1/locations', { token, body: home })).status).toBe(201);
  });
});

describe('numbers DynamoDB cannot store', () => {
  it('stores a coordinate like 4e-151 as 0 instead of failing (found by the fuzzer)', async () => {
    const token = await api.token('tenant-tiny-numbers');
    const response = await api.request('POST', '/v1/locations', {
      token,
      body: {
        label: 'Null Island-ish',
        lat: 4.0678874847169785e-151,
        lon: 179.99999999999957,
        radiusMeters: 15.678386625753227,
      },
    });
    expect(response.status, response.text).toBe(201);
    expect(response.body).toMatchObject({ lat: 0, lon: 180, radiusMeters: 15.68 });
  });
});
