// The local runner behaves like API Gateway's HTTP API for what this project uses: routing (literal over
// parameter, $default), path decoding, the payload-2.0 event, the authorizer call and its cache, and
// writing back structured and bare results, cookies and base64 bodies.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, startDynalite } from '../../infra/local/dynamo.js';
import {
  GATEWAY_BODY_LIMIT_BYTES,
  GATEWAY_HEAD_LIMIT_BYTES,
  type LocalApi,
  startLocalApi,
} from '../../infra/local/server.js';
import { corsPolicy } from '../../shared/http/cors.js';
import { defineRoute, type RouteSpec } from '../../shared/http/route.js';

const routes: RouteSpec[] = [
  defineRoute({
    operationId: 'a',
    method: 'GET',
    path: '/things/{id}',
    fn: 'entities',
    auth: { scope: 'entities:read' },
    summary: '',
    tags: [],
    responses: {},
  }),
  defineRoute({
    operationId: 'b',
    method: 'GET',
    path: '/things/special',
    fn: 'entities',
    auth: { public: 'test', throttle: { rateLimit: 1, burstLimit: 1 } },
    summary: '',
    tags: [],
    responses: {},
  }),
  defineRoute({
    operationId: 'c',
    method: 'POST',
    path: '/things',
    fn: 'entities',
    auth: { public: 'test', throttle: { rateLimit: 1, burstLimit: 1 } },
    summary: '',
    tags: [],
    responses: {},
  }),
];

const events: any[] = [];
let authorizerCalls = 0;
let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({
    routes,
    defaultFunction: 'meta',
    loadFunction: async (name) => async (event: any) => {
      events.push({ fn: name, event });
      if (event.rawPath === '/things/throws') throw new Error('boom');
      if (event.rawPath === '/things/bare') return { hello: 'world' };
      if (event.routeKey === 'POST /things') {
        return {
          statusCode: 201,
          headers: { 'x-a': 'b' },
          cookies: ['a=1; Path=/', 'b=2'],
          body: Buffer.from([0, 1, 2, 255]).toString('base64'),
          isBase64Encoded: true,
        };
      }
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routeKey: event.routeKey }),
      };
    },
    authorizer: async (event: any) => {
      authorizerCalls++;
      return {
        isAuthorized: event.identitySource[0] !== 'deny',
        context: { tenantId: 't1', seen: event.identitySource[0] },
      };
    },
    authorizerConfig: { identitySource: ['$request.header.Authorization'], cacheSeconds: 60 },
  });
});
afterAll(() => api.close());

const last = () => events[events.length - 1].event;

describe('the local runner', () => {
  it('prefers a literal route over a parameter, passes decoded path parameters, and builds a 2.0 event', async () => {
    expect(await (await fetch(`${api.url}/things/special`)).json()).toEqual({
      routeKey: 'GET /things/special',
    });
    const response = await fetch(`${api.url}/things/a%20b?x=1&x=2&y=3`, {
      headers: { authorization: 'ok', cookie: 'c1=v1; c2=v2', 'X-Multi': 'one' },
    });
    expect(response.status).toBe(200);
    const event = last();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /things/{id}',
      rawPath: '/things/a b',
      rawQueryString: 'x=1&x=2&y=3',
      pathParameters: { id: 'a b' },
      queryStringParameters: { x: '1,2', y: '3' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/things/a b' },
        routeKey: 'GET /things/{id}',
        authorizer: { lambda: { tenantId: 't1' } },
      },
    });
    expect(event.headers['x-multi']).toBe('one');
    expect(event.headers.cookie).toBeUndefined();
  });

  it('answers 401 itself without an Authorization header, and caches the authorizer per header value', async () => {
    const before = authorizerCalls;
    const missing = await fetch(`${api.url}/things/1`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    await fetch(`${api.url}/things/1`, { headers: { authorization: 'cached' } });
    await fetch(`${api.url}/things/2`, { headers: { authorization: 'cached' } });
    expect(authorizerCalls - before).toBe(1);
    const denied = await fetch(`${api.url}/things/1`, { headers: { authorization: 'deny' } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
  });

  it('sends unmatched requests to $default, and a malformed percent-encoding gets 400', async () => {
    await fetch(`${api.url}/nowhere`, { method: 'DELETE' });
    expect(events[events.length - 1]).toMatchObject({
      fn: 'meta',
      event: { routeKey: '$default', rawPath: '/nowhere' },
    });
    expect((await fetch(`${api.url}/things/%E0%A4%A`)).status).toBe(400);
  });

  it('writes structured results: status, headers, cookies, base64 bodies; a binary request body arrives base64', async () => {
    const response = await fetch(`${api.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([9, 8, 7]),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-a')).toBe('b');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    expect(last()).toMatchObject({ isBase64Encoded: true, body: Buffer.from([9, 8, 7]).toString('base64') });
    await fetch(`${api.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(last()).toMatchObject({ isBase64Encoded: false, body: '{"a":1}' });
  });

  it('treats a bare result as a 200 JSON body, and a throwing function as API Gateway’s 500', async () => {
    const bare = await fetch(`${api.url}/things/bare`, { headers: { authorization: 'ok' } });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ hello: 'world' });
    const thrown = await fetch(`${api.url}/things/throws`, { headers: { authorization: 'ok' } });
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ message: 'Internal Server Error' });
  });
});

