// Item module: webhook endpoints, the events recorded for them, and their deliveries.
//
// - Endpoints and events: one partition per tenant, `T#<tenant>#WEBHOOKS`: `ENDPOINT#<id>` (UUIDv7, so a
//   Query lists them by creation; `record` reads them all, bounded by MAX_ENDPOINTS_PER_TENANT) and
//   `EVENT#<event id>` (written once, conditionally: the event's durable record; TTL after retention).
// - Deliveries: one partition per endpoint, `T#<tenant>#WEBHOOK#<endpoint>#DELIVERIES` / `DELIVERY#<id>`.
//   A delivery's id is derived from the event id and the endpoint id (deliveryIdFor), with the event's time
//   in its high bits: recording an event twice writes the same delivery (idempotent), and the partition
//   lists newest first. The delivery carries its own serialized payload, so every retry sends the same bytes.
// - Due index (sparse, sharded): GSI1 `WHDUE#<shard>` / `<due at>#<tenant>#<endpoint>#<delivery>` while a
//   delivery is pending; the dispatcher reads every shard each minute for entries due up to now. A claim
//   moves the entry CLAIM_MS ahead, so an attempt lost with its process is retried.

import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { uuidv7 } from '../ids.js';
import type { AttemptRecord, DeliveredEventType, DeliveryState, DeliveryStatus } from '../webhooks/domain.js';
import type { WebhookEventType } from '../webhooks/events.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage } from './page.js';
import { shardOf } from './shards.js';

/** Due entries are spread over this many GSI1 partitions, each read every minute (as the sweeper's). */
export const WEBHOOK_DUE_SHARDS = 4;
/** Deliveries and events are kept this long for the delivery log, then expire (TTL). */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;

export const webhookKeys = {
  partition: (tenantId: string) => `T#${tenantId}#WEBHOOKS`,
  endpoint: (tenantId: string, endpointId: string) => ({
    pk: webhookKeys.partition(tenantId),
    sk: `ENDPOINT#${endpointId}`,
  }),
  event: (tenantId: string, eventId: string) => ({
    pk: webhookKeys.partition(tenantId),
    sk: `EVENT#${eventId}`,
  }),
  deliveryPartition: (tenantId: string, endpointId: string) =>
    `T#${tenantId}#WEBHOOK#${endpointId}#DELIVERIES`,
  delivery: (tenantId: string, endpointId: string, deliveryId: string) => ({
    pk: webhookKeys.deliveryPartition(tenantId, endpointId),
    sk: `DELIVERY#${deliveryId}`,
  }),
  duePartition: (shard: number) => `WHDUE#${shard}`,
  due: (ref: DeliveryRef, dueAt: string) => ({
    gsi1pk: webhookKeys.duePartition(shardOf(ref.deliveryId, WEBHOOK_DUE_SHARDS)),
    gsi1sk: `${dueAt}#${ref.tenantId}#${ref.endpointId}#${ref.deliveryId}`,
  }),
};

/** A delivery's id: the event's time in UUIDv7's high bits, the rest from a hash of event and endpoint. */
export function deliveryIdFor(eventId: string, endpointId: string, occurredAt: string): string {
  const digest = createHash('sha256').update(`${eventId}\n${endpointId}`).digest();
  return uuidv7(Date.parse(occurredAt), digest);
}

// ---------------------------------------------------------------------------------------------------
// Endpoints

export interface EndpointRecord {
  tenantId: string;
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  /** `whsec_…`: the signing secret, shown once at creation. */
  secret: string;
  enabled: boolean;
  /** Why it is disabled: by the tenant (`enabled: false`), or by a `410 Gone` answer. */
  disabledReason: 'user' | 'gone' | null;
  disabledAt: string | null;
  /** Since when a delivery to it was given up (after the whole retry schedule); cleared by a success. */
  failingSince: string | null;
  lastError: string | null;
  created: string;
  updated: string;
}

function endpointFromItem(item: Record<string, unknown>): EndpointRecord {
  return {
    tenantId: item.tenantId as string,
    id: item.endpointId as string,
    url: item.url as string,
    events: item.events as WebhookEventType[],
    description: (item.description as string | undefined) ?? null,
    secret: item.secret as string,
    enabled: item.enabled as boolean,
    disabledReason: (item.disabledReason as EndpointRecord['disabledReason'] | undefined) ?? null,
    disabledAt: (item.disabledAt as string | undefined) ?? null,
    failingSince: (item.failingSince as string | undefined) ?? null,
    lastError: (item.lastError as string | undefined) ?? null,
    created: item.created as string,
    updated: item.updated as string,
  };
}

