import { describe, expect, it } from 'vitest';
import { ApiError, allPages, makeApi, must, retryAfterMs, retryingFetch } from '../src/api/client';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });

describe('retries', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(new Date(now + 3000).toUTCString(), now)).toBe(3000);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('retries 429 and 5xx after the wait the API asks for, and resends the body each time', async () => {
    const waits: number[] = [];
    const bodies: string[] = [];
    const answers = [json(429, {}, { 'retry-after': '2' }), json(503, {}), json(200, { ok: true })];
    const fetch = retryingFetch(
      async (request) => {
        bodies.push(await request.text());
        return answers.shift() as Response;
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    const response = await fetch(new Request('http://api.test/x', { method: 'PUT', body: '{"a":1}' }));
    expect(response.status).toBe(200);
    expect(waits).toEqual([2000, 1000]);
    expect(bodies).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
  });

  it('gives up after the last retry and returns that answer; never retries a 4xx other than 429', async () => {
    let calls = 0;
    const failing = retryingFetch(
      async () => {
        calls++;
        return json(500, {});
      },
      {
        retries: 2,
        sleep: async () => {},
      },
    );
    expect((await failing(new Request('http://api.test/x'))).status).toBe(500);
    expect(calls).toBe(3);
    calls = 0;
    const refused = retryingFetch(
      async () => {
        calls++;
        return json(400, {});
      },
      { sleep: async () => {} },
    );
    expect((await refused(new Request('http://api.test/x'))).status).toBe(400);
    expect(calls).toBe(1);
  });
});

describe('the API client', () => {
  it('sends the bearer token, and reports a 401 once with the problem the API sent', async () => {
    let unauthorized = 0;
    const seen: (string | null)[] = [];
    const problem = {
      type: '/problems/unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'No.',
      code: 'unauthorized',
    };
    const api = makeApi({
      baseUrl: 'http://api.test',
      token: () => 'evs_secret',
      onUnauthorized: () => unauthorized++,
      fetch: async (request) => {
        seen.push(request.headers.get('authorization'));
        return json(401, problem);
      },
    });
    const result = await api.GET('/v1/entities', {});
    expect(seen).toEqual(['Bearer evs_secret']);
    expect(unauthorized).toBe(1);
    expect(() => must(result)).toThrow(ApiError);
    try {
      must(result);
    } catch (error) {
      expect((error as ApiError).status).toBe(401);
      expect((error as ApiError).problem?.code).toBe('unauthorized');
    }
  });

  it("names a field's own message from a validation problem", () => {
    const error = new ApiError(400, {
      type: '/problems/validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: 'Invalid body.batteryCapacity.',
      code: 'validation_failed',
      errors: [
        {
          in: 'body',
          field: 'batteryCapacity',
          code: 'too_big',
          message: 'Too big: expected number to be <=1000',
        },
      ],
    });
    expect(error.fieldMessage('batteryCapacity')).toBe('Too big: expected number to be <=1000');
    expect(error.fieldMessage('other')).toBeUndefined();
  });

  it('follows continuation tokens to the end, and stops at the page bound saying the list is partial', async () => {
    const pages = (n: number) => async (token: string | undefined) => {
      const i = token ? Number(token) : 0;
      return { data: [i], meta: { continuationToken: i + 1 < n ? String(i + 1) : null } };
    };
    expect(await allPages(pages(3))).toEqual({ items: [0, 1, 2], complete: true });
    expect(await allPages(pages(10), 4)).toEqual({ items: [0, 1, 2, 3], complete: false });
  });
});
