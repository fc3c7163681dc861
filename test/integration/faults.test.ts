// Faults: DynamoDB throttling, timeouts and 5xx injected into the API's DocumentClient. A request whose
// writes fail answers 503 with Retry-After — never a 500, never a silent success — and a client that
// retries as told ends in exactly the state a fault-free run reaches: nothing accepted is lost, nothing
// applied twice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, startTestApi, type TestApi } from '../support/api.js';
import { injectFaults } from '../support/faults.js';
import { createTenantFixtures, loopbackAddress, type TenantFixtures } from '../support/fixtures.js';
import { registerCharger } from '../support/requests.js';

let api: TestApi;
let tenant: TenantFixtures;
const figures = { requests: 0, unavailable: 0, injected: 0 };

beforeAll(async () => {
  api = await startTestApi();
  tenant = await createTenantFixtures(api, 'faults-tenant');
});
afterAll(async () => {
  console.log(
    `[faults] backend=${api.backend} requests=${figures.requests} answered503=${figures.unavailable} faultsInjected=${figures.injected}`,
  );
  await api.close();
});

type Options = Parameters<TestApi['request']>[2];
type Send = (method: string, path: string, options?: Options | (() => Options)) => Promise<ApiResponse>;

/** A client that retries on 503 as the Retry-After header says (without the wait), and never sees a 500. */
function retryingClient(maxAttempts = 25): Send {
  return async (method, path, options) => {
    for (let attempt = 1; ; attempt++) {
      const response = await api.request(method, path, typeof options === 'function' ? options() : options);
      figures.requests++;
      expect(response.status, `${method} ${path}: ${response.text.slice(0, 300)}`).toBeLessThan(
        500 + (response.status === 503 ? 4 : 0),
      );
      if (response.status !== 503) return response;
      figures.unavailable++;
      expect(response.headers.get('retry-after'), `${method} ${path}`).toMatch(/^\d+$/);
      expect(response.body.code).toBe('service_unavailable');
      if (attempt >= maxAttempts)
        throw new Error(`${method} ${path} still unavailable after ${attempt} attempts`);
    }
  };
}

/** A charger of one connector, registered through `send` (so through the faults too). */
const newCharger = (send: Send) =>
  registerCharger({ request: send }, tenant.token, tenant.cpId, {
    name: 'Fault-tolerant charger',
    connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150 }],
  });

/**
 * Lets a minute pass for work a failed write left pending (the outbox): runs the sweeper, as the
 * scheduler does every minute, with a clock one more minute ahead each time; the sweeper may meet faults
 * too and leaves what failed for the next run.
 */
let sweeps = 0;
async function aMinuteLater() {
  const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
  sweeps++;
  await sweepDueSessions(new Date(Date.now() + sweeps * 61_000)).catch(() => undefined);
}

