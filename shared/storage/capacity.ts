// Counting the DynamoDB capacity a piece of work consumes: every call made through the shared
// DocumentClient inside `measureCapacity(fn)` asks DynamoDB for its ConsumedCapacity, and the units are
// added to that call's meter. Contexts are tracked with AsyncLocalStorage, so concurrent work (a worker
// processing many entities at once) is metered per piece of work, and no item module changes signature.
// Only what DynamoDB reports is counted: a write refused by its condition is charged but not reported.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './client.js';

export interface ConsumedUnits {
  readUnits: number;
  writeUnits: number;
}

/** A meter counts its own calls and passes them up, so a measured step inside a measured run counts in both. */
interface Meter {
  units: ConsumedUnits;
  parent: Meter | undefined;
}

const meters = new AsyncLocalStorage<Meter>();
const METER_MIDDLEWARE = 'evsCapacityMeter';
const WRITE_COMMANDS = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;
const instrumented = new WeakSet<DynamoDBDocumentClient>();

type Consumed = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function unitsOf(consumed: Consumed): number {
  if (!consumed) return 0;
  if (Array.isArray(consumed)) return consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  return consumed.CapacityUnits ?? 0;
}

function instrument(client: DynamoDBDocumentClient): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const meter = meters.getStore();
      if (!meter) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const units = unitsOf((result.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
      const write = WRITE_COMMANDS.test(String(context.commandName));
      for (let m: Meter | undefined = meter; m; m = m.parent) {
        if (write) m.units.writeUnits += units;
        else m.units.readUnits += units;
      }
      return result;
    },
    { step: 'initialize', name: METER_MIDDLEWARE },
  );
}

/** Runs `fn`, returning its result and the capacity units its DynamoDB calls consumed. */
export async function measureCapacity<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; consumed: ConsumedUnits }> {
  instrument(documentClient());
  const consumed: ConsumedUnits = { readUnits: 0, writeUnits: 0 };
  const result = await meters.run({ units: consumed, parent: meters.getStore() }, fn);
  return { result, consumed };
}
