// Item module: entities. All of a tenant's entities share the partition `T#<tenant>` (listed with one
// Query); an entity with CaptureChargeSessions on also carries GSI1 keys in one of CAPTURE_SHARDS shards,
// a sparse index the daily planner reads without a Scan.

import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { EntityRecord, FeatureRecord } from '../entities/domain.js';
import type { EntityType, FeatureName } from '../entities/schemas.js';
import { ServiceUnavailableError } from '../errors.js';
import type { LiveState } from '../pipeline/live.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite, isConditionFailure } from './conditions.js';
import { mapPage, type Page, type Position, queryPage } from './page.js';
import { shardOf } from './shards.js';

/**
 * Enabled entities are spread over this many GSI1 partitions so that enabling many at once, and the
 * planner reading them back, never concentrate on one key. Changing it needs a re-keying pass.
 */
export const CAPTURE_SHARDS = 16;

export const entityKeys = {
  tenantPartition: (tenantId: string) => `T#${tenantId}`,
  primary: (tenantId: string, entityId: string) => ({ pk: `T#${tenantId}`, sk: `ENTITY#${entityId}` }),
  captureShardPartition: (shard: number) => `CAPTURE#${String(shard).padStart(2, '0')}`,
  capture: (tenantId: string, entityId: string) => ({
    gsi1pk: entityKeys.captureShardPartition(shardOf(`${tenantId}#${entityId}`, CAPTURE_SHARDS)),
    gsi1sk: `T#${tenantId}#E#${entityId}`,
  }),
};

export function entityToItem(entity: EntityRecord): Record<string, unknown> {
  const { tenantId, id, type, ...rest } = entity;
  return {
    ...entityKeys.primary(tenantId, id),
    ...(entity.features.CaptureChargeSessions?.enabled ? entityKeys.capture(tenantId, id) : {}),
    itemType: 'Entity',
    tenantId,
    entityId: id,
    entityType: type,
    ...rest,
  };
}

export function entityFromItem(item: Record<string, unknown>): EntityRecord {
  return {
    tenantId: item.tenantId as string,
    id: item.entityId as string,
    type: item.entityType as EntityType,
    name: item.name as string,
    vendor: (item.vendor as string | null | undefined) ?? null,
    model: (item.model as string | null | undefined) ?? null,
    timeZone: item.timeZone as string,
    capabilities: (item.capabilities as EntityRecord['capabilities'] | undefined) ?? [],
    batteryCapacityKwh: (item.batteryCapacityKwh as number | null | undefined) ?? null,
    batteryCapacityUpdated: (item.batteryCapacityUpdated as string | null | undefined) ?? null,
    features: (item.features as EntityRecord['features'] | undefined) ?? {},
    created: item.created as string,
    updated: item.updated as string,
  };
}

export async function putNewEntity(entity: EntityRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: entityToItem(entity),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getEntity(tenantId: string, entityId: string): Promise<EntityRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: entityKeys.primary(tenantId, entityId),
      ConsistentRead: true,
    }),
  );
  return Item ? entityFromItem(Item) : undefined;
}

/** BatchGetItem takes at most this many keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
/** Calls for one batch before giving up on keys DynamoDB keeps returning unprocessed (throttling). */
const BATCH_GET_ATTEMPTS = 4;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The names of up to BATCH_GET_MAX_KEYS of a tenant's entities, in one BatchGetItem (eventually
 * consistent: a name is display text). Ids the tenant has no entity for are absent from the map. Keys
 * DynamoDB leaves unprocessed are asked again with backoff; if some remain, 503.
 */
