// Tenant isolation, generated from the route list: tenant B's token against tenant A's ids on every
// id-bearing protected route, A's continuation tokens on every list, and A's ids inside request bodies.
// Every case must answer as if A's item did not exist — 404 (or 400 for a foreign page link) — and
// nothing of A may appear in the body or the headers. A new route with a path parameter joins the matrix
// by itself; one with a parameter test/support/fixtures.ts cannot fill fails until a fixture is added.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';
import { isPublic, type RouteSpec } from '../../shared/http/route.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTenantFixtures, fixturePath, type TenantFixtures } from '../support/fixtures.js';
import { type JsonSchema, validValue } from '../support/json-schema-arbitrary.js';

const document = buildOpenApiDocument(allRoutes);
// The local runner reads the system clock, so valid dates are drawn from it (faketime shifts both).
const schemaContext = {
  components: document.components.schemas as Record<string, JsonSchema>,
  now: new Date(),
};

/**
 * Bodies that must also be valid beyond their JSON Schema (an ISO currency, an OCPP message), so the
 * request reaches the existence check; every other route gets a schema-valid sample.
 */
const VALID_BODIES: Record<string, (owner: TenantFixtures) => unknown> = {
  'PUT /v1/chargers/{code}': (owner) => chargerBody(owner.chargerCode, owner.cpId),
  'POST /v1/chargers/{code}/transaction-events': () => ocppTransactionEvent(),
  'POST /v1/chargers/{code}/ocpp': () => [2, 'msg-1', 'TransactionEvent', ocppTransactionEvent()],
  // Tariff bodies have rules JSON Schema cannot say (HH:MM times, six decimals, a continuous series).
  'PATCH /v1/tariffs/{tariffId}': () => ({ name: 'Renamed' }),
  'PUT /v1/tariffs/{tariffId}/prices': () => ({
    prices: [{ start: '2026-03-01T00:00:00Z', end: '2026-03-01T01:00:00Z', price: 0.1 }],
  }),
};

function chargerBody(publicCode: string, entityId: string) {
  return {
    publicCode,
    name: 'Charger',
    entityId,
    public: true,
    connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 50 }],
    pricing: { currency: 'EUR', pricePerKwh: 40, startFee: 0, taxRate: 0.2 },
    holdAmount: 2_000,
  };
}

function ocppTransactionEvent() {
  return {
    eventType: 'Started',
    timestamp: '2026-03-01T10:00:00Z',
    triggerReason: 'CablePluggedIn',
    seqNo: 0,
    transactionInfo: { transactionId: 'TX-ISOLATION' },
    evse: { id: 1, connectorId: 1 },
  };
}

/** One valid body and the required query parameters, so the request reaches the existence check. */
function validRequestParts(route: RouteSpec, owner: TenantFixtures): { query: string; body?: unknown } {
  const operation = (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
  const query = new URLSearchParams();
  for (const param of (operation.parameters ?? []) as {
    name: string;
    in: string;
    required: boolean;
    schema: JsonSchema;
  }[]) {
    if (param.in !== 'query' || !param.required) continue;
    const [value] = fc.sample(validValue(param.schema, schemaContext), { numRuns: 1, seed: 7 });
    query.set(param.name, String(value));
  }
  const override = VALID_BODIES[`${route.method} ${route.path}`];
  if (override) return { query: query.toString(), body: override(owner) };
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
  if (!bodySchema) return { query: query.toString() };
  const [body] = fc.sample(validValue(bodySchema, schemaContext), { numRuns: 1, seed: 7 });
  return { query: query.toString(), body };
}

let api: TestApi;
let a: TenantFixtures;
let b: TenantFixtures;
const cases: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  a = await createTenantFixtures(api, 'tenant-alpha');
  b = await createTenantFixtures(api, 'tenant-bravo');
  // A second item of each listable kind, so A's lists have a next page and a continuation token.
  await createTenantFixtures(api, 'tenant-alpha');
});
afterAll(async () => {
  console.log(`[isolation] backend=${api.backend} cases=${cases.length}`);
  await api.close();
});

/** Nothing of `owner` in the answer beyond what the caller itself sent (an echoed id reveals nothing). */
function expectNothingOf(
  owner: TenantFixtures,
  response: { headers: Headers; text: string },
  where: string,
  sent = '',
) {
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  let decoded = sent;
  try {
    decoded = decodeURIComponent(sent);
  } catch {
    // a stray '%' in a body: compare with the text as sent
  }
  for (const secret of owner.secrets.filter((s) => !sent.includes(s) && !decoded.includes(s))) {
    expect(response.text, `${where}: body mentions ${secret}`).not.toContain(secret);
    expect(headers, `${where}: headers mention ${secret}`).not.toContain(secret);
  }
}

const idRoutes = allRoutes.filter((route) => !isPublic(route) && /\{\w+\}/.test(route.path));

describe('tenant B against tenant A’s ids in the path', () => {
  it('covers every protected route with a path parameter', () => {
    expect(idRoutes.length).toBeGreaterThan(10);
  });

  it.each(idRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s → 404, nothing of A',
    async (name, route) => {
      const path = fixturePath(route.path, a.pathValues);
      const { query, body } = validRequestParts(route, a);
      const target = `${path}${query ? `?${query}` : ''}`;
      const response = await api.request(route.method, target, {
        token: b.token,
        ...(body !== undefined ? { body } : {}),
      });
      cases.push(name);
      expect(response.status, `${name}: ${response.text.slice(0, 300)}`).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expectNothingOf(a, response, name, `${target} ${JSON.stringify(body ?? '')}`);
    },
  );

  it('left every item of A untouched', async () => {
    const entity = await api.request('GET', `/v1/entities/${a.evId}`, { token: a.token });
    expect(entity.status).toBe(200);
    expect(entity.body.batteryCapacity).toEqual({ value: 64, unit: 'kWh' });
    expect(entity.body.features[0].enabled).toBe(true);
    const charger = await api.request('GET', `/v1/chargers/${a.chargerCode}`, { token: a.token });
    expect(charger.status).toBe(200);
  });
});

