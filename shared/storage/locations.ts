// Item module: a tenant's named locations. One partition per tenant (`T#<tenant>#LOCATIONS`), sorted by
// id (UUIDv7, so by creation): listing a page, loading all of them for the engine and counting them are
// each a Query of that partition.

import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantLocation } from '../locations/match.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage, queryPages } from './page.js';

export interface LocationRecord extends TenantLocation {
  tenantId: string;
  created: string;
}

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
    created: item.created as string,
  };
}

export async function putNewLocation(location: LocationRecord): Promise<void> {
  const { tenantId, id, ...rest } = location;
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...locationKeys.primary(tenantId, id),
        itemType: 'Location',
        tenantId,
        locationId: id,
        ...rest,
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

/** Deletes the location; false when the tenant has none with that id. */
export async function deleteLocation(tenantId: string, locationId: string): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: locationKeys.primary(tenantId, locationId),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ),
  );
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

/** Every location of the tenant, for matching (eventually consistent; a place added a second ago may be missed). */
export async function listAllLocations(tenantId: string): Promise<TenantLocation[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': locationKeys.partition(tenantId) },
    ProjectionExpression: 'locationId, label, lat, lon, radiusMeters',
  });
  return items.map((item) => {
    const { id, label, lat, lon, radiusMeters } = locationFromItem(item);
    return { id, label, lat, lon, radiusMeters };
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
