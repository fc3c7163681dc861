// Item module: completed charge sessions. One partition per entity (`T#<tenant>#E#<entity>#SESSIONS`),
// sorted by start, so an entity's sessions from a date are one Query whatever the length of its history;
// GSI2 holds every session of a tenant sorted by start, for fleet listings across entities.
//
// Writing is an upsert keyed by (entity, start): re-running the engine over the same readings rewrites the
// same item with the same values and keeps the `created` of the first write, so nothing is duplicated.

import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { COORDINATE_DECIMALS, QUANTITY_DECIMALS, roundTo } from '../numbers.js';
import type { ChargeSessionRecord } from '../sessions/model.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage } from './page.js';

/** Session starts and ends are stored as ISO 8601 UTC with milliseconds, so they sort as strings. */
export function canonicalInstant(value: string | number | Date): string {
  return new Date(value).toISOString();
}

export const sessionKeys = {
  entityPartition: (tenantId: string, entityId: string) => `T#${tenantId}#E#${entityId}#SESSIONS`,
  primary: (tenantId: string, entityId: string, start: string) => ({
    pk: sessionKeys.entityPartition(tenantId, entityId),
    sk: canonicalInstant(start),
  }),
  fleetPartition: (tenantId: string) => `T#${tenantId}#SESSIONS`,
  fleet: (tenantId: string, entityId: string, start: string) => ({
    gsi2pk: sessionKeys.fleetPartition(tenantId),
    gsi2sk: `${canonicalInstant(start)}#${entityId}`,
  }),
};

const RECORD_FIELDS = [
  'tenantId',
  'entityId',
  'entityType',
  'id',
  'start',
  'end',
  'energyKwh',
  'averagePowerKw',
  'peakPowerKw',
  'chargingSeconds',
  'socStartPercent',
  'socEndPercent',
  'rangeStartKm',
  'rangeEndKm',
  'locationMatches',
  'position',
  'method',
  'source',
  'measured',
  'category',
  'cost',
  'batteryEnergyKwh',
  'chargingEfficiency',
  'quality',
  'status',
  'asOf',
] as const satisfies readonly (keyof ChargeSessionRecord)[];

/** One object literal of a fixed shape (served pages map many of these per request). */
export function sessionFromItem(stored: Record<string, unknown>): ChargeSessionRecord {
  const item = stored as unknown as ChargeSessionRecord;
  return {
    tenantId: item.tenantId,
    entityId: item.entityId,
    entityType: item.entityType,
    id: item.id,
    start: item.start,
    end: item.end,
    energyKwh: item.energyKwh,
    averagePowerKw: item.averagePowerKw,
    peakPowerKw: item.peakPowerKw,
    chargingSeconds: item.chargingSeconds,
    socStartPercent: item.socStartPercent ?? null,
    socEndPercent: item.socEndPercent ?? null,
    rangeStartKm: item.rangeStartKm ?? null,
    rangeEndKm: item.rangeEndKm ?? null,
    locationMatches: item.locationMatches ?? [],
    position: item.position ?? null,
    method: item.method,
    source: item.source,
    created: item.created,
    // Measured sessions recorded before the EV-ChART registration was kept with them have none.
    measured: item.measured ? { ...item.measured, evchart: item.measured.evchart ?? null } : null,
    // Sessions stored before costs existed have neither.
    ...(item.category !== undefined ? { category: item.category } : {}),
    ...(item.cost !== undefined ? { cost: item.cost } : {}),
    // Sessions stored before the engine reported these read as unknown.
    batteryEnergyKwh: item.batteryEnergyKwh ?? null,
    chargingEfficiency: item.chargingEfficiency ?? null,
    quality: item.quality ?? null,
    // Sessions stored before the real-time path existed are all completed.
    status: item.status ?? 'completed',
    ...(item.asOf !== undefined ? { asOf: item.asOf } : {}),
  };
}

/**
 * Writes a session; an existing session with the same entity and start is replaced field by field, except
 * `created`, which keeps its first value. One write unit per session of up to 1 KB. With `keepMeasured`
 * (the engine's calculated sessions), a stored session a charger measured is never overwritten: the
 * write is refused and false is returned.
 */
