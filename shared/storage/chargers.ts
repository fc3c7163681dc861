// Item module: chargers open to public charging, and the small items kept in a charger's partition.
// A charger is keyed by its public code alone (`CHARGER#<code>`), because drivers type the code and no
// tenant is known then; that also makes the code unique across all tenants by a conditional put. The
// operator's list is GSI1 `T#<tenant>#CHARGERS`. Every write of the charger is conditioned on the
// version it read (optimistic concurrency): config changes, connector claims and OCPP state updates
// can never overwrite each other.
//
// The charger's partition also holds, by sort key: `RSID#<remoteStartId>` → the session a remote start
// belongs to (how a charger's first TransactionEvent finds its session), `CMD#<commandId>`, the OCPP
// requests waiting to be sent (RequestStartTransaction/RequestStopTransaction) by the operator's CSMS or
// our OCPP-J gateway, and `OCPP`, the charger's gateway station (storage/ocpp-stations.ts).

import { DeleteCommand, GetCommand, PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type {
  ChargerConnector,
  ChargerRecord,
  ChargerRegistrationView,
  EvchartRegistration,
} from '../public-charging/charger.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage } from './page.js';

export const chargerKeys = {
  partition: (code: string) => `CHARGER#${code}`,
  primary: (code: string) => ({ pk: chargerKeys.partition(code), sk: 'CHARGER' }),
  tenantPartition: (tenantId: string) => `T#${tenantId}#CHARGERS`,
  tenantList: (tenantId: string, code: string) => ({
    gsi1pk: chargerKeys.tenantPartition(tenantId),
    gsi1sk: `CHARGER#${code}`,
  }),
  remoteStart: (code: string, remoteStartId: number) => ({
    pk: chargerKeys.partition(code),
    sk: `RSID#${remoteStartId}`,
  }),
  command: (code: string, commandId: string) => ({ pk: chargerKeys.partition(code), sk: `CMD#${commandId}` }),
};

const RECORD_FIELDS = [
  'tenantId',
  'publicCode',
  'name',
  'entityId',
  'public',
  'online',
  'connectors',
  'pricing',
  'tariffId',
  'holdAmount',
  'evchart',
  'connectorStates',
  'version',
  'created',
  'updated',
] as const satisfies readonly (keyof ChargerRecord)[];

export function chargerToItem(charger: ChargerRecord): Record<string, unknown> {
  return {
    ...chargerKeys.primary(charger.publicCode),
    ...chargerKeys.tenantList(charger.tenantId, charger.publicCode),
    itemType: 'Charger',
    ...Object.fromEntries(RECORD_FIELDS.map((field) => [field, charger[field]])),
  };
}

export function chargerFromItem(item: Record<string, unknown>): ChargerRecord {
  const charger = Object.fromEntries(
    RECORD_FIELDS.map((field) => [field, item[field]]),
  ) as unknown as ChargerRecord;
  // Chargers stored before they could name a tariff price with their `pricing`.
  return {
    ...charger,
    tariffId: (item.tariffId as string | null | undefined) ?? null,
    ...registrationFromItem(item),
  };
}

/** A charger's EV-ChART identity as stored; chargers stored before it existed have none. */
function registrationFromItem(item: Record<string, unknown>): Pick<ChargerRecord, 'evchart' | 'connectors'> {
  const connectors = (item.connectors ?? []) as (Omit<ChargerConnector, 'portId'> & {
    portId?: string | null;
  })[];
  return {
    evchart: (item.evchart as EvchartRegistration | null | undefined) ?? null,
    connectors: connectors.map((c) => ({ ...c, portId: c.portId ?? null })),
  };
}

export async function getCharger(code: string): Promise<ChargerRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: chargerKeys.primary(code), ConsistentRead: true }),
  );
  return Item ? chargerFromItem(Item) : undefined;
}

async function conditionalPut(input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
  return conditionalWrite(documentClient().send(new PutCommand({ ...input, TableName: tableName() })));
}

/** Creates the charger; false when any tenant already has a charger with this code. */
export function putNewCharger(charger: ChargerRecord): Promise<boolean> {
  return conditionalPut({ Item: chargerToItem(charger), ConditionExpression: 'attribute_not_exists(pk)' });
}

/**
 * Writes the charger if the stored one still has `expectedVersion`; false when another write came
 * first (the caller re-reads and re-applies) or the charger is gone.
 */
export function replaceCharger(charger: ChargerRecord, expectedVersion: number): Promise<boolean> {
  return conditionalPut({
    Item: chargerToItem(charger),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': expectedVersion },
  });
}

/** Deletes the charger if it still has `expectedVersion`. */
export async function deleteCharger(code: string, expectedVersion: number): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: chargerKeys.primary(code),
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': expectedVersion },
      }),
    ),
  );
}