const listRoutes = allRoutes.filter(
  (route) =>
    !isPublic(route) &&
    route.method === 'GET' &&
    route.query !== undefined &&
    'shape' in route.query &&
    'continuationToken' in (route.query as { shape: Record<string, unknown> }).shape,
);

/** Query parameters a list needs besides paging: required ones, over a window wide enough for A's items. */
function requiredQuery(route: RouteSpec): string {
  const operation = (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
  const params = new URLSearchParams();
  for (const param of (operation.parameters ?? []) as {
    name: string;
    in: string;
    required: boolean;
    schema: JsonSchema;
  }[]) {
    if (param.in !== 'query' || !param.required) continue;
    // A required end closes a year from 2026-01-01, within every list's maximum range.
    const day = param.name === 'end' ? '2026-12-31' : '2026-01-01';
    if (param.schema.format === 'date') params.set(param.name, day);
    else if (param.schema.format === 'date-time') params.set(param.name, `${day}T00:00:00Z`);
    else
      params.set(
        param.name,
        String(fc.sample(validValue(param.schema, schemaContext), { numRuns: 1, seed: 7 })[0]),
      );
  }
  return params.toString();
}

describe('tenant B with tenant A’s continuation tokens', () => {
  it.each(listRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s → 400, nothing of A',
    async (name, route) => {
      const base = fixturePath(route.path, a.pathValues);
      const extra = requiredQuery(route);
      const first = await api.request('GET', `${base}?pageSize=1${extra ? `&${extra}` : ''}`, {
        token: a.token,
      });
      expect(first.status, `${name}: ${first.text.slice(0, 200)}`).toBe(200);
      const continuation = first.body.meta?.continuationToken as string | null;
      if (!continuation) {
        // A has only one item here: the path-parameter matrix above already shows B cannot reach it.
        expect(first.body.data.length).toBeLessThanOrEqual(1);
        return;
      }
      const path = fixturePath(route.path, b.pathValues);
      const response = await api.request(
        'GET',
        `${path}?pageSize=1&continuationToken=${encodeURIComponent(continuation)}${extra ? `&${extra}` : ''}`,
        { token: b.token },
      );
      cases.push(`${name} (continuation)`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_continuation_token');
      expectNothingOf(a, response, name, continuation);
    },
  );
});

/** Request bodies that name an entity: B naming A's entity must be refused as unknown. */
const BODY_ID_CASES: { route: string; body: (owner: TenantFixtures, other: TenantFixtures) => unknown }[] = [
  {
    route: 'POST /v1/chargers',
    body: (owner) => ({
      publicCode: `X${Date.now().toString(36).slice(-6).toUpperCase()}`,
      name: 'Hijack',
      entityId: owner.cpId,
      public: true,
      connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 50 }],
      pricing: { currency: 'EUR', pricePerKwh: 40, startFee: 0, taxRate: 0.2 },
      holdAmount: 2_000,
    }),
  },
  {
    route: 'PUT /v1/chargers/{code}',
    body: (owner, other) => ({
      publicCode: other.chargerCode,
      name: 'Hijack',
      entityId: owner.cpId,
      public: true,
      connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 50 }],
      pricing: { currency: 'EUR', pricePerKwh: 40, startFee: 0, taxRate: 0.2 },
      holdAmount: 2_000,
    }),
  },
];

/** Whether a (possibly $ref'd, nested) JSON Schema has a property of this name anywhere. */
function namesField(schema: JsonSchema | undefined, field: string, seen: Set<string>): boolean {
  if (!schema || typeof schema !== 'object') return false;
  if (typeof schema.$ref === 'string') {
    if (seen.has(schema.$ref)) return false;
    seen.add(schema.$ref);
    return namesField(
      schemaContext.components[schema.$ref.replace('#/components/schemas/', '')],
      field,
      seen,
    );
  }
  if (schema.properties && field in schema.properties) return true;
  return Object.values(schema).some((value) =>
    Array.isArray(value)
      ? value.some((v) => namesField(v as JsonSchema, field, seen))
      : typeof value === 'object' && namesField(value as JsonSchema, field, seen),
  );
}

describe('tenant B naming tenant A’s entity inside a body', () => {
  it('every request body field that names an entity is covered here', () => {
    const found: string[] = [];
    for (const route of allRoutes.filter((r) => r.body && !isPublic(r))) {
      const operation = (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
      if (namesField(operation.requestBody?.content?.['application/json']?.schema, 'entityId', new Set())) {
        found.push(`${route.method} ${route.path}`);
      }
    }
    expect(found.sort()).toEqual(BODY_ID_CASES.map((c) => c.route).sort());
  });

  it.each(BODY_ID_CASES.map((c) => [c.route, c] as const))(
    '%s with A’s entity → 404, nothing of A',
    async (name, c) => {
      const [method, template] = c.route.split(' ') as [string, string];
      const path = fixturePath(template, b.pathValues);
      const body = c.body(a, b);
      const response = await api.request(method, path, { token: b.token, body });
      cases.push(`${name} (body)`);
      expect(response.status, response.text.slice(0, 300)).toBe(404);
      expect(response.body.code).toBe('entity_not_found');
      expectNothingOf(a, response, name, JSON.stringify(body));
    },
  );
});