const quantity = (value: number | null) => (value === null ? null : roundTo(value, QUANTITY_DECIMALS));

/**
 * The session's numbers at the precision they are stored with (shared/numbers.ts): always within
 * DynamoDB's number range, however the engine's arithmetic came out.
 */
export function storable(session: ChargeSessionRecord): ChargeSessionRecord {
  return {
    ...session,
    energyKwh: roundTo(session.energyKwh, QUANTITY_DECIMALS),
    averagePowerKw: roundTo(session.averagePowerKw, QUANTITY_DECIMALS),
    peakPowerKw: roundTo(session.peakPowerKw, QUANTITY_DECIMALS),
    chargingSeconds: roundTo(session.chargingSeconds, 3),
    socStartPercent: quantity(session.socStartPercent),
    socEndPercent: quantity(session.socEndPercent),
    rangeStartKm: quantity(session.rangeStartKm),
    rangeEndKm: quantity(session.rangeEndKm),
    batteryEnergyKwh: quantity(session.batteryEnergyKwh ?? null),
    chargingEfficiency: quantity(session.chargingEfficiency ?? null),
    quality: session.quality ?? null,
    locationMatches: session.locationMatches.map((m) => ({
      ...m,
      accuracy: roundTo(m.accuracy, QUANTITY_DECIMALS),
    })),
    position: session.position
      ? {
          lat: roundTo(session.position.lat, COORDINATE_DECIMALS),
          lon: roundTo(session.position.lon, COORDINATE_DECIMALS),
        }
      : null,
  };
}

export async function upsertSession(
  session: ChargeSessionRecord,
  options: { keepMeasured?: boolean; mustExist?: boolean } = {},
): Promise<boolean> {
  const start = canonicalInstant(session.start);
  const values: Record<string, unknown> = { ':created': session.created, ':itemType': 'ChargeSession' };
  const names: Record<string, string> = {};
  const sets = ['created = if_not_exists(created, :created)', 'itemType = :itemType'];
  const fleet = sessionKeys.fleet(session.tenantId, session.entityId, start);
  const stored = storable(session);
  for (const [field, value] of Object.entries({
    ...Object.fromEntries(RECORD_FIELDS.map((f) => [f, stored[f]])),
    start,
    end: canonicalInstant(session.end),
    // Written explicitly, so a completed session stored over its active item is completed.
    status: session.status ?? 'completed',
    ...fleet,
  })) {
    // category and cost are absent on sessions written without pricing: left as stored.
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  const active = session.status === 'active';
  let condition: string | undefined;
  if (active) {
    // The real-time path's provisional view: never over a completed (or measured) session, never over a
    // view of later data (a run that read less, e.g. the daily job's settled window, or a late retry).
    values[':active'] = 'active';
    names['#status'] = 'status';
    names['#asOf'] = 'asOf';
    const fresher = '#status = :active AND (attribute_not_exists(#asOf) OR #asOf <= :asOf)';
    // mustExist: a refresh written without the entity's lease never creates the item (so never after a purge).
    condition = options.mustExist
      ? `attribute_exists(pk) AND ${fresher}`
      : `attribute_not_exists(pk) OR (${fresher})`;
  } else if (options.keepMeasured) {
    values[':measuredSource'] = 'measured';
    condition = 'attribute_not_exists(#source) OR #source <> :measuredSource';
  }
  // A completed session written over its active item keeps nothing of its provisional marks.
  const remove = active ? '' : ' REMOVE #asOf';
  if (!active) names['#asOf'] = 'asOf';
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: sessionKeys.primary(session.tenantId, session.entityId, start),
        UpdateExpression: `SET ${sets.join(', ')}${remove}`,
        ...(condition ? { ConditionExpression: condition } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/**
 * Deletes the entity's active session at `start`, if it is still active (a completed session that took
 * its key stays). False when there was none, so repeating it is harmless.
 */
export function deleteActiveSession(tenantId: string, entityId: string, start: string): Promise<boolean> {
  return deleteSessionIf(tenantId, entityId, start, 'status', 'active');
}

/** Deletes the session at `start` only while `attribute` holds `value`; false when it did not. */
function deleteSessionIf(
  tenantId: string,
  entityId: string,
  start: string,
  attribute: 'status' | 'source',
  value: string,
): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: sessionKeys.primary(tenantId, entityId, start),
        ConditionExpression: '#attribute = :value',
        ExpressionAttributeNames: { '#attribute': attribute },
        ExpressionAttributeValues: { ':value': value },
      }),
    ),
  );
}

