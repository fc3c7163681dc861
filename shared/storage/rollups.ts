// Item module: daily rollups (an entity's energy, sessions and charging minutes per local day) and the
// daily job's state per entity. One partition per entity (`T#<tenant>#E#<entity>#DAILY`): its rollups sorted
// by date (`sk = YYYY-MM-DD`), and one `JOB` item holding how far the rollups are up to date and the lease
// that keeps two workers off the same entity. GSI2 holds every rollup of a tenant sorted by date then entity,
// for the fleet listing.

import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, type CalendarDate } from '../rollups/calendar.js';
import type { DailyRollupRecord, DateRange, RollupWrites } from '../rollups/daily.js';
import { batchWriteAll } from './batch.js';
import { documentClient, tableName } from './client.js';
import { mapPage, type Page, type Position, queryPage } from './page.js';

/** Sorts after every date, so a date range never reads it. */
const JOB_SORT_KEY = 'JOB';

export const rollupKeys = {
  entityPartition: (tenantId: string, entityId: string) => `T#${tenantId}#E#${entityId}#DAILY`,
  primary: (tenantId: string, entityId: string, date: CalendarDate) => ({
    pk: rollupKeys.entityPartition(tenantId, entityId),
    sk: date,
  }),
  fleetPartition: (tenantId: string) => `T#${tenantId}#DAILY`,
  fleet: (tenantId: string, entityId: string, date: CalendarDate) => ({
    gsi2pk: rollupKeys.fleetPartition(tenantId),
    gsi2sk: `${date}#${entityId}`,
  }),
  jobState: (tenantId: string, entityId: string) => ({
    pk: rollupKeys.entityPartition(tenantId, entityId),
    sk: JOB_SORT_KEY,
  }),
};

export function rollupToItem(rollup: DailyRollupRecord): Record<string, unknown> {
  return {
    ...rollupKeys.primary(rollup.tenantId, rollup.entityId, rollup.date),
    ...rollupKeys.fleet(rollup.tenantId, rollup.entityId, rollup.date),
    itemType: 'DailyRollup',
    tenantId: rollup.tenantId,
    entityId: rollup.entityId,
    entityType: rollup.entityType,
    date: rollup.date,
    timeZone: rollup.timeZone,
    energyKwh: rollup.energyKwh,
    sessionCount: rollup.sessionCount,
    chargingMinutes: rollup.chargingMinutes,
    updated: rollup.updated,
  };
}

export function rollupFromItem(item: Record<string, unknown>): DailyRollupRecord {
  return {
    tenantId: item.tenantId as string,
    entityId: item.entityId as string,
    entityType: item.entityType as 'EV' | 'CP',
    date: item.date as string,
    timeZone: item.timeZone as string,
    energyKwh: item.energyKwh as number,
    sessionCount: item.sessionCount as number,
    chargingMinutes: item.chargingMinutes as number,
    updated: item.updated as string,
  };
}

/**
 * Every stored rollup of an entity in `range`, strongly consistent (the worker compares them with what it
 * computed). A range is a few days in steady state: one Query page.
 */
export async function readEntityRollups(
  tenantId: string,
  entityId: string,
  range: DateRange,
): Promise<DailyRollupRecord[]> {
  const rollups: DailyRollupRecord[] = [];
  let startKey: Position | undefined;
  do {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':pk': rollupKeys.entityPartition(tenantId, entityId),
          ':first': range.first,
          ':last': range.last,
        },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    for (const item of result.Items ?? []) rollups.push(rollupFromItem(item));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return rollups;
}

/**
 * Applies the puts and deletes of one entity's rollups (shared/storage/batch.ts: 25 to a call, unprocessed
 * requests retried). Every request is a whole-item put or a delete, so repeating any leaves the same items.
 */
export async function writeRollups(tenantId: string, entityId: string, writes: RollupWrites): Promise<void> {
  await batchWriteAll(
    [
      ...writes.puts.map((rollup) => ({ PutRequest: { Item: rollupToItem(rollup) } })),
      ...writes.deletes.map((date) => ({
        DeleteRequest: { Key: rollupKeys.primary(tenantId, entityId, date) },
      })),
    ],
    'rollup writes',
  );
}

