// Serves the meta routes and the `$default` route: a request no declared route matches gets 405 with
// an Allow header when its path exists under other methods, 404 otherwise.

import { ERROR_CODES, isErrorCode } from '../error-codes.js';
import { MethodNotAllowedError, NotFoundError } from '../errors.js';
import type { HttpEvent } from '../http/handler.js';
import { buildOpenApiDocument } from '../http/openapi.js';
import { compilePath } from '../http/path-match.js';
import { implement, type RouteResult } from '../http/route.js';
import { getOpenApiRoute, getProblemTypeRoute } from './meta-routes.js';
import { allRoutes } from './routes.js';

let openApiDocument: string | undefined;

export const metaHandlers = [
  implement(getOpenApiRoute, async () => {
    openApiDocument ??= JSON.stringify(buildOpenApiDocument(allRoutes));
    return {
      status: 200,
      raw: { body: openApiDocument, contentType: 'application/json; charset=utf-8' },
      headers: { 'Cache-Control': 'public, max-age=300' },
    };
  }),

  implement(getProblemTypeRoute, async ({ params }) => {
    if (!isErrorCode(params.code)) {
      throw new NotFoundError('problem_type_not_found', `No error code '${params.code}' exists.`);
    }
    const { status, description } = ERROR_CODES[params.code];
    return { status: 200, body: { code: params.code, status, description } };
  }),
];

const matchers = allRoutes.map((route) => ({ method: route.method, matcher: compilePath(route.path) }));

export async function routeNotFound(event: HttpEvent): Promise<RouteResult> {
  const path = event.rawPath;
  const method = event.requestContext.http.method;
  const allowed = [...new Set(matchers.filter((m) => m.matcher.match(path)).map((m) => m.method))];
  if (allowed.length > 0) throw new MethodNotAllowedError(method, path, allowed);
  throw new NotFoundError(
    'route_not_found',
    `No operation exists at ${path}. See /openapi.json for the API's routes.`,
  );
}
