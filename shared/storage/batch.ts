// BatchWriteItem with its rules kept in one place: at most 25 requests a call, and the requests DynamoDB
// leaves unprocessed (throttling) sent again with exponential backoff. Every request must be a whole-item
// put or a delete, so repeating any of them after a timeout leaves the same items.

import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './client.js';

/** BatchWriteItem takes at most this many requests per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** Calls for one chunk before giving up on requests DynamoDB keeps returning unprocessed. */
const BATCH_WRITE_ATTEMPTS = 6;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Applies every request, 25 to a call; `what` names them in the error if some stay unprocessed. */
export async function batchWriteAll(requests: readonly WriteRequest[], what: string): Promise<void> {
  const table = tableName();
  for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX_ITEMS) {
    let pending = requests.slice(i, i + BATCH_WRITE_MAX_ITEMS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_WRITE_ATTEMPTS) {
        throw new Error(`DynamoDB left ${pending.length} ${what} unprocessed after ${attempt} attempts`);
      }
      if (attempt > 0) await pause(50 * 2 ** attempt);
      const result = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [table]: pending }, ReturnConsumedCapacity: 'TOTAL' }),
      );
      pending = (result.UnprocessedItems?.[table] as WriteRequest[] | undefined) ?? [];
    }
  }
}
