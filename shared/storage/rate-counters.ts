// Item module: fixed-window rate-limit counters, one item per (rule, subject, window) keyed
// `RATE#<rule>#<subject>#<windowStart>`. Counting is ONE conditional UpdateItem: ADD 1 on the condition
// that the count is still below the limit, so under any concurrency exactly `limit` requests of a
// window get through and the rest are refused by DynamoDB itself. Counters expire by TTL after their
// window (they are never read once it has passed, so TTL's lateness does not matter).

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './client.js';
import { isConditionFailure } from './conditions.js';

export const rateCounterKeys = {
  primary: (counterKey: string) => ({ pk: `RATE#${counterKey}`, sk: 'RATE' }),
};

/**
 * Counts one request if the window's count is below `limit`: the count after it, or null when the
 * limit was already reached (nothing is written then).
 */
export async function countWithinLimit(
  counterKey: string,
  limit: number,
  expiresAtEpochSeconds: number,
): Promise<number | null> {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: rateCounterKeys.primary(counterKey),
        UpdateExpression: 'SET #ttl = :ttl, itemType = :type ADD #count :one',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': limit,
          ':ttl': expiresAtEpochSeconds,
          ':type': 'RateCounter',
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.count);
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/** Counts one event unconditionally (a cap checked before and counted after success). */
export async function addToCounter(counterKey: string, expiresAtEpochSeconds: number): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: rateCounterKeys.primary(counterKey),
      UpdateExpression: 'SET #ttl = :ttl, itemType = :type ADD #count :one',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAtEpochSeconds, ':type': 'RateCounter' },
    }),
  );
}

export async function readCounter(counterKey: string): Promise<number> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: rateCounterKeys.primary(counterKey),
      ConsistentRead: true,
    }),
  );
  return Number(Item?.count ?? 0);
}
