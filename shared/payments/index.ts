// Which payment provider serves a session: the configured one for new sessions, and for an existing
// session the one that holds its payment. Built once per container; Stripe's keys are read once per
// container from configuration (STRIPE_* locally) or Secrets Manager (STRIPE_SECRET_ARN on AWS), and the
// SDKs are imported only when first used.

import { config } from '../config.js';
import type { PaymentRefs } from '../public-charging/session.js';
import type { PaymentProvider } from './provider.js';
import type { StripeKeys } from './stripe.js';

let local: PaymentProvider | undefined;
let stripe: Promise<PaymentProvider> | undefined;

async function fetchStripeKeys(): Promise<StripeKeys> {
  const settings = config();
  if (settings.stripeSecretKey && settings.stripePublishableKey) {
    return {
      secretKey: settings.stripeSecretKey,
      publishableKey: settings.stripePublishableKey,
      accountId: settings.stripeAccountId ?? null,
    };
  }
  if (!settings.stripeSecretArn) {
    throw new Error(
      'Stripe is configured without keys: set STRIPE_SECRET_ARN, or STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY',
    );
  }
  const [{ SecretsManagerClient, GetSecretValueCommand }, { awsClient }, { parseStripeSecret }] =
    await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('../aws/clients.js'),
      import('./stripe-secret.js'),
    ]);
  const { SecretString } = await awsClient(SecretsManagerClient).send(
    new GetSecretValueCommand({ SecretId: settings.stripeSecretArn }),
  );
  return parseStripeSecret(SecretString, settings.stripeSecretArn);
}

function stripeProvider(): Promise<PaymentProvider> {
  if (!stripe) {
    stripe = (async () => {
      const [{ createStripePaymentProvider }, keys] = await Promise.all([
        import('./stripe.js'),
        fetchStripeKeys(),
      ]);
      return await createStripePaymentProvider(keys, { apiBase: config().stripeApiBase });
    })();
    // A failed fetch must not poison the container: forget it so the next request tries again.
    stripe.catch(() => {
      stripe = undefined;
    });
  }
  return stripe;
}

async function localProvider(): Promise<PaymentProvider> {
  if (!local) {
    const { createLocalPaymentProvider } = await import('./local.js');
    local = createLocalPaymentProvider();
  }
  return local;
}

/** The provider new sessions use. */
export function defaultPaymentProvider(): Promise<PaymentProvider> {
  return config().paymentProvider === 'stripe' ? stripeProvider() : localProvider();
}

/** The provider that holds this payment. */
export function paymentProviderFor(payment: PaymentRefs): Promise<PaymentProvider> {
  return payment.provider === 'stripe' ? stripeProvider() : localProvider();
}

/** Forgets the providers built so far (tests that switch configuration). */
export function resetPaymentProviders(): void {
  local = undefined;
  stripe = undefined;
}
