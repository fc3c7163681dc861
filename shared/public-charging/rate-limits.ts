// Rate-limit arithmetic for the public endpoints: fixed windows aligned to the epoch, so one counter
// item per (rule, subject, window) suffices and storage increments it with one atomic update. Pure: the
// counter write and the clock live elsewhere.

import { RateLimitedError } from '../errors.js';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
  /** What is counted: a session token (stored as its hash), a client IP, or a charger's public code. */
  per: 'token' | 'ip' | 'charger';
}

export const PUBLIC_RATE_LIMITS = {
  /** GET /public-charging/sessions/{token}: a polling app at one request per 2 s stays under it. */
  getSession: { limit: 30, windowSeconds: 60, per: 'token' },
  /** POST /public-charging/sessions: each start creates a payment intent, so it is the tightest. */
  startSession: { limit: 3, windowSeconds: 60, per: 'ip' },
  /** POST …/confirm, …/stop, …/cancel, counted together per session. */
  sessionCommand: { limit: 10, windowSeconds: 60, per: 'token' },
  /** GET /public-charging/chargers/{code}. */
  getCharger: { limit: 30, windowSeconds: 60, per: 'ip' },
  /**
   * Successful starts per charger per hour. A busy DC site turns a connector over every 20–30 minutes,
   * so two connectors see at most ~6 genuine starts an hour; 12 doubles that for drivers who cancel and
   * retry, while capping what someone rotating IPs can do to one charger (connector lock-ups, payment
   * intents) at 12 an hour. Counted only after a start succeeded; checked before the next one.
   */
  chargerStarts: { limit: 12, windowSeconds: 3600, per: 'charger' },
} as const satisfies Record<string, RateLimitRule>;

export type PublicRateLimitName = keyof typeof PUBLIC_RATE_LIMITS;

export interface RateWindow {
  /** Epoch seconds at which the current window began (inclusive). */
  windowStart: number;
  /** Epoch seconds at which it ends and the counter starts afresh; also the counter item's TTL. */
  resetAt: number;
  /** Whole seconds until resetAt, at least 1: what Retry-After says. */
  retryAfterSeconds: number;
}

export function rateWindow(now: Date, windowSeconds: number): RateWindow {
  if (!Number.isInteger(windowSeconds) || windowSeconds <= 0) {
    throw new RangeError(`windowSeconds must be a positive integer, not ${windowSeconds}`);
  }
  const nowMs = now.getTime();
  const windowStart = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
  const resetAt = windowStart + windowSeconds;
  return { windowStart, resetAt, retryAfterSeconds: Math.max(1, Math.ceil((resetAt * 1000 - nowMs) / 1000)) };
}

/** The counter's identity: one item per rule, subject and window. */
export function rateCounterKey(rule: PublicRateLimitName, subject: string, window: RateWindow): string {
  return `${rule}#${subject}#${window.windowStart}`;
}

export type RateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; error: RateLimitedError };

/**
 * Whether the request that brought the counter to `countAfterIncrement` may proceed, with the headers
 * every response carries (X-RateLimit-Limit, X-RateLimit-Remaining) and Retry-After on a 429.
 */
export function rateDecision(countAfterIncrement: number, limit: number, window: RateWindow): RateDecision {
  if (!Number.isInteger(countAfterIncrement) || countAfterIncrement < 1) {
    throw new RangeError(`countAfterIncrement must be a positive integer, not ${countAfterIncrement}`);
  }
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, limit - countAfterIncrement)),
  };
  if (countAfterIncrement <= limit) return { allowed: true, headers };
  const limited = { ...headers, 'Retry-After': String(window.retryAfterSeconds) };
  return { allowed: false, headers: limited, error: new RateLimitedError(window.retryAfterSeconds, limited) };
}
