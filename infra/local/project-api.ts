// Starts the local runner with this project's routes and the very handler modules the Lambdas run.
// Configuration (table, endpoint, cursor key) must be in process.env before the first request.

import { allRoutes } from '../../shared/api/routes.js';
import type { FunctionName } from '../../shared/http/route.js';
import { type LambdaHandler, type LocalApi, startLocalApi } from './server.js';

export async function loadFunction(name: FunctionName | 'authorizer'): Promise<LambdaHandler> {
  const module = (await import(`../../functions/${name}.js`)) as { handler: LambdaHandler };
  return module.handler;
}

export async function startProjectApi(
  options: { port?: number; host?: string; authorizerCacheSeconds?: number } = {},
): Promise<LocalApi> {
  return startLocalApi({
    routes: allRoutes,
    loadFunction,
    authorizer: await loadFunction('authorizer'),
    defaultFunction: 'meta',
    ...options,
  });
}
