// Load: autocannon on loopback against the local runner, mixed reads and ingest for a bounded time
// (LOAD_SECONDS, 5 s inside npm test; `npm run test:soak` runs 30 s). Properties: no errors and no non-2xx
// answers, and no lost readings: every reading an ingest answer counted as accepted is stored and served.

import autocannon from 'autocannon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 5);
const ENTITIES = 8;
const READINGS_PER_REQUEST = 60;

let api: TestApi;
let token: string;
const entityIds: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('load-tenant');
  for (let i = 0; i < ENTITIES; i++) {
    const created = await api.request('POST', '/v1/entities', {
      token,
      body: { type: 'EV', name: `Load ${i}`, capabilities: ['soc', 'power'] },
    });
    entityIds.push(created.body.id);
  }
});
afterAll(() => api.close());

it(`holds ${SECONDS} s of mixed read and ingest traffic with no errors and no lost readings`, async () => {
  // Each ingest carries 60 one-second readings no other request carries: nothing is a duplicate, so
  // every accepted reading must be found again.
  const base = Date.now() - 3 * 86_400_000;
  let ingests = 0;
  let acceptedReadings = 0;
  const statuses: Record<number, number> = {};
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const readPaths = [
    '/v1/entities?pageSize=25',
    `/v1/entities/${entityIds[0]}`,
    `/v1/entities/${entityIds[1]}/charge-sessions?start=2026-01-01T00:00:00Z`,
    `/v1/charge-sessions?start=2026-01-01T00:00:00Z&pageSize=50`,
  ];

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: api.url,
        connections: 8,
        duration: SECONDS,
        headers,
        requests: [
          ...readPaths.map((path) => ({ method: 'GET' as const, path })),
          {
            method: 'POST',
            setupRequest: (request: any) => {
              const n = ingests++;
              const entityId = entityIds[n % ENTITIES];
              const start = base + Math.floor(n / ENTITIES) * READINGS_PER_REQUEST * 1000;
              const readings = Array.from({ length: READINGS_PER_REQUEST }, (_, i) => ({
                timestamp: new Date(start + i * 1000).toISOString(),
                soc: 50 + (i % 10),
                powerKw: 7.4,
              }));
              return {
                ...request,
                path: `/v1/entities/${entityId}/readings`,
                body: JSON.stringify({ readings }),
              };
            },
            onResponse: (status: number, body: string) => {
              if (status === 202) acceptedReadings += JSON.parse(body).accepted;
            },
          },
        ],
      },
      (error: Error | null, outcome: autocannon.Result) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on('response', (_client: unknown, status: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });

  console.log(
    `[load] backend=${api.backend} seconds=${SECONDS} requests=${result.requests.total} rps=${Math.round(result.requests.average)} p99=${result.latency.p99}ms ingests=${ingests} acceptedReadings=${acceptedReadings} statuses=${JSON.stringify(statuses)}`,
  );
  expect(result.errors).toBe(0);
  expect(result.timeouts).toBe(0);
  expect(result.non2xx, JSON.stringify(statuses)).toBe(0);
  expect(acceptedReadings).toBeGreaterThan(0);

  // Every accepted reading is served back.
  let stored = 0;
  for (const entityId of entityIds) {
    let path: string | null =
      `/v1/entities/${entityId}/readings?start=${new Date(base).toISOString()}&pageSize=1000`;
    while (path) {
      const page: any = await api.request('GET', path, { token });
      expect(page.status).toBe(200);
      stored += page.body.data.length;
      path = page.body.links.next ? page.body.links.next.slice(api.url.length) : null;
    }
  }
  // Every accepted reading is there; any more come from ingests still in flight when autocannon stopped
  // (they completed on the server, their answers were not read): at most one per connection.
  const answered = statuses[202] ?? 0;
  expect(stored).toBeGreaterThanOrEqual(acceptedReadings);
  const cutOff = ingests - answered;
  expect(cutOff).toBeLessThanOrEqual(8);
  expect(stored).toBeLessThanOrEqual(acceptedReadings + cutOff * READINGS_PER_REQUEST);
}, 120_000);
