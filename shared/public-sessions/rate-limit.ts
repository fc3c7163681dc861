// The public endpoints' rate limits as a wrapper around a route: one conditional counter update before
// the work (exact under concurrency, see storage/rate-counters.ts), X-RateLimit-* headers on every
// answer including errors, 429 with Retry-After once the window's limit is used up.

import { ApiError } from '../errors.js';
import type { RouteResult } from '../http/route.js';
import {
  PUBLIC_RATE_LIMITS,
  type PublicRateLimitName,
  rateCounterKey,
  rateDecision,
  rateWindow,
} from '../public-charging/rate-limits.js';
import { countWithinLimit } from '../storage/rate-counters.js';

/** Counts one request against `rule` for `subject`; the headers to send, or throws the 429. */
export async function enforceRateLimit(
  rule: Exclude<PublicRateLimitName, 'chargerStarts'>,
  subject: string,
  now: Date,
): Promise<Record<string, string>> {
  const { limit, windowSeconds } = PUBLIC_RATE_LIMITS[rule];
  const window = rateWindow(now, windowSeconds);
  const count = await countWithinLimit(rateCounterKey(rule, subject, window), limit, window.resetAt);
  const decision = rateDecision(count ?? limit + 1, limit, window);
  if (!decision.allowed) throw decision.error;
  return decision.headers;
}

export async function rateLimited(
  rule: Exclude<PublicRateLimitName, 'chargerStarts'>,
  subject: string,
  now: Date,
  work: () => Promise<RouteResult>,
): Promise<RouteResult> {
  const headers = await enforceRateLimit(rule, subject, now);
  try {
    const result = await work();
    return { ...result, headers: { ...result.headers, ...headers } };
  } catch (error) {
    if (error instanceof ApiError) Object.assign(error.headers, headers);
    throw error;
  }
}
