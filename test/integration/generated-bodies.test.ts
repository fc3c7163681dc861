// The positive half of fuzzing: request bodies generated from the OpenAPI document's own schemas are
// ACCEPTED (2xx), so a client generated from the document never sends a request the server refuses. The
// negative half (invalid and hostile requests refused with problem documents) is fuzz.test.ts. Dates
// come from the clock at the start of the run, inside the readings' 35-day retention.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';
import { isIanaTimeZone } from '../../shared/time-zones.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTenantFixtures, type TenantFixtures } from '../support/fixtures.js';
import { type JsonSchema, type SchemaContext, validValue } from '../support/json-schema-arbitrary.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

const document = buildOpenApiDocument(allRoutes);
let api: TestApi;
let fixtures: TenantFixtures;
let context: SchemaContext;

beforeAll(async () => {
  context = {
    components: document.components.schemas as Record<string, JsonSchema>,
    // Valid dates are drawn from the server's clock (the local runner runs in this process).
    now: new Date(),
  };
  api = await startTestApi();
  fixtures = await createTenantFixtures(api, 'generated-bodies-tenant');
});
afterAll(() => api.close());

function bodySchema(method: string, path: string): JsonSchema {
  const operation = (document.paths[path] as Record<string, any>)[method.toLowerCase()];
  return operation.requestBody.content['application/json'].schema;
}

/**
 * What the document cannot say, filled in: whether a time-zone name exists depends on the tz database,
 * so the document gives the name's shape only (see TimeZone in shared/entities/schemas.ts).
 */
const TIME_ZONES = Intl.supportedValuesOf('timeZone').filter(isIanaTimeZone);

const cases: {
  method: string;
  path: string;
  concrete: () => string;
  adjust?: fc.Arbitrary<(body: any) => any>;
  after?: (response: { body: any }) => Promise<unknown>;
}[] = [
  {
    method: 'POST',
    path: '/v1/entities/{entityId}/readings',
    concrete: () => `/v1/entities/${fixtures.evId}/readings`,
  },
  {
    method: 'POST',
    path: '/v1/entities',
    concrete: () => '/v1/entities',
    adjust: fc
      .constantFrom(...TIME_ZONES)
      .map((tz) => (body) => (body.timeZone ? { ...body, timeZone: tz } : body)),
    after: (response) => api.request('DELETE', `/v1/entities/${response.body.id}`, { token: fixtures.token }),
  },
  {
    method: 'PUT',
    path: '/v1/entities/{entityId}/battery-capacity',
    concrete: () => `/v1/entities/${fixtures.evId}/battery-capacity`,
  },
  {
    method: 'PATCH',
    path: '/v1/entities/{entityId}/features',
    concrete: () => `/v1/entities/${fixtures.cpId}/features`,
  },
  {
    method: 'POST',
    path: '/v1/locations',
    concrete: () => '/v1/locations',
    // A tariff id must name one of the tenant's tariffs, which no schema can say: the fixtures' one.
    adjust: fc.constant((body) =>
      body.tariffId ? { ...body, tariffId: fixtures.pathValues.tariffId } : body,
    ),
    // Deleted again: a tenant holds a bounded number of locations.
    after: (response) =>
      api.request('DELETE', `/v1/locations/${response.body.id}`, { token: fixtures.token }),
  },
];

describe.each(cases.map((c) => [`${c.method} ${c.path}`, c] as const))('generated %s bodies', (name, c) => {
  it(`are accepted (${RUNS} bodies)`, async () => {
    const adjusted = c.adjust
      ? fc.tuple(validValue(bodySchema(c.method, c.path), context), c.adjust).map(([body, fix]) => fix(body))
      : validValue(bodySchema(c.method, c.path), context);
    await fc.assert(
      fc.asyncProperty(adjusted, async (body) => {
        const response = await api.request(c.method, c.concrete(), { token: fixtures.token, body });
        expect(
          response.status,
          `${name} ${JSON.stringify(body).slice(0, 600)} → ${response.text.slice(0, 600)}`,
        ).toBeLessThan(300);
        await c.after?.(response);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);
});
