// CORS as API Gateway applies it, on the local runner: preflights answered by the gateway, headers only
// for allowed origins, integration CORS headers ignored, explicit origins only, never credentials.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '../../infra/local/server.js';
import { corsPolicy, parseCorsOrigins } from '../../shared/http/cors.js';
import { defineRoute } from '../../shared/http/route.js';

let api: LocalApi;
let invocations = 0;
const DASHBOARD = 'https://dash.example.com';

beforeAll(async () => {
  api = await startLocalApi({
    routes: [
      defineRoute({
        operationId: 'x',
        method: 'GET',
        path: '/x',
        fn: 'entities',
        auth: { public: 'test', throttle: { rateLimit: 1, burstLimit: 1 } },
        summary: '',
        tags: [],
        responses: {},
      }),
    ],
    defaultFunction: 'meta',
    authorizer: async () => ({ isAuthorized: true }),
    loadFunction: async () => async () => {
      invocations++;
      return { statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*', 'x-other': '1' }, body: '{}' };
    },
    cors: corsPolicy(parseCorsOrigins(`${DASHBOARD}, http://localhost:5173`)),
  });
});
afterAll(() => api.close());

describe('CORS', () => {
  it('answers a preflight from an allowed origin without invoking any function', async () => {
    const before = invocations;
    const response = await fetch(`${api.url}/x`, {
      method: 'OPTIONS',
      headers: {
        origin: DASHBOARD,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(invocations).toBe(before);
  });

  it('gives a disallowed origin no CORS headers, on preflights and responses', async () => {
    const preflight = await fetch(`${api.url}/x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await fetch(`${api.url}/x`, { headers: { origin: 'https://evil.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull(); // the function's '*' is ignored
  });

  it('decorates responses for an allowed origin and exposes the pagination and rate-limit headers', async () => {
    const response = await fetch(`${api.url}/x`, { headers: { origin: DASHBOARD } });
    expect(response.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(response.headers.get('access-control-expose-headers')).toContain('link');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-ratelimit-remaining');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('x-other')).toBe('1');
  });

  it('accepts explicit origins only', () => {
    expect(parseCorsOrigins('')).toEqual([]);
    expect(corsPolicy([])).toBeUndefined();
    for (const bad of ['*', 'https://*.example.com', 'example.com', 'https://a.com/path', 'ftp://a.com']) {
      expect(() => parseCorsOrigins(bad), bad).toThrow(/explicit/);
    }
  });
});
