// A public session paid through Stripe (a fake Stripe API on loopback, driven by the official client):
// the driver's app gets the PaymentIntent's client secret, confirm is refused until the card is
// authorized, a capture that meets a Stripe outage stays in the session's outbox and the sweeper
// captures it a minute later — exactly once. No secret (API key, client secret, session token, e-mail)
// ever reaches the logs.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txEvent } from '../fixtures/ocpp/builders.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe.js';
import { createEntity, registerCharger } from '../support/requests.js';

const SECRET_KEY = `sk_test_${randomBytes(12).toString('hex')}`;
let api: TestApi;
let fake: FakeStripe;
let operator: string;
let entityId: string;
const logLines: string[] = [];

beforeAll(async () => {
  fake = await startFakeStripe(SECRET_KEY);
  Object.assign(process.env, {
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_PUBLISHABLE_KEY: 'pk_test_evs',
    STRIPE_ACCOUNT_ID: 'acct_1Operator',
    STRIPE_API_BASE: fake.url,
    LOG_LEVEL: 'debug',
  });
  api = await startTestApi();
  const { logSink } = await import('../../shared/logger.js');
  logSink.write = (line: string) => {
    logLines.push(line);
  };
  operator = await api.token('pc-stripe');
  entityId = (await createEntity(api, operator, { type: 'CP', name: 'Depot' })).id;
});
afterAll(async () => {
  await api.close();
  await fake.close();
});

describe('a public session paid through Stripe', () => {
  it('holds, waits for the card, captures through an outage exactly once, and logs no secret', async () => {
    const code = await registerCharger(api, operator, entityId, {
      name: 'Depot 1',
      connectors: [{ connectorId: 1, type: 'Type2', maxPowerKw: 22 }],
      pricing: { currency: 'EUR', pricePerKwh: 40, startFee: 0, taxRate: 0.19 },
      holdAmount: 3_000,
    });
    const ip = '127.0.3.1';
    const started = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: ip,
      body: { code, connector_id: 1, email: 'secret.driver@example.org' },
    });
    expect(started.status).toBe(201);
    const [intent] = [...fake.intents.values()];
    expect(intent).toMatchObject({ amount: 3000, currency: 'eur', capture_method: 'manual' });
    expect(started.body.payment).toEqual({
      client_secret: intent!.client_secret,
      publishable_key: 'pk_test_evs',
      stripe_account_id: 'acct_1Operator',
    });
    const token = started.body.token;

    // The card is not confirmed yet.
    const early = await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, {
      sourceIp: ip,
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'payment_not_authorized', sessionStatus: 'created' });
    fake.authorize(intent!.id);
    const confirmed = await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, {
      sourceIp: ip,
    });
    expect(confirmed.body.data.status).toBe('authorized');

    const commands = await api.request('GET', `/v1/chargers/${code}/commands`, { token: operator });
    const remoteStartId = commands.body.data[0].request.remoteStartId;
    const send = (event: unknown) =>
      api.request('POST', `/v1/chargers/${code}/transaction-events`, { token: operator, body: event });
    await send(
      txEvent('Started', 0, {
        beginWh: 500,
        remoteStartId,
        transactionId: 'ST-1',
        chargingState: 'Charging',
      }),
    );
    await send(txEvent('Updated', 1, { wh: 4_500, transactionId: 'ST-1' }));
    await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip });

    // Stripe is down when the charger ends the transaction: the session waits in settling.
    fake.failNext(3);
    const ended = await send(
      txEvent('Ended', 2, { endWh: 5_500, stoppedReason: 'Remote', transactionId: 'ST-1' }),
    );
    expect(ended.status).toBe(200);
    expect(ended.body.session.status).toBe('settling');
    const settling = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    expect(settling.body.data).toMatchObject({ status: 'settling', energy_kwh: '5.000', cost_amount: 200 });
    expect(fake.intents.get(intent!.id)?.status).toBe('requires_capture');

    // A minute later the sweeper finds the pending capture and carries it out.
    const { sweepDueSessions } = await import('../../shared/public-sessions/sweeper.js');
    const report = await sweepDueSessions(new Date(Date.now() + 2 * 60_000));
    expect(report.effectsCarriedOut).toBeGreaterThanOrEqual(1);
    const captured = await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip });
    // 5 kWh × €0.40 = €2.00; 19 % VAT included: 200 − round(200 / 1.19) = 32.
    expect(captured.body.data).toMatchObject({ status: 'captured', amount_captured: 200, tax_amount: 32 });
    expect(fake.intents.get(intent!.id)).toMatchObject({ status: 'succeeded', amount_received: 200 });
    const succeededCaptures = fake.requests.filter(
      (r) => r.path === `/v1/payment_intents/${intent!.id}/capture`,
    );
    expect(new Set(succeededCaptures.map((r) => r.idempotencyKey))).toEqual(
      new Set([`evs-capture-${intent!.id}-200`]),
    );
    for (const request of fake.requests) expect(request.stripeAccount).toBe('acct_1Operator');

    // Another sweep has nothing left to do.
    expect((await sweepDueSessions(new Date(Date.now() + 3 * 60_000))).effectsCarriedOut).toBe(0);

    const logs = logLines.join('\n');
    expect(logs).toContain('effect failed; the sweeper retries it');
    for (const secret of [SECRET_KEY, intent!.client_secret, token, 'secret.driver@example.org']) {
      expect(logs).not.toContain(secret);
    }
  });
});
