// The dashboard's one way to the API: openapi-fetch over the generated `paths`, with the bearer token from
// the session, retries on 429 and 5xx that honour Retry-After, and one callback when the token is refused.

import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Entity = Schemas['Entity'];
export type ChargeSession = Schemas['ChargeSession'];
export type DailyEnergy = Schemas['DailyEnergy'];
export type MonthlyReport = Schemas['MonthlyReport'];
export type MonthlyRow = MonthlyReport['rows'][number];
export type Reading = Schemas['Reading'];
export type Charger = Schemas['Charger'];
export type ChargerSession = Schemas['ChargerSession'];
export type Problem = Schemas['Problem'];

/** A refused request, carrying the API's own problem document when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? problem.detail : `The API answered ${status}.`);
  }
  /** The API's message for one field (`batteryCapacity`), if it named that field. */
  fieldMessage(field: string): string | undefined {
    return this.problem?.errors?.find((e) => e.field === field)?.message;
  }
}

export interface RetryOptions {
  retries: number;
  /** Waits this many milliseconds; replaceable so tests need not wait. */
  sleep: (ms: number) => Promise<void>;
  /** Longest wait between attempts, whatever Retry-After says. */
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryOptions = {
  retries: 3,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  maxDelayMs: 30_000,
};

/** Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const RETRIED = (status: number) => status === 429 || status >= 500;

/** A fetch that retries 429 and 5xx answers, after Retry-After when given, else after 0.5 s, 1 s, 2 s… */
export function retryingFetch(
  inner: (request: Request) => Promise<Response>,
  options: Partial<RetryOptions> = {},
): (request: Request) => Promise<Response> {
  const { retries, sleep, maxDelayMs } = { ...DEFAULT_RETRY, ...options };
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      // A body can be read once: each attempt sends its own copy.
      const response = await inner(request.clone());
      if (!RETRIED(response.status) || attempt >= retries) return response;
      const asked = retryAfterMs(response.headers.get('retry-after'), Date.now());
      await sleep(Math.min(maxDelayMs, asked ?? 500 * 2 ** attempt));
    }
  };
}

export interface ApiOptions {
  baseUrl: string;
  token: () => string | null;
  onUnauthorized: () => void;
  fetch?: (request: Request) => Promise<Response>;
  retry?: Partial<RetryOptions>;
}

export function makeApi(options: ApiOptions) {
  const inner = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: retryingFetch(inner, options.retry),
  });
  client.use({
    onRequest({ request }) {
      const token = options.token();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized();
      return response;
    },
  });
  return client;
}

export type Api = ReturnType<typeof makeApi>;

/** The data of a successful answer, or an ApiError with the problem the API sent. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  throw refusal(result);
}

/** The ApiError for a refused answer (openapi-fetch parses an error body as JSON whenever it can). */
export function refusal(result: { error?: unknown; response: Response }): ApiError {
  return new ApiError(result.response.status, isProblem(result.error) ? result.error : undefined);
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'detail' in value;
}

/**
 * Every page of a listing, following `meta.continuationToken`. `maxPages` bounds the loop so a runaway
 * listing cannot hang the page; reaching it is reported, not hidden.
 */
export async function allPages<T>(
  fetchPage: (continuationToken: string | undefined) => Promise<{
    data: T[];
    meta: { continuationToken?: string | null | undefined };
  }>,
  maxPages = 50,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await fetchPage(token);
    items.push(...answer.data);
    token = answer.meta.continuationToken ?? undefined;
    if (!token) return { items, complete: true };
  }
  return { items, complete: false };
}

/**
 * Session listings answer CSV or an export format when asked; the dashboard asks for neither, so the
 * answer is the DER-Connect page (the document types it as a union of all of them).
 */
export function sessionPage(page: object | string): Schemas['ChargeSessionPage'] {
  if (typeof page === 'string' || !('data' in page) || !Array.isArray(page.data))
    throw new Error('Expected a JSON page of charge sessions.');
  return page as Schemas['ChargeSessionPage'];
}
