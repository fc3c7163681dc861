// The entities area's routes, declared once (see shared/http/route.ts). Served by functions/entities.ts.

import { defineRoute } from '../http/route.js';
import { ENTITY_LEASE_MS } from '../pipeline/settings.js';
import {
  BatteryCapacity,
  CreateEntityBody,
  Entity,
  EntityDeletionInProgress,
  EntityIdParams,
  EntityPage,
  FeatureStates,
  ListEntitiesQuery,
  PatchFeatureBody,
  PutBatteryCapacityBody,
} from './schemas.js';

const tags = ['Entities'];

export const createEntityRoute = defineRoute({
  operationId: 'createEntity',
  method: 'POST',
  path: '/v1/entities',
  fn: 'entities',
  auth: { scope: 'entities:write' },
  summary: 'Register an entity (an EV or a charge point)',
  tags,
  body: CreateEntityBody,
  responses: {
    201: {
      description: 'The entity was created.',
      schema: Entity,
      headers: { Location: { description: 'URL of the new entity.' } },
    },
  },
});

export const listEntitiesRoute = defineRoute({
  operationId: 'listEntities',
  method: 'GET',
  path: '/v1/entities',
  fn: 'entities',
  auth: { scope: 'entities:read' },
  summary: "List the tenant's entities, oldest first",
  tags,
  query: ListEntitiesQuery,
  responses: { 200: { description: 'A page of entities.', schema: EntityPage } },
});

export const getEntityRoute = defineRoute({
  operationId: 'getEntity',
  method: 'GET',
  path: '/v1/entities/{entityId}',
  fn: 'entities',
  auth: { scope: 'entities:read' },
  summary: 'Get an entity',
  tags,
  params: EntityIdParams,
  responses: { 200: { description: 'The entity.', schema: Entity } },
  errors: ['entity_not_found'],
});

export const deleteEntityRoute = defineRoute({
  operationId: 'deleteEntity',
  method: 'DELETE',
  path: '/v1/entities/{entityId}',
  fn: 'entities',
  auth: { scope: 'entities:write' },
  summary: 'Delete an entity',
  description:
    'Deletes the entity and everything stored under it: readings, charge sessions (also from fleet listings), daily rollups. Capture is switched off first and the entity item goes last, so an interrupted request can simply be sent again. While the daily job is processing the entity, the request removes nothing and answers 202, so that nothing the job stores outlives the entity; a history too large to remove within one request answers 202 with what was removed. Send the DELETE again after Retry-After until it answers 204.',
  tags,
  params: EntityIdParams,
  responses: {
    202: {
      description:
        'Not finished: the daily job is processing the entity (nothing removed yet), or part of a large history was removed. Capture is off; the entity remains until a later DELETE completes.',
      schema: EntityDeletionInProgress,
      headers: {
        'Retry-After': {
          description: `Seconds to wait before sending the DELETE again: 1 after part of a history was removed; while the daily job is processing the entity, the longest it can still take (at most ${ENTITY_LEASE_MS / 1000}; it usually finishes within seconds).`,
        },
      },
    },
    204: { description: 'The entity and everything under it were deleted.' },
  },
  errors: ['entity_not_found'],
});

export const putBatteryCapacityRoute = defineRoute({
  operationId: 'putBatteryCapacity',
  method: 'PUT',
  path: '/v1/entities/{entityId}/battery-capacity',
  fn: 'entities',
  auth: { scope: 'entities:write' },
  summary: "Set an EV's battery capacity",
  description:
    'Needed before CaptureChargeSessions can be enabled on an EV that reports neither power nor energy.',
  tags,
  params: EntityIdParams,
  body: PutBatteryCapacityBody,
  responses: { 200: { description: 'The battery capacity now stored.', schema: BatteryCapacity } },
  errors: ['entity_not_found', 'battery_capacity_ev_only'],
});

export const getBatteryCapacityRoute = defineRoute({
  operationId: 'getBatteryCapacity',
  method: 'GET',
  path: '/v1/entities/{entityId}/battery-capacity',
  fn: 'entities',
  auth: { scope: 'entities:read' },
  summary: "Get an EV's battery capacity",
  tags,
  params: EntityIdParams,
  responses: { 200: { description: 'The battery capacity.', schema: BatteryCapacity } },
  errors: ['entity_not_found', 'battery_capacity_not_set'],
});

export const getFeaturesRoute = defineRoute({
  operationId: 'getFeatures',
  method: 'GET',
  path: '/v1/entities/{entityId}/features',
  fn: 'entities',
  auth: { scope: 'entities:read' },
  summary: "List an entity's feature states",
  tags,
  params: EntityIdParams,
  responses: { 200: { description: 'The state of every feature.', schema: FeatureStates } },
  errors: ['entity_not_found'],
});

export const patchFeaturesRoute = defineRoute({
  operationId: 'patchFeatures',
  method: 'PATCH',
  path: '/v1/entities/{entityId}/features',
  fn: 'entities',
  auth: { scope: 'entities:write' },
  summary: 'Enable or disable a feature',
  description:
    'Idempotent: repeating a request leaves `since` unchanged. Enabling CaptureChargeSessions on an EV that reports neither power nor energy needs its battery capacity (400 `battery_capacity_required`).',
  tags,
  params: EntityIdParams,
  body: PatchFeatureBody,
  responses: { 200: { description: 'The state of every feature after the change.', schema: FeatureStates } },
  errors: ['entity_not_found', 'battery_capacity_required'],
});

export const entityRoutes = [
  createEntityRoute,
  listEntitiesRoute,
  getEntityRoute,
  deleteEntityRoute,
  putBatteryCapacityRoute,
  getBatteryCapacityRoute,
  getFeaturesRoute,
  patchFeaturesRoute,
];
