// The auth matrix on every protected route, generated from the route declarations so a new route cannot
// be left out: no token, malformed, unknown, expired, revoked, wrong scope. 401 bodies are identical
// whatever the case, so they reveal nothing beyond the status; only the challenge says whether a token came.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { SCOPES } from '../../shared/auth/scopes.js';
import { generateApiToken } from '../../shared/auth/tokens.js';
import { type RouteSpec, requiredScope } from '../../shared/http/route.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
const tokens: Record<string, string> = {};

const protectedRoutes = allRoutes.filter((route) => requiredScope(route));

/** A concrete path for a route template; ids are well-formed but need not exist (auth comes first). */
function concretePath(route: RouteSpec): string {
  return route.path.replace(/\{(\w+)\+?\}/g, (_, name: string) =>
    name.toLowerCase().endsWith('id') ? '01900000-0000-7000-8000-000000000001' : 'X1',
  );
}

function call(route: RouteSpec, authorization: string | undefined) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return api.request(route.method, concretePath(route), {
    headers,
    ...(route.body ? { body: {} } : {}),
  });
}

beforeAll(async () => {
  api = await startTestApi();
  tokens.valid = await api.token('auth-tenant');
  tokens.expired = await api.token('auth-tenant', {
    now: new Date(Date.now() - 2 * 3600_000),
    lifetimeMs: 3600_000,
  });
  tokens.revoked = await api.token('auth-tenant');
  const { listTokens, revokeToken } = await import('../../shared/auth/token-admin.js');
  const list = await listTokens('auth-tenant');
  const { hashApiToken } = await import('../../shared/auth/tokens.js');
  const { findApiTokenByHash } = await import('../../shared/storage/api-tokens.js');
  const revokedRecord = await findApiTokenByHash(hashApiToken(tokens.revoked));
  expect(list.map((t) => t.tokenId)).toContain(revokedRecord!.tokenId);
  await revokeToken('auth-tenant', revokedRecord!.tokenId, new Date());
  for (const scope of SCOPES) tokens[scope] = await api.token('auth-tenant', { scopes: [scope] });
});
afterAll(() => api.close());

describe.each(protectedRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
  '%s',
  (_, route) => {
    it('answers 401 problem+json without a token, challenging with Bearer and no error code', async () => {
      const response = await call(route, undefined);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="evsessions"');
      expect(response.body).toMatchObject({ code: 'unauthorized', status: 401 });
    });

    it('answers the same 401 problem for malformed, unknown, expired and revoked tokens', async () => {
      const cases = {
        'wrong scheme': `Basic ${Buffer.from('a:b').toString('base64')}`,
        'no token after Bearer': 'Bearer',
        'not a token': 'Bearer definitely-not-a-token',
        'bad checksum': `Bearer ${tokens.valid!.slice(0, -1)}${tokens.valid!.endsWith('A') ? 'B' : 'A'}`,
        unknown: `Bearer ${generateApiToken()}`,
        expired: `Bearer ${tokens.expired}`,
        revoked: `Bearer ${tokens.revoked}`,
      };
      const withoutToken = await call(route, undefined);
      const { requestId: _, ...missing } = withoutToken.body;
      const bodies = new Set<string>([JSON.stringify(missing)]);
      for (const [name, header] of Object.entries(cases)) {
        const response = await call(route, header);
        expect(response.status, name).toBe(401);
        expect(response.headers.get('content-type'), name).toBe('application/problem+json');
        expect(response.headers.get('www-authenticate'), name).toMatch(
          /^Bearer realm="evsessions", error="invalid_token"/,
        );
        const { requestId, ...rest } = response.body;
        expect(requestId, name).toEqual(expect.any(String));
        expect(rest.code, name).toBe('unauthorized');
        bodies.add(JSON.stringify(rest));
      }
      expect(bodies.size).toBe(1);
    });

    it(`answers 403 insufficient_scope to a valid token without '${requiredScope(route)}'`, async () => {
      const scope = requiredScope(route)!;
      const other = SCOPES.find((s) => s !== scope)!;
      const response = await call(route, `Bearer ${tokens[other]}`);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'insufficient_scope', requiredScope: scope });
      expect(response.headers.get('www-authenticate')).toContain(`scope="${scope}"`);
    });

    it('lets a token with the scope through to the operation', async () => {
      const response = await call(route, `Bearer ${tokens[requiredScope(route)!]}`);
      expect([401, 403]).not.toContain(response.status);
    });
  },
);

describe('the authorizer, called on every request (no gateway cache)', () => {
  it('refuses a token from the moment it is revoked', async () => {
    const token = await api.token('cache-tenant');
    const route = protectedRoutes.find((r) => r.method === 'GET' && requiredScope(r) === 'entities:read')!;
    expect((await call(route, `Bearer ${token}`)).status).toBe(200);
    const { listTokens, revokeToken } = await import('../../shared/auth/token-admin.js');
    const [record] = await listTokens('cache-tenant');
    await revokeToken('cache-tenant', record!.tokenId, new Date());
    expect((await call(route, `Bearer ${token}`)).status).toBe(401);
  });

  it('gives a browser the 401 with CORS headers, so it can read it', async () => {
    const { startProjectApi } = await import('../../infra/local/project-api.js');
    const { corsPolicy } = await import('../../shared/http/cors.js');
    const origin = 'https://dash.example.com';
    const local = await startProjectApi({ cors: corsPolicy([origin]) });
    try {
      const route = protectedRoutes.find((r) => r.method === 'GET')!;
      const response = await fetch(`${local.url}${concretePath(route)}`, { headers: { origin } });
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="evsessions"');
    } finally {
      await local.close();
    }
  });
});