export async function getEntityNames(
  tenantId: string,
  entityIds: readonly string[],
): Promise<Map<string, string>> {
  const ids = [...new Set(entityIds)];
  if (ids.length > BATCH_GET_MAX_KEYS) {
    throw new RangeError(`At most ${BATCH_GET_MAX_KEYS} entities per call, not ${ids.length}.`);
  }
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const table = tableName();
  let keys: Record<string, unknown>[] = ids.map((id) => entityKeys.primary(tenantId, id));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt === BATCH_GET_ATTEMPTS) throw new ServiceUnavailableError();
    if (attempt > 0) await pause(25 * 2 ** attempt);
    const result = await documentClient().send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: keys,
            ProjectionExpression: 'entityId, #name',
            ExpressionAttributeNames: { '#name': 'name' },
          },
        },
      }),
    );
    for (const item of result.Responses?.[table] ?? [])
      names.set(item.entityId as string, item.name as string);
    keys = (result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
  }
  return names;
}

/** One page of a capture shard: the entities with CaptureChargeSessions on that hash to it. */
export interface CaptureShardPage {
  entities: { tenantId: string; entityId: string }[];
  /** Where the next page starts; undefined after the last page. */
  nextKey: Position | undefined;
}

/**
 * One page of capture shard `shard` on the sparse GSI1 index (access pattern 10: the daily planner). `limit`
 * caps the items per page; without it DynamoDB returns up to 1 MB. Projected to the two ids (the read costs
 * the same; the transfer is a fraction). GSI1 is eventually consistent: an entity enabled a moment ago may
 * join a run a moment later.
 */
export async function listCaptureShard(
  shard: number,
  startKey: Position | undefined,
  limit?: number,
): Promise<CaptureShardPage> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'gsi1pk = :shard',
      ExpressionAttributeValues: { ':shard': entityKeys.captureShardPartition(shard) },
      ProjectionExpression: 'tenantId, entityId',
      ExclusiveStartKey: startKey,
      ...(limit !== undefined ? { Limit: limit } : {}),
    }),
  );
  return {
    entities: (result.Items ?? []).map((item) => ({
      tenantId: item.tenantId as string,
      entityId: item.entityId as string,
    })),
    nextKey: result.LastEvaluatedKey,
  };
}

export async function listEntities(
  tenantId: string,
  options: { pageSize: number; startKey: Position | undefined; type?: EntityType | undefined },
): Promise<Page<EntityRecord>> {
  const page = await queryPage({
    input: {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ...(options.type ? { FilterExpression: 'entityType = :type' } : {}),
      ExpressionAttributeValues: {
        ':pk': entityKeys.tenantPartition(tenantId),
        ':prefix': 'ENTITY#',
        ...(options.type ? { ':type': options.type } : {}),
      },
    },
    pageSize: options.pageSize,
    startKey: options.startKey,
  });
  return mapPage(page, entityFromItem);
}

/** Deletes the entity; false when the tenant has none with that id. */
export async function deleteEntity(tenantId: string, entityId: string): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: entityKeys.primary(tenantId, entityId),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ),
  );
}

/** Runs a conditional update; undefined when the condition fails (missing entity or a broken rule). */
async function updateEntity(
  input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>,
): Promise<EntityRecord | undefined> {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({ ...input, TableName: tableName(), ReturnValues: 'ALL_NEW' }),
    );
    return Attributes ? entityFromItem(Attributes) : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export function setBatteryCapacity(
  tenantId: string,
  entityId: string,
  kwh: number,
  now: Date,
): Promise<EntityRecord | undefined> {
  return updateEntity({
    Key: entityKeys.primary(tenantId, entityId),
    UpdateExpression: 'SET batteryCapacityKwh = :kwh, batteryCapacityUpdated = :at, updated = :at',
    ConditionExpression: 'attribute_exists(pk) AND entityType = :ev',
    ExpressionAttributeValues: { ':kwh': kwh, ':at': now.toISOString(), ':ev': 'EV' },
  });
}

/**
 * Writes a feature's state. Enabling CaptureChargeSessions also adds the entity to the sparse capture
 * index; `requireBatteryCapacity` re-asserts the enabling rule in the write itself, so a concurrent
 * change cannot slip past the check the caller made on its read.
 */
