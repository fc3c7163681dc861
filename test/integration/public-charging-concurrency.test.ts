// Concurrency of public charging against a real DynamoDB API (dynalite and DynamoDB Local): the rate
// limits let exactly `limit` of 50 simultaneous requests through, two drivers can never hold one
// connector, two changes of one session version can never both apply, and concurrent charger events
// are all kept (the losers of a race re-read and re-apply).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txEvent } from '../fixtures/ocpp/builders.js';
import { type ApiResponse, startTestApi, type TestApi } from '../support/api.js';
import { createEntity, registerCharger } from '../support/requests.js';

let api: TestApi;
let operator: string;
let entityId: string;
let nextIp = 10;
const freshIp = () => `127.0.2.${nextIp++}`;

beforeAll(async () => {
  api = await startTestApi();
  operator = await api.token('pc-concurrency');
  entityId = (await createEntity(api, operator, { type: 'CP', name: 'Hub' })).id;
});
afterAll(() => api.close());

/** A charger of one connector: two drivers always race for the same one. */
const newCharger = () =>
  registerCharger(api, operator, entityId, {
    name: 'Hub 1',
    connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150 }],
  });

/** Waits, if need be, so a burst of requests cannot straddle two one-minute windows. */
async function awayFromWindowEdge() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 52_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 200));
}

/** 50 at once; exactly `limit` get through, each with a distinct X-RateLimit-Remaining, the rest 429. */
async function expectExactLimit(limit: number, send: () => Promise<ApiResponse>, passStatuses: number[]) {
  await awayFromWindowEdge();
  const responses = await Promise.all(Array.from({ length: 50 }, send));
  const limited = responses.filter((r) => r.status === 429);
  const passed = responses.filter((r) => r.status !== 429);
  expect(passed).toHaveLength(limit);
  expect(limited).toHaveLength(50 - limit);
  for (const response of passed) {
    expect(passStatuses, JSON.stringify(response.body)).toContain(response.status);
    expect(response.headers.get('x-ratelimit-limit')).toBe(String(limit));
  }
  expect(passed.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(
    Array.from({ length: limit }, (_, i) => i),
  );
  for (const response of limited) {
    expect(response.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(response.headers.get('x-ratelimit-limit')).toBe(String(limit));
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }
}

describe('rate limits are exact under 50 concurrent requests', () => {
  it('GET chargers/{code}: 30 per minute per IP', async () => {
    const code = await newCharger();
    const ip = freshIp();
    await expectExactLimit(
      30,
      () => api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip }),
      [200],
    );
    // Another IP has its own window.
    expect(
      (await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: freshIp() })).status,
    ).toBe(200);
  });

  it('POST sessions: 3 per minute per IP', async () => {
    const ip = freshIp();
    await expectExactLimit(
      3,
      () =>
        api.request('POST', '/v1/public-charging/sessions', {
          sourceIp: ip,
          body: { code: 'NOPE-2', connector_id: 1 },
        }),
      [404],
    );
  });

  it('GET sessions/{token}: 30 per minute per token; confirm/stop/cancel: 10 per minute per token', async () => {
    const code = await newCharger();
    const started = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: freshIp(),
      body: { code, connector_id: 1 },
    });
    const token = started.body.token;
    // Many IPs polling one token are still one token's budget.
    await expectExactLimit(
      30,
      () => api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: freshIp() }),
      [200],
    );
    await expectExactLimit(
      10,
      () => api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: freshIp() }),
      [200],
    );
  });
});

describe('two drivers, one connector', () => {
  it('of 8 simultaneous starts exactly one gets the connector; the rest are 409 and leave nothing behind', async () => {
    const code = await newCharger();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.request('POST', '/v1/public-charging/sessions', {
          sourceIp: freshIp(),
          body: { code, connector_id: 1 },
        }),
      ),
    );
    const winners = responses.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 201)) {
      expect(loser.body).toMatchObject({ status: 409, code: 'connector_unavailable' });
    }
    const charger = await api.request('GET', `/v1/chargers/${code}`, { token: operator });
    const held = charger.body.connectors[0].activeSessionId;
    expect(held).toEqual(expect.any(String));
    // Only the winner's session exists for this charger: the losers' were removed and their holds released.
    const sessions = await api.request('GET', `/v1/chargers/${code}/sessions`, { token: operator });
    expect(sessions.body.data.map((s: any) => s.id)).toEqual([held]);
    const { inspectLocalHold } = await import('../../shared/payments/local.js');
    for (const loser of responses.filter((r) => r.status !== 201)) expect(loser.body.token).toBeUndefined();
    const holdOf = (id: string) => inspectLocalHold(`lpi_${id.replaceAll('-', '')}`);
    expect((await holdOf(held))?.status).toBe('requires_capture');
  });
});

