// Counts the DynamoDB capacity units a piece of work consumed, from the ConsumedCapacity DynamoDB returns
// when asked (ReturnConsumedCapacity: TOTAL). The daily job reports units per reading with it.

import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

export class CapacityMeter {
  readUnits = 0;
  writeUnits = 0;

  /** Adds what one read (GetItem, Query, BatchGetItem) or write (Put/Update/Delete, BatchWriteItem) consumed. */
  add(kind: 'read' | 'write', consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    for (const entry of [consumed ?? []].flat()) {
      const units = entry.CapacityUnits ?? 0;
      if (kind === 'read') this.readUnits += units;
      else this.writeUnits += units;
    }
  }
}