export function setFeature(
  entity: Pick<EntityRecord, 'tenantId' | 'id'>,
  feature: FeatureName,
  state: FeatureRecord,
  options: { requireBatteryCapacity: boolean },
): Promise<EntityRecord | undefined> {
  const capture = feature === 'CaptureChargeSessions';
  const indexKeys = entityKeys.capture(entity.tenantId, entity.id);
  const sets = ['features.#feature = :state', 'updated = :at'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':state': state, ':at': state.since };
  if (capture && state.enabled) {
    sets.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
    values[':gsi1pk'] = indexKeys.gsi1pk;
    values[':gsi1sk'] = indexKeys.gsi1sk;
  } else if (capture) {
    removes.push('gsi1pk', 'gsi1sk');
  }
  const condition = ['attribute_exists(pk)'];
  if (options.requireBatteryCapacity) condition.push('attribute_type(batteryCapacityKwh, :number)');
  if (options.requireBatteryCapacity) values[':number'] = 'N';
  return updateEntity({
    Key: entityKeys.primary(entity.tenantId, entity.id),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition.join(' AND '),
    ExpressionAttributeNames: { '#feature': feature },
    ExpressionAttributeValues: values,
  });
}

// ----- the session cursor ------------------------------------------------------------------------------
// Where the session engine resumes for this entity (its last `resumeFrom`, ISO 8601 UTC), kept as the
// attribute `sessionCursor` of the entity item: the one consistent read that loads the entity for the
// daily job also gives the cursor, a deleted entity takes its cursor with it, and advancing it re-asserts
// that the entity still exists. It is not part of the entity's public shape.

export interface EntityWithCursor {
  entity: EntityRecord;
  /** Epoch ms; null before the first run. */
  sessionCursor: number | null;
  /**
   * The active session the last run stored (attribute `liveSession`), null when none: see
   * shared/pipeline/live.ts. Its `asOf` is the data time the real-time path has processed through.
   */
  live: LiveState | null;
}

function liveFromItem(value: unknown): LiveState | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' &&
    typeof v.start === 'string' &&
    typeof v.version === 'string' &&
    typeof v.asOf === 'string'
    ? { id: v.id, start: v.start, version: v.version, asOf: v.asOf }
    : null;
}

export async function getEntityWithCursor(
  tenantId: string,
  entityId: string,
): Promise<EntityWithCursor | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: entityKeys.primary(tenantId, entityId),
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  const cursor = typeof Item.sessionCursor === 'string' ? Date.parse(Item.sessionCursor) : Number.NaN;
  return {
    entity: entityFromItem(Item),
    sessionCursor: Number.isFinite(cursor) ? cursor : null,
    live: liveFromItem(Item.liveSession),
  };
}

export type CursorAdvance =
  | { outcome: 'advanced' }
  /** Another run moved the cursor first (a duplicate delivery); its value is what is stored now. */
  | { outcome: 'moved'; sessionCursor: number | null }
  | { outcome: 'missing' };

/**
 * Moves the cursor from `before` (what this run read) to `after`, only if it still is `before`: of two
 * runs of one entity racing, the first to finish wins and the other changes nothing (both stored the
 * same sessions). Touches no other attribute (not `updated`: the cursor is internal).
 */
export async function advanceSessionCursor(
  tenantId: string,
  entityId: string,
  before: number | null,
  after: number,
  /** The live state to leave (null clears it); undefined leaves it as stored. */
  live?: LiveState | null,
): Promise<CursorAdvance> {
  const values: Record<string, unknown> = { ':after': new Date(after).toISOString() };
  let update = 'SET sessionCursor = :after';
  if (live === null) update += ' REMOVE liveSession';
  else if (live !== undefined) {
    update += ', liveSession = :live';
    values[':live'] = live;
  }
  let condition = 'attribute_exists(pk) AND attribute_not_exists(sessionCursor)';
  if (before !== null) {
    condition = 'sessionCursor = :before';
    values[':before'] = new Date(before).toISOString();
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: entityKeys.primary(tenantId, entityId),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      }),
    );
    return { outcome: 'advanced' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const now = await getEntityWithCursor(tenantId, entityId);
  return now ? { outcome: 'moved', sessionCursor: now.sessionCursor } : { outcome: 'missing' };
}
