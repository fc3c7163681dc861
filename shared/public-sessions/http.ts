// Binds the public charging routes to their use cases, each behind its rate limit: per client IP as
// API Gateway reports it (requestContext.http.sourceIp, not a header a client could forge), per
// session token (counted under the token's hash, so counters never hold a credential).

import { implement } from '../http/route.js';
import { hashSessionToken } from '../public-charging/tokens.js';
import { rateLimited } from './rate-limit.js';
import {
  cancelPublicSessionRoute,
  confirmPublicSessionRoute,
  getPublicChargerRoute,
  getPublicSessionRoute,
  startPublicSessionRoute,
  stopPublicSessionRoute,
} from './routes.js';
import * as sessions from './service.js';

const commandHandler = (
  route: typeof confirmPublicSessionRoute | typeof stopPublicSessionRoute | typeof cancelPublicSessionRoute,
  command: sessions.DriverCommand,
) =>
  implement(route, ({ params, now }) =>
    rateLimited('sessionCommand', hashSessionToken(params.token), now, async () => ({
      status: 200,
      body: await sessions.commandSession(params.token, command, now),
    })),
  );

export const publicSessionHandlers = [
  implement(getPublicChargerRoute, ({ params, sourceIp, now }) =>
    rateLimited('getCharger', sourceIp, now, async () => ({
      status: 200,
      body: await sessions.getPublicCharger(params.code),
    })),
  ),

  implement(startPublicSessionRoute, ({ body, sourceIp, now }) =>
    rateLimited('startSession', sourceIp, now, async () => ({
      status: 201,
      body: await sessions.startSession(body, now),
    })),
  ),

  implement(getPublicSessionRoute, ({ params, now }) =>
    rateLimited('getSession', hashSessionToken(params.token), now, async () => ({
      status: 200,
      body: await sessions.getSessionByToken(params.token, now),
    })),
  ),

  commandHandler(confirmPublicSessionRoute, 'confirm'),
  commandHandler(stopPublicSessionRoute, 'stop'),
  commandHandler(cancelPublicSessionRoute, 'cancel'),
];