describe('optimistic concurrency on a session', () => {
  it('of 20 writes on one version exactly one lands', async () => {
    const code = await newCharger();
    const started = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: freshIp(),
      body: { code, connector_id: 1 },
    });
    const store = await import('../../shared/storage/public-sessions.js');
    const charger = await api.request('GET', `/v1/chargers/${code}`, { token: operator });
    const sessionId: string = charger.body.connectors[0].activeSessionId;
    const stored = await store.getSession(sessionId);
    expect(stored?.record.version).toBe(1);
    expect(started.body.data.status).toBe('created');
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.writeSession({ ...stored!.record, version: 2, chargerName: `writer ${i}` }, 1, [], now),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const after = await store.getSession(sessionId);
    expect(after?.record.version).toBe(2);
    expect(after?.record.chargerName).toBe(`writer ${results.indexOf(true)}`);
  });

  it('a driver cancel racing the timeout: exactly one change applies, the other sees its result', async () => {
    const code = await newCharger();
    const started = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: freshIp(),
      body: { code, connector_id: 1 },
    });
    const { applyToSession } = await import('../../shared/public-sessions/engine.js');
    const store = await import('../../shared/storage/public-sessions.js');
    const sessionId = (await api.request('GET', `/v1/chargers/${code}`, { token: operator })).body
      .connectors[0].activeSessionId as string;
    const due = new Date(Date.parse(started.body.data.created_at) + 10 * 60_000);
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 5 }, () => applyToSession(sessionId, { type: 'cancel' }, due)),
      ...Array.from({ length: 5 }, () => applyToSession(sessionId, { type: 'created_timeout' }, due)),
    ]);
    const final = (await store.getSession(sessionId))!.record;
    expect(final.version).toBe(2); // created (1) → one change (2), never two
    expect(['abandoned', 'expired']).toContain(final.status);
    const cancels = outcomes.slice(0, 5);
    if (final.status === 'expired') {
      // A cancel after expiry is refused, never applied on top.
      for (const c of cancels)
        expect(c).toMatchObject({ status: 'rejected', reason: { code: 'illegal_transition' } });
    } else {
      for (const c of cancels)
        expect(c).toMatchObject({ status: 'fulfilled', value: { status: 'abandoned' } });
    }
    for (const t of outcomes.slice(5))
      expect(t).toMatchObject({ status: 'fulfilled', value: { status: final.status } });
  });

  it('keeps every one of 12 concurrent meter updates: the losers of each race re-read and re-apply', async () => {
    const code = await newCharger();
    const ip = freshIp();
    const started = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: ip,
      body: { code, connector_id: 1 },
    });
    const token = started.body.token;
    await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: ip });
    const commands = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
    const remoteStartId = commands.body.data[0].request.remoteStartId;
    const send = (event: unknown) =>
      api.request('POST', `/v1/chargers/${code}/transaction-events`, { token: operator, body: event });
    expect(
      (
        await send(
          txEvent('Started', 0, {
            beginWh: 1_000,
            remoteStartId,
            transactionId: 'CC-1',
            chargingState: 'Charging',
          }),
        )
      ).body.session.status,
    ).toBe('charging');
    const updates = Array.from({ length: 12 }, (_, i) =>
      txEvent('Updated', i + 1, { wh: 1_000 + (i + 1) * 500, transactionId: 'CC-1' }),
    );
    const responses = await Promise.all(updates.map(send));
    for (const r of responses) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const store = await import('../../shared/storage/public-sessions.js');
    const sessionId = commands.body.data[0].sessionId;
    const record = (await store.getSession(sessionId))!.record;
    expect(record.energyWh).toBe(6_000);
    expect(record.seqNos).toEqual({ highest: 12, recent: Array.from({ length: 13 }, (_, i) => i) });
    const polled = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(polled.body.data).toMatchObject({
      status: 'charging',
      energy_kwh: '6.000',
      cost_amount: 100 + 270,
    });
  });
});