function endpointToItem(endpoint: EndpointRecord): Record<string, unknown> {
  const { tenantId, id, ...fields } = endpoint;
  // Absent rather than NULL: `failingSince = if_not_exists(failingSince, …)` must see a cleared one as absent.
  const rest = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
  return {
    ...webhookKeys.endpoint(tenantId, id),
    itemType: 'WebhookEndpoint',
    tenantId,
    endpointId: id,
    ...rest,
  };
}

export async function putNewEndpoint(endpoint: EndpointRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: endpointToItem(endpoint),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Replaces the endpoint if it still exists and was last updated at `expectedUpdated`; false otherwise. */
export async function replaceEndpoint(endpoint: EndpointRecord, expectedUpdated: string): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: endpointToItem(endpoint),
        ConditionExpression: 'attribute_exists(pk) AND updated = :expected',
        ExpressionAttributeValues: { ':expected': expectedUpdated },
      }),
    ),
  );
}

export async function getEndpoint(tenantId: string, endpointId: string): Promise<EndpointRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: webhookKeys.endpoint(tenantId, endpointId),
      ConsistentRead: true,
    }),
  );
  return Item ? endpointFromItem(Item) : undefined;
}

export async function deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: webhookKeys.endpoint(tenantId, endpointId),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ),
  );
}

const endpointQuery = (tenantId: string) => ({
  TableName: tableName(),
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': webhookKeys.partition(tenantId), ':prefix': 'ENDPOINT#' },
});

export async function listEndpoints(
  tenantId: string,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<EndpointRecord>> {
  return mapPage(await queryPage({ input: endpointQuery(tenantId), ...page }), endpointFromItem);
}

/** Every endpoint of the tenant (bounded by the per-tenant cap): what `record` fans out to. */
export async function listAllEndpoints(tenantId: string): Promise<EndpointRecord[]> {
  return (await queryAll({ ...endpointQuery(tenantId), ConsistentRead: true })).map(endpointFromItem);
}

/**
 * What an attempt's answer does to its endpoint: a success clears `failing`; a give-up sets it (keeping
 * the first `since`); a 410 disables it. Conditional on the endpoint existing (a deleted one stays gone).
 */
export async function markEndpoint(
  tenantId: string,
  endpointId: string,
  change: { kind: 'healthy' } | { kind: 'failing' | 'gone'; error: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const update =
    change.kind === 'healthy'
      ? { UpdateExpression: 'REMOVE failingSince, lastError', values: {} }
      : change.kind === 'failing'
        ? {
            UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :at), lastError = :error',
            values: { ':at': at, ':error': change.error },
          }
        : {
            UpdateExpression:
              'SET enabled = :false, disabledReason = :gone, disabledAt = :at, lastError = :error, updated = :at',
            values: { ':false': false, ':gone': 'gone', ':at': at, ':error': change.error },
          };
  await conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: webhookKeys.endpoint(tenantId, endpointId),
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: 'attribute_exists(pk)',
        ...(Object.keys(update.values).length > 0 ? { ExpressionAttributeValues: update.values } : {}),
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Events

/** Stores the event's durable record once; false when it was already stored (a repeated `record`). */
export async function putEventOnce(
  event: { tenantId: string; id: string; type: DeliveredEventType; occurredAt: string; payload: string },
  now: Date,
): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...webhookKeys.event(event.tenantId, event.id),
          itemType: 'WebhookEvent',
          eventId: event.id,
          eventType: event.type,
          occurredAt: event.occurredAt,
          payload: event.payload,
          recorded: now.toISOString(),
          ttl: Math.ceil((now.getTime() + DELIVERY_RETENTION_MS) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Deliveries

export interface DeliveryRef {
  tenantId: string;
  endpointId: string;
  deliveryId: string;
}

export interface DeliveryRecord extends DeliveryRef, DeliveryState {
  eventId: string;
  eventType: DeliveredEventType;
  /** The exact request body, the same bytes on every attempt. */
  payload: string;
  created: string;
  attempts: AttemptRecord[];
}

function deliveryFromItem(item: Record<string, unknown>): DeliveryRecord {
  return {
    tenantId: item.tenantId as string,
    endpointId: item.endpointId as string,
    deliveryId: item.deliveryId as string,
    eventId: item.eventId as string,
    eventType: item.eventType as DeliveredEventType,
    payload: item.payload as string,
    created: item.created as string,
    status: item.status as DeliveryStatus,
    attemptCount: item.attemptCount as number,
    step: item.step as number,
    nextAttemptAt: (item.nextAttemptAt as string | undefined) ?? null,
    attempts: (item.attempts as AttemptRecord[] | undefined) ?? [],
  };
}

/** Creates the delivery, due at its `nextAttemptAt`; false when it already exists (the event was recorded before). */
export async function putNewDelivery(delivery: DeliveryRecord, now: Date): Promise<boolean> {
  const { nextAttemptAt } = delivery;
  return conditionalWrite(
    documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...webhookKeys.delivery(delivery.tenantId, delivery.endpointId, delivery.deliveryId),
          ...(nextAttemptAt ? webhookKeys.due(delivery, nextAttemptAt) : {}),
          itemType: 'WebhookDelivery',
          ...delivery,
          ttl: Math.ceil((now.getTime() + DELIVERY_RETENTION_MS) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getDelivery(ref: DeliveryRef): Promise<DeliveryRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: webhookKeys.delivery(ref.tenantId, ref.endpointId, ref.deliveryId),
      ConsistentRead: true,
    }),
  );
  return Item ? deliveryFromItem(Item) : undefined;
}

export async function listDeliveries(
  tenantId: string,
  endpointId: string,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<DeliveryRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': webhookKeys.deliveryPartition(tenantId, endpointId) },
      ScanIndexForward: false,
    },
    ...page,
  });
  return mapPage(result, deliveryFromItem);
}

