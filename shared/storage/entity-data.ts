// Everything stored under an entity besides the entity item itself: its readings, its charge sessions
// (with their fleet-index entries), its daily rollups and its daily-job state — one partition each, so the
// entity's data is removed by reading keys only and deleting in batches, never by a Scan.

import { BATCH_WRITE_MAX_ITEMS, batchWriteAll } from './batch.js';
import { tableName } from './client.js';
import { queryPages } from './page.js';
import { readingKeys } from './readings.js';
import { rollupKeys } from './rollups.js';
import { sessionKeys } from './sessions.js';

/** The partitions that hold an entity's data (the entity item lives in the tenant's partition). */
export function entityDataPartitions(tenantId: string, entityId: string): string[] {
  return [
    readingKeys.partition(tenantId, entityId),
    sessionKeys.entityPartition(tenantId, entityId),
    rollupKeys.entityPartition(tenantId, entityId),
  ];
}

/** BatchWriteItem calls in flight at once while purging. */
const PURGE_CONCURRENCY = 8;

export interface PurgeOptions {
  /** Asked before each page of keys: false stops the purge there (the caller's time is running out). */
  keepGoing?: () => boolean;
}

export interface PurgeResult {
  deleted: number;
  /** True when nothing is left under the entity; false when `keepGoing` stopped the purge first. */
  complete: boolean;
}

/**
 * Deletes the items of the entity's data partitions, a page of keys at a time (up to 1 MB of keys, each
 * page's deletes 25 to a BatchWriteItem with up to 8 in flight). Safe to repeat and to resume: a purge
 * stopped by `keepGoing` leaves only whole pages undone, and the next call starts again from the top.
 */
export async function purgeEntityData(
  tenantId: string,
  entityId: string,
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const keepGoing = options.keepGoing ?? (() => true);
  let deleted = 0;
  for (const partition of entityDataPartitions(tenantId, entityId)) {
    if (!keepGoing()) return { deleted, complete: false };
    const pages = queryPages({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ProjectionExpression: 'pk, sk',
    });
    for await (const page of pages) {
      const deletes = page.items.map((key) => ({
        DeleteRequest: { Key: { pk: key.pk, sk: key.sk } },
      }));
      const chunk =
        BATCH_WRITE_MAX_ITEMS * Math.ceil(deletes.length / BATCH_WRITE_MAX_ITEMS / PURGE_CONCURRENCY);
      const parts: (typeof deletes)[] = [];
      for (let i = 0; i < deletes.length; i += chunk) parts.push(deletes.slice(i, i + chunk));
      await Promise.all(parts.map((part) => batchWriteAll(part, 'deletes of an entity’s data')));
      deleted += deletes.length;
      // Asked before each further page's Query (the loop's next step sends it).
      if (page.nextKey && !keepGoing()) return { deleted, complete: false };
    }
  }
  return { deleted, complete: true };
}