export interface DailyRollupRange {
  /** Inclusive. */
  start: CalendarDate;
  /** Exclusive. */
  end: CalendarDate;
}

/** One page of an entity's rollups by date ascending: one Query on its partition. */
export async function listEntityRollups(
  tenantId: string,
  entityId: string,
  range: DailyRollupRange,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<DailyRollupRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      // Dates sort as strings; the day before `end` keeps the end exclusive (and the JOB item out).
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :start AND :last',
      ExpressionAttributeValues: {
        ':pk': rollupKeys.entityPartition(tenantId, entityId),
        ':start': range.start,
        ':last': addDays(range.end, -1),
      },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, rollupFromItem);
}

/** One page of every rollup of a tenant by date, then entity id: one Query on GSI2. */
export async function listFleetRollups(
  tenantId: string,
  range: DailyRollupRange,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<DailyRollupRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      IndexName: 'GSI2',
      // gsi2sk is `<date>#<entityId>`: every key of a date before `end` sorts below `end` itself, and every
      // key of `end` above it, so BETWEEN start AND end is the half-open range of dates.
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :start AND :end',
      ExpressionAttributeValues: {
        ':pk': rollupKeys.fleetPartition(tenantId),
        ':start': range.start,
        ':end': range.end,
      },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, rollupFromItem);
}

// ----- the job's state per entity: how far the rollups are up to date, and the lease ----------------------

export interface EntityJobState {
  /**
   * The processor's cursor when the rollups were last brought up to date: every session it wrote before
   * this point is in the rollups. Null until the first run completes.
   */
  rolledUpThrough: string | null;
}

export type LeaseResult =
  | { acquired: true; state: EntityJobState }
  | { acquired: false; holder: { asOf: string | null; until: number } | undefined };

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Takes the entity's lease until `nowMs + leaseMs` unless another owner holds an unexpired one; the same
 * owner (a redelivery of the message whose earlier attempt died) takes it over. The lease serialises the
 * runs of one entity, so two workers never interleave its processing and rollups. On a conflict the
 * holder's run (`asOf`) is returned.
 */
export async function acquireEntityLease(lease: {
  tenantId: string;
  entityId: string;
  owner: string;
  asOf: string;
  nowMs: number;
  leaseMs: number;
}): Promise<LeaseResult> {
  const key = rollupKeys.jobState(lease.tenantId, lease.entityId);
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression:
          'SET itemType = :type, tenantId = :tenant, entityId = :entity, leaseOwner = :owner, leaseUntil = :until, leaseAsOf = :asOf',
        ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner',
        ExpressionAttributeValues: {
          ':type': 'EntityJobState',
          ':tenant': lease.tenantId,
          ':entity': lease.entityId,
          ':owner': lease.owner,
          ':until': lease.nowMs + lease.leaseMs,
          ':asOf': lease.asOf,
          ':now': lease.nowMs,
        },
        ReturnValues: 'ALL_NEW',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return {
      acquired: true,
      state: { rolledUpThrough: (result.Attributes?.rolledUpThrough as string | null | undefined) ?? null },
    };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: key,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const holder =
      Item && typeof Item.leaseUntil === 'number'
        ? { asOf: (Item.leaseAsOf as string | undefined) ?? null, until: Item.leaseUntil }
        : undefined;
    return { acquired: false, holder };
  }
}

/**
 * Gives the lease back, recording `rolledUpThrough` when given. False when this worker no longer held it
 * (it expired and another took it): what this worker wrote may then have raced, so its run must be retried.
 */
export async function releaseEntityLease(release: {
  tenantId: string;
  entityId: string;
  owner: string;
  rolledUpThrough?: string | null | undefined;
}): Promise<boolean> {
  const values: Record<string, unknown> = { ':owner': release.owner };
  let set = '';
  if (release.rolledUpThrough !== undefined) {
    set = 'SET rolledUpThrough = :through ';
    values[':through'] = release.rolledUpThrough;
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: rollupKeys.jobState(release.tenantId, release.entityId),
        UpdateExpression: `${set}REMOVE leaseOwner, leaseUntil, leaseAsOf`,
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
