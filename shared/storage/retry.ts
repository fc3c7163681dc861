// Retrying a storage call that DynamoDB throttled or failed transiently, with capped exponential backoff
// and full jitter (AWS's recommendation: retries of many workers spread out instead of colliding). The
// SDK client already retries a few times; this is for background work, which may wait longer than a
// request could.

import { isTransientAwsError } from '../http/problem.js';

export interface RetryOptions {
  /** Calls in all, the first included. */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Six calls over up to ~6 s on top of the SDK's own retries: rides out a throttling burst. */
const DEFAULTS = { attempts: 6, baseMs: 100, maxMs: 3_000 };

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryTransient<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULTS.attempts;
  const baseMs = options.baseMs ?? DEFAULTS.baseMs;
  const maxMs = options.maxMs ?? DEFAULTS.maxMs;
  const sleep = options.sleep ?? pause;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isTransientAwsError(error)) throw error;
      await sleep(Math.random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
    }
  }
}
