// Public charging over HTTP, whole sessions at a time: the operator registers a charger, a driver
// starts, pays, charges and stops, the charger's OCPP messages drive the session, the payment is
// captured and the measured session lands on the CP entity. Then the other endings (no_charge,
// expired, cancelled), the reference's errors, and OCPP validation. Runs on dynalite and DynamoDB Local.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargerConfigInput, later, statusNotification, txEvent } from '../fixtures/ocpp/builders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createEntity, expectProblem, freshChargerCode, registerCharger } from '../support/requests.js';

let api: TestApi;
let operator: string;
let otherOperator: string;
let entityId: string;
let logLines: string[];

let nextIp = 10;
/** Each test drives from its own loopback address, so per-IP limits of one test never touch another. */
const freshIp = () => `127.0.1.${nextIp++}`;
const freshCode = freshChargerCode;

beforeAll(async () => {
  api = await startTestApi();
  const { logSink } = await import('../../shared/logger.js');
  logLines = [];
  const write = logSink.write;
  logSink.write = (line: string) => {
    logLines.push(line);
    write.call(logSink, line);
  };
  operator = await api.token('pc-operator');
  otherOperator = await api.token('pc-other');
  entityId = (
    await createEntity(api, operator, { type: 'CP', name: 'Keizersgracht wallboxes' }, { capture: true })
  ).id;
});
afterAll(() => api.close());

/** €0.45/kWh, €1.00 start fee, 21 % VAT included, €50 hold, two connectors; of the wallboxes entity. */
const chargerConfig = (code: string, overrides: Record<string, unknown> = {}) =>
  chargerConfigInput({ publicCode: code, entityId, ...overrides });
const newCharger = (overrides: Record<string, unknown> = {}) =>
  registerCharger(api, operator, entityId, overrides);

const sendEvent = (code: string, event: unknown) =>
  api.request('POST', `/v1/chargers/${code}/transaction-events`, { token: operator, body: event });
const sendStatus = (code: string, notification: unknown) =>
  api.request('POST', `/v1/chargers/${code}/status-notifications`, { token: operator, body: notification });

async function startSession(code: string, ip: string, body: Record<string, unknown> = {}) {
  return api.request('POST', '/v1/public-charging/sessions', {
    sourceIp: ip,
    body: { code, connector_id: 1, ...body },
  });
}

/** Runs the start command the way a CSMS would: read it, answer Accepted. */
async function acceptStart(code: string) {
  const commands = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
  expect(commands.status).toBe(200);
  const start = commands.body.data.find((c: any) => c.action === 'RequestStartTransaction');
  expect(start).toBeDefined();
  const result = await api.request('POST', `/v1/chargers/${code}/commands/${start.commandId}/result`, {
    token: operator,
    body: { status: 'Accepted' },
  });
  expect(result.status).toBe(200);
  return start;
}

const paymentIdOf = (clientSecret: string) => clientSecret.split('_secret_')[0] as string;

