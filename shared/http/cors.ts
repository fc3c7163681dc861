// CORS for browser dashboards, configured once: the CDK stack gives this policy to API Gateway's HTTP API
// CORS support, and the local runner applies it the way API Gateway does (answering preflights itself,
// adding the headers to responses, ignoring any the functions set). Origins are explicit; credentials
// are never allowed (tokens travel in the Authorization header, not in cookies).

export interface CorsPolicy {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'accept', 'idempotency-key'];
/** What a dashboard may read from responses: pagination, rate limits, and the request id for support. */
export const CORS_EXPOSE_HEADERS = [
  'location',
  'link',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'apigw-requestid',
];
export const CORS_MAX_AGE_SECONDS = 600;

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/i;

/** Parses a comma-separated origin list; throws on anything but explicit scheme://host[:port] origins. */
export function parseCorsOrigins(text: string | undefined): string[] {
  const origins = (text ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!ORIGIN.test(origin)) {
      throw new Error(
        `CORS origins must be explicit scheme://host[:port] values, not '${origin}' (no wildcards)`,
      );
    }
  }
  return origins;
}

export function corsPolicy(origins: string[]): CorsPolicy | undefined {
  if (origins.length === 0) return undefined;
  return {
    allowOrigins: origins,
    allowMethods: CORS_ALLOW_METHODS,
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAgeSeconds: CORS_MAX_AGE_SECONDS,
  };
}

function allowed(policy: CorsPolicy, origin: string | undefined): origin is string {
  return origin !== undefined && policy.allowOrigins.some((o) => o.toLowerCase() === origin.toLowerCase());
}

/** Headers of the answer to a preflight from `origin`; none when the origin is not allowed. */
export function preflightHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (!allowed(policy, origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': policy.allowMethods.join(','),
    'Access-Control-Allow-Headers': policy.allowHeaders.join(','),
    'Access-Control-Max-Age': String(policy.maxAgeSeconds),
    Vary: 'Origin',
  };
}

/** Headers added to an actual response for `origin`; none when the origin is not allowed. */
export function responseCorsHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (!allowed(policy, origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': policy.exposeHeaders.join(','),
    Vary: 'Origin',
  };
}