/** One page of a tenant's chargers by code: one Query on GSI1. */
export async function listTenantChargers(
  tenantId: string,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<ChargerRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': chargerKeys.tenantPartition(tenantId) },
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, chargerFromItem);
}

/**
 * A tenant's chargers, projected to their EV-ChART identity: Query pages on GSI1 until the list ends (1 MB
 * of whole items per page: several hundred chargers). Read once per export response, never per session.
 * With `entityId`, only the chargers linked to that entity are returned (a filter: it saves transfer and
 * memory, not read units, which count every charger of the tenant). GSI1 is eventually consistent, so a
 * registration changed a moment ago may show a moment later.
 */
export async function listChargerRegistrations(
  tenantId: string,
  entityId?: string,
): Promise<ChargerRegistrationView[]> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'GSI1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ...(entityId === undefined ? {} : { FilterExpression: '#entity = :entity' }),
    ExpressionAttributeValues: {
      ':pk': chargerKeys.tenantPartition(tenantId),
      ...(entityId === undefined ? {} : { ':entity': entityId }),
    },
    ProjectionExpression: '#code, #entity, #evchart, #connectors',
    ExpressionAttributeNames: {
      '#code': 'publicCode',
      '#entity': 'entityId',
      '#evchart': 'evchart',
      '#connectors': 'connectors',
    },
  });
  return items.map((item) => ({
    publicCode: item.publicCode as string,
    entityId: item.entityId as string,
    ...registrationFromItem(item),
  }));
}

// ---------------------------------------------------------------------------------------------------
// remoteStartId → session

/**
 * Records which session a remote start belongs to; false if the id is taken on this charger (the
 * caller draws another). Expires with the session's longest possible life.
 */
export function putRemoteStartPointer(
  code: string,
  remoteStartId: number,
  sessionId: string,
  expiresAtEpochSeconds: number,
): Promise<boolean> {
  return conditionalPut({
    Item: {
      ...chargerKeys.remoteStart(code, remoteStartId),
      itemType: 'RemoteStart',
      sessionId,
      ttl: expiresAtEpochSeconds,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

export async function findSessionIdByRemoteStart(
  code: string,
  remoteStartId: number,
): Promise<string | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: chargerKeys.remoteStart(code, remoteStartId),
      ConsistentRead: true,
    }),
  );
  return Item?.sessionId as string | undefined;
}

// ---------------------------------------------------------------------------------------------------
// Commands for the charger, waiting for the operator's CSMS

export interface ChargerCommandRecord {
  /** Deterministic (`start-<sessionId>`, `stop-<transactionId>`), so asking twice stores one command. */
  commandId: string;
  chargerCode: string;
  action: 'RequestStartTransaction' | 'RequestStopTransaction';
  /** The OCPP 2.0.1 request payload to send as is. */
  request: Record<string, unknown>;
  sessionId: string;
  created: string;
  /** Epoch seconds after which the command is stale and no longer listed. */
  expiresAt: number;
}

function commandFromItem(item: Record<string, unknown>): ChargerCommandRecord {
  return {
    commandId: item.commandId as string,
    chargerCode: item.chargerCode as string,
    action: item.action as ChargerCommandRecord['action'],
    request: item.request as Record<string, unknown>,
    sessionId: item.sessionId as string,
    created: item.created as string,
    expiresAt: item.expiresAt as number,
  };
}

/** Stores the command once; asking again for the same command keeps the first. */
export async function putCommand(command: ChargerCommandRecord): Promise<void> {
  await conditionalPut({
    Item: {
      ...chargerKeys.command(command.chargerCode, command.commandId),
      itemType: 'ChargerCommand',
      ...command,
      ttl: command.expiresAt,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

/** The charger's waiting commands, oldest first (at most a few: one per connector and session). */
export async function listCommands(code: string, nowEpochSeconds: number): Promise<ChargerCommandRecord[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': chargerKeys.partition(code), ':prefix': 'CMD#' },
    ConsistentRead: true,
  });
  return items
    .map(commandFromItem)
    .filter((command) => command.expiresAt > nowEpochSeconds)
    .sort((a, b) => a.created.localeCompare(b.created) || a.commandId.localeCompare(b.commandId));
}

export async function getCommand(code: string, commandId: string): Promise<ChargerCommandRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: chargerKeys.command(code, commandId),
      ConsistentRead: true,
    }),
  );
  return Item ? commandFromItem(Item) : undefined;
}

export async function deleteCommand(code: string, commandId: string): Promise<void> {
  await documentClient().send(
    new DeleteCommand({ TableName: tableName(), Key: chargerKeys.command(code, commandId) }),
  );
}