describe('a whole public session over HTTP', () => {
  it('start → confirm → Started → meter updates → stop → Ended → settled → captured, every field on the way', async () => {
    const code = await newCharger();
    const ip = freshIp();
    expect(
      (await sendStatus(code, statusNotification('Available', new Date('2025-03-01T09:00:00Z')))).status,
    ).toBe(200);

    // The driver looks the charger up by the code printed on it, in any case.
    const charger = await api.request('GET', `/v1/public-charging/chargers/${code.toLowerCase()}`, {
      sourceIp: ip,
    });
    expect(charger.status).toBe(200);
    expect(charger.headers.get('x-ratelimit-limit')).toBe('30');
    expect(charger.headers.get('x-ratelimit-remaining')).toBe('29');
    expect(charger.body).toEqual({
      data: {
        public_code: code,
        name: 'Keizersgracht 42',
        online: true,
        connectors: [
          { connector_id: 1, type: 'CCS2', max_power_kw: 150, status: 'Available', available: true },
          { connector_id: 2, type: 'Type2', max_power_kw: 22, status: null, available: true },
        ],
        pricing: { currency: 'EUR', price_per_kwh: 45, start_fee: 100, tax_rate: 0.21 },
        tariff: null, // priced by its own pricing
        hold_amount: 5000,
      },
    });

    // Start.
    const started = await startSession(code.toLowerCase(), ip, { email: 'Driver@Example.com' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.headers.get('x-ratelimit-limit')).toBe('3');
    expect(started.headers.get('x-ratelimit-remaining')).toBe('2');
    const token: string = started.body.token;
    expect(token).toMatch(/^pcs_[A-Za-z0-9_-]{32}$/);
    const pricing = { currency: 'EUR', price_per_kwh: 45, start_fee: 100 };
    const createdAt: string = started.body.data.created_at;
    expect(Date.parse(createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(started.body.data).toEqual({
      status: 'created',
      failure_reason: null,
      connector_id: 1,
      connector_status: 'Available',
      charger: { public_code: code, name: 'Keizersgracht 42', online: true },
      pricing,
      amount_authorized: 5000,
      energy_kwh: null,
      cost_amount: null,
      amount_captured: null,
      tax_amount: null,
      driver_email: 'Driver@Example.com',
      created_at: createdAt,
      authorized_at: null,
      charging_started_at: null,
      completed_at: null,
      captured_at: null,
    });
    expect(started.body.payment).toEqual({
      client_secret: expect.stringMatching(/^lpi_[0-9a-f]{32}_secret_/),
      publishable_key: 'pk_local_evsessions',
      stripe_account_id: null,
    });
    const paymentId = paymentIdOf(started.body.payment.client_secret);

    // The connector is taken now.
    const busy = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip });
    expect(busy.body.data.connectors[0].available).toBe(false);

    // Poll: the same session, with its payment context while created.
    const polled = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(polled.status).toBe(200);
    expect(polled.headers.get('x-ratelimit-limit')).toBe('30');
    expect(polled.headers.get('x-ratelimit-remaining')).toBe('29');
    expect(polled.body).toEqual({ data: started.body.data, payment: started.body.payment });

    // Confirm: the hold is in place, the charger is asked to start; payment is gone from the resource.
    const confirmed = await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, {
      sourceIp: ip,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('x-ratelimit-limit')).toBe('10');
    expect(confirmed.body.payment).toBeNull();
    expect(confirmed.body.data).toMatchObject({ status: 'authorized', failure_reason: null });
    const authorizedAt: string = confirmed.body.data.authorized_at;
    expect(Date.parse(authorizedAt)).toBeGreaterThanOrEqual(Date.parse(createdAt));

    const start = await acceptStart(code);
    expect(start.request).toEqual({
      evseId: 1,
      remoteStartId: expect.any(Number),
      idToken: { idToken: expect.stringMatching(/^[0-9a-f-]{36}$/), type: 'Central' },
    });
    const remoteStartId: number = start.request.remoteStartId;
    const afterAccept = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(afterAccept.body.data.status).toBe('starting');
    const noCommands = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
    expect(noCommands.body.data).toEqual([]);

    // The charger: plugged in, transaction started with its begin register.
    const t0 = new Date('2025-03-01T10:02:00.000Z');
    expect((await sendStatus(code, statusNotification('Occupied', t0))).status).toBe(200);
    const startedEvent = txEvent('Started', 0, {
      at: t0,
      beginWh: 1_000,
      chargingState: 'Charging',
      remoteStartId,
      transactionId: 'TX-9001',
    });
    const ack = await sendEvent(code, startedEvent);
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toEqual({
      chargerCode: code,
      connectorId: 1,
      session: { id: start.request.idToken.idToken, status: 'charging' },
    });
    const charging = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(charging.body.data).toMatchObject({
      status: 'charging',
      connector_status: 'Charging',
      charging_started_at: t0.toISOString(),
      energy_kwh: '0.000',
      cost_amount: 100,
    });

    // Meter updates, one twice and two out of order: energy is the highest register minus the begin.
    const u1 = txEvent('Updated', 1, {
      at: later(10 * 60_000, t0),
      wh: 6_000,
      powerW: 11_000,
      soc: 40,
      transactionId: 'TX-9001',
    });
    expect((await sendEvent(code, u1)).body.session.status).toBe('charging');
    expect((await sendEvent(code, u1)).status).toBe(200); // duplicate
    const after1 = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(after1.body.data).toMatchObject({ energy_kwh: '5.000', cost_amount: 100 + 225 });
    const u3 = txEvent('Updated', 3, { at: later(30 * 60_000, t0), wh: 9_000, transactionId: 'TX-9001' });
    const u2 = txEvent('Updated', 2, { at: later(20 * 60_000, t0), wh: 7_000, transactionId: 'TX-9001' });
    await sendEvent(code, u3);
    await sendEvent(code, u2); // late
    const after3 = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(after3.body.data).toMatchObject({
      status: 'charging',
      energy_kwh: '8.000',
      cost_amount: 100 + 360,
    });

    // Cancel is too late now; stop asks the charger to stop.
    expectProblem(
      await api.request('POST', `/v1/public-charging/sessions/${token}/cancel`, { sourceIp: ip }),
      409,
      'illegal_transition',
    );
    const stopped = await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip });
    expect(stopped.status).toBe(200);
    expect(stopped.body.data.status).toBe('stopping');
    const stopCommands = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
    expect(stopCommands.body.data).toEqual([
      expect.objectContaining({ action: 'RequestStopTransaction', request: { transactionId: 'TX-9001' } }),
    ]);

    // The charger ends the transaction: settled and captured in the same request.
    const endedAt = later(40 * 60_000, t0);
    const ended = await sendEvent(
      code,
      txEvent('Ended', 4, {
        at: endedAt,
        endWh: 11_000,
        stoppedReason: 'Remote',
        transactionId: 'TX-9001',
        triggerReason: 'RemoteStop',
      }),
    );
    expect(ended.body.session.status).toBe('captured');
    const final = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    const capturedAt: string = final.body.data.captured_at;
    // 10 kWh × €0.45 + €1.00 = €5.50; VAT carved out of it: 550 − round(550 / 1.21) = 95.
    expect(final.body).toEqual({
      data: {
        status: 'captured',
        failure_reason: null,
        connector_id: 1,
        connector_status: 'Finishing', // ended with the cable still in
        charger: { public_code: code, name: 'Keizersgracht 42', online: true },
        pricing,
        amount_authorized: 5000,
        energy_kwh: '10.000',
        cost_amount: 550,
        amount_captured: 550,
        tax_amount: 95,
        driver_email: 'Driver@Example.com',
        created_at: createdAt,
        authorized_at: authorizedAt,
        charging_started_at: t0.toISOString(),
        completed_at: endedAt.toISOString(),
        captured_at: capturedAt,
      },
      payment: null,
    });
    expect(Date.parse(capturedAt)).toBeGreaterThanOrEqual(Date.parse(authorizedAt));

    // Money: captured exactly the cost at the provider.
    const { inspectLocalHold } = await import('../../shared/payments/local.js');
    expect(await inspectLocalHold(paymentId)).toMatchObject({
      status: 'succeeded',
      amount: 5000,
      amountCaptured: 550,
    });

    // The connector is free again; late events of the finished transaction change nothing.
    const free = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip });
    expect(free.body.data.connectors[0].available).toBe(true);
    const late = await sendEvent(code, u2);
    expect(late.status).toBe(200);
    const unchanged = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(unchanged.body).toEqual(final.body);
    expectProblem(
      await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip }),
      409,
      'illegal_transition',
    );

    // The CP entity has CaptureChargeSessions on: the session is now one of its measured sessions.
    const { listEntitySessions } = await import('../../shared/storage/sessions.js');
    const measured = await listEntitySessions(
      'pc-operator',
      entityId,
      { start: '2025-03-01T00:00:00Z' },
      { pageSize: 10, startKey: undefined },
    );
    expect(measured.items).toHaveLength(1);
    expect(measured.items[0]).toMatchObject({
      entityId,
      entityType: 'CP',
      id: start.request.idToken.idToken,
      start: t0.toISOString(),
      end: endedAt.toISOString(),
      energyKwh: 10,
      peakPowerKw: 15, // never below the average: 10 kWh in 40 minutes
      socStartPercent: 40,
      source: 'measured',
      method: 'energy_meter',
      measured: expect.objectContaining({
        chargerCode: code,
        connectorId: 1,
        connectorType: 'CCS2',
        stoppedReason: 'Remote',
        currency: 'EUR',
        costAmount: 550,
        taxAmount: 95,
        finalStatus: 'captured',
      }),
    });
    // Priced by the same function as the driver's charge: category public, cost from the charger's
    // tariff (its pricing, 45 and 100 with 21 % VAT, written as one), total + tax = what was captured.
    const listed = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=2025-03-01T00:00:00Z`,
      { token: operator },
    );
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.data[0].data).toMatchObject({
      category: 'public',
      cost: {
        currency: 'EUR',
        total: 455,
        tax: 95,
        tariffId: null,
        tariffVersion: null,
        breakdown: [
          expect.objectContaining({ type: 'FLAT', amount: 83 }),
          expect.objectContaining({ type: 'ENERGY', quantity: 10, amount: 372 }),
        ],
      },
    });

    // The operator sees the session without the driver's e-mail or token.
    const list = await api.request('GET', `/v1/chargers/${code}/sessions`, { token: operator });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({
        id: start.request.idToken.idToken,
        status: 'captured',
        transactionId: 'TX-9001',
        stoppedReason: 'Remote',
        energyKwh: '10.000',
        amountCaptured: 550,
        taxAmount: 95,
      }),
    ]);
    expect(list.text).not.toContain('xample.com');
    expect(list.text).not.toContain(token);
    // Another operator cannot see the charger or its sessions.
    expectProblem(
      await api.request('GET', `/v1/chargers/${code}/sessions`, { token: otherOperator }),
      404,
      'charger_not_found',
    );

    // Nothing of the driver's secrets reached the logs.
    const logs = logLines.join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(started.body.payment.client_secret);
    expect(logs.toLowerCase()).not.toContain('driver@example.com');
  });

  it('ends in no_charge when the charger delivered nothing: nothing captured, hold released', async () => {
    const code = await newCharger();
    const ip = freshIp();
    const started = await startSession(code, ip);
    const token = started.body.token;
    await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: ip });
    const start = await acceptStart(code);
    const t0 = new Date('2025-03-01T12:00:00.000Z');
    await sendEvent(
      code,
      txEvent('Started', 0, {
        at: t0,
        beginWh: 2_000,
        remoteStartId: start.request.remoteStartId,
        transactionId: 'NC-1',
      }),
    );
    const ended = await sendEvent(
      code,
      txEvent('Ended', 1, {
        at: later(60_000, t0),
        endWh: 2_000,
        stoppedReason: 'EVDisconnected',
        triggerReason: 'EVCommunicationLost',
        transactionId: 'NC-1',
      }),
    );
    expect(ended.body.session.status).toBe('no_charge');
    const final = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(final.body.data).toMatchObject({
      status: 'no_charge',
      failure_reason: null,
      energy_kwh: '0.000',
      cost_amount: 0,
      amount_captured: null,
      tax_amount: null,
      completed_at: later(60_000, t0).toISOString(),
      captured_at: null,
    });
    const { inspectLocalHold } = await import('../../shared/payments/local.js');
    expect(await inspectLocalHold(paymentIdOf(started.body.payment.client_secret))).toMatchObject({
      status: 'canceled',
      amountCaptured: 0,
    });
    const charger = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip });
    expect(charger.body.data.connectors[0].available).toBe(true);
  });

  it('expires a session left in created: by the sweeper without anyone polling, and on read', async () => {
    const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
    const { getSessionByToken } = await import('../../shared/public-sessions/service.js');
    const code = await newCharger();
    const ip = freshIp();
    const first = await startSession(code, ip, { connector_id: 1 });
    const second = await startSession(code, ip, { connector_id: 2 });
    expect([first.status, second.status]).toEqual([201, 201]);

    // Ten minutes is the limit: a minute before it nothing happens.
    const created = Date.parse(first.body.data.created_at);
    await sweepDueSessions(new Date(created + 9 * 60_000));
    const early = await api.request('GET', `/v1/public-charging/sessions/${first.body.token}`, {
      sourceIp: ip,
    });
    expect(early.body.data.status).toBe('created');

    // The sweeper, a minute past the timeout, with no driver polling.
    const report = await sweepDueSessions(new Date(created + 11 * 60_000));
    expect(report.timedOut).toBeGreaterThanOrEqual(1);
    const expired = await api.request('GET', `/v1/public-charging/sessions/${first.body.token}`, {
      sourceIp: ip,
    });
    expect(expired.body).toEqual({
      data: expect.objectContaining({
        status: 'expired',
        failure_reason: 'payment_timeout',
        amount_captured: null,
        authorized_at: null,
      }),
      payment: null,
    });
    const { inspectLocalHold } = await import('../../shared/payments/local.js');
    expect((await inspectLocalHold(paymentIdOf(first.body.payment.client_secret)))?.status).toBe('canceled');

    // A read at the deadline applies the same rule, before any sweep.
    const onRead = await getSessionByToken(
      second.body.token,
      new Date(Date.parse(second.body.data.created_at) + 10 * 60_000),
    );
    expect(onRead.data.status).toBe('expired');
    const charger = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip });
    expect(charger.body.data.connectors.map((c: any) => c.available)).toEqual([true, true]);

    // The token stops working 30 days after the session ended; TTL only cleans up later.
    await expect(
      getSessionByToken(first.body.token, new Date(created + 31 * 86_400_000)),
    ).rejects.toMatchObject({
      status: 404,
      code: 'session_not_found',
    });
  });

  it('cancels before charging: abandoned, hold released, connector free; repeat is harmless, stop is refused', async () => {
    const code = await newCharger();
    const ip = freshIp();
    const started = await startSession(code, ip);
    const token = started.body.token;
    await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: ip });
    const waiting = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
    const startCommand = waiting.body.data.find((c: any) => c.action === 'RequestStartTransaction');
    const cancelled = await api.request('POST', `/v1/public-charging/sessions/${token}/cancel`, {
      sourceIp: ip,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ status: 'abandoned', failure_reason: 'cancelled_by_driver' });
    const again = await api.request('POST', `/v1/public-charging/sessions/${token}/cancel`, { sourceIp: ip });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(cancelled.body.data);
    expectProblem(
      await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip }),
      409,
      'illegal_transition',
    );
    const { inspectLocalHold } = await import('../../shared/payments/local.js');
    expect((await inspectLocalHold(paymentIdOf(started.body.payment.client_secret)))?.status).toBe(
      'canceled',
    );
    const charger = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip });
    expect(charger.body.data.connectors[0].available).toBe(true);

    // The start command not yet sent is withdrawn...
    expect(
      (await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator })).body.data,
    ).toEqual([]);
    // ...but if the CSMS had already sent it and the charger starts anyway, it is told to stop.
    const late = await sendEvent(
      code,
      txEvent('Started', 0, { remoteStartId: startCommand.request.remoteStartId, transactionId: 'LATE-1' }),
    );
    expect(late.body.session).toEqual({ id: startCommand.sessionId, status: 'abandoned' });
    const after = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
    expect(after.body.data).toContainEqual(
      expect.objectContaining({ action: 'RequestStopTransaction', request: { transactionId: 'LATE-1' } }),
    );
  });
});

describe('crashes while starting (no transactions: single-item writes in a safe order)', () => {
  it('a session written but never answered, claimed or not, is expired by the sweeper: connector and hold released', async () => {
    const { createLocalPaymentProvider, inspectLocalHold } = await import('../../shared/payments/local.js');
    const { startPublicSession } = await import('../../shared/public-charging/session.js');
    const chargers = await import('../../shared/storage/chargers.js');
    const store = await import('../../shared/storage/public-sessions.js');
    const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
    const { uuidv7 } = await import('../../shared/ids.js');
    const code = await newCharger();
    const now = new Date();
    const provider = createLocalPaymentProvider();

    // Replays startSession's steps 2–5 and "crashes" after step 4 (connector 1) or after step 5 (connector 2).
    async function crashAfter(connectorId: number, claim: boolean) {
      const charger = (await chargers.getCharger(code))!;
      const sessionId = uuidv7(now.getTime());
      const payment = await provider.createHold({
        sessionId,
        amount: 5000,
        currency: 'EUR',
        description: 'x',
      });
      const created = startPublicSession(
        charger,
        {
          sessionId,
          tokenHash: sessionId.replaceAll('-', '').padEnd(64, '0'),
          connectorId,
          driverEmail: null,
          payment,
          remoteStartId: 77 + connectorId,
        },
        now,
      );
      if (!('session' in created)) throw created;
      expect(await store.writeSession(created.session, null, [], now)).toBe(true);
      if (claim) expect(await chargers.replaceCharger(created.charger, charger.version)).toBe(true);
      return { sessionId, payment };
    }
    const unclaimed = await crashAfter(1, false);
    const claimed = await crashAfter(2, true);
    const before = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: freshIp() });
    expect(before.body.data.connectors.map((c: any) => c.available)).toEqual([true, false]);

    await sweepDueSessions(new Date(now.getTime() + 11 * 60_000));
    for (const { sessionId, payment } of [unclaimed, claimed]) {
      expect((await store.getSession(sessionId))?.record).toMatchObject({
        status: 'expired',
        failureReason: 'payment_timeout',
      });
      expect((await inspectLocalHold(payment.paymentId))?.status).toBe('canceled');
    }
    const after = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: freshIp() });
    expect(after.body.data.connectors.map((c: any) => c.available)).toEqual([true, true]);
    // Nothing is left for the sweeper: expired sessions without pending effects leave the due index.
    expect((await sweepDueSessions(new Date(now.getTime() + 12 * 60_000))).due).toBe(0);
  });
});

describe('the errors drivers get, as the reference lists them', () => {
  it('404 unknown or non-public charger, 400 offline, 422 unknown connector, 409 busy or faulted connector', async () => {
    const ip = freshIp();
    const ok = await newCharger();
    const hidden = await newCharger({ public: false });
    const offline = await newCharger({ online: false });

    const unknownCharger = await api.request('GET', '/v1/public-charging/chargers/NOPE-1', { sourceIp: ip });
    expectProblem(unknownCharger, 404, 'charger_not_found');
    // Errors count against the limit too, and say so.
    expect(unknownCharger.headers.get('x-ratelimit-limit')).toBe('30');
    expect(unknownCharger.headers.get('x-ratelimit-remaining')).toBe('29');
    expectProblem(
      await api.request('GET', `/v1/public-charging/chargers/${hidden}`, { sourceIp: ip }),
      404,
      'charger_not_found',
    );
    const ipB = freshIp();
    expectProblem(await startSession('NOPE-1', ipB), 404, 'charger_not_found');
    expectProblem(await startSession(hidden, ipB), 404, 'charger_not_found');
    expectProblem(await startSession(offline, ipB), 400, 'charger_offline');
    const ipC = freshIp();
    const unknown = await startSession(ok, ipC, { connector_id: 9 });
    expectProblem(unknown, 422, 'connector_not_found');
    expect(unknown.body.connectors).toEqual([1, 2]);
    expect((await startSession(ok, ipC)).status).toBe(201);
    expectProblem(await startSession(ok, ipC), 409, 'connector_unavailable');
    await sendStatus(ok, statusNotification('Faulted', new Date('2025-03-01T11:00:00Z'), 2, 1));
    const ipD = freshIp();
    expectProblem(await startSession(ok, ipD, { connector_id: 2 }), 409, 'connector_unavailable');

    const invalid = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: ipD,
      body: { code: ok, connector_id: 0, email: 'not-an-email', extra: 1 },
    });
    expectProblem(invalid, 400, 'validation_failed');
    expect(invalid.body.errors.map((e: any) => e.field).sort()).toEqual(['connector_id', 'email', 'extra']);

    const ipE = freshIp();
    expectProblem(
      await api.request('GET', `/v1/public-charging/sessions/pcs_${'A'.repeat(32)}`, { sourceIp: ipE }),
      404,
      'session_not_found',
    );
    expectProblem(
      await api.request('GET', '/v1/public-charging/sessions/not-a-token', { sourceIp: ipE }),
      404,
      'session_not_found',
    );
    expectProblem(
      await api.request('POST', `/v1/public-charging/sessions/pcs_${'B'.repeat(32)}/confirm`, {
        sourceIp: ipE,
      }),
      404,
      'session_not_found',
    );
  });
});

describe('the connector going down', () => {
  it('fails a session that has not started charging and frees the connector once it is back', async () => {
    const code = await newCharger();
    const ip = freshIp();
    const started = await startSession(code, ip);
    const token = started.body.token;
    const faulted = await sendStatus(code, statusNotification('Faulted', new Date('2025-03-01T13:00:00Z')));
    expect(faulted.body).toEqual({
      chargerCode: code,
      connectorId: 1,
      session: { id: expect.any(String), status: 'failed' },
    });
    const session = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(session.body).toEqual({
      data: expect.objectContaining({
        status: 'failed',
        failure_reason: 'connector_unavailable',
        connector_status: 'Faulted',
      }),
      payment: null,
    });
    const connector = async () =>
      (await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip })).body.data
        .connectors[0];
    expect(await connector()).toMatchObject({ status: 'Faulted', available: false });
    // A late, older notification does not undo the newer one; a newer one does.
    await sendStatus(code, statusNotification('Available', new Date('2025-03-01T12:59:00Z')));
    expect((await connector()).status).toBe('Faulted');
    await sendStatus(code, statusNotification('Available', new Date('2025-03-01T13:05:00Z')));
    expect(await connector()).toMatchObject({ status: 'Available', available: true });
  });
});

describe('the operator side', () => {
  it('registers, lists, reads, reconfigures and deletes chargers; codes are unique across tenants', async () => {
    const code = freshCode();
    const created = await api.request('POST', '/v1/chargers', {
      token: operator,
      body: chargerConfig(code.toLowerCase()),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${api.url}/v1/chargers/${code}`);
    expect(created.body).toMatchObject({
      publicCode: code,
      entityId,
      public: true,
      online: true,
      holdAmount: 5000,
      connectors: [
        {
          connectorId: 1,
          type: 'CCS2',
          maxPowerKw: 150,
          evseId: 1,
          evseConnectorId: 1,
          ocppStatus: null,
          status: null,
          activeSessionId: null,
        },
        expect.objectContaining({ connectorId: 2, evseId: 2 }),
      ],
    });

    // Another tenant can neither take the code nor see the charger.
    const otherCp = await api.request('POST', '/v1/entities', {
      token: otherOperator,
      body: { type: 'CP', name: 'Other' },
    });
    expectProblem(
      await api.request('POST', '/v1/chargers', {
        token: otherOperator,
        body: { ...chargerConfig(code), entityId: otherCp.body.id },
      }),
      409,
      'public_code_taken',
    );
    expectProblem(
      await api.request('GET', `/v1/chargers/${code}`, { token: otherOperator }),
      404,
      'charger_not_found',
    );
    expectProblem(
      await api.request('DELETE', `/v1/chargers/${code}`, { token: otherOperator }),
      404,
      'charger_not_found',
    );
    // Nor link a charger to an entity that is not theirs, or not a charge point.
    expectProblem(
      await api.request('POST', '/v1/chargers', { token: otherOperator, body: chargerConfig(freshCode()) }),
      404,
      'entity_not_found',
    );
    const ev = await api.request('POST', '/v1/entities', {
      token: operator,
      body: { type: 'EV', name: 'Car', capabilities: ['power'] },
    });
    const notCp = await api.request('POST', '/v1/chargers', {
      token: operator,
      body: chargerConfig(freshCode(), { entityId: ev.body.id }),
    });
    expectProblem(notCp, 400, 'validation_failed');
    expect(notCp.body.errors[0]).toMatchObject({ field: 'entityId', code: 'not_a_charge_point' });

    const listed = await api.request('GET', '/v1/chargers?pageSize=100', { token: operator });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((c: any) => c.publicCode)).toContain(code);
    const otherList = await api.request('GET', '/v1/chargers', { token: otherOperator });
    expect(otherList.body.data.map((c: any) => c.publicCode)).not.toContain(code);

    // Reconfigure: new prices for new sessions; a held connector cannot be removed; the code cannot change.
    const ip = freshIp();
    const session = await startSession(code, ip, { connector_id: 2 });
    expect(session.status).toBe(201);
    const repriced = await api.request('PUT', `/v1/chargers/${code}`, {
      token: operator,
      body: chargerConfig(code, {
        pricing: { currency: 'EUR', pricePerKwh: 50, startFee: 0, taxRate: 0.21 },
      }),
    });
    expect(repriced.status).toBe(200);
    expect(repriced.body.pricing.pricePerKwh).toBe(50);
    expect(repriced.body.connectors[1].activeSessionId).toEqual(expect.any(String));
    const stillOld = await api.request('GET', `/v1/public-charging/sessions/${session.body.token}`, {
      sourceIp: ip,
    });
    expect(stillOld.body.data.pricing.price_per_kwh).toBe(45);
    expectProblem(
      await api.request('PUT', `/v1/chargers/${code}`, {
        token: operator,
        body: chargerConfig(code, { connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150 }] }),
      }),
      409,
      'charger_in_use',
    );
    const renamed = await api.request('PUT', `/v1/chargers/${code}`, {
      token: operator,
      body: chargerConfig(freshCode()),
    });
    expectProblem(renamed, 400, 'validation_failed');
    expect(renamed.body.errors[0].field).toBe('publicCode');

    // Delete only once no session holds a connector.
    expectProblem(
      await api.request('DELETE', `/v1/chargers/${code}`, { token: operator }),
      409,
      'charger_in_use',
    );
    await api.request('POST', `/v1/public-charging/sessions/${session.body.token}/cancel`, { sourceIp: ip });
    expect((await api.request('DELETE', `/v1/chargers/${code}`, { token: operator })).status).toBe(204);
    expectProblem(
      await api.request('GET', `/v1/chargers/${code}`, { token: operator }),
      404,
      'charger_not_found',
    );
    // The driver still sees the finished session, with the charger reported offline.
    const orphan = await api.request('GET', `/v1/public-charging/sessions/${session.body.token}`, {
      sourceIp: ip,
    });
    expect(orphan.body.data).toMatchObject({
      status: 'abandoned',
      charger: { public_code: code, online: false },
    });
  });
});

