// The Stripe provider through the official client against a fake Stripe API on loopback: what it sends
// (manual capture, amounts, currency, idempotency keys, the Connect account), how it reads Stripe's
// answers and refusals, and that an outage is an exception (the effect stays pending) while a refusal
// is an answer. Also where the keys come from, and that they are never logged.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../shared/config.js';
import { defaultPaymentProvider, resetPaymentProviders } from '../../shared/payments/index.js';
import type { PaymentProvider } from '../../shared/payments/provider.js';
import { createStripePaymentProvider } from '../../shared/payments/stripe.js';
import { STRIPE_SECRET_PLACEHOLDER } from '../../shared/payments/stripe-secret.js';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe.js';

const SECRET_KEY = 'sk_test_51FakeSecretKeyNeverLogged';
let fake: FakeStripe;
let provider: PaymentProvider;

beforeAll(async () => {
  fake = await startFakeStripe(SECRET_KEY);
  provider = await createStripePaymentProvider(
    { secretKey: SECRET_KEY, publishableKey: 'pk_test_abc', accountId: 'acct_operator1' },
    { apiBase: fake.url },
  );
});
afterAll(() => fake.close());

const hold = (sessionId: string, amount = 5_000) =>
  provider.createHold({ sessionId, amount, currency: 'EUR', description: 'Public charging at AMS-042' });

describe('the Stripe provider', () => {
  it('creates a manual-capture PaymentIntent on the operator account, idempotently per session', async () => {
    const refs = await hold('0195512a-0000-7000-8000-000000000001');
    const intent = fake.intents.get(refs.paymentId)!;
    expect(refs).toEqual({
      provider: 'stripe',
      paymentId: intent.id,
      clientSecret: intent.client_secret,
      publishableKey: 'pk_test_abc',
      accountId: 'acct_operator1',
    });
    expect(intent).toMatchObject({
      amount: 5000,
      currency: 'eur',
      capture_method: 'manual',
      metadata: { public_session_id: '0195512a-0000-7000-8000-000000000001' },
    });
    const request = fake.requests.find((r) => r.path === '/v1/payment_intents' && r.method === 'POST')!;
    expect(request.idempotencyKey).toBe('evs-hold-0195512a-0000-7000-8000-000000000001');
    expect(request.stripeAccount).toBe('acct_operator1');
    expect(request.params['allowed_payment_method_types[0]']).toBe('card');

    // A retried creation (the first answer was lost) answers the same intent, not a second hold.
    const again = await hold('0195512a-0000-7000-8000-000000000001');
    expect(again.paymentId).toBe(refs.paymentId);
    expect(fake.intents.size).toBe(1);
  });

  it('is authorized only once the driver completed the payment; captures the cost and releases the rest', async () => {
    const refs = await hold('0195512a-0000-7000-8000-000000000002');
    expect(await provider.isAuthorized(refs)).toBe(false);
    fake.authorize(refs.paymentId);
    expect(await provider.isAuthorized(refs)).toBe(true);
    expect(await provider.capture(refs, 550)).toEqual({ ok: true, amountCaptured: 550 });
    const capture = fake.requests.filter((r) => r.path.endsWith('/capture')).at(-1)!;
    expect(capture.params.amount_to_capture).toBe('550');
    expect(capture.idempotencyKey).toBe(`evs-capture-${refs.paymentId}-550`);
    // Capturing again (a retried effect) is success with what was captured, not a second charge.
    expect(await provider.capture(refs, 550)).toEqual({ ok: true, amountCaptured: 550 });
    await provider.refund(refs, 550);
    expect(fake.refunds).toEqual([expect.objectContaining({ payment_intent: refs.paymentId, amount: 550 })]);
  });

  it('answers a refusal as a failed capture, and releases holds idempotently', async () => {
    const unpaid = await hold('0195512a-0000-7000-8000-000000000003');
    expect(await provider.capture(unpaid, 100)).toEqual({ ok: false, reason: 'declined' });
    const paid = await hold('0195512a-0000-7000-8000-000000000004', 1_000);
    fake.authorize(paid.paymentId);
    expect(await provider.capture(paid, 1_001)).toEqual({ ok: false, reason: 'amount_exceeds_hold' });
    await provider.cancel(paid);
    await provider.cancel(paid); // already canceled: nothing held, nothing to do
    expect(fake.intents.get(paid.paymentId)?.status).toBe('canceled');
    expect(await provider.capture(paid, 500)).toEqual({ ok: false, reason: 'canceled' });
    // Nothing to capture: the hold is released instead of capturing zero.
    const zero = await hold('0195512a-0000-7000-8000-000000000005');
    fake.authorize(zero.paymentId);
    expect(await provider.capture(zero, 0)).toEqual({ ok: true, amountCaptured: 0 });
    expect(fake.intents.get(zero.paymentId)?.status).toBe('canceled');
  });

  it('throws on an outage (the effect stays pending) without the secret key in the error', async () => {
    const refs = await hold('0195512a-0000-7000-8000-000000000006');
    fake.authorize(refs.paymentId);
    fake.failNext(3); // the first try and both of the client's retries
    const error = await provider.capture(refs, 300).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(SECRET_KEY);
    expect(fake.intents.get(refs.paymentId)?.status).toBe('requires_capture');
    expect(await provider.capture(refs, 300)).toEqual({ ok: true, amountCaptured: 300 });
  });
});

