// Item module: a tenant's named locations. One partition per tenant (`T#<tenant>#LOCATIONS`), sorted by
// id (UUIDv7, so by creation): listing a page, loading all of them for the engine and counting them are
// each a Query of that partition.

import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantLocation } from '../locations/match.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite, isConditionFailure } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage, queryPages } from './page.js';
import { addTariffReference } from './tariffs.js';

export const LOCATION_CATEGORIES = ['home', 'work', 'depot', 'public', 'other'] as const;
export type LocationCategory = (typeof LOCATION_CATEGORIES)[number];

/** What pricing needs of a place besides where it is: its category and the tariff charged there. */
export interface PricedLocation extends TenantLocation {
  category: LocationCategory;
  tariffId: string | null;
}

export interface LocationRecord extends PricedLocation {
  tenantId: string;
  created: string;
}

/** Locations stored before categories existed are `other`. */
const categoryOf = (value: unknown): LocationCategory =>
  (LOCATION_CATEGORIES as readonly unknown[]).includes(value) ? (value as LocationCategory) : 'other';

export const locationKeys = {
  partition: (tenantId: string) => `T#${tenantId}#LOCATIONS`,
  primary: (tenantId: string, locationId: string) => ({
    pk: locationKeys.partition(tenantId),
    sk: `LOCATION#${locationId}`,
  }),
};

function locationFromItem(item: Record<string, unknown>): LocationRecord {
  return {
    tenantId: item.tenantId as string,
    id: item.locationId as string,
    label: item.label as string,
    lat: item.lat as number,
    lon: item.lon as number,
    radiusMeters: item.radiusMeters as number,
    category: categoryOf(item.category),
    tariffId: (item.tariffId as string | undefined) ?? null,
    created: item.created as string,
  };
}

/**
 * Stores a new location. One that names a tariff first counts itself as a reference to it (so the tariff
 * cannot be deleted from under it); false, and nothing stored, when the tariff does not exist.
 */
export async function putNewLocation(location: LocationRecord): Promise<boolean> {
  const { tenantId, id, tariffId, ...rest } = location;
  if (tariffId && !(await addTariffReference(tenantId, tariffId, 1))) return false;
  try {
    await putLocationItem(tenantId, id, tariffId, rest);
  } catch (error) {
    if (tariffId) await addTariffReference(tenantId, tariffId, -1);
    throw error;
  }
  return true;
}

async function putLocationItem(
  tenantId: string,
  id: string,
  tariffId: string | null,
  rest: Omit<LocationRecord, 'tenantId' | 'id' | 'tariffId'>,
): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...locationKeys.primary(tenantId, id),
        itemType: 'Location',
        tenantId,
        locationId: id,
        ...rest,
        ...(tariffId ? { tariffId } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getLocation(tenantId: string, locationId: string): Promise<LocationRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: locationKeys.primary(tenantId, locationId),
      ConsistentRead: true,
    }),
  );
  return Item ? locationFromItem(Item) : undefined;
}

/** The fields an edit may change; `tariffId: null` removes the tariff. */
export type LocationChanges = Partial<
  Pick<LocationRecord, 'label' | 'lat' | 'lon' | 'radiusMeters' | 'category' | 'tariffId'>
>;

/**
 * Applies an edit read from `current`. Only the given fields are set, so edits of different fields never
 * undo each other. A change of tariff raises the new tariff's reference count first ('unknown_tariff',
 * nothing written, when it does not exist), writes on the condition that the location still names the
 * tariff `current` named ('conflict' when another edit changed it meanwhile, or the location is gone:
 * the caller reads again), then lowers the old tariff's count. So a crash can leave a count too high,
 * never too low, as for creates and deletes.
 */
export async function updateLocation(
  current: LocationRecord,
  changes: LocationChanges,
): Promise<LocationRecord | 'unknown_tariff' | 'conflict'> {
  const { tenantId, id } = current;
  const fields = Object.entries(changes).filter(([, v]) => v !== undefined);
  if (fields.length === 0) return current;
  const raised =
    changes.tariffId !== undefined && changes.tariffId !== null && changes.tariffId !== current.tariffId
      ? changes.tariffId
      : null;
  const released =
    changes.tariffId !== undefined && changes.tariffId !== current.tariffId ? current.tariffId : null;
  if (raised && !(await addTariffReference(tenantId, raised, 1))) return 'unknown_tariff';

  const names: Record<string, string> = { '#tariffId': 'tariffId' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  let remove = '';
  for (const [field, value] of fields) {
    if (field === 'tariffId' && value === null) {
      remove = ' REMOVE #tariffId';
      continue;
    }
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  let condition = 'attribute_exists(pk) AND ';
  if (current.tariffId) {
    condition += '#tariffId = :currentTariff';
    values[':currentTariff'] = current.tariffId;
  } else {
    condition += 'attribute_not_exists(#tariffId)';
  }
  let item: Record<string, unknown> | undefined;
  try {
    const answer = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: locationKeys.primary(tenantId, id),
        UpdateExpression: `${sets.length > 0 ? `SET ${sets.join(', ')}` : ''}${remove}`.trim() || undefined,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    item = answer.Attributes;
  } catch (error) {
    if (raised) await addTariffReference(tenantId, raised, -1);
    if (isConditionFailure(error)) return 'conflict';
    throw error;
  }
  if (released) await addTariffReference(tenantId, released, -1);
  return item ? locationFromItem(item) : current;
}

/** Deletes the location (and its reference to a tariff); false when the tenant has none with that id. */
export async function deleteLocation(tenantId: string, locationId: string): Promise<boolean> {
  let removed: Record<string, unknown> | undefined;
  const deleted = await conditionalWrite(
    documentClient()
      .send(
        new DeleteCommand({
          TableName: tableName(),
          Key: locationKeys.primary(tenantId, locationId),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      )
      .then(({ Attributes }) => {
        removed = Attributes;
      }),
  );
  if (typeof removed?.tariffId === 'string') await addTariffReference(tenantId, removed.tariffId, -1);
  return deleted;
}

export async function listLocations(
  tenantId: string,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<LocationRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': locationKeys.partition(tenantId) },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, locationFromItem);
}

/** Every location of the tenant, for matching and pricing (eventually consistent; a place added a second ago may be missed). */
export async function listAllLocations(tenantId: string): Promise<PricedLocation[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': locationKeys.partition(tenantId) },
    ProjectionExpression: 'locationId, label, lat, lon, radiusMeters, category, tariffId',
  });
  return items.map((item) => {
    const { id, label, lat, lon, radiusMeters, category, tariffId } = locationFromItem(item);
    return { id, label, lat, lon, radiusMeters, category, tariffId };
  });
}

/** How many locations the tenant has (a COUNT Query: it reads them, but returns no items). */
export async function countLocations(tenantId: string): Promise<number> {
  let count = 0;
  for await (const page of queryPages({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': locationKeys.partition(tenantId) },
    Select: 'COUNT',
  })) {
    count += page.count;
  }
  return count;
}
