// Use cases of the entities area: each takes the calling tenant, its input and the time, applies the
// pure rules of domain.ts and goes to storage. Unknown ids and other tenants' ids are the same 404.

import { NotFoundError, ValidationError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import * as store from '../storage/entities.js';
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

export async function deleteEntity(tenantId: string, entityId: string): Promise<void> {
  if (!isUuid(entityId) || !(await store.deleteEntity(tenantId, entityId))) throw entityNotFound(entityId);
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
