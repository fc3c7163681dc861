// Use cases of the entities area: each takes the calling tenant, its input and the time, applies the
// pure rules of domain.ts and goes to storage. Unknown ids and other tenants' ids are the same 404.

import { NotFoundError, ValidationError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import * as store from '../storage/entities.js';
import { type PurgeOptions, type PurgeResult, purgeEntityData } from '../storage/entity-data.js';
import type { Position } from '../storage/page.js';
import {
  assertCanEnable,
  type EntityRecord,
  featureStates,
  needsBatteryCapacityForCapture,
  newEntity,
  nextFeatureState,
  toBatteryCapacityResource,
} from './domain.js';
import type { CreateEntityInput, EntityType, FeatureName, FeatureStateResource } from './schemas.js';

export function entityNotFound(entityId: string): NotFoundError {
  return new NotFoundError('entity_not_found', `No entity with id '${entityId}' exists.`);
}

/** The tenant's entity, or a 404. Ids that are not UUIDs cannot exist, so they are a 404 too. */
export async function requireEntity(tenantId: string, entityId: string): Promise<EntityRecord> {
  const entity = isUuid(entityId) ? await store.getEntity(tenantId, entityId) : undefined;
  if (!entity) throw entityNotFound(entityId);
  return entity;
}

export async function createEntity(
  tenantId: string,
  input: CreateEntityInput,
  now: Date,
): Promise<EntityRecord> {
  const entity = newEntity(tenantId, uuidv7(now.getTime()), input, now);
  await store.putNewEntity(entity);
  return entity;
}

export function listEntities(
  tenantId: string,
  options: { pageSize: number; startKey: Position | undefined; type?: EntityType | undefined },
) {
  return store.listEntities(tenantId, options);
}

/**
 * Deletes the entity and everything stored under it. In this order, so that a DELETE interrupted anywhere
 * can simply be sent again: switch capture off first (the daily job and public charging then add nothing
 * more), remove the readings, sessions, rollups and job state, and delete the entity item last — until
 * then the entity is still there to be deleted. A history too large for one request (`keepGoing` says
 * when to stop) comes back `complete: false`, with the entity still there and the rest left for the next
 * DELETE.
 */
export async function deleteEntity(
  tenantId: string,
  entityId: string,
  now: Date,
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const entity = await requireEntity(tenantId, entityId);
  if (entity.features.CaptureChargeSessions?.enabled) {
    await store.setFeature(
      entity,
      'CaptureChargeSessions',
      nextFeatureState(entity.features.CaptureChargeSessions, false, now),
      { requireBatteryCapacity: false },
    );
  }
  const purge = await purgeEntityData(tenantId, entityId, options);
  if (!purge.complete) return purge;
  if (!(await store.deleteEntity(tenantId, entityId))) throw entityNotFound(entityId);
  return purge;
}

export async function setBatteryCapacity(tenantId: string, entityId: string, kwh: number, now: Date) {
  const entity = await requireEntity(tenantId, entityId);
  if (entity.type !== 'EV') {
    throw new ValidationError(
      'battery_capacity_ev_only',
      'Battery capacity can only be set on entities of type EV.',
      {
        errors: [
          {
            in: 'path',
            field: 'entityId',
            code: 'battery_capacity_ev_only',
            message: `Entity '${entityId}' is a ${entity.type}.`,
          },
        ],
      },
    );
  }
  const updated = await store.setBatteryCapacity(tenantId, entityId, kwh, now);
  const resource = updated && toBatteryCapacityResource(updated);
  if (!resource) throw entityNotFound(entityId); // deleted between the read and the write
  return resource;
}

export async function getBatteryCapacity(tenantId: string, entityId: string) {
  const resource = toBatteryCapacityResource(await requireEntity(tenantId, entityId));
  if (!resource) {
    throw new NotFoundError(
      'battery_capacity_not_set',
      `The battery capacity of entity '${entityId}' has not been set; set it with PUT /v1/entities/${entityId}/battery-capacity.`,
    );
  }
  return resource;
}

export async function getFeatures(tenantId: string, entityId: string): Promise<FeatureStateResource[]> {
  return featureStates(await requireEntity(tenantId, entityId));
}

export async function setFeature(
  tenantId: string,
  entityId: string,
  feature: FeatureName,
  enabled: boolean,
  now: Date,
): Promise<FeatureStateResource[]> {
  const entity = await requireEntity(tenantId, entityId);
  if (enabled) assertCanEnable(entity, feature);
  const current = entity.features[feature];
  const next = nextFeatureState(current, enabled, now);
  if (next === current) return featureStates(entity);
  const updated = await store.setFeature(entity, feature, next, {
    requireBatteryCapacity:
      enabled && feature === 'CaptureChargeSessions' && needsBatteryCapacityForCapture(entity),
  });
  if (!updated) throw entityNotFound(entityId);
  return featureStates(updated);
}
