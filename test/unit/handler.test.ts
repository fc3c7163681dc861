// The shared HTTP pipeline, in process, with DynamoDB failures injected through aws-sdk-client-mock:
// a dependency that throttles or fails is a 503 with Retry-After, an unexpected error a 500 that reveals
// only the request id, and auth is enforced before anything else runs.

import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizerContext } from '../../shared/auth/authorizer.js';
import { logSink } from '../../shared/logger.js';
import { FULL_ACCESS, httpEvent, lambdaContext } from '../support/events.js';

const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode: number; headers: Record<string, string>; body?: string }>;
const logs: string[] = [];

beforeAll(async () => {
  process.env.TABLE_NAME = 'unit-table';
  process.env.LOG_LEVEL = 'info'; // before the first config() read; the test env defaults to warn
  process.env.CURSOR_SECRET = 'unit-secret';
  ({ handler } = (await import('../../functions/entities.js')) as never);
  logSink.write = (line) => logs.push(line);
});
afterEach(() => {
  dynamo.reset();
  logs.length = 0;
});

const ENTITY_ID = '01900000-0000-7000-8000-000000000001';
const getEntity = (authorizer = FULL_ACCESS) =>
  httpEvent({ routeKey: 'GET /v1/entities/{entityId}', pathParameters: { entityId: ENTITY_ID }, authorizer });
const createEntity = () =>
  httpEvent({ routeKey: 'POST /v1/entities', body: { type: 'EV', name: 'Car' }, authorizer: FULL_ACCESS });

function throttled() {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

describe('the HTTP pipeline', () => {
  it('answers 503 with Retry-After when DynamoDB throttles a read, and logs no 500', async () => {
    dynamo.on(GetCommand).rejects(throttled());
    const response = await handler(getEntity(), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBe('1');
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(response.body!)).toMatchObject({
      code: 'service_unavailable',
      requestId: 'req-test-1',
    });
  });

  it('answers 503 when a write times out, and says nothing was accepted', async () => {
    dynamo.on(PutCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const response = await handler(createEntity(), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('answers 500 internal_error for an unexpected failure, revealing only the request id', async () => {
    dynamo.on(GetCommand).rejects(new TypeError('Cannot read properties of undefined (reading secretThing)'));
    const response = await handler(getEntity(), lambdaContext());
    expect(response.statusCode).toBe(500);
    const body = JSON.parse(response.body!);
    expect(body).toMatchObject({ code: 'internal_error', requestId: 'req-test-1' });
    expect(response.body).not.toContain('secretThing');
    expect(logs.some((line) => line.includes('unhandled error') && line.includes('req-test-1'))).toBe(true);
  });

  it('refuses a request without an authorizer verdict (deny by default) before touching DynamoDB', async () => {
    const response = await handler(
      httpEvent({ routeKey: 'GET /v1/entities/{entityId}', pathParameters: { entityId: ENTITY_ID } }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(401);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 503 with Retry-After when the authorizer could not look the token up', async () => {
    const response = await handler(getEntity({ authError: 'unavailable' }), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(response.body!)).toMatchObject({ code: 'service_unavailable' });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('refuses an authorizer rejection with 401 and a missing scope with 403, before touching DynamoDB', async () => {
    expect((await handler(getEntity({ authError: 'invalid_token' }), lambdaContext())).statusCode).toBe(401);
    const readOnly: AuthorizerContext = { tenantId: 'acme', tokenId: 'tok-1', scopes: 'sessions:read' };
    const forbidden = await handler(getEntity(readOnly), lambdaContext());
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body!)).toMatchObject({
      code: 'insufficient_scope',
      requiredScope: 'entities:read',
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('puts the tenant first in every key it reads', async () => {
    dynamo.on(GetCommand).resolves({});
    await handler(getEntity(), lambdaContext());
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'T#acme', sk: `ENTITY#${ENTITY_ID}` },
    });
  });

  it('sets no-store and the security headers on every answer, errors included', async () => {
    dynamo.on(GetCommand).resolves({});
    const notFound = await handler(getEntity(), lambdaContext());
    dynamo.on(GetCommand).rejects(throttled());
    const unavailable = await handler(getEntity(), lambdaContext());
    for (const response of [notFound, unavailable]) {
      expect(response.headers['Cache-Control']).toBe('no-store');
      expect(response.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(response.headers['X-Frame-Options']).toBe('DENY');
      expect(response.headers['Content-Security-Policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers['Referrer-Policy']).toBe('no-referrer');
      expect(response.headers['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
    }
  });

  it('logs one JSON line per request with its request id and never the Authorization header', async () => {
    dynamo.on(GetCommand).resolves({});
    await handler(
      httpEvent({ ...getEntityOptions(), headers: { authorization: 'Bearer evs_secret_value' } }),
      lambdaContext(),
    );
    const lines = logs.map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ message: 'request', requestId: 'req-test-1', status: 404 }),
    ]);
    expect(logs.join('\n')).not.toContain('evs_secret_value');
  });
});

function getEntityOptions() {
  return {
    routeKey: 'GET /v1/entities/{entityId}',
    pathParameters: { entityId: ENTITY_ID },
    authorizer: FULL_ACCESS,
  };
}
