// The rules of webhook delivery (pure: no SDK, no environment, no clock — the time is passed in): which
// URLs may be registered, the retry schedule, what an attempt's answer means for the delivery and for the
// endpoint, and the payload. Standard Webhooks (standardwebhooks.com) is followed throughout.

import { type AddressPolicy, classifyAddress, isAllowedAddress } from './addresses.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './events.js';

/** Sent only by `POST /v1/webhooks/{id}/test`, to that endpoint; never subscribable. */
export const TEST_EVENT_TYPE = 'webhook.test';
export type DeliveredEventType = WebhookEventType | typeof TEST_EVENT_TYPE;

export { WEBHOOK_EVENT_TYPES, type WebhookEventType };

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * How long to wait before each attempt, from the delivery's creation (first) or the previous failure:
 * Standard Webhooks' suggested schedule. 8 attempts over 27 h 35 min; after the last failure the delivery
 * is given up and the endpoint marked failing. A receiver down for an hour gets the event at the 2 h step.
 */
export const RETRY_DELAYS_MS = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

/** A receiver has this long to answer; a slower one counts as failed and is retried. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * A claimed delivery is due again after this, so an attempt lost with its process (a crash, a Lambda
 * timeout) is retried: longer than the timeout plus the writes around it.
 */
export const CLAIM_MS = 60_000;

/** What one attempt came to: an HTTP answer, or no answer (refused address, DNS, connect, timeout). */
export type AttemptResult = { statusCode: number } | { error: string };

export interface AttemptRecord {
  /** 1 for the first attempt of the delivery, counting resends. */
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface DeliveryState {
  status: DeliveryStatus;
  /** Attempts made so far (all series). */
  attemptCount: number;
  /** Position in RETRY_DELAYS_MS of the next attempt of the current series (a resend starts a new one). */
  step: number;
  nextAttemptAt: string | null;
}

export type EndpointChange = 'none' | 'healthy' | 'failing' | 'gone';

export function classifyAnswer(result: AttemptResult): 'delivered' | 'gone' | 'retry' {
  if ('error' in result) return 'retry';
  if (result.statusCode >= 200 && result.statusCode < 300) return 'delivered';
  // Standard Webhooks: 410 Gone means "stop sending to this endpoint".
  if (result.statusCode === 410) return 'gone';
  return 'retry';
}

/** The delivery after an attempt at `now`, and what the attempt means for its endpoint. */
export function afterAttempt(
  state: DeliveryState,
  result: AttemptResult,
  now: Date,
): { state: DeliveryState; endpoint: EndpointChange } {
  const attemptCount = state.attemptCount + 1;
  const answer = classifyAnswer(result);
  if (answer === 'delivered') {
    return {
      state: { status: 'delivered', attemptCount, step: state.step + 1, nextAttemptAt: null },
      endpoint: 'healthy',
    };
  }
  if (answer === 'gone') {
    return {
      state: { status: 'failed', attemptCount, step: state.step + 1, nextAttemptAt: null },
      endpoint: 'gone',
    };
  }
  const step = state.step + 1;
  const delay = RETRY_DELAYS_MS[step];
  if (delay === undefined) {
    return { state: { status: 'failed', attemptCount, step, nextAttemptAt: null }, endpoint: 'failing' };
  }
  return {
    state: {
      status: 'pending',
      attemptCount,
      step,
      nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
    },
    endpoint: 'none',
  };
}

/** A fresh series of attempts, the first one now: a new delivery, or a resend of an old one. */
export function newSeries(attemptCount: number, now: Date): DeliveryState {
  return { status: 'pending', attemptCount, step: 0, nextAttemptAt: now.toISOString() };
}

/** The attempt history kept per delivery: the last ones (a full series is 8). */
export const KEPT_ATTEMPTS = 20;

export function withAttempt(history: readonly AttemptRecord[], attempt: AttemptRecord): AttemptRecord[] {
  return [...history, attempt].slice(-KEPT_ATTEMPTS);
}

/** Short, stable text for an error an attempt met (what the delivery log and `lastError` show). */
export function describeResult(result: AttemptResult): string {
  return 'error' in result ? result.error : `HTTP ${result.statusCode}`;
}

/** The body of every request: Standard Webhooks' `{ type, timestamp, data }`, serialized once. */
export function payloadOf(event: { type: DeliveredEventType; occurredAt: string; data: unknown }): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data });
}

// ---------------------------------------------------------------------------------------------------
// Endpoint URLs

export const MAX_URL_LENGTH = 2048;

export type UrlProblem =
  | 'invalid_url'
  | 'https_required'
  | 'url_credentials'
  | 'url_fragment'
  | 'non_public_address';

export interface UrlPolicy extends AddressPolicy {}

const LOOPBACK_NAMES = /^(localhost|.*\.localhost)$/i;

/**
 * Checks a receiver URL as registered: `https` to a host that is a name or a public address. A name is
 * resolved and checked again at every delivery (the address it stands for can change); locally
 * (`allowLoopback`) `http` and `https` to this machine (127.0.0.0/8, ::1, localhost) are allowed too.
 */
export function checkEndpointUrl(text: string, policy: UrlPolicy): UrlProblem | null {
  if (text.length > MAX_URL_LENGTH) return 'invalid_url';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'invalid_url';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'https_required';
  if (url.username || url.password) return 'url_credentials';
  if (url.hash || text.includes('#')) return 'url_fragment';
  const host = url.hostname;
  if (!host) return 'invalid_url';
  const loopback = LOOPBACK_NAMES.test(host) || classifyAddress(host) === 'loopback';
  if (url.protocol === 'http:' && !(policy.allowLoopback && loopback)) return 'https_required';
  if (loopback) return policy.allowLoopback ? null : 'non_public_address';
  if (classifyAddress(host) !== 'invalid' && !isAllowedAddress(host, policy)) return 'non_public_address';
  return null;
}

export const URL_PROBLEMS: Record<UrlProblem, string> = {
  invalid_url: `Not an absolute URL of at most ${MAX_URL_LENGTH} characters.`,
  https_required: 'Webhook URLs must use https.',
  url_credentials: 'A webhook URL must not carry a user name or password.',
  url_fragment: 'A webhook URL must not carry a fragment (#…): it is never sent.',
  non_public_address:
    'The URL names a private, loopback, link-local or otherwise non-public address; receivers must be on the public internet.',
};
