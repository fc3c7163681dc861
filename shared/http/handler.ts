// The primary adapter shared by every HTTP Lambda: API Gateway HTTP API (payload 2.0) event in, response
// out. It finds the route by the event's routeKey, enforces the caller's token and scope, reads and
// validates path, query and body against the route's schemas, calls the route, and maps every failure to
// application/problem+json. Middleware order follows middy's guidance: error handling registered last.
// No header normalizer: payload 2.0 events already carry lower-case header names.

import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AuthorizerContext } from '../auth/authorizer.js';
import { isScope, type Scope } from '../auth/scopes.js';
import { ForbiddenError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { decodeBody, parseJsonBody } from './body.js';
import { internalErrorDocument, PROBLEM_CONTENT_TYPE, problemDocument, toApiError } from './problem.js';
import {
  type AuthenticatedCaller,
  type BoundRoute,
  DEFAULT_BODY_LIMIT_BYTES,
  type RouteRequest,
  type RouteResult,
  type RouteSpec,
  requiredScope,
  routeKey,
} from './route.js';
import { parseOrThrow } from './validation.js';

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { lambda?: Partial<AuthorizerContext> };
  };
};
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

/**
 * Headers every response carries (OWASP REST guidance): answers are per caller and must not be cached,
 * sniffed, framed or leak referrers; JSON needs no content policy beyond "nothing".
 */
const BASE_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

export interface HttpHandlerOptions {
  /** Serves the `$default` route: requests that match no declared route. */
  fallback?: (event: HttpEvent, now: Date) => Promise<RouteResult>;
  /** The clock; tests replace it. */
  now?: () => Date;
}

function callerFrom(event: HttpEvent, spec: RouteSpec): AuthenticatedCaller | undefined {
  const scope = requiredScope(spec);
  if (!scope) return undefined;
  const context = event.requestContext.authorizer?.lambda;
  if (context?.authError === 'unavailable') throw new ServiceUnavailableError();
  if (context?.authError === 'missing_token') throw new UnauthorizedError('missing');
  if (!context?.tenantId || !context.tokenId || context.authError) throw new UnauthorizedError();
  const scopes = (context.scopes ?? '').split(' ').filter(isScope) as Scope[];
  if (!scopes.includes(scope)) throw new ForbiddenError(scope);
  return { tenantId: context.tenantId, tokenId: context.tokenId, scopes };
}

function baseUrlOf(event: HttpEvent): string {
  const host = event.headers?.host ?? event.requestContext.domainName;
  const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
  return `${proto}://${host}`;
}

function buildRequest(
  spec: RouteSpec,
  event: HttpEvent,
  now: Date,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): RouteRequest<RouteSpec> {
  const caller = callerFrom(event, spec);
  const params = spec.params ? parseOrThrow(spec.params, event.pathParameters ?? {}, 'path') : undefined;
  const query = spec.query ? parseOrThrow(spec.query, event.queryStringParameters ?? {}, 'query') : undefined;
  let body: unknown;
  if (spec.body) {
    const raw = decodeBody(event.body, event.isBase64Encoded);
    const json = parseJsonBody(
      raw,
      event.headers?.['content-type'],
      spec.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    );
    body = parseOrThrow(spec.body, json, 'body');
  }
  return {
    params,
    query,
    body,
    caller: caller as RouteRequest<RouteSpec>['caller'],
    headers: event.headers ?? {},
    sourceIp: event.requestContext.http.sourceIp,
    requestId: event.requestContext.requestId,
    now,
    baseUrl: baseUrlOf(event),
    remainingMs: () => context.getRemainingTimeInMillis(),
  };
}

export function toHttpResponse(result: RouteResult): HttpResponse {
  const headers: Record<string, string> = { ...BASE_HEADERS, ...result.headers };
  if (result.raw) {
    headers['Content-Type'] = result.raw.contentType;
    return { statusCode: result.status, headers, body: result.raw.body };
  }
  if (result.body === undefined) return { statusCode: result.status, headers };
  headers['Content-Type'] = 'application/json; charset=utf-8';
  return { statusCode: result.status, headers, body: JSON.stringify(result.body) };
}

interface RequestState {
  log: Logger;
  startedAt: number;
}

/** Logs one line per request (never headers or bodies: they can hold tokens and e-mail addresses). */
function accessLog(): MiddlewareObj<HttpEvent, HttpResponse, Error, Context & { state?: RequestState }> {
  const finish = (request: {
    event: HttpEvent;
    response?: HttpResponse | null;
    context: Context & { state?: RequestState };
  }) => {
    const state = request.context.state;
    if (!state) return;
    const status = request.response?.statusCode ?? 500;
    const fields = {
      routeKey: request.event.routeKey,
      status,
      durationMs: Date.now() - state.startedAt,
      tenantId: request.event.requestContext.authorizer?.lambda?.tenantId,
    };
    if (status >= 500) state.log.error('request failed', fields);
    else state.log.info('request', fields);
  };
  return {
    before: (request) => {
      request.context.state = {
        log: createLogger({ service: 'evsessions', requestId: request.event.requestContext.requestId }),
        startedAt: Date.now(),
      };
    },
    after: finish,
    onError: finish,
  };
}

/** Maps any error to a problem document; registered last so it handles errors first. */
function problemResponses(): MiddlewareObj<
  HttpEvent,
  HttpResponse,
  Error,
  Context & { state?: RequestState }
> {
  return {
    onError: (request) => {
      const instance = request.event.rawPath;
      const requestId = request.event.requestContext?.requestId;
      const apiError = toApiError(request.error);
      if (!apiError) {
        (request.context.state?.log ?? createLogger({ requestId })).error('unhandled error', {
          error: request.error,
        });
      }
      const document = apiError
        ? problemDocument(apiError, instance, requestId)
        : internalErrorDocument(instance, requestId);
      request.response = {
        statusCode: document.status,
        headers: { ...BASE_HEADERS, ...apiError?.headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
        body: JSON.stringify(document),
      };
    },
  };
}

export function createHttpHandler(routes: BoundRoute[], options: HttpHandlerOptions = {}) {
  const byKey = new Map<string, BoundRoute>(routes.map((route) => [routeKey(route.spec), route]));
  const now = options.now ?? (() => new Date());
  return middy<HttpEvent, HttpResponse, Error, Context & { state?: RequestState }>({
    timeoutEarlyInMillis: 0,
  })
    .use(accessLog())
    .use(problemResponses())
    .handler(async (event, context) => {
      const time = now();
      const route = byKey.get(event.routeKey);
      if (!route) {
        if (options.fallback) return toHttpResponse(await options.fallback(event, time));
        throw new NotFoundError('route_not_found', `No operation exists at ${event.rawPath}.`);
      }
      return toHttpResponse(await route.handle(buildRequest(route.spec, event, time, context)));
    });
}
