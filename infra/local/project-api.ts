// Starts the local runner with this project's routes and the very handler modules the Lambdas run.
// Configuration (table, endpoint, cursor key) must be in process.env before the first request.

import { allRoutes } from '../../shared/api/routes.js';
import type { CorsPolicy } from '../../shared/http/cors.js';
import type { FunctionName } from '../../shared/http/route.js';
import { type LambdaHandler, type LocalApi, startLocalApi } from './server.js';

type HandlerModule = { handler: unknown };

/** One loader per Lambda of the HTTP API; typed by FunctionName so a new function cannot be left out. */
const FUNCTIONS: Record<FunctionName | 'authorizer', () => Promise<HandlerModule>> = {
  authorizer: () => import('../../functions/authorizer.js'),
  entities: () => import('../../functions/entities.js'),
  locations: () => import('../../functions/locations.js'),
  meta: () => import('../../functions/meta.js'),
  readings: () => import('../../functions/readings.js'),
  sessions: () => import('../../functions/sessions.js'),
  chargers: () => import('../../functions/chargers.js'),
  'public-charging': () => import('../../functions/public-charging.js'),
  tariffs: () => import('../../functions/tariffs.js'),
  reports: () => import('../../functions/reports.js'),
  webhooks: () => import('../../functions/webhooks.js'),
};

export async function loadFunction(name: FunctionName | 'authorizer'): Promise<LambdaHandler> {
  return (await FUNCTIONS[name]()).handler as LambdaHandler;
}

export async function startProjectApi(
  options: {
    port?: number;
    host?: string;
    cors?: CorsPolicy | undefined;
    staticDir?: string | undefined;
    /** Wraps each function's handler (tests that attribute what a function does to the function). */
    wrapHandler?: (name: FunctionName | 'authorizer', handler: LambdaHandler) => LambdaHandler;
  } = {},
): Promise<LocalApi> {
  const { wrapHandler = (_name, handler) => handler, ...rest } = options;
  return startLocalApi({
    routes: allRoutes,
    loadFunction: async (name) => wrapHandler(name, await loadFunction(name)),
    authorizer: wrapHandler('authorizer', await loadFunction('authorizer')),
    defaultFunction: 'meta',
    ...rest,
  });
}
