// Ids in paths and filters: a UUID in any case names the same entity, location or tariff (keys hold the lower-case
// form), and anything that is not a UUID is a 400 naming the parameter — never a 404 that hides the typo,
// and never a key built from arbitrary text.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { type ApiResponse, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let token: string;

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('tenant-ids');
});
afterAll(() => api.close());

const ID_PARAMETERS = ['entityId', 'locationId', 'tariffId'] as const;
const routesWithIds = allRoutes.filter((route) =>
  ID_PARAMETERS.some((name) => route.path.includes(`{${name}}`)),
);

function expectInvalidPathId(response: ApiResponse, name: string) {
  expect(response.status, response.text).toBe(400);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
  expect(response.body.detail).toContain(`path.${name}`);
  expect(response.body.errors).toContainEqual(
    expect.objectContaining({ in: 'path', field: name, code: 'invalid_uuid' }),
  );
}

describe('a malformed id in a path', () => {
  it('is covered on every route that takes one', () => {
    expect(routesWithIds.length).toBeGreaterThanOrEqual(11);
  });

  it.each(routesWithIds.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers 400 naming the path parameter',
    async (_, route) => {
      for (const bad of [
        'not-a-uuid',
        '01900000-0000-7000-8000-00000000000g',
        '0190000000007000800000000000000a',
      ]) {
        const name = ID_PARAMETERS.find((n) => route.path.includes(`{${n}}`)) as string;
        const path = route.path.replace(/\{(\w+)\}/g, (_, param: string) =>
          param === name ? bad : 'ANY-CODE',
        );
        expectInvalidPathId(
          await api.request(route.method, path, { token, ...(route.body ? { body: {} } : {}) }),
          name,
        );
      }
    },
  );
});

describe('an upper-case UUID', () => {
  it('names the same entity in paths, filters and charger registrations, answered in lower case', async () => {
    const created = await api.request('POST', '/v1/entities', { token, body: { type: 'CP', name: 'Depot' } });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const upper = id.toUpperCase();
    expect(upper).not.toBe(id);

    const entity = await api.request('GET', `/v1/entities/${upper}`, { token });
    expect(entity.status, entity.text).toBe(200);
    expect(entity.body.id).toBe(id);

    const sessions = await api.request(
      'GET',
      `/v1/entities/${upper}/charge-sessions?start=2026-01-01T00:00:00Z`,
      {
        token,
      },
    );
    expect(sessions.status, sessions.text).toBe(200);
    expect(sessions.body.data).toEqual([]);

    const fleet = await api.request(
      'GET',
      `/v1/charge-sessions?start=2026-01-01T00:00:00Z&entityId=${upper}`,
      {
        token,
      },
    );
    expect(fleet.status, fleet.text).toBe(200);

    const charger = await api.request('POST', '/v1/chargers', {
      token,
      body: {
        publicCode: 'IDS-1',
        name: 'Upper-case link',
        entityId: upper,
        public: true,
        connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150 }],
        pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 100, taxRate: 0.21 },
        holdAmount: 5_000,
      },
    });
    expect(charger.status, charger.text).toBe(201);
    expect(charger.body.entityId).toBe(id);

    expect((await api.request('DELETE', `/v1/entities/${upper}`, { token })).status).toBe(204);
    expect((await api.request('GET', `/v1/entities/${id}`, { token })).status).toBe(404);
  });

  it('names the same location', async () => {
    const created = await api.request('POST', '/v1/locations', {
      token,
      body: { label: 'Home', lat: 52.37, lon: 4.89, radiusMeters: 150 },
    });
    expect(created.status, created.text).toBe(201);
    const upper = String(created.body.id).toUpperCase();
    const location = await api.request('GET', `/v1/locations/${upper}`, { token });
    expect(location.status, location.text).toBe(200);
    expect(location.body.id).toBe(created.body.id);
    expect((await api.request('DELETE', `/v1/locations/${upper}`, { token })).status).toBe(204);
    expect((await api.request('GET', `/v1/locations/${created.body.id}`, { token })).status).toBe(404);
  });
});
