// One DynamoDB Query per page. It asks for one item more than the page holds, so `nextKey` is given
// only when another item really exists (no empty last page), and the position is rebuilt from the last
// item's key attributes.

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

export function mapPage<T>(page: Page, map: (item: StoredItem) => T): Page<T> {
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
