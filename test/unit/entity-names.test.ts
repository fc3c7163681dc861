// Entity names for fleet CSV exports: one BatchGetItem, keys DynamoDB leaves unprocessed asked again with
// backoff, and a 503 (not a silently nameless export) when they stay unprocessed.

import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../shared/errors.js';

const dynamo = mockClient(DynamoDBDocumentClient);
let getEntityNames: typeof import('../../shared/storage/entities.js').getEntityNames;

beforeAll(async () => {
  process.env.TABLE_NAME = 'unit-table';
  ({ getEntityNames } = await import('../../shared/storage/entities.js'));
});
afterEach(() => dynamo.reset());

const ID_1 = '01900000-0000-7000-8000-000000000001';
const ID_2 = '01900000-0000-7000-8000-000000000002';
const key = (id: string) => ({ pk: 'T#acme', sk: `ENTITY#${id}` });

describe('getEntityNames', () => {
  it("asks once for the tenant's keys, each id once, for the name only", async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { 'unit-table': [{ entityId: ID_1, name: 'Car' }] } });
    const names = await getEntityNames('acme', [ID_1, ID_2, ID_1]);
    expect(names).toEqual(new Map([[ID_1, 'Car']]));
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        'unit-table': {
          Keys: [key(ID_1), key(ID_2)],
          ProjectionExpression: 'entityId, #name',
          ExpressionAttributeNames: { '#name': 'name' },
        },
      },
    });
  });

  it('asks again for unprocessed keys, and only for them', async () => {
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { 'unit-table': [{ entityId: ID_1, name: 'Car' }] },
        UnprocessedKeys: { 'unit-table': { Keys: [key(ID_2)] } },
      })
      .resolvesOnce({ Responses: { 'unit-table': [{ entityId: ID_2, name: 'Charger' }] } });
    const names = await getEntityNames('acme', [ID_1, ID_2]);
    expect(names).toEqual(
      new Map([
        [ID_1, 'Car'],
        [ID_2, 'Charger'],
      ]),
    );
    expect(dynamo.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.['unit-table']?.Keys).toEqual(
      [key(ID_2)],
    );
  });

  it('answers 503 when keys stay unprocessed', async () => {
    dynamo.on(BatchGetCommand).resolves({ UnprocessedKeys: { 'unit-table': { Keys: [key(ID_1)] } } });
    await expect(getEntityNames('acme', [ID_1])).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 4);
  });

  it('makes no call for no ids and refuses more than one batch', async () => {
    expect(await getEntityNames('acme', [])).toEqual(new Map());
    expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 0);
    const many = Array.from(
      { length: 101 },
      (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    await expect(getEntityNames('acme', many)).rejects.toThrow(RangeError);
  });
});