/** The entity's session stored at `start`, whatever its status (strongly consistent), or undefined. */
export async function getSessionAt(
  tenantId: string,
  entityId: string,
  start: string,
): Promise<ChargeSessionRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: sessionKeys.primary(tenantId, entityId, start),
      ConsistentRead: true,
    }),
  );
  return Item ? sessionFromItem(Item) : undefined;
}

/**
 * Deletes the entity's session at `start` if it is still a calculated one: a measured session supersedes
 * it. The condition keeps a measured session that has meanwhile taken the same key (same start). False
 * when there was nothing calculated to delete (gone already, or measured), so repeating it is harmless.
 */
export function deleteCalculatedSession(tenantId: string, entityId: string, start: string): Promise<boolean> {
  return deleteSessionIf(tenantId, entityId, start, 'source', 'calculated');
}

/** Which sessions a listing returns: completed ones (the default, DER-Connect's), active ones, or both. */
export type SessionStatusFilter = 'active' | 'completed' | 'all';

/**
 * The filter expression selecting `status` (items stored before status existed are completed), with its
 * names and values; undefined for `all`. Active sessions are at most one per entity, so the filter reads
 * almost nothing it drops.
 */
export function statusFilter(
  status: SessionStatusFilter,
): { expression: string; names: Record<string, string>; values: Record<string, unknown> } | undefined {
  if (status === 'all') return undefined;
  if (status === 'active')
    return {
      expression: '#status = :active',
      names: { '#status': 'status' },
      values: { ':active': 'active' },
    };
  return {
    expression: '(attribute_not_exists(#status) OR #status = :completed)',
    names: { '#status': 'status' },
    values: { ':completed': 'completed' },
  };
}

/** The FilterExpression parts of a listing: an entity type and a status, both optional. */
function listingFilter(
  entityType: 'EV' | 'CP' | undefined,
  status: SessionStatusFilter,
): {
  FilterExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  values: Record<string, unknown>;
} {
  const byStatus = statusFilter(status);
  const parts = [...(entityType ? ['entityType = :type'] : []), ...(byStatus ? [byStatus.expression] : [])];
  if (parts.length === 0) return { values: {} };
  return {
    FilterExpression: parts.join(' AND '),
    ...(byStatus ? { ExpressionAttributeNames: byStatus.names } : {}),
    values: { ...(entityType ? { ':type': entityType } : {}), ...(byStatus?.values ?? {}) },
  };
}

export interface SessionRange {
  /** Inclusive: a session starting exactly at `start` is included. */
  start: string;
  /** Exclusive: a session starting exactly at `end` is not. */
  end?: string | undefined;
}

function rangeBounds(range: SessionRange): [string, string] {
  const from = canonicalInstant(range.start);
  // BETWEEN is inclusive; the last millisecond before `end` makes the upper bound exclusive. Without an
  // end, any key of this partition sorts below '~'.
  const to = range.end ? canonicalInstant(Date.parse(range.end) - 1) : '~';
  return [from, to];
}

/** Where a listing of sessions reads: an entity's partition, or the tenant's fleet partition on GSI2. */
export type SessionListing = 'entity' | 'fleet';

/**
 * The position just after `session` in a listing: what `startKey` (ExclusiveStartKey) takes to resume
 * after it. The same keys queryPage returns as `nextKey`, rebuilt from the record, so a caller that stops
 * part-way through a page (a CSV response that reached its size cap) can resume exactly there.
 */
export function sessionPosition(session: ChargeSessionRecord, listing: SessionListing): Position {
  const primary = sessionKeys.primary(session.tenantId, session.entityId, session.start);
  if (listing === 'entity') return primary;
  return { ...primary, ...sessionKeys.fleet(session.tenantId, session.entityId, session.start) };
}

