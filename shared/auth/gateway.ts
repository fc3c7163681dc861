// How API Gateway calls the bearer-token authorizer. The CDK stack (infra/api.ts) and the local runner
// (infra/local/project-api.ts) both read this, so `npm start` answers exactly as the deployed API does.
//
// No identity source, and so no gateway cache (an HTTP API caches authorizer answers only by identity
// source): with `$request.header.Authorization` as identity source, API Gateway answers a request without
// that header itself, `401 {"message":"Unauthorized"}`, with no problem document, no `WWW-Authenticate` and
// no CORS headers (it adds CORS headers to integration responses only), so a browser sees a CORS error.
// Without one, the authorizer runs on every protected request, lets each through with its verdict, and the
// function answers the 401 (problem+json, `WWW-Authenticate: Bearer`, CORS from the gateway).
// The price: one authorizer invocation and one DynamoDB GetItem per protected request instead of one per
// token per minute (about $0.36 per million requests at list prices, docs/cost.md, and the authorizer's few
// milliseconds of latency); in return a revoked token stops working at once instead of within 60 s.

export interface AuthorizerGatewayConfig {
  /** Selection expressions (`$request.header.Name`, `$request.querystring.name`); all must be present. */
  identitySource: readonly string[];
  /** Seconds API Gateway keeps an answer per identity-source value; 0 without an identity source. */
  cacheSeconds: number;
}

export const BEARER_AUTHORIZER: AuthorizerGatewayConfig = { identitySource: [], cacheSeconds: 0 };
