// The Stripe secret's value (Secrets Manager, STRIPE_SECRET_ARN): JSON `{ secretKey, publishableKey,
// accountId? }`. The stack creates it holding STRIPE_SECRET_PLACEHOLDER, so an operator who has not put the
// keys in yet gets "not configured yet" and what to do, never a JSON parse error. The value is never
// echoed in an error: it may be a live key.

import type { StripeKeys } from './stripe.js';

/** What the stack puts into the secret when it creates it: valid JSON, empty keys. */
export const STRIPE_SECRET_PLACEHOLDER = { secretKey: '', publishableKey: '' } as const;

const EXPECTED = '{"secretKey":"sk_…","publishableKey":"pk_…","accountId":"acct_…" (optional)}';

export function parseStripeSecret(secretString: string | undefined, secretId: string): StripeKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new Error(`the Stripe secret ${secretId} is not JSON: put ${EXPECTED} into it`);
  }
  const value = (parsed ?? {}) as Partial<Record<'secretKey' | 'publishableKey' | 'accountId', unknown>>;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`the Stripe secret ${secretId} must be a JSON object: ${EXPECTED}`);
  if (!value.secretKey && !value.publishableKey)
    throw new Error(
      `Stripe payments are on but not configured yet: put ${EXPECTED} into the secret ${secretId} (stack output StripeKeysSecretName)`,
    );
  if (
    typeof value.secretKey !== 'string' ||
    !value.secretKey ||
    typeof value.publishableKey !== 'string' ||
    !value.publishableKey
  )
    throw new Error(`the Stripe secret ${secretId} must hold both secretKey and publishableKey: ${EXPECTED}`);
  return {
    secretKey: value.secretKey,
    publishableKey: value.publishableKey,
    accountId: typeof value.accountId === 'string' && value.accountId ? value.accountId : null,
  };
}
