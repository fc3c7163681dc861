// Every operation the OpenAPI document lists is served, by the function the route names; /openapi.json
// and /problems/{code} are public; unknown paths and methods get precise problems.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { ERROR_CODES } from '../../shared/error-codes.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let token: string;
beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('openapi-tenant');
});
afterAll(() => api.close());

describe('the served API', () => {
  it('serves /openapi.json without auth, equal to docs/openapi.json', async () => {
    const response = await api.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(readFileSync('docs/openapi.json', 'utf8')));
  });

  it('serves every documented operation (none falls through to 404 route_not_found or 405)', async () => {
    const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    let served = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of Object.keys(item)) {
        const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === 'code' ? 'validation_failed' : '01900000-0000-7000-8000-000000000001',
        );
        const response = await api.request(method.toUpperCase(), concrete, {
          token,
          ...(['post', 'put', 'patch'].includes(method) ? { body: {} } : {}),
        });
        expect(response.status, `${method} ${path}`).not.toBe(405);
        expect(response.body?.code, `${method} ${path}`).not.toBe('route_not_found');
        expect(response.status, `${method} ${path}`).toBeLessThan(500);
        served++;
      }
    }
    expect(served).toBe(allRoutes.length);
  });

  it('describes every error code at its problem type URL', async () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      const response = await api.request('GET', `/problems/${code}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ code, status });
    }
    const unknown = await api.request('GET', '/problems/no_such_code');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('problem_type_not_found');
  });

  it('answers unknown paths with 404 route_not_found and wrong methods with 405 and Allow', async () => {
    const missing = await api.request('GET', '/v2/nothing-here', { token });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.body.code).toBe('route_not_found');

    const wrong = await api.request('POST', '/v1/entities/01900000-0000-7000-8000-000000000001', {
      token,
      body: {},
    });
    expect(wrong.status).toBe(405);
    expect(wrong.body.code).toBe('method_not_allowed');
    expect(wrong.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET']);
  });
});
