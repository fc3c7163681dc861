// A route is declared once, as data: method, path, the Lambda function that serves it, the scope it
// needs, and zod schemas for its parameters, query, body and responses. The CDK stack makes API Gateway
// routes from these declarations, the local runner matches requests with them, the handler validates
// with them, and the OpenAPI document is generated from them.

import type * as z from 'zod/mini';
import type { Scope } from '../auth/scopes.js';
import type { ErrorCode } from '../error-codes.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda functions of the HTTP API; each is a file `functions/<name>.ts`. */
export type FunctionName =
  | 'entities'
  | 'locations'
  | 'meta'
  | 'readings'
  | 'sessions'
  | 'chargers'
  | 'public-charging'
  | 'tariffs'
  | 'reports'
  | 'webhooks';

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema; omitted for an empty body. */
  schema?: z.core.$ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  /** Other media types the same status can be answered in (content negotiation), with their schemas. */
  alternatives?: Record<string, z.core.$ZodType>;
  headers?: Record<string, { description: string }>;
}

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** API Gateway path syntax: `/v1/entities/{entityId}`. */
  path: string;
  fn: FunctionName;
  /**
   * The scope a bearer token needs, or, for a route without the authorizer, why it is public (the
   * reason is also the stack's acknowledgement of cdk-nag's APIG4 finding for that route) and the
   * route's own API Gateway throttle, which stops a flood before any Lambda runs.
   */
  auth: { scope: Scope } | { public: string; throttle: GatewayThrottle };
  summary: string;
  description?: string;
  tags: string[];
  params?: z.core.$ZodType;
  query?: z.core.$ZodType;
  body?: z.core.$ZodType;
  /** Largest accepted body in bytes; DEFAULT_BODY_LIMIT_BYTES when omitted. */
  bodyLimitBytes?: number;
  responses: Record<number, ResponseSpec>;
  /**
   * Error codes this route can answer beyond those implied by its declaration (validation, auth, body
   * and continuation-token errors are added automatically in the OpenAPI document).
   */
  errors?: ErrorCode[];
}

/**
 * API Gateway's token bucket for one route, shared by every caller: steady requests per second and the
 * burst above it; beyond them the gateway answers 429 itself. The per-IP and per-token limits in code
 * stop one client; this stops many (and bounds what a flood costs in Lambda, table and payment calls).
 */
export interface GatewayThrottle {
  rateLimit: number;
  burstLimit: number;
}

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

export function defineRoute<const R extends RouteSpec>(route: R): R {
  return route;
}

export type RouteKey = `${HttpMethod} ${string}`;

export function isPublic(
  route: Pick<RouteSpec, 'auth'>,
): route is Pick<RouteSpec, 'auth'> & { auth: { public: string; throttle: GatewayThrottle } } {
  return 'public' in route.auth;
}

export function requiredScope(route: Pick<RouteSpec, 'auth'>): Scope | undefined {
  return 'scope' in route.auth ? route.auth.scope : undefined;
}

export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): RouteKey {
  return `${route.method} ${route.path}`;
}

type Out<S> = S extends z.core.$ZodType ? z.output<S> : undefined;

export interface AuthenticatedCaller {
  tenantId: string;
  tokenId: string;
  scopes: Scope[];
}

export interface RouteRequest<R extends RouteSpec> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: Out<R['body']>;
  /** Present on every route that is not public. */
  caller: R['auth'] extends { public: string } ? undefined : AuthenticatedCaller;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  sourceIp: string;
  requestId: string;
  /** The request time; domain code takes time from here, never from a clock of its own. */
  now: Date;
  /** The public base URL of the API, for links (`https://host`). */
  baseUrl: string;
  /** Milliseconds left before the function times out, for work that stops early and is resumed. */
  remainingMs: () => number;
}

export interface RouteResult {
  status: number;
  /** Serialized as JSON unless `raw` is given. */
  body?: unknown;
  headers?: Record<string, string>;
  /** A non-JSON body (CSV, HTML): sent as is with its content type. */
  raw?: { body: string; contentType: string };
}

export interface BoundRoute {
  spec: RouteSpec;
  handle(request: RouteRequest<RouteSpec>): Promise<RouteResult>;
}

/** Binds a route declaration to the function that serves it, with request types inferred from the schemas. */
export function implement<R extends RouteSpec>(
  spec: R,
  handle: (request: RouteRequest<R>) => Promise<RouteResult>,
): BoundRoute {
  return { spec, handle: handle as unknown as BoundRoute['handle'] };
}
