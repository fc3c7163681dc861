// Item module: a charger's OCPP-J station (`CHARGER#<code>` / `OCPP`), next to the charger in its
// partition: the Basic-auth password hash the operator set, and which gateway connection holds the
// station now. Kept apart from the charger record so that a handshake or a disconnect never races the
// charger's version-conditioned writes, and so the hash never travels with the charger to any reader.

import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chargerKeys } from './chargers.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';

export const ocppStationKeys = {
  primary: (code: string) => ({ pk: chargerKeys.partition(code), sk: 'OCPP' }),
};

export interface OcppStationRecord {
  chargerCode: string;
  passwordHash: string | null;
  passwordSetAt: string | null;
  /** The gateway connection holding the station (one at a time), or null while none does. */
  connectionId: string | null;
  connectedAt: string | null;
}

export async function getOcppStation(code: string): Promise<OcppStationRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: ocppStationKeys.primary(code), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    chargerCode: code,
    passwordHash: (Item.passwordHash as string | undefined) ?? null,
    passwordSetAt: (Item.passwordSetAt as string | undefined) ?? null,
    connectionId: (Item.connectionId as string | undefined) ?? null,
    connectedAt: (Item.connectedAt as string | undefined) ?? null,
  };
}

/** Sets (or rotates) the password hash; a connection already open stays open until it reconnects. */
export async function putOcppPasswordHash(code: string, passwordHash: string, now: Date): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: ocppStationKeys.primary(code),
      UpdateExpression: 'SET itemType = :type, passwordHash = :hash, passwordSetAt = :at',
      ExpressionAttributeValues: { ':type': 'OcppStation', ':hash': passwordHash, ':at': now.toISOString() },
    }),
  );
}

/** The station is now held by `connectionId` (a newer connection replaces an older one). */
export async function claimOcppConnection(code: string, connectionId: string, now: Date): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: ocppStationKeys.primary(code),
      UpdateExpression: 'SET connectionId = :id, connectedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':id': connectionId, ':at': now.toISOString() },
    }),
  );
}

/**
 * Lets go of the station if `connectionId` still holds it; false when a newer connection took it over
 * meanwhile (that connection's charger is online, so the caller must not mark it offline).
 */
export function releaseOcppConnection(code: string, connectionId: string): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: ocppStationKeys.primary(code),
        UpdateExpression: 'REMOVE connectionId, connectedAt',
        ConditionExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': connectionId },
      }),
    ),
  );
}

export async function deleteOcppStation(code: string): Promise<void> {
  await documentClient().send(
    new DeleteCommand({ TableName: tableName(), Key: ocppStationKeys.primary(code) }),
  );
}