describe('the local runner with the deployed authorizer configuration', () => {
  const origin = 'https://dash.example.com';
  const seen: (string | undefined)[] = [];
  let deployed: LocalApi;
  beforeAll(async () => {
    deployed = await startLocalApi({
      routes,
      defaultFunction: 'meta',
      loadFunction: async () => async (event: any) => ({
        statusCode: event.requestContext.authorizer?.lambda?.authError ? 401 : 200,
        headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
        body: '{}',
      }),
      authorizer: async (event: any) => {
        seen.push(event.headers.authorization);
        return {
          isAuthorized: true,
          context: event.headers.authorization ? { tenantId: 't1' } : { authError: 'missing_token' },
        };
      },
      cors: corsPolicy([origin]),
    });
  });
  afterAll(() => deployed.close());

  it('calls the authorizer on every request, with or without Authorization, and lets the function answer', async () => {
    const before = seen.length;
    const missing = await fetch(`${deployed.url}/things/1`, { headers: { origin } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.headers.get('access-control-allow-origin')).toBe(origin);
    await fetch(`${deployed.url}/things/1`, { headers: { authorization: 'same' } });
    await fetch(`${deployed.url}/things/1`, { headers: { authorization: 'same' } });
    expect(seen.slice(before)).toEqual([undefined, 'same', 'same']);
  });

  it('refuses a cache without an identity source, as API Gateway does', async () => {
    await expect(
      startLocalApi({
        routes,
        defaultFunction: 'meta',
        loadFunction: async () => async () => ({ statusCode: 200 }),
        authorizer: async () => ({ isAuthorized: true }),
        authorizerConfig: { identitySource: [], cacheSeconds: 60 },
      }),
    ).rejects.toThrow(/Identity source must be set/);
  });

  it.each([
    [
      'a malformed percent-encoding',
      400,
      'Bad Request',
      () => fetch(`${deployed.url}/things/%E0%A4%A`, { headers: { origin } }),
    ],
    [
      'a body over 10 MB',
      413,
      'Request Entity Too Large',
      () =>
        fetch(`${deployed.url}/things`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: Buffer.alloc(GATEWAY_BODY_LIMIT_BYTES + 1, 32),
        }),
    ],
    [
      'a request line and headers over 10,240 bytes',
      431,
      'Request Header Fields Too Large',
      () =>
        fetch(`${deployed.url}/things/1`, {
          headers: { origin, 'x-big': 'a'.repeat(GATEWAY_HEAD_LIMIT_BYTES) },
        }),
    ],
  ])(
    'answers %s itself: %i {"message"} without CORS headers, before any code runs',
    async (_, status, message, send) => {
      const before = seen.length;
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(seen.length).toBe(before);
    },
  );
});

describe('the embedded database', () => {
  it('keeps data across restarts with a data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evs-data-'));
    try {
      const { DynamoDBClient, PutItemCommand, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
      const client = (endpoint: string) =>
        new DynamoDBClient({
          endpoint,
          region: 'local',
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        });
      const first = await startDynalite({ path: dir });
      await ensureTable(first.endpoint, 'persisted');
      await client(first.endpoint).send(
        new PutItemCommand({
          TableName: 'persisted',
          Item: { pk: { S: 'a' }, sk: { S: 'b' }, v: { N: '42' } },
        }),
      );
      await first.stop();
      const second = await startDynalite({ path: dir });
      await ensureTable(second.endpoint, 'persisted'); // already there: must not fail or wipe it
      const { Item } = await client(second.endpoint).send(
        new GetItemCommand({ TableName: 'persisted', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
      );
      await second.stop();
      expect(Item?.v).toEqual({ N: '42' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
