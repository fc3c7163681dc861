// Item module: API tokens. Looked up by the SHA-256 of the presented token (the tenant is not known yet
// at that point, so this is the one key that does not start with the tenant); listed per tenant on GSI1.

import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../auth/scopes.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { queryAll } from './page.js';

export interface ApiTokenRecord {
  tokenId: string;
  tenantId: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** Expired tokens are kept this long for audit before DynamoDB's TTL removes them. */
const RETAIN_AFTER_EXPIRY_SECONDS = 30 * 24 * 3600;

const tenantTokensPartition = (tenantId: string) => `T#${tenantId}#TOKENS`;

export const apiTokenKeys = {
  primary: (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  /** GSI1 partition holding one tenant's tokens. */
  tenantPartition: tenantTokensPartition,
  byTenant: (tenantId: string, tokenId: string) => ({
    gsi1pk: tenantTokensPartition(tenantId),
    gsi1sk: `TOKEN#${tokenId}`,
  }),
};

function toItem(tokenHash: string, record: ApiTokenRecord) {
  return {
    ...apiTokenKeys.primary(tokenHash),
    ...apiTokenKeys.byTenant(record.tenantId, record.tokenId),
    itemType: 'ApiToken',
    ...record,
    ttl: Math.floor(Date.parse(record.expiresAt) / 1000) + RETAIN_AFTER_EXPIRY_SECONDS,
  };
}

function fromItem(item: Record<string, unknown>): ApiTokenRecord {
  return {
    tokenId: item.tokenId as string,
    tenantId: item.tenantId as string,
    name: item.name as string,
    scopes: item.scopes as Scope[],
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as string,
    revokedAt: (item.revokedAt as string | null | undefined) ?? null,
  };
}

export async function putApiToken(tokenHash: string, record: ApiTokenRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: toItem(tokenHash, record),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function findApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: apiTokenKeys.primary(tokenHash), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : undefined;
}

export async function listApiTokens(tenantId: string): Promise<ApiTokenRecord[]> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'GSI1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': apiTokenKeys.tenantPartition(tenantId) },
  });
  return items.map(fromItem);
}

/** Marks a token revoked; returns false when the tenant has no token with that id. */
export async function revokeApiToken(tenantId: string, tokenId: string, revokedAt: string): Promise<boolean> {
  const { gsi1pk, gsi1sk } = apiTokenKeys.byTenant(tenantId, tokenId);
  const { Items } = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': gsi1pk, ':sk': gsi1sk },
    }),
  );
  const item = Items?.[0];
  if (!item) return false;
  // Revoked already (or deleted since the read): the first revocation time stands; the answer is the same.
  await conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET revokedAt = :at',
        // A stored null means "not revoked"; the first revocation time is kept if revoked twice.
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(revokedAt) OR attribute_type(revokedAt, :null))',
        ExpressionAttributeValues: { ':at': revokedAt, ':null': 'NULL' },
      }),
    ),
  );
  return true;
}
