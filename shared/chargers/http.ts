// Binds the charger routes to their use cases: each adapter maps a validated request to one call.

import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import * as events from './events.js';
import {
  createChargerRoute,
  deleteChargerRoute,
  getChargerRoute,
  listChargerCommandsRoute,
  listChargerSessionsRoute,
  listChargersRoute,
  postCommandResultRoute,
  postOcppCallRoute,
  postStatusNotificationRoute,
  postTransactionEventRoute,
  putOcppPasswordRoute,
  replaceChargerRoute,
} from './routes.js';
import * as chargers from './service.js';

export const chargerHandlers = [
  implement(createChargerRoute, async ({ caller, body, now, baseUrl }) => {
    const charger = await chargers.createCharger(caller.tenantId, body, now);
    return {
      status: 201,
      headers: { Location: `${baseUrl}/v1/chargers/${encodeURIComponent(charger.publicCode)}` },
      body: chargers.toChargerResource(charger),
    };
  }),

  implement(listChargersRoute, async ({ caller, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: 'listChargers' },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/chargers`,
      query: {},
      fetch: (startKey) => chargers.listChargers(caller.tenantId, { pageSize: query.pageSize, startKey }),
      map: chargers.toChargerResource,
    }),
  })),

  implement(getChargerRoute, async ({ caller, params }) => ({
    status: 200,
    body: chargers.toChargerResource(await chargers.requireOwnCharger(caller.tenantId, params.code)),
  })),

  implement(replaceChargerRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: chargers.toChargerResource(
      await chargers.replaceChargerConfig(caller.tenantId, params.code, body, now),
    ),
  })),

  implement(deleteChargerRoute, async ({ caller, params }) => {
    await chargers.deleteCharger(caller.tenantId, params.code);
    return { status: 204 };
  }),

  implement(listChargerSessionsRoute, async ({ caller, params, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: `listChargerSessions?code=${params.code}` },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/chargers/${encodeURIComponent(params.code)}/sessions`,
      query: {},
      fetch: (startKey) =>
        chargers.listSessionsOfCharger(caller.tenantId, params.code, { pageSize: query.pageSize, startKey }),
      map: chargers.toChargerSessionResource,
    }),
  })),

  implement(postTransactionEventRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: await events.ingestTransactionEvent(caller.tenantId, params.code, body, now),
  })),

  implement(postStatusNotificationRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: await events.ingestStatusNotification(caller.tenantId, params.code, body, now),
  })),

  implement(postOcppCallRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: await events.ingestOcppCall(caller.tenantId, params.code, body, now),
  })),

  implement(listChargerCommandsRoute, async ({ caller, params, now }) => ({
    status: 200,
    body: {
      data: (await events.listPendingCommands(caller.tenantId, params.code, now)).map((command) => ({
        commandId: command.commandId,
        action: command.action,
        request: command.request,
        sessionId: command.sessionId,
        created: command.created,
      })),
    },
  })),

  implement(postCommandResultRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: await events.recordCommandResult(caller.tenantId, params.code, params.commandId, body.status, now),
  })),

  implement(putOcppPasswordRoute, async ({ caller, params, body, now }) => {
    await chargers.setOcppPassword(caller.tenantId, params.code, body.password, now);
    return { status: 204 };
  }),
];
