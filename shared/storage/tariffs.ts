// Item module: a tenant's tariffs, their versions and their dynamic prices, all in one partition per
// tenant (`T#<tenant>#TARIFFS`), so each read is a GetItem or a Query of that partition:
//   TARIFF#<id>                 the current version (what GET and the daily job read), and `references`:
//                               how many locations and cost settings name it (DELETE refuses while > 0)
//   VERSION#<id>#<000000001>    each version as it was, immutable (what a priced session refers to)
//   PRICES#<id>#<YYYY-MM-DD>    the dynamic ENERGY prices starting on that UTC day
//
// No transactions (dynalite has none, and none is needed): an edit first makes sure the current version
// has its VERSION item, then moves the head with a condition on its version number, then writes the new
// VERSION item. A crash between the last two leaves the newest version readable from the head, and the
// next edit writes its item before moving on. `references` is raised before a location naming the
// tariff is written and lowered after one is deleted, so a crash can only leave it too high (a tariff
// that cannot be deleted), never too low (a deleted tariff still named).

import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PricePoint, TariffElement } from '../tariffs/model.js';
import { documentClient, tableName } from './client.js';
import { isConditionFailure } from './conditions.js';
import { mapPage, type Page, type Position, queryPage } from './page.js';

export interface TariffRecord {
  tenantId: string;
  id: string;
  version: number;
  name: string;
  currency: string;
  elements: TariffElement[];
  created: string;
  /** When this version was made. */
  updated: string;
}

const VERSION_DIGITS = 9;
const DAY_MS = 86_400_000;

export const tariffKeys = {
  partition: (tenantId: string) => `T#${tenantId}#TARIFFS`,
  head: (tenantId: string, tariffId: string) => ({
    pk: tariffKeys.partition(tenantId),
    sk: `TARIFF#${tariffId}`,
  }),
  version: (tenantId: string, tariffId: string, version: number) => ({
    pk: tariffKeys.partition(tenantId),
    sk: `VERSION#${tariffId}#${String(version).padStart(VERSION_DIGITS, '0')}`,
  }),
  prices: (tenantId: string, tariffId: string, day: string) => ({
    pk: tariffKeys.partition(tenantId),
    sk: `PRICES#${tariffId}#${day}`,
  }),
};

function tariffFromItem(item: Record<string, unknown>): TariffRecord {
  return {
    tenantId: item.tenantId as string,
    id: item.tariffId as string,
    version: item.version as number,
    name: item.name as string,
    currency: item.currency as string,
    elements: item.elements as TariffElement[],
    created: item.created as string,
    updated: item.updated as string,
  };
}

function tariffAttributes(t: TariffRecord) {
  return {
    tenantId: t.tenantId,
    tariffId: t.id,
    version: t.version,
    name: t.name,
    currency: t.currency,
    elements: t.elements,
    created: t.created,
    updated: t.updated,
  };
}

async function putVersionItem(t: TariffRecord): Promise<void> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...tariffKeys.version(t.tenantId, t.id, t.version),
          itemType: 'TariffVersion',
          ...tariffAttributes(t),
        },
        // A version never changes once written; a repeat of the same write is a no-op.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function putNewTariff(tariff: TariffRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...tariffKeys.head(tariff.tenantId, tariff.id),
        itemType: 'Tariff',
        ...tariffAttributes(tariff),
        references: 0,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  await putVersionItem(tariff);
}

/** The current version; strongly consistent so an edit is seen by the next request. */
export async function getTariff(tenantId: string, tariffId: string): Promise<TariffRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: tariffKeys.head(tenantId, tariffId),
      ConsistentRead: true,
    }),
  );
  return Item ? tariffFromItem(Item) : undefined;
}

export async function getTariffVersion(
  tenantId: string,
  tariffId: string,
  version: number,
): Promise<TariffRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: tariffKeys.version(tenantId, tariffId, version) }),
  );
  if (Item) return tariffFromItem(Item);
  // The newest version may not have its item yet (see the module comment): the head holds it.
  const head = await getTariff(tenantId, tariffId);
  return head?.version === version ? head : undefined;
}

/**
 * Replaces the head with `next` (whose version is `current.version + 1`) if nobody edited since
 * `current` was read; false when someone did (or the tariff was deleted).
 */
export async function replaceTariff(current: TariffRecord, next: TariffRecord): Promise<boolean> {
  await putVersionItem(current);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: tariffKeys.head(current.tenantId, current.id),
        UpdateExpression:
          'SET version = :next, #name = :name, currency = :currency, elements = :elements, updated = :updated',
        ConditionExpression: 'version = :current',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: {
          ':next': next.version,
          ':current': current.version,
          ':name': next.name,
          ':currency': next.currency,
          ':elements': next.elements,
          ':updated': next.updated,
        },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  await putVersionItem(next);
  return true;
}

/**
 * Deletes the head unless something still names it. Versions and prices stay: they are the record of
 * how past sessions were priced (and are never listed).
 */
export async function deleteTariff(
  tenantId: string,
  tariffId: string,
): Promise<'deleted' | 'missing' | 'referenced'> {
  try {
    await documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: tariffKeys.head(tenantId, tariffId),
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#refs) OR #refs <= :zero)',
        ExpressionAttributeNames: { '#refs': 'references' },
        ExpressionAttributeValues: { ':zero': 0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'deleted';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const item = (error as { Item?: Record<string, unknown> }).Item;
    if (item) return 'referenced';
    // Backends that do not return the old item (dynalite): look.
    return (await getTariff(tenantId, tariffId)) ? 'referenced' : 'missing';
  }
}

/** Adds `delta` to the tariff's reference count; false when the tariff does not exist (only checked when raising). */
export async function addTariffReference(
  tenantId: string,
  tariffId: string,
  delta: 1 | -1,
): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: tariffKeys.head(tenantId, tariffId),
        UpdateExpression: 'ADD #refs :delta',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#refs': 'references' },
        ExpressionAttributeValues: { ':delta': delta },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function listTariffs(
  tenantId: string,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<TariffRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tariffKeys.partition(tenantId), ':prefix': 'TARIFF#' },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, tariffFromItem);
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Stores a validated series (ordered, no overlaps): each UTC day it touches is replaced by the points
 * that start on it. One item per day keeps a session's lookup to one small Query.
 */
export async function putPrices(
  tenantId: string,
  tariffId: string,
  points: readonly PricePoint[],
): Promise<void> {
  const byDay = new Map<string, { s: number; e: number; p: number }[]>();
  for (const point of points) {
    const day = utcDay(point.start);
    const list = byDay.get(day) ?? [];
    byDay.set(day, list);
    list.push({ s: point.start, e: point.end, p: point.price });
  }
  for (const [day, list] of byDay) {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...tariffKeys.prices(tenantId, tariffId, day),
          itemType: 'TariffPrices',
          tenantId,
          tariffId,
          day,
          points: list,
        },
      }),
    );
  }
}

/** The points overlapping [from, to), ordered. A point starts at most a day before its day item's end. */
export async function readPrices(
  tenantId: string,
  tariffId: string,
  from: number,
  to: number,
): Promise<PricePoint[]> {
  const out: PricePoint[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': tariffKeys.partition(tenantId),
          ':lo': tariffKeys.prices(tenantId, tariffId, utcDay(from - DAY_MS)).sk,
          ':hi': tariffKeys.prices(tenantId, tariffId, utcDay(to)).sk,
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      for (const p of item.points as { s: number; e: number; p: number }[]) {
        if (p.s < to && p.e > from) out.push({ start: p.s, end: p.e, price: p.p });
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out.sort((a, b) => a.start - b.start);
}
