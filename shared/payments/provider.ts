// The payment provider behind public charging: a hold for the charger's hold amount when a session is
// created, captured for the final cost when it settles, or released. Two implementations: the built-in
// local provider (default; holds live in the table) and Stripe (a manual-capture PaymentIntent).
//
// Contract: every operation is idempotent (effects are retried after crashes); a provider that cannot
// be reached throws, so the caller keeps the effect pending and retries; a definite "no" from the
// provider (a declined capture) is an answer, not an exception.

import type { PaymentRefs } from '../public-charging/session.js';

export interface HoldRequest {
  /** The public session the hold is for; also the idempotency key of its creation. */
  sessionId: string;
  /** Minor units. */
  amount: number;
  /** ISO 4217, uppercase. */
  currency: string;
  /** Shown on the provider's dashboard (never personal data). */
  description: string;
}

export type CaptureResult =
  | { ok: true; amountCaptured: number }
  | { ok: false; reason: 'declined' | 'canceled' | 'amount_exceeds_hold' };

export interface PaymentProvider {
  readonly name: PaymentRefs['provider'];
  createHold(request: HoldRequest): Promise<PaymentRefs>;
  /** Whether the hold is in place (the driver completed the payment): Stripe's `requires_capture`. */
  isAuthorized(payment: PaymentRefs): Promise<boolean>;
  /** Captures `amount` (≤ the hold) and releases the rest; 0 releases it all. */
  capture(payment: PaymentRefs, amount: number): Promise<CaptureResult>;
  /** Releases the hold; a hold already released or captured is left as it is. */
  cancel(payment: PaymentRefs): Promise<void>;
  /** Refunds `amount` of what was captured. */
  refund(payment: PaymentRefs, amount: number): Promise<void>;
}
