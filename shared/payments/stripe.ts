// The Stripe payment provider: one PaymentIntent per session with `capture_method: manual`. The driver's
// app confirms it with `client_secret` and `publishable_key` (Stripe.js); the hold is in place when the
// intent is `requires_capture`; settling captures the final cost (the rest of the hold is released).
// Every call that creates or moves money carries an idempotency key derived from the session, so
// retried effects never double-charge. Keys come from configuration and are never logged.

// A type import only: esbuild erases it. The SDK itself is loaded by the factory with import(), so a
// function that bundles this file never loads Stripe's SDK at cold start (it ships beside the bundle, see
// infra/bundling-options.ts LAZY_MODULES), only on its first payment call.
import type Stripe from 'stripe';
import type { PaymentRefs } from '../public-charging/session.js';
import type { CaptureResult, HoldRequest, PaymentProvider } from './provider.js';

export interface StripeKeys {
  secretKey: string;
  publishableKey: string;
  /** The Connect account charges are made on, when the operator is one. */
  accountId: string | null;
}

export interface StripeProviderOptions {
  /** Where the Stripe API is, e.g. `http://127.0.0.1:12111` for a fake server; Stripe's own when absent. */
  apiBase?: string | undefined;
}

export async function createStripePaymentProvider(
  keys: StripeKeys,
  options: StripeProviderOptions = {},
): Promise<PaymentProvider> {
  const { default: StripeClient } = await import('stripe');
  /** Stripe's error for a request it understood and refused (wrong state, amount, …), not an outage. */
  const isInvalidRequest = (error: unknown): boolean =>
    error instanceof StripeClient.errors.StripeError && error.type === 'StripeInvalidRequestError';
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  const stripe: Stripe = new StripeClient(keys.secretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
  const account = (payment?: PaymentRefs) => {
    const accountId = payment ? payment.accountId : keys.accountId;
    return accountId ? { stripeAccount: accountId } : {};
  };

  async function retrieve(payment: PaymentRefs) {
    return stripe.paymentIntents.retrieve(payment.paymentId, {}, account(payment));
  }

  const provider: PaymentProvider = {
    name: 'stripe',

    async createHold(request: HoldRequest) {
      const intent = await stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          capture_method: 'manual',
          allowed_payment_method_types: ['card'],
          description: request.description,
          metadata: { public_session_id: request.sessionId },
        },
        { idempotencyKey: `evs-hold-${request.sessionId}`, ...account() },
      );
      if (!intent.client_secret) throw new Error(`PaymentIntent ${intent.id} has no client secret`);
      return {
        provider: 'stripe',
        paymentId: intent.id,
        clientSecret: intent.client_secret,
        publishableKey: keys.publishableKey,
        accountId: keys.accountId,
      };
    },

    async isAuthorized(payment) {
      const intent = await retrieve(payment);
      return intent.status === 'requires_capture' || intent.status === 'succeeded';
    },

    async capture(payment, amount): Promise<CaptureResult> {
      if (amount === 0) {
        await provider.cancel(payment);
        return { ok: true, amountCaptured: 0 };
      }
      try {
        const intent = await stripe.paymentIntents.capture(
          payment.paymentId,
          { amount_to_capture: amount },
          { idempotencyKey: `evs-capture-${payment.paymentId}-${amount}`, ...account(payment) },
        );
        return { ok: true, amountCaptured: intent.amount_received };
      } catch (error) {
        if (!isInvalidRequest(error)) throw error;
        // Refused: find out why. Already captured (a retry after a lost answer) is success.
        const intent = await retrieve(payment);
        if (intent.status === 'succeeded') return { ok: true, amountCaptured: intent.amount_received };
        if (intent.status === 'canceled') return { ok: false, reason: 'canceled' };
        if (intent.status === 'requires_capture' && amount > intent.amount_capturable) {
          return { ok: false, reason: 'amount_exceeds_hold' };
        }
        return { ok: false, reason: 'declined' };
      }
    },

    async cancel(payment) {
      try {
        await stripe.paymentIntents.cancel(payment.paymentId, {}, account(payment));
      } catch (error) {
        if (!isInvalidRequest(error)) throw error;
        // Canceled or captured already: nothing is held any more either way.
      }
    },

    async refund(payment, amount) {
      await stripe.refunds.create(
        { payment_intent: payment.paymentId, amount },
        { idempotencyKey: `evs-refund-${payment.paymentId}-${amount}`, ...account(payment) },
      );
    },
  };
  return provider;
}