describe('OCPP 2.0.1 messages', () => {
  it('accepts real messages of the upstream shape, and answers 400 naming the field of an invalid one', async () => {
    const code = await newCharger();
    // As a charger sends it: kWh with a multiplier-free unit, signed meter data absent, custom data present.
    const message = {
      eventType: 'Updated',
      timestamp: '2025-03-01T10:15:00+01:00',
      triggerReason: 'MeterValuePeriodic',
      seqNo: 7,
      offline: false,
      transactionInfo: {
        transactionId: 'f3a1c7',
        chargingState: 'SuspendedEV',
        customData: { vendorId: 'acme' },
      },
      evse: { id: 2, connectorId: 1 },
      meterValue: [
        {
          timestamp: '2025-03-01T10:15:00+01:00',
          sampledValue: [
            {
              value: 12.5,
              measurand: 'Energy.Active.Import.Register',
              unitOfMeasure: { unit: 'kWh', multiplier: 0 },
            },
            { value: 7400, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' }, phase: 'L1-N' },
          ],
        },
      ],
    };
    const accepted = await sendEvent(code, message);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ chargerCode: code, connectorId: 2, session: null });
    expect(
      (
        await sendStatus(code, {
          timestamp: '2025-03-01T10:16:00Z',
          connectorStatus: 'Occupied',
          evseId: 2,
          connectorId: 1,
        })
      ).status,
    ).toBe(200);
    const charger = await api.request('GET', `/v1/chargers/${code}`, { token: operator });
    expect(charger.body.connectors[1]).toMatchObject({ ocppStatus: 'Occupied', status: 'SuspendedEV' });

    const cases: Array<[unknown, string]> = [
      [{ ...message, seqNo: 'seven' }, 'seqNo'],
      [{ ...message, eventType: 'Paused' }, 'eventType'],
      [{ ...message, transactionInfo: { chargingState: 'Charging' } }, 'transactionInfo.transactionId'],
      [{ ...message, timestamp: '2025-02-30T10:00:00Z' }, 'timestamp'],
      [
        { ...message, meterValue: [{ timestamp: message.timestamp, sampledValue: [] }] },
        'meterValue[0].sampledValue',
      ],
      [{ ...message, vendorExtension: 1 }, 'vendorExtension'],
    ];
    for (const [body, field] of cases) {
      const response = await sendEvent(code, body);
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors.map((e: any) => e.field)).toContain(field);
    }
    const badStatus = await sendStatus(code, {
      timestamp: '2025-03-01T10:16:00Z',
      connectorStatus: 'Charging',
      evseId: 2,
      connectorId: 1,
    });
    expectProblem(badStatus, 400, 'validation_failed');
    expect(badStatus.body.errors[0].field).toBe('connectorStatus');
    expectProblem(await sendEvent('NOPE-9', message), 404, 'charger_not_found');

    // The same messages framed as OCPP-J CALLs, answered with the CALLRESULT for the charger.
    const frame = await api.request('POST', `/v1/chargers/${code}/ocpp`, {
      token: operator,
      body: [2, 'msg-19', 'TransactionEvent', { ...message, seqNo: 8 }],
    });
    expect(frame.status).toBe(200);
    expect(frame.body).toEqual([3, 'msg-19', {}]);
    const statusFrame = await api.request('POST', `/v1/chargers/${code}/ocpp`, {
      token: operator,
      body: [
        2,
        'msg-20',
        'StatusNotification',
        { timestamp: '2025-03-01T10:30:00Z', connectorStatus: 'Faulted', evseId: 2, connectorId: 1 },
      ],
    });
    expect(statusFrame.body).toEqual([3, 'msg-20', {}]);
    expect(
      (await api.request('GET', `/v1/chargers/${code}`, { token: operator })).body.connectors[1].ocppStatus,
    ).toBe('Faulted');
    const badFrame = await api.request('POST', `/v1/chargers/${code}/ocpp`, {
      token: operator,
      body: [2, 'msg-21', 'TransactionEvent', { ...message, seqNo: 'eight' }],
    });
    expectProblem(badFrame, 400, 'validation_failed');
    expect(badFrame.body.errors.map((e: any) => e.field)).toEqual(['[3].seqNo']);
    const unknownAction = await api.request('POST', `/v1/chargers/${code}/ocpp`, {
      token: operator,
      body: [2, 'msg-22', 'Heartbeat', {}],
    });
    expectProblem(unknownAction, 400, 'validation_failed');
    expect(unknownAction.body.errors[0].field).toBe('[2]');
  });
});

