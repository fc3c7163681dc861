// Binds the entities routes to their use cases: each adapter maps a validated request to one call.

import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import { toEntityResource } from './domain.js';
import {
  createEntityRoute,
  deleteEntityRoute,
  getBatteryCapacityRoute,
  getEntityRoute,
  getFeaturesRoute,
  listEntitiesRoute,
  patchFeaturesRoute,
  putBatteryCapacityRoute,
} from './routes.js';
import * as entities from './service.js';

/** Time a DELETE keeps in hand when it stops starting new pages of deletes (each takes a few seconds at most). */
const DELETE_RESERVE_MS = 8_000;

export const entityHandlers = [
  implement(createEntityRoute, async ({ caller, body, now, baseUrl }) => {
    const entity = await entities.createEntity(caller.tenantId, body, now);
    return {
      status: 201,
      headers: { Location: `${baseUrl}/v1/entities/${entity.id}` },
      body: toEntityResource(entity),
    };
  }),

  implement(listEntitiesRoute, async ({ caller, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: `listEntities?type=${query.type ?? ''}` },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/entities`,
      query: { type: query.type },
      fetch: (startKey) =>
        entities.listEntities(caller.tenantId, { pageSize: query.pageSize, startKey, type: query.type }),
      map: toEntityResource,
    }),
  })),

  implement(getEntityRoute, async ({ caller, params }) => ({
    status: 200,
    body: toEntityResource(await entities.requireEntity(caller.tenantId, params.entityId)),
  })),

  implement(deleteEntityRoute, async ({ caller, params, now, remainingMs }) => {
    const deletion = await entities.deleteEntity(caller.tenantId, params.entityId, now, {
      keepGoing: () => remainingMs() > DELETE_RESERVE_MS,
    });
    if (deletion.complete) return { status: 204 };
    return {
      status: 202,
      headers: { 'Retry-After': String(deletion.retryAfterSeconds) },
      body: { status: 'in_progress', deletedItems: deletion.deleted },
    };
  }),

  implement(putBatteryCapacityRoute, async ({ caller, params, body, now }) => {
    return {
      status: 200,
      body: await entities.setBatteryCapacity(caller.tenantId, params.entityId, body.batteryCapacity, now),
    };
  }),

  implement(getBatteryCapacityRoute, async ({ caller, params }) => ({
    status: 200,
    body: await entities.getBatteryCapacity(caller.tenantId, params.entityId),
  })),

  implement(getFeaturesRoute, async ({ caller, params }) => ({
    status: 200,
    body: await entities.getFeatures(caller.tenantId, params.entityId),
  })),

  implement(patchFeaturesRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: await entities.setFeature(caller.tenantId, params.entityId, body.feature, body.enabled, now),
  })),
];