/**
 * Takes the delivery for one attempt: only if it is still pending with `attemptCount` attempts and not
 * claimed by another dispatcher (its `claimedUntil` passed). Its due entry moves to the claim's end, so a
 * lost attempt is retried then. False when someone else has it or it changed.
 */
export async function claimDelivery(delivery: DeliveryRecord, now: Date, claimMs: number): Promise<boolean> {
  const until = new Date(now.getTime() + claimMs).toISOString();
  const due = webhookKeys.due(delivery, until);
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: webhookKeys.delivery(delivery.tenantId, delivery.endpointId, delivery.deliveryId),
        UpdateExpression: 'SET claimedUntil = :until, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ConditionExpression:
          '#status = :pending AND attemptCount = :count AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':until': until,
          ':gsi1pk': due.gsi1pk,
          ':gsi1sk': due.gsi1sk,
          ':pending': 'pending',
          ':count': delivery.attemptCount,
          ':now': now.toISOString(),
        },
      }),
    ),
  );
}

/**
 * Stores the delivery's new state (after an attempt, a resend or a cancellation), if it still has the
 * `attemptCount` read: its due entry follows `nextAttemptAt`, and any claim is released.
 */
export async function saveDeliveryState(
  delivery: DeliveryRef & { attemptCount: number },
  state: DeliveryState,
  attempts: AttemptRecord[],
): Promise<boolean> {
  const sets = ['#status = :status', 'attemptCount = :attemptCount', 'step = :step', 'attempts = :attempts'];
  const removes = ['claimedUntil'];
  const values: Record<string, unknown> = {
    ':status': state.status,
    ':attemptCount': state.attemptCount,
    ':step': state.step,
    ':attempts': attempts,
    ':expected': delivery.attemptCount,
  };
  if (state.nextAttemptAt) {
    const due = webhookKeys.due(delivery, state.nextAttemptAt);
    sets.push('nextAttemptAt = :next', 'gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
    Object.assign(values, { ':next': state.nextAttemptAt, ':gsi1pk': due.gsi1pk, ':gsi1sk': due.gsi1sk });
  } else {
    removes.push('nextAttemptAt', 'gsi1pk', 'gsi1sk');
  }
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: webhookKeys.delivery(delivery.tenantId, delivery.endpointId, delivery.deliveryId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND attemptCount = :expected',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/** Deliveries due at or before `now` in one shard, oldest first (GSI1, eventually consistent). */
export async function listDueDeliveries(shard: number, now: Date, limit: number): Promise<DeliveryRef[]> {
  const items = await queryAll(
    {
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :until',
      ExpressionAttributeValues: {
        ':pk': webhookKeys.duePartition(shard),
        ':until': `${now.toISOString()}#~`,
      },
      ProjectionExpression: 'tenantId, endpointId, deliveryId',
    },
    { maxItems: limit, pageLimit: 100 },
  );
  return items.map((item) => ({
    tenantId: item.tenantId as string,
    endpointId: item.endpointId as string,
    deliveryId: item.deliveryId as string,
  }));
}
