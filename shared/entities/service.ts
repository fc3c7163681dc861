// Use cases of the entities area: each takes the calling tenant, its input and the time, applies the
// pure rules of domain.ts and goes to storage. Unknown ids and other tenants' ids are the same 404.

import { NotFoundError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import { leaseSecondsLeft } from '../pipeline/domain.js';
import * as store from '../storage/entities.js';
import { type PurgeOptions, purgeEntityData } from '../storage/entity-data.js';
import type { Position } from '../storage/page.js';
import { deleteEntityJobState, readEntityLease } from '../storage/rollups.js';
import {
  assertBatteryCapacityApplies,
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

/**
 * An id that is not a UUID names no entity: its 404, before any key is built from arbitrary text. (The
 * HTTP routes refuse such ids with a 400 already; this guards every other caller.)
 */
export function assertEntityId(entityId: string): void {
  if (!isUuid(entityId)) throw entityNotFound(entityId);
}

/** The tenant's entity, or a 404. Ids that are not UUIDs cannot exist, so they are a 404 too. */
export async function requireEntity(tenantId: string, entityId: string): Promise<EntityRecord> {
  assertEntityId(entityId);
  const entity = await store.getEntity(tenantId, entityId);
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

/** What a DELETE did: everything is gone, or it must be sent again after `retryAfterSeconds`. */
export type EntityDeletion =
  | { complete: true; deleted: number }
  | { complete: false; deleted: number; retryAfterSeconds: number };

/** A large history stopped for time: the next request can carry on at once. */
const RESUME_PURGE_AFTER_SECONDS = 1;

/**
 * Deletes the entity and everything stored under it. In this order, so that a DELETE interrupted anywhere
 * can simply be sent again: switch capture off first (the daily job and public charging then add nothing
 * more), wait for a daily-job run that holds the entity, remove the readings, sessions, rollups and job
 * state, delete the entity item — until then the entity is still there to be deleted — and last the job
 * state once more. A history too large for one request (`keepGoing` says when to stop) comes back
 * incomplete, with the entity still there and the rest left for the next DELETE.
 *
 * Why wait for the lease: a worker writes sessions, its cursor and rollups only between taking the
 * entity's lease and giving it back (shared/pipeline/worker.ts), and it reads the entity (consistently,
 * after taking the lease) to learn whether capture is on. Purging while it runs would let its later writes
 * land after the purge — sessions in the fleet listing under an entity that 404s, or rollups written after
 * the worker's own entity check passed — and nothing could remove them once the entity is gone. So after
 * capture is off, a consistent read of the lease decides: a lease still held answers 202 with the time it
 * has left; none (or an expired one) means any run that held it has given it back after its last write,
 * so the purge removes what it wrote, and any run that takes the lease from now on reads capture off (or
 * no entity) and writes nothing but the job state. That relies on a live worker never outlasting its
 * lease (ENTITY_LEASE_MS is twice the worker timeout), and on capture staying off once this DELETE began.
 *
 * Why the job state twice: a run that takes the lease between the purge and the entity's deletion finds
 * capture off and gives the lease back, leaving the job-state item its lease taking made again; one that
 * takes it after the entity is gone removes that item itself (the worker, on `skipped_missing`). Deleting
 * the item after the entity leaves neither behind.
 */
export async function deleteEntity(
  tenantId: string,
  entityId: string,
  now: Date,
  options: PurgeOptions = {},
): Promise<EntityDeletion> {
  const entity = await requireEntity(tenantId, entityId);
  if (entity.features.CaptureChargeSessions?.enabled) {
    await store.setFeature(
      entity,
      'CaptureChargeSessions',
      nextFeatureState(entity.features.CaptureChargeSessions, false, now),
      { requireBatteryCapacity: false },
    );
  }
  const lease = await readEntityLease(tenantId, entityId);
  const waitSeconds = lease ? leaseSecondsLeft(lease.until, now.getTime()) : null;
  if (waitSeconds !== null) return { complete: false, deleted: 0, retryAfterSeconds: waitSeconds };
  const purge = await purgeEntityData(tenantId, entityId, options);
  if (!purge.complete)
    return { complete: false, deleted: purge.deleted, retryAfterSeconds: RESUME_PURGE_AFTER_SECONDS };
  if (!(await store.deleteEntity(tenantId, entityId))) throw entityNotFound(entityId);
  // Best effort: the entity is gone, so the answer is 204 (a 503 would say nothing changed). The item is
  // nearly always gone already, and one left here holds no data of the entity's.
  await deleteEntityJobState({ tenantId, entityId }).catch(() => false);
  return { complete: true, deleted: purge.deleted };
}

export async function setBatteryCapacity(tenantId: string, entityId: string, kwh: number, now: Date) {
  const entity = await requireEntity(tenantId, entityId);
  assertBatteryCapacityApplies(entity, { in: 'path', field: 'entityId' });
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