describe('payment configuration', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
    resetConfig();
    resetPaymentProviders();
  });

  it('uses the built-in provider unless told otherwise', async () => {
    delete process.env.PAYMENT_PROVIDER;
    resetConfig();
    expect((await defaultPaymentProvider()).name).toBe('local');
  });

  it('reads the Stripe keys once per container from Secrets Manager on AWS', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        secretKey: SECRET_KEY,
        publishableKey: 'pk_live_x',
        accountId: 'acct_9',
      }),
    });
    Object.assign(process.env, {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:stripe',
      STRIPE_API_BASE: fake.url,
    });
    resetConfig();
    const first = await defaultPaymentProvider();
    const second = await defaultPaymentProvider();
    expect(first).toBe(second);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:stripe',
    });
    const refs = await first.createHold({
      sessionId: '0195512a-0000-7000-8000-000000000007',
      amount: 100,
      currency: 'EUR',
      description: 'x',
    });
    expect(refs).toMatchObject({ provider: 'stripe', publishableKey: 'pk_live_x', accountId: 'acct_9' });
    secrets.restore();
  });

  it('says the secret is not configured yet while it holds the placeholder the stack creates, never a JSON error', async () => {
    const secrets = mockClient(SecretsManagerClient);
    Object.assign(process.env, {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:stripe',
    });
    try {
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(STRIPE_SECRET_PLACEHOLDER) });
      resetConfig();
      const unconfigured = defaultPaymentProvider();
      await expect(unconfigured).rejects.toThrow(/not configured yet: put \{"secretKey"/);
      await expect(unconfigured).rejects.not.toBeInstanceOf(SyntaxError);
      // A raw key pasted instead of JSON: said so, without echoing the value.
      secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET_KEY });
      const pasted = defaultPaymentProvider();
      await expect(pasted).rejects.toThrow(/is not JSON: put/);
      await expect(pasted).rejects.not.toThrow(SECRET_KEY);
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ secretKey: SECRET_KEY }) });
      await expect(defaultPaymentProvider()).rejects.toThrow(/both secretKey and publishableKey/);
    } finally {
      secrets.restore();
    }
  });

  it('fails loudly when Stripe is chosen without keys, and tries again on the next call', async () => {
    Object.assign(process.env, { PAYMENT_PROVIDER: 'stripe' });
    delete process.env.STRIPE_SECRET_ARN;
    delete process.env.STRIPE_SECRET_KEY;
    resetConfig();
    await expect(defaultPaymentProvider()).rejects.toThrow(/STRIPE_SECRET_ARN/);
    Object.assign(process.env, {
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_q',
      STRIPE_API_BASE: fake.url,
    });
    resetConfig();
    expect((await defaultPaymentProvider()).name).toBe('stripe');
  });
});
