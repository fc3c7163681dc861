// Fuzzing every route, generated from the route list and the OpenAPI document, so a new route is fuzzed
// without anyone remembering to. Each request is valid, mutated or hostile in its path parameters
// (slashes, dots, encoded and control characters), its query (wrong types, extremes, unknown keys) and
// its body (schema-valid, one field broken, hostile JSON, invalid JSON, wrong or missing content type,
// oversized). Properties: no 5xx, ever; every 4xx is a well-formed problem document (or API Gateway's own
// answer where the gateway answers); and a rejected request changes nothing in the table.

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClient } from '../../infra/local/dynamo.js';
import { allRoutes } from '../../shared/api/routes.js';
import { ERROR_CODES } from '../../shared/error-codes.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';
import { DEFAULT_BODY_LIMIT_BYTES, isPublic, type RouteSpec } from '../../shared/http/route.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTenantFixtures, loopbackAddress, type TenantFixtures } from '../support/fixtures.js';
import { hostileValue, type JsonSchema, mutatedValue, validValue } from '../support/json-schema-arbitrary.js';

/** Requests per route; raise with FUZZ_RUNS for a longer run (docs/reliability.md states what was run). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);

let api: TestApi;
let fixtures: TenantFixtures;
const document = buildOpenApiDocument(allRoutes);
// The local runner reads the system clock, so valid dates are drawn from it (faketime shifts both).
const context = { components: document.components.schemas as Record<string, JsonSchema>, now: new Date() };
const tried: Record<string, number> = {};
const statuses: Record<number, number> = {};

beforeAll(async () => {
  api = await startTestApi();
  fixtures = await createTenantFixtures(api, 'fuzz-tenant');
});
afterAll(async () => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(
    `[fuzz] backend=${api.backend} seed=${SEED} routes=${Object.keys(tried).length} requests=${total} statuses=${JSON.stringify(statuses)}`,
  );
  await api.close();
});

/** Every item of the table but rate-limit counters (which count rejected requests by design). */
async function snapshot(): Promise<string> {
  const client = localClient(api.endpoint);
  const items: string[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: api.tableName, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      if (!String(item.pk?.S).startsWith('RATE#')) items.push(JSON.stringify(item));
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  client.destroy();
  return items.sort().join('\n');
}

const HOSTILE_SEGMENTS = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom(
    '..',
    '.',
    '%2F',
    '%2e%2e',
    'a%2Fb',
    '%00',
    '%20',
    '%E0%A4%A',
    '%25',
    'T%23x',
    'x'.repeat(600),
    '🔌',
  ),
);

interface FuzzRequest {
  path: string;
  query: string;
  body?: string;
  contentType?: string;
  token?: string;
  label: string;
}

function operationOf(route: RouteSpec): Record<string, any> {
  return (document.paths[route.path] as Record<string, any>)[route.method.toLowerCase()];
}

