// The one page loop of the item modules (shared/storage/page.ts): every page read in order from the key
// the previous one ended at, no Query after the caller stops, and the Limit each Query asks for.

import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const dynamo = mockClient(DynamoDBDocumentClient);
let page: typeof import('../../shared/storage/page.js');

beforeAll(async () => {
  process.env.TABLE_NAME = 'unit-table';
  page = await import('../../shared/storage/page.js');
});
afterEach(() => dynamo.reset());

const input = { TableName: 'unit-table', KeyConditionExpression: 'pk = :pk' };

/** A partition of `total` items served `Limit` at a time (3 when no Limit is asked for). */
function partition(total: number) {
  dynamo.on(QueryCommand).callsFake((query) => {
    const from = (query.ExclusiveStartKey?.n as number | undefined) ?? 0;
    const to = Math.min(total, from + (query.Limit ?? 3));
    const Items = Array.from({ length: to - from }, (_, i) => ({ pk: 'P', n: from + i }));
    return { Items, Count: Items.length, ...(to < total ? { LastEvaluatedKey: { n: to } } : {}) };
  });
}

const queries = () => dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);

describe('queryAll', () => {
  it('reads every page, each from where the last ended, and stops on the page without a next key', async () => {
    partition(8);
    const items = await page.queryAll(input);
    expect(items.map((item) => item.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(queries().map((query) => query.ExclusiveStartKey)).toEqual([undefined, { n: 3 }, { n: 6 }]);
    expect(queries().every((query) => query.Limit === undefined)).toBe(true);
  });

  it('asks for no more than are still wanted, at most pageLimit a Query, and stops at maxItems', async () => {
    partition(100);
    const items = await page.queryAll(input, { maxItems: 10, pageLimit: 4 });
    expect(items).toHaveLength(10);
    expect(queries().map((query) => query.Limit)).toEqual([4, 4, 2]);
  });
});

describe('queryPages', () => {
  it('sends no further Query once the caller stops iterating, and reports counts and next keys', async () => {
    partition(9);
    const seen: { count: number; nextKey: unknown }[] = [];
    for await (const { count, nextKey } of page.queryPages(input)) {
      seen.push({ count, nextKey });
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([
      { count: 3, nextKey: { n: 3 } },
      { count: 3, nextKey: { n: 6 } },
    ]);
    expect(queries()).toHaveLength(2);
  });

  it('asks each Query for the Limit pageLimit gives, from the pages and items read so far', async () => {
    partition(30);
    const asked: { pages: number; items: number }[] = [];
    for await (const _ of page.queryPages(input, {
      pageLimit: (read) => {
        asked.push({ ...read });
        return read.pages === 0 ? 2 : undefined;
      },
    }));
    expect(asked.slice(0, 3)).toEqual([
      { pages: 0, items: 0 },
      { pages: 1, items: 2 },
      { pages: 2, items: 5 },
    ]);
    expect(
      queries()
        .map((query) => query.Limit)
        .slice(0, 3),
    ).toEqual([2, undefined, undefined]);
  });
});
