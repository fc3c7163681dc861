// Tariffs over HTTP: create, read, list, edit into versions, delete; dynamic prices; bad input is a 400
// problem document that writes nothing; a tariff a location names cannot be deleted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let token: string;
let other: string;

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('tariffs-a');
  other = await api.token('tariffs-b');
});
afterAll(() => api.close());

const HOUR = 3_600_000;
const homeTariff = {
  name: 'Home, cheap at night',
  currency: 'EUR',
  elements: [
    {
      priceComponents: [{ type: 'ENERGY', price: 0.21, vat: 21 }],
      restrictions: { startTime: '23:00', endTime: '07:00' },
    },
    { priceComponents: [{ type: 'ENERGY', price: 0.34, vat: 21 }] },
  ],
};

describe('/v1/tariffs', () => {
  it('creates, reads, edits into a new version, lists and deletes', async () => {
    const created = await api.request('POST', '/v1/tariffs', { token, body: homeTariff });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      version: 1,
      ...homeTariff,
      created: expect.any(String),
      updated: created.body.created,
    });
    expect(created.headers.get('location')).toBe(`${api.url}/v1/tariffs/${created.body.id}`);
    const id = created.body.id;

    const edited = await api.request('PATCH', `/v1/tariffs/${id}`, { token, body: { name: 'Home' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, version: 2, name: 'Home', elements: homeTariff.elements });

    expect((await api.request('GET', `/v1/tariffs/${id}`, { token })).body).toEqual(edited.body);
    const v1 = await api.request('GET', `/v1/tariffs/${id}/versions/1`, { token });
    expect(v1.status).toBe(200);
    expect(v1.body.name).toBe(homeTariff.name);
    expect((await api.request('GET', `/v1/tariffs/${id}/versions/2`, { token })).body).toEqual(edited.body);
    expect((await api.request('GET', `/v1/tariffs/${id}/versions/3`, { token })).body.code).toBe(
      'tariff_version_not_found',
    );

    const list = await api.request('GET', '/v1/tariffs', { token });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([edited.body]);
    expect((await api.request('GET', `/v1/tariffs/${id}`, { token: other })).status).toBe(404);
    expect((await api.request('DELETE', `/v1/tariffs/${id}`, { token: other })).status).toBe(404);

    expect((await api.request('DELETE', `/v1/tariffs/${id}`, { token })).status).toBe(204);
    const gone = await api.request('GET', `/v1/tariffs/${id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('tariff_not_found');
  });

  it('refuses bad input with a problem document naming the field, and writes nothing', async () => {
    const tenant = await api.token('tariffs-bad');
    const cases: [unknown, string, string][] = [
      [{ ...homeTariff, currency: 'EUX' }, 'currency', 'unknown_currency'],
      [
        {
          ...homeTariff,
          elements: [
            { priceComponents: [{ type: 'ENERGY', price: 0.3 }], restrictions: { startTime: '25:00' } },
          ],
        },
        'elements[0].restrictions.startTime',
        'invalid_time',
      ],
      [
        { ...homeTariff, elements: [{ priceComponents: [{ type: 'ENERGY', price: '0.30' }] }] },
        'elements[0].priceComponents[0].price',
        'invalid_type',
      ],
      [
        { ...homeTariff, elements: [{ priceComponents: [{ type: 'ENERGY', price: -0.1 }] }] },
        'elements[0].priceComponents[0].price',
        'too_small',
      ],
      [
        {
          ...homeTariff,
          elements: [
            { priceComponents: [{ type: 'ENERGY', price: 0.1 }], restrictions: { minKwh: 20, maxKwh: 10 } },
          ],
        },
        'elements[0].restrictions.maxKwh',
        'empty_range',
      ],
    ];
    for (const [body, field, code] of cases) {
      const res = await api.request('POST', '/v1/tariffs', { token: tenant, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field, code }));
    }
    expect((await api.request('GET', '/v1/tariffs', { token: tenant })).body.data).toEqual([]);
  });

  it('stores a continuous dynamic series and refuses overlaps and gaps without storing any of it', async () => {
    const { body: tariff } = await api.request('POST', '/v1/tariffs', { token, body: homeTariff });
    const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR;
    const iso = (ms: number) => new Date(ms).toISOString();
    const series = Array.from({ length: 24 }, (_, h) => ({
      start: iso(day + h * HOUR),
      end: iso(day + (h + 1) * HOUR),
      price: Number((0.1 + h / 100).toFixed(2)),
    }));
    const url = `/v1/tariffs/${tariff.id}/prices`;

    const overlapping = await api.request('PUT', url, {
      token,
      body: { prices: [...series.slice(0, 3), { ...series[3]!, start: iso(day + 2.5 * HOUR) }] },
    });
    expect(overlapping.status).toBe(400);
    expect(overlapping.body.errors).toEqual([
      expect.objectContaining({ field: 'prices[3].start', code: 'overlap' }),
    ]);
    const gap = await api.request('PUT', url, { token, body: { prices: [series[0], series[2]] } });
    expect(gap.status).toBe(400);
    expect(gap.body.errors).toEqual([expect.objectContaining({ field: 'prices[1].start', code: 'gap' })]);
    // Stored by UTC day and replaced a day at a time, so a point may not run past midnight.
    const acrossMidnight = await api.request('PUT', url, {
      token,
      body: { prices: [{ start: iso(day + 23 * HOUR), end: iso(day + 25 * HOUR), price: 0.2 }] },
    });
    expect(acrossMidnight.status).toBe(400);
    expect(acrossMidnight.body.errors).toEqual([
      expect.objectContaining({ field: 'prices[0].end', code: 'crosses_midnight' }),
    ]);
    const read = `${url}?from=${iso(day)}&to=${iso(day + 24 * HOUR)}`;
    expect((await api.request('GET', read, { token })).body.prices).toEqual([]);

    const put = await api.request('PUT', url, { token, body: { prices: [...series].reverse() } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      tariffId: tariff.id,
      from: iso(day),
      to: iso(day + 24 * HOUR),
      prices: series.map((p) => ({ ...p })),
    });
    const got = await api.request('GET', `${url}?from=${iso(day + 5.5 * HOUR)}&to=${iso(day + 7 * HOUR)}`, {
      token,
    });
    expect(got.body.prices.map((p: { price: number }) => p.price)).toEqual([0.15, 0.16]);
  });

  it('reads price points and ranges with the house RFC 3339 parser: lower-case t and z, offsets', async () => {
    const { body: tariff } = await api.request('POST', '/v1/tariffs', { token, body: homeTariff });
    const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR;
    const iso = (ms: number) => new Date(ms).toISOString();
    // 01:00+01:00 is 00:00Z; lower-case forms as readings accept them.
    const plusOne = (ms: number) => `${iso(ms + HOUR).slice(0, 19)}+01:00`;
    const lower = (ms: number) => iso(ms).replace('T', 't').replace('Z', 'z');
    const url = `/v1/tariffs/${tariff.id}/prices`;
    const put = await api.request('PUT', url, {
      token,
      body: {
        prices: [
          { start: plusOne(day), end: lower(day + HOUR), price: 0.1 },
          { start: lower(day + HOUR), end: plusOne(day + 2 * HOUR), price: 0.2 },
        ],
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.prices).toEqual([
      { start: iso(day), end: iso(day + HOUR), price: 0.1 },
      { start: iso(day + HOUR), end: iso(day + 2 * HOUR), price: 0.2 },
    ]);
    const got = await api.request(
      'GET',
      `${url}?from=${lower(day)}&to=${encodeURIComponent(plusOne(day + HOUR))}`,
      {
        token,
      },
    );
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.prices.map((p: { price: number }) => p.price)).toEqual([0.1]);
    // Not a date-time at all: the house parser's invalid_datetime, naming the field.
    const bad = await api.request('PUT', url, {
      token,
      body: { prices: [{ start: '2025-13-01T00:00:00Z', end: lower(day + HOUR), price: 0.1 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toContainEqual(expect.objectContaining({ field: 'prices[0].start' }));
  });
});

describe('where a tariff applies', () => {
  it('a location names a tariff, which then cannot be deleted (409) until the location is gone', async () => {
    const tenant = await api.token('tariffs-locations');
    const { body: tariff } = await api.request('POST', '/v1/tariffs', { token: tenant, body: homeTariff });
    const place = { label: 'Home', lat: 52.37, lon: 4.89, radiusMeters: 75 };

    const unknown = await api.request('POST', '/v1/locations', {
      token: tenant,
      body: { ...place, tariffId: '01900000-0000-7000-8000-000000000bad' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'tariffId', code: 'unknown_tariff' }),
    ]);
    expect((await api.request('GET', '/v1/locations', { token: tenant })).body.data).toEqual([]);
    const badCategory = await api.request('POST', '/v1/locations', {
      token: tenant,
      body: { ...place, category: 'garage' },
    });
    expect(badCategory.status).toBe(400);

    const plain = await api.request('POST', '/v1/locations', { token: tenant, body: place });
    expect(plain.body).toMatchObject({ category: 'other', tariffId: null });
    const home = await api.request('POST', '/v1/locations', {
      token: tenant,
      body: { ...place, category: 'home', tariffId: tariff.id },
    });
    expect(home.status).toBe(201);
    expect(home.body).toMatchObject({ category: 'home', tariffId: tariff.id });

    const refused = await api.request('DELETE', `/v1/tariffs/${tariff.id}`, { token: tenant });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('tariff_in_use');
    expect((await api.request('GET', `/v1/tariffs/${tariff.id}`, { token: tenant })).status).toBe(200);

    expect((await api.request('DELETE', `/v1/locations/${home.body.id}`, { token: tenant })).status).toBe(
      204,
    );
    expect((await api.request('DELETE', `/v1/tariffs/${tariff.id}`, { token: tenant })).status).toBe(204);
  });

  it('the cost settings name a default tariff and a reference price, and hold the tariff in use', async () => {
    const tenant = await api.token('tariffs-settings');
    const empty = await api.request('GET', '/v1/settings/costs', { token: tenant });
    expect(empty.body).toEqual({
      defaultTariffId: null,
      reimbursement: null,
      reimburseHomeAtActualTariff: false,
      updated: null,
    });
    const { body: tariff } = await api.request('POST', '/v1/tariffs', { token: tenant, body: homeTariff });
    const settings = {
      defaultTariffId: tariff.id,
      reimbursement: { currency: 'EUR', pricePerKwh: 0.3 },
      reimburseHomeAtActualTariff: true,
    };
    const bad = await api.request('PUT', '/v1/settings/costs', {
      token: tenant,
      body: { ...settings, reimbursement: { currency: 'EUX', pricePerKwh: 0.3 } },
    });
    expect(bad.status).toBe(400);
    expect((await api.request('GET', '/v1/settings/costs', { token: tenant })).body).toEqual(empty.body);

    const put = await api.request('PUT', '/v1/settings/costs', { token: tenant, body: settings });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...settings, updated: expect.any(String) });
    expect((await api.request('GET', '/v1/settings/costs', { token: tenant })).body).toEqual(put.body);
    expect((await api.request('DELETE', `/v1/tariffs/${tariff.id}`, { token: tenant })).status).toBe(409);
    await api.request('PUT', '/v1/settings/costs', {
      token: tenant,
      body: { ...settings, defaultTariffId: null },
    });
    expect((await api.request('DELETE', `/v1/tariffs/${tariff.id}`, { token: tenant })).status).toBe(204);
  });

  it('concurrent cost-settings writes that move the default away from a tariff release it once', async () => {
    const tenant = await api.token('tariffs-settings-race');
    const create = async () =>
      (await api.request('POST', '/v1/tariffs', { token: tenant, body: homeTariff })).body.id as string;
    const [held, b, c] = [await create(), await create(), await create()];
    // A location keeps `held` in use whatever the settings say.
    const location = await api.request('POST', '/v1/locations', {
      token: tenant,
      body: { label: 'Depot', lat: 52.1, lon: 5.1, radiusMeters: 100, tariffId: held },
    });
    expect(location.status, location.text).toBe(201);
    const settings = (defaultTariffId: string) => ({
      defaultTariffId,
      reimbursement: null,
      reimburseHomeAtActualTariff: false,
    });
    for (let round = 0; round < 5; round++) {
      const put = await api.request('PUT', '/v1/settings/costs', { token: tenant, body: settings(held) });
      expect(put.status).toBe(200);
      // Both read `held` as the default and both move away from it: only one may release it.
      const answers = await Promise.all(
        [b, c].map((id) => api.request('PUT', '/v1/settings/costs', { token: tenant, body: settings(id) })),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const refused = await api.request('DELETE', `/v1/tariffs/${held}`, { token: tenant });
      expect(refused.status, `round ${round}: the location still names it`).toBe(409);
    }
  });
});