interface ListingPage {
  pageSize: number;
  startKey: Position | undefined;
  entityType?: 'EV' | 'CP' | undefined;
  /** Default `completed`: what every listing served before the real-time path existed. */
  status?: SessionStatusFilter | undefined;
}

/**
 * One page of an entity's sessions by start, ascending: exactly one Query. `entityType` (a filter) serves
 * a fleet listing narrowed to one entity and one type: the page is empty when the entity has the other type.
 */
export async function listEntitySessions(
  tenantId: string,
  entityId: string,
  range: SessionRange,
  page: ListingPage,
): Promise<Page<ChargeSessionRecord>> {
  const [from, to] = rangeBounds(range);
  const { values, ...filter } = listingFilter(page.entityType, page.status ?? 'completed');
  const result = await queryPage({
    input: {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ...filter,
      ExpressionAttributeValues: {
        ':pk': sessionKeys.entityPartition(tenantId, entityId),
        ':from': from,
        ':to': to,
        ...values,
      },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, sessionFromItem);
}

/** One page of every session of a tenant by start, ascending, optionally of one entity type: one Query. */
export async function listFleetSessions(
  tenantId: string,
  range: SessionRange,
  page: ListingPage,
): Promise<Page<ChargeSessionRecord>> {
  const [from, to] = rangeBounds(range);
  const { values, ...filter } = listingFilter(page.entityType, page.status ?? 'completed');
  const result = await queryPage({
    input: {
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ...filter,
      ExpressionAttributeValues: {
        ':pk': sessionKeys.fleetPartition(tenantId),
        ':from': from,
        // gsi2sk is `<start>#<entityId>`: every key of the last included millisecond sorts below `<to>#~`.
        ':to': to === '~' ? '~' : `${to}#~`,
        ...values,
      },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, sessionFromItem);
}

/**
 * The items of an entity's session partition with sort keys in [from, to], strongly consistent (a session
 * written a moment ago is seen), Query page after page: for bounded reads, never for listings.
 */
async function queryAllSessionItems(
  tenantId: string,
  entityId: string,
  [from, to]: [string, string],
  projection?: { expression: string; names: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  // Completed sessions only: rollups, reports and the measured-session clean-up never count a session
  // still in progress (its values are provisional).
  const completed = statusFilter('completed');
  return queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: completed?.expression,
    ExpressionAttributeValues: {
      ':pk': sessionKeys.entityPartition(tenantId, entityId),
      ':from': from,
      ':to': to,
      ...completed?.values,
    },
    ...(projection ? { ProjectionExpression: projection.expression } : {}),
    ExpressionAttributeNames: { ...projection?.names, ...completed?.names },
    ConsistentRead: true,
    ReturnConsumedCapacity: 'TOTAL',
  });
}

/**
 * Every session of an entity starting in `range`, by start, read strongly consistent (a session written a
 * moment ago is seen). For the few days around one charge, not for listings.
 */
export async function readEntitySessions(
  tenantId: string,
  entityId: string,
  range: SessionRange,
): Promise<ChargeSessionRecord[]> {
  const items = await queryAllSessionItems(tenantId, entityId, rangeBounds(range));
  return items.map(sessionFromItem);
}

/** What the daily rollups read of a session. */
export type SessionTotals = Pick<
  ChargeSessionRecord,
  'start' | 'end' | 'energyKwh' | 'chargingSeconds' | 'entityType'
>;

/**
 * Every session of an entity starting in `[fromMs, toMs)` (null: unbounded), by start, read strongly
 * consistent so sessions the daily job has just stored are seen; Query page after page. Projected to the
 * fields the rollups need (the read costs the same, the transfer less).
 */
export async function readEntitySessionTotals(
  tenantId: string,
  entityId: string,
  range: { fromMs: number | null; toMs: number | null },
): Promise<SessionTotals[]> {
  const from = range.fromMs === null ? '0000' : canonicalInstant(range.fromMs);
  const to = range.toMs === null ? '~' : canonicalInstant(range.toMs - 1);
  const items = await queryAllSessionItems(tenantId, entityId, [from, to], {
    expression: '#start, #end, energyKwh, chargingSeconds, entityType',
    names: { '#start': 'start', '#end': 'end' },
  });
  return items as SessionTotals[];
}