/** A whole public session: start, confirm, remote start, meter values, stop, end; returns the final state. */
async function playSession(send: Send, code: string) {
  sweeps = 0; // each session's clock starts now: minutes passed for another session must not expire this one
  const ip = loopbackAddress();
  // Each start attempt from its own address: the per-IP start limit (3 a minute, tested on its own) would
  // otherwise turn the retries this test forces into 429s.
  const started = await send('POST', '/v1/public-charging/sessions', () => ({
    sourceIp: loopbackAddress(),
    body: { code, connector_id: 1 },
  }));
  expect(started.status, started.text).toBe(201);
  const token = started.body.token as string;
  expect((await send('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: ip })).status).toBe(
    200,
  );
  // The CSMS polls for commands; one whose write failed appears after the sweeper has retried it.
  let start: any;
  for (let poll = 0; poll < 10 && !start; poll++) {
    const commands = await send('GET', `/v1/chargers/${code}/commands`, { token: tenant.token });
    start = commands.body.data.find((c: { action: string }) => c.action === 'RequestStartTransaction');
    if (!start) await aMinuteLater();
  }
  expect(start, 'the start command never appeared').toBeDefined();
  const accepted = await send('POST', `/v1/chargers/${code}/commands/${start.commandId}/result`, {
    token: tenant.token,
    body: { status: 'Accepted' },
  });
  expect(accepted.status, accepted.text).toBe(200);
  const event = (seqNo: number, eventType: string, extra: Record<string, unknown>) =>
    send('POST', `/v1/chargers/${code}/transaction-events`, {
      token: tenant.token,
      body: {
        eventType,
        timestamp: new Date(Date.UTC(2026, 2, 1, 10, seqNo * 10)).toISOString(),
        triggerReason:
          eventType === 'Started'
            ? 'RemoteStart'
            : eventType === 'Ended'
              ? 'RemoteStop'
              : 'MeterValuePeriodic',
        seqNo,
        ...extra,
      },
    });
  const startedEvent = await event(0, 'Started', {
    transactionInfo: {
      transactionId: `TX-${code}`,
      remoteStartId: start.request.remoteStartId,
      chargingState: 'Charging',
    },
    evse: { id: 1, connectorId: 1 },
    meterValue: [
      { timestamp: '2026-03-01T10:00:00Z', sampledValue: [{ value: 1_000, context: 'Transaction.Begin' }] },
    ],
  });
  expect(startedEvent.status, startedEvent.text).toBe(200);
  for (let i = 1; i <= 3; i++) {
    const updated = await event(i, 'Updated', {
      transactionInfo: { transactionId: `TX-${code}` },
      meterValue: [
        {
          timestamp: new Date(Date.UTC(2026, 2, 1, 10, i * 10)).toISOString(),
          sampledValue: [{ value: 1_000 + i * 2_500 }],
        },
      ],
    });
    expect(updated.status, updated.text).toBe(200);
  }
  expect((await send('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip })).status).toBe(
    200,
  );
  const ended = await event(4, 'Ended', {
    transactionInfo: { transactionId: `TX-${code}`, stoppedReason: 'Remote' },
    meterValue: [
      { timestamp: '2026-03-01T10:40:00Z', sampledValue: [{ value: 11_000, context: 'Transaction.End' }] },
    ],
  });
  expect(ended.status, ended.text).toBe(200);
  // Settling and capture may have been left pending by a failed write: the driver polls until final.
  let final = await send('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
  for (let poll = 0; poll < 10 && ['stopping', 'settling'].includes(final.body.data?.status); poll++) {
    await aMinuteLater();
    final = await send('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: loopbackAddress() });
  }
  expect(final.status).toBe(200);
  return final.body.data;
}

/** The fields that must not depend on faults (times and ids do). */
function outcome(session: Record<string, any>) {
  const {
    status,
    energy_kwh,
    cost_amount,
    amount_authorized,
    amount_captured,
    tax_amount,
    failure_reason,
    connector_id,
  } = session;
  return {
    status,
    energy_kwh,
    cost_amount,
    amount_authorized,
    amount_captured,
    tax_amount,
    failure_reason,
    connector_id,
  };
}

describe('DynamoDB faults', () => {
  it('a public session played through 30 % failing writes ends exactly as a fault-free one', async () => {
    const clean = outcome(await playSession(retryingClient(), await newCharger(retryingClient())));
    expect(clean).toMatchObject({ status: 'captured', energy_kwh: '10.000', amount_captured: 550 });

    for (const seed of [11, 23, 37, 41, 53, 67]) {
      const code = await newCharger(retryingClient());
      const stop = injectFaults({
        rate: 0.3,
        seed,
        commands: ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'],
      });
      let faulty: ReturnType<typeof outcome>;
      try {
        faulty = outcome(await playSession(retryingClient(), code));
      } finally {
        figures.injected += stop().failed;
      }
      expect(faulty, `seed ${seed}`).toEqual(clean);
    }
    expect(figures.unavailable).toBeGreaterThan(0);
  });

  it('answers 503 with Retry-After when reads fail, and writes nothing', async () => {
    const stop = injectFaults({ rate: 1, commands: ['GetItemCommand', 'QueryCommand'] });
    try {
      for (const path of [
        `/v1/entities/${tenant.evId}`,
        '/v1/entities',
        `/v1/chargers/${tenant.chargerCode}`,
      ]) {
        const response = await api.request('GET', path, { token: tenant.token });
        expect(response.status, path).toBe(503);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(response.headers.get('content-type')).toBe('application/problem+json');
      }
    } finally {
      figures.injected += stop().failed;
    }
  });

  it('never reports success for a write that failed: a refused entity write leaves nothing behind', async () => {
    const stop = injectFaults({ rate: 1, commands: ['PutItemCommand', 'UpdateItemCommand'] });
    let created: ApiResponse;
    let capacity: ApiResponse;
    try {
      created = await api.request('POST', '/v1/entities', {
        token: tenant.token,
        body: { type: 'EV', name: 'Never stored' },
      });
      capacity = await api.request('PUT', `/v1/entities/${tenant.evId}/battery-capacity`, {
        token: tenant.token,
        body: { batteryCapacity: 99 },
      });
    } finally {
      figures.injected += stop().failed;
    }
    expect(created.status).toBe(503);
    expect(capacity.status).toBe(503);
    const list = await api.request('GET', '/v1/entities?pageSize=100', { token: tenant.token });
    expect(list.body.data.map((e: { name: string }) => e.name)).not.toContain('Never stored');
    const ev = await api.request('GET', `/v1/entities/${tenant.evId}`, { token: tenant.token });
    expect(ev.body.batteryCapacity).toEqual({ value: 64, unit: 'kWh' });
  });
});