function requestArbitrary(route: RouteSpec): fc.Arbitrary<FuzzRequest> {
  const operation = operationOf(route);
  const params: { name: string; in: string; schema: JsonSchema }[] = operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');

  const path = fc
    .tuple(
      ...pathParams.map((p) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(encodeURIComponent(fixtures.pathValues[p.name] ?? 'x')) },
          { weight: 2, arbitrary: HOSTILE_SEGMENTS },
        ),
      ),
    )
    .map((values) => {
      let i = 0;
      return route.path.replace(/\{\w+\}/g, () => values[i++] as string);
    });

  const queryValue = (schema: JsonSchema) =>
    fc.oneof({ weight: 3, arbitrary: validValue(schema, context) }, { weight: 1, arbitrary: hostileValue });
  const query = fc
    .tuple(
      fc.record(Object.fromEntries(queryParams.map((p) => [p.name, queryValue(p.schema)])), {
        requiredKeys: [],
      }),
      fc.option(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { freq: 5 }),
    )
    .map(([values, extra]) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(values)) {
        search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      }
      if (extra) search.set(extra[0] || 'x', extra[1]);
      return search.toString();
    });

  const bodySchema = operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
  const limit = route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const body: fc.Arbitrary<{ body?: string; contentType?: string; kind: string }> = bodySchema
    ? fc.oneof(
        {
          weight: 4,
          arbitrary: validValue(bodySchema, context).map((v) => ({
            body: JSON.stringify(v),
            contentType: 'application/json',
            kind: 'valid',
          })),
        },
        {
          weight: 4,
          arbitrary: mutatedValue(bodySchema, context).map((v) => ({
            body: JSON.stringify(v) ?? 'null',
            contentType: 'application/json',
            kind: 'mutated',
          })),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            { body: '{"a":', contentType: 'application/json', kind: 'invalid json' },
            { body: '{"n": NaN}', contentType: 'application/json', kind: 'NaN literal' },
            { body: '\u0000\u0001', contentType: 'application/json', kind: 'control characters' },
            { body: '{}', contentType: 'text/plain', kind: 'wrong content type' },
            { body: '{}', contentType: 'application/json; charset=latin1', kind: 'wrong charset' },
            { body: '{}', kind: 'no content type' },
            { body: '', contentType: 'application/json', kind: 'empty body' },
            {
              body: JSON.stringify({ pad: 'x'.repeat(limit) }),
              contentType: 'application/json',
              kind: 'oversized',
            },
            {
              body: `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
              contentType: 'application/json',
              kind: 'deep nesting',
            },
            {
              body: `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_001)}`,
              contentType: 'application/json',
              kind: 'deep objects',
            },
          ),
        },
      )
    : fc.oneof(
        fc.constant({ kind: 'no body' }),
        fc.constant({ body: '{"unexpected":true}', contentType: 'application/json', kind: 'stray body' }),
      );

  const token = isPublic(route)
    ? fc.constant(undefined)
    : fc.oneof(
        { weight: 9, arbitrary: fc.constant(fixtures.token) },
        { weight: 1, arbitrary: fc.constantFrom('evs_short', 'x'.repeat(300)) },
      );

  return fc.tuple(path, query, body, token).map(([p, q, b, t]) => ({
    path: p,
    query: q,
    ...(b.body !== undefined ? { body: b.body } : {}),
    ...(b.contentType ? { contentType: b.contentType } : {}),
    ...(t ? { token: t } : {}),
    label: b.kind,
  }));
}

function expectWellFormedRejection(
  route: RouteSpec,
  request: FuzzRequest,
  response: { status: number; headers: Headers; body: any; text: string },
) {
  const where = `${route.method} ${request.path.slice(0, 200)}?${request.query.slice(0, 300)} [${request.label}] → ${response.status} ${response.text.slice(0, 300)}`;
  // API Gateway answers some requests itself, before any function: a malformed path, an oversized head.
  // Never a missing token: the authorizer sees every protected request (shared/auth/gateway.ts).
  const gatewayAnswer =
    [400, 413, 431].includes(response.status) &&
    typeof response.body === 'object' &&
    Object.keys(response.body).join() === 'message';
  if (gatewayAnswer) return;
  expect(response.headers.get('content-type'), where).toBe('application/problem+json');
  expect(response.body, where).toMatchObject({
    status: response.status,
    code: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(Object.keys(ERROR_CODES), where).toContain(response.body.code);
  expect(ERROR_CODES[response.body.code as keyof typeof ERROR_CODES].status, where).toBe(response.status);
  expect(response.body.type, where).toBe(`/problems/${response.body.code}`);
  if (response.body.errors !== undefined) {
    for (const error of response.body.errors) {
      expect(error, where).toMatchObject({
        in: expect.stringMatching(/^(path|query|header|body)$/),
        field: expect.any(String),
        code: expect.any(String),
        message: expect.any(String),
      });
    }
  }
}

describe.each(allRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
  'fuzzing %s',
  (name, route) => {
    it(`never answers 5xx, rejects with problem documents, and changes nothing when it rejects (${RUNS} requests)`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route), async (request) => {
          const before = await snapshot();
          const response = await api.request(
            route.method,
            `${request.path}${request.query ? `?${request.query}` : ''}`,
            {
              ...(request.token ? { token: request.token } : {}),
              ...(request.body !== undefined ? { rawBody: request.body } : {}),
              headers: request.contentType ? { 'content-type': request.contentType } : {},
              sourceIp: loopbackAddress(),
            },
          );
          tried[name] = (tried[name] ?? 0) + 1;
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          const where = `${route.method} ${request.path.slice(0, 200)}?${request.query.slice(0, 300)} [${request.label}] → ${response.status} ${response.text.slice(0, 300)}`;
          expect(response.status, where).toBeLessThan(500);
          if (response.status >= 400) {
            expectWellFormedRejection(route, request, response);
            expect(await snapshot(), `a rejected request changed the table: ${where}`).toBe(before);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }, 120_000);
  },
);