describe("a charger priced by one of the tenant's tariffs", () => {
  it('shows the tariff, prices the session by its meter curve in local time, and keeps the version it started with', async () => {
    const tenant = await api.token('pc-tariff-operator');
    const cp = await createEntity(
      api,
      tenant,
      { type: 'CP', name: 'Amsterdam wallbox', timeZone: 'Europe/Amsterdam' },
      { capture: true },
    );
    // Night 23:00–07:00 at 0.20, day 0.40, a 1.00 start fee; 21 % VAT on each.
    const tariffBody = {
      name: 'Public, cheaper at night',
      currency: 'EUR',
      elements: [
        {
          priceComponents: [{ type: 'ENERGY', price: 0.2, vat: 21 }],
          restrictions: { startTime: '23:00', endTime: '07:00' },
        },
        {
          priceComponents: [
            { type: 'ENERGY', price: 0.4, vat: 21 },
            { type: 'FLAT', price: 1, vat: 21 },
          ],
        },
      ],
    };
    const tariff = (await api.request('POST', '/v1/tariffs', { token: tenant, body: tariffBody })).body;
    const config = (overrides: Record<string, unknown>) =>
      chargerConfigInput({ publicCode: freshCode(), entityId: cp.id, pricing: undefined, ...overrides });

    // Bad registrations write nothing: an unknown tariff, both or neither price, a hold below fee + 1 kWh.
    for (const [body, field] of [
      [config({ tariffId: '01900000-0000-7000-8000-000000000bad' }), 'tariffId'],
      [config({ tariffId: tariff.id, pricing: chargerConfigInput().pricing }), 'tariffId'],
      [config({}), 'pricing'],
      [config({ tariffId: tariff.id, holdAmount: 144 }), 'holdAmount'],
    ] as const) {
      const refused = await api.request('POST', '/v1/chargers', { token: tenant, body });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.errors).toContainEqual(expect.objectContaining({ field }));
    }
    expect((await api.request('GET', '/v1/chargers', { token: tenant })).body.data).toEqual([]);

    const body = config({ tariffId: tariff.id });
    const registered = await api.request('POST', '/v1/chargers', { token: tenant, body });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const code = body.publicCode as string;
    // Its headline: the first ENERGY (0.20 × 1.21 = 24.2 → 24) and FLAT (121) with VAT.
    const headline = { currency: 'EUR', pricePerKwh: 24, startFee: 121, taxRate: 0.21 };
    expect(registered.body).toMatchObject({ tariffId: tariff.id, pricing: headline });
    // Named by a charger, the tariff cannot be deleted.
    expect((await api.request('DELETE', `/v1/tariffs/${tariff.id}`, { token: tenant })).status).toBe(409);

    const ip = freshIp();
    const shown = await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: ip });
    expect(shown.body.data).toMatchObject({
      pricing: { currency: 'EUR', price_per_kwh: 24, start_fee: 121, tax_rate: 0.21 },
      tariff: { id: tariff.id, version: 1, currency: 'EUR', elements: tariffBody.elements },
    });

    const started = await startSession(code, ip);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const token = started.body.token;
    await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: ip });
    const start = await api.request('GET', `/v1/chargers/${code}/commands`, { token: tenant });
    const command = start.body.data[0];
    await api.request('POST', `/v1/chargers/${code}/commands/${command.commandId}/result`, {
      token: tenant,
      body: { status: 'Accepted' },
    });
    // Edited after the start: the session keeps version 1 (the driver pays what was shown).
    const edited = await api.request('PATCH', `/v1/tariffs/${tariff.id}`, {
      token: tenant,
      body: { elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.9, vat: 21 }] }] },
    });
    expect(edited.body.version).toBe(2);

    // 22:30 to 23:30 Amsterdam time (21:30Z–22:30Z in March): 6 kWh before 23:00, 2 kWh after.
    const send = (event: unknown) =>
      api.request('POST', `/v1/chargers/${code}/transaction-events`, { token: tenant, body: event });
    const t0 = new Date('2025-03-01T21:30:00.000Z');
    await send(
      txEvent('Started', 0, {
        at: t0,
        beginWh: 10_000,
        chargingState: 'Charging',
        remoteStartId: command.request.remoteStartId,
        transactionId: 'TOU-1',
      }),
    );
    await send(txEvent('Updated', 1, { at: later(30 * 60_000, t0), wh: 16_000, transactionId: 'TOU-1' }));
    // Running: 6 kWh × 0.40 + 1.00 = 3.40, VAT 0.714 → 0.71: 411.
    const running = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(running.body.data).toMatchObject({ energy_kwh: '6.000', cost_amount: 411 });
    const ended = await send(
      txEvent('Ended', 2, {
        at: later(60 * 60_000, t0),
        endWh: 18_000,
        stoppedReason: 'EVDisconnected',
        triggerReason: 'EVCommunicationLost',
        transactionId: 'TOU-1',
      }),
    );
    expect(ended.body.session.status).toBe('captured');
    // 6 × 0.40 + 2 × 0.20 + 1.00 = 3.80 excluding VAT, 0.798 → 0.80 VAT: 460 charged (spread evenly
    // over the hour it would have been 4 × 0.40 + 4 × 0.20 + 1.00 = 3.40).
    const final = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(final.body.data).toMatchObject({
      status: 'captured',
      energy_kwh: '8.000',
      cost_amount: 460,
      amount_captured: 460,
      tax_amount: 80,
    });

    const sessions = await api.request(
      'GET',
      `/v1/entities/${cp.id}/charge-sessions?start=2025-03-01T00:00:00Z`,
      { token: tenant },
    );
    expect(sessions.body.data).toHaveLength(1);
    expect(sessions.body.data[0].data).toMatchObject({
      category: 'public',
      cost: {
        currency: 'EUR',
        total: 380,
        tax: 80,
        tariffId: tariff.id,
        tariffVersion: 1,
        breakdown: [
          expect.objectContaining({ type: 'FLAT', amount: 100 }),
          expect.objectContaining({ type: 'ENERGY', price: 0.4, quantity: 6, amount: 240 }),
          expect.objectContaining({ type: 'ENERGY', price: 0.2, quantity: 2, amount: 40 }),
        ],
      },
    });

    // Back to its own pricing: the tariff is released and can go.
    const own = await api.request('PUT', `/v1/chargers/${code}`, {
      token: tenant,
      body: { ...body, tariffId: undefined, pricing: chargerConfigInput().pricing },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.tariffId).toBeNull();
    expect((await api.request('DELETE', `/v1/tariffs/${tariff.id}`, { token: tenant })).status).toBe(204);
  });
});
