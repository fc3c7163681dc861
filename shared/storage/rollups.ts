// Item module: daily rollups (an entity's energy, sessions and charging minutes per local day) and the
// daily job's state per entity. One partition per entity (`T#<tenant>#E#<entity>#DAILY`): its rollups sorted
// by date (`sk = YYYY-MM-DD`), and one `JOB` item holding how far the rollups are up to date, marks of
// days gone stale behind the job, and the lease that keeps two workers off the same entity. GSI2 holds
// every rollup of a tenant sorted by date then entity, for the fleet listing.

import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, type CalendarDate } from '../rollups/calendar.js';
import type { DailyRollupRecord, DateRange, RollupWrites } from '../rollups/daily.js';
import { batchWriteAll } from './batch.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite, isConditionFailure } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage } from './page.js';

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
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
    ExpressionAttributeValues: {
      ':pk': rollupKeys.entityPartition(tenantId, entityId),
      ':first': range.first,
      ':last': range.last,
    },
    ConsistentRead: true,
    ReturnConsumedCapacity: 'TOTAL',
  });
  return items.map(rollupFromItem);
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
  /**
   * Epoch ms: the rollups may be wrong from here on, whatever `rolledUpThrough` says, because sessions
   * changed behind the job (a measured session arrived late and replaced calculated ones). The earliest
   * of `staleMarks`; null when there are none.
   */
  rollupsStaleFrom: number | null;
  /** The staleness marks read with the lease: exactly these are cleared when the rollups are redone. */
  staleMarks: string[];
}

/**
 * The job-state attribute holding staleness marks: a string set, so a mark is added without reading and
 * a release removes exactly the marks its run read. A mark made while the run was going on — after the
 * run read the sessions, perhaps — is a different element and stays for the next run. (One number kept
 * at the minimum would lose that mark whenever an earlier one already stood and was cleared.)
 */
const STALE_MARKS = 'rollupsStaleMarks';

/**
 * One staleness mark: from when (epoch ms) and what made it (a measured session's id), so marks of
 * different sessions are different elements even at the same instant, and re-recording one session
 * sets the same element again.
 */
export function rollupsStaleMark(fromMs: number, by: string): string {
  return `${fromMs}#${by}`;
}

/** The earliest instant among marks (epoch ms), or null for none; an unreadable mark counts as none. */
export function earliestStaleMark(marks: Iterable<string>): number | null {
  let earliest: number | null = null;
  for (const mark of marks) {
    const fromMs = Number(mark.slice(0, mark.indexOf('#')));
    if (mark.indexOf('#') > 0 && Number.isSafeInteger(fromMs) && (earliest === null || fromMs < earliest))
      earliest = fromMs;
  }
  return earliest;
}

/**
 * Records that the entity's rollups are stale from `fromMs`: one unconditional UpdateItem adding a mark
 * to the job-state item (creating it, well formed, if the entity was never processed). The next run of
 * the daily job recomputes the rollups from the earliest mark and clears the marks it read.
 */
export async function markRollupsStale(mark: {
  tenantId: string;
  entityId: string;
  fromMs: number;
  by: string;
}): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: rollupKeys.jobState(mark.tenantId, mark.entityId),
      UpdateExpression: `SET itemType = :type, tenantId = :tenant, entityId = :entity ADD ${STALE_MARKS} :mark`,
      ExpressionAttributeValues: {
        ':type': 'EntityJobState',
        ':tenant': mark.tenantId,
        ':entity': mark.entityId,
        ':mark': new Set([rollupsStaleMark(mark.fromMs, mark.by)]),
      },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
}

/** Who holds an entity's lease, as stored: the run it is doing and until when (epoch ms, the holder's clock). */
export interface EntityLease {
  asOf: string | null;
  until: number;
}

export type LeaseResult =
  | { acquired: true; state: EntityJobState }
  | { acquired: false; holder: EntityLease | undefined };

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
    const staleMarks = [...((result.Attributes?.[STALE_MARKS] as Set<string> | undefined) ?? [])];
    return {
      acquired: true,
      state: {
        rolledUpThrough: (result.Attributes?.rolledUpThrough as string | null | undefined) ?? null,
        rollupsStaleFrom: earliestStaleMark(staleMarks),
        staleMarks,
      },
    };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { acquired: false, holder: await readEntityLease(lease.tenantId, lease.entityId) };
  }
}

/**
 * The entity's lease as stored now (one strongly consistent GetItem), whether or not it has expired;
 * undefined when no run holds one (never taken, given back, or the item is gone).
 */
export async function readEntityLease(tenantId: string, entityId: string): Promise<EntityLease | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: rollupKeys.jobState(tenantId, entityId),
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return Item && typeof Item.leaseUntil === 'number'
    ? { asOf: (Item.leaseAsOf as string | undefined) ?? null, until: Item.leaseUntil }
    : undefined;
}

/**
 * Gives the lease back, recording `rolledUpThrough` when given and removing `clearStaleMarks` (the marks
 * read with the lease, once the rollups were recomputed from them; marks added since stay). False when
 * this worker no longer held it (it expired and another took it): what this worker wrote may then have
 * raced, so its run must be retried.
 */
export async function releaseEntityLease(release: {
  tenantId: string;
  entityId: string;
  owner: string;
  rolledUpThrough?: string | null | undefined;
  clearStaleMarks?: readonly string[] | undefined;
}): Promise<boolean> {
  const values: Record<string, unknown> = { ':owner': release.owner };
  let set = '';
  if (release.rolledUpThrough !== undefined) {
    set = 'SET rolledUpThrough = :through ';
    values[':through'] = release.rolledUpThrough;
  }
  // DELETE on a set removes just these elements (an empty set is not a value DynamoDB accepts).
  let clear = '';
  if (release.clearStaleMarks && release.clearStaleMarks.length > 0) {
    clear = ` DELETE ${STALE_MARKS} :marks`;
    values[':marks'] = new Set(release.clearStaleMarks);
  }
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: rollupKeys.jobState(release.tenantId, release.entityId),
        UpdateExpression: `${set}REMOVE leaseOwner, leaseUntil, leaseAsOf${clear}`,
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
}

/**
 * Deletes the entity's job-state item. With `leaseOwner`, only while that owner holds the lease: a worker
 * that found its entity deleted removes the item its lease taking (an upsert) made again, and never one
 * another run holds. Without, unconditionally: the last step of deleting an entity. False when the
 * condition failed (the item is gone already, or the lease is not that owner's).
 */
export async function deleteEntityJobState(job: {
  tenantId: string;
  entityId: string;
  leaseOwner?: string;
}): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: rollupKeys.jobState(job.tenantId, job.entityId),
        ...(job.leaseOwner === undefined
          ? {}
          : {
              ConditionExpression: 'leaseOwner = :owner',
              ExpressionAttributeValues: { ':owner': job.leaseOwner },
            }),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
}
