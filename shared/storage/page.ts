// The two ways the item modules read with Query. `queryPage`: one page of a listing; it asks for one item
// more than the page holds, so `nextKey` is given only when another item really exists (no empty last
// page), and the position is rebuilt from the last item's key attributes. `queryPages`/`queryAll`: a
// bounded read of everything a Query matches, page after page (the one home of that loop).

import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './client.js';
import { type IndexName, TABLE } from './table.js';

export type StoredItem = Record<string, unknown>;
export type Position = Record<string, unknown>;

export interface PageRequest {
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>;
  pageSize: number;
  startKey?: Position | undefined;
}

export interface Page<T = StoredItem> {
  items: T[];
  nextKey: Position | undefined;
}

export function mapPage<S, T>(page: Page<S>, map: (item: S) => T): Page<T> {
  return { items: page.items.map(map), nextKey: page.nextKey };
}

function positionOf(item: StoredItem, indexName: string | undefined): Position {
  const names: string[] = [TABLE.partitionKey, TABLE.sortKey];
  if (indexName) {
    const index = TABLE.indexes[indexName as IndexName];
    names.push(index.partitionKey, index.sortKey);
  }
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

export async function queryPage({ input, pageSize, startKey }: PageRequest): Promise<Page> {
  const result = await documentClient().send(
    new QueryCommand({ ...input, Limit: pageSize + 1, ExclusiveStartKey: startKey }),
  );
  const items = result.Items ?? [];
  if (items.length > pageSize) {
    const page = items.slice(0, pageSize);
    return { items: page, nextKey: positionOf(page[page.length - 1] as StoredItem, input.IndexName) };
  }
  return { items, nextKey: result.LastEvaluatedKey };
}

/** The input of a read of every page: the Query itself, without the paging members the loop sets. */
export type QueryInput = Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>;

export interface QueryPagesOptions {
  /**
   * The Limit of the next Query, given how many pages and items were read so far; undefined (or no
   * function) lets DynamoDB fill its 1 MB page.
   */
  pageLimit?: (read: { pages: number; items: number }) => number | undefined;
}

export interface QueriedPage {
  items: StoredItem[];
  /** Items DynamoDB counted (with `Select: 'COUNT'` it returns no items, only this). */
  count: number;
  /** Where the next Query starts; undefined on the last page. */
  nextKey: Position | undefined;
}

/**
 * Every page of a Query, in order, one Query per page as the caller asks for it: a caller that stops
 * iterating (a cap reached, time running out) sends no further Query.
 */
export async function* queryPages(
  input: QueryInput,
  options: QueryPagesOptions = {},
): AsyncGenerator<QueriedPage> {
  let startKey: Position | undefined;
  const read = { pages: 0, items: 0 };
  do {
    const limit = options.pageLimit?.(read);
    const result = await documentClient().send(
      new QueryCommand({
        ...input,
        ExclusiveStartKey: startKey,
        ...(limit !== undefined ? { Limit: limit } : {}),
      }),
    );
    const items = result.Items ?? [];
    startKey = result.LastEvaluatedKey;
    read.pages++;
    read.items += items.length;
    yield { items, count: result.Count ?? items.length, nextKey: startKey };
  } while (startKey);
}

/**
 * Every item a Query matches, page after page: for bounded reads (an entity's few days, a tenant's
 * tokens), never for a listing. `maxItems` stops early: no Query asks for more than are still wanted.
 */
export async function queryAll(
  input: QueryInput,
  options: { maxItems?: number; pageLimit?: number } = {},
): Promise<StoredItem[]> {
  const { maxItems, pageLimit } = options;
  const out: StoredItem[] = [];
  const pages = queryPages(input, {
    pageLimit: ({ items }) => {
      const wanted = maxItems === undefined ? undefined : maxItems - items;
      if (pageLimit === undefined) return wanted;
      return wanted === undefined ? pageLimit : Math.min(pageLimit, wanted);
    },
  });
  for await (const page of pages) {
    out.push(...page.items);
    if (maxItems !== undefined && out.length >= maxItems) break;
  }
  return out;
}
