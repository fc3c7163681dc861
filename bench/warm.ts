// Warm handler overhead: the Lambda handler invoked in process (event → middy → validation → use case →
// DynamoDB → response) against the raw DocumentClient calls it makes, on the same dynalite, in alternating
// rounds. The ratio is what our layers cost on top of the database round trips.

import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { httpEvent, lambdaContext } from '../test/support/events.js';
import { alternate, type Figure, type Section } from './lib.js';

type Handler = (event: unknown, context: Context) => Promise<{ statusCode: number }>;
const READ_GOAL = 1.15;

export async function benchWarm(options: { quick: boolean }): Promise<Section> {
  const { documentClient, tableName } = await import('../shared/storage/client.js');
  const { issueApiToken } = await import('../shared/auth/token-admin.js');
  const { hashApiToken } = await import('../shared/auth/tokens.js');
  const { apiTokenKeys } = await import('../shared/storage/api-tokens.js');
  const { createEntity } = await import('../shared/entities/service.js');
  const { entityKeys } = await import('../shared/storage/entities.js');
  const entities = (await import('../functions/entities.js')).handler as unknown as Handler;
  const authorizer = (await import('../functions/authorizer.js')).handler as unknown as Handler;

  const now = new Date();
  const tenantId = 'bench';
  const { token } = await issueApiToken({ tenantId }, now);
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    ids.push(
      (
        await createEntity(
          tenantId,
          { type: 'EV', name: `Car ${i}`, timeZone: 'UTC', capabilities: ['soc'] },
          now,
        )
      ).id,
    );
  }
  const context = lambdaContext('bench');
  const access = { tenantId, tokenId: 't', scopes: 'entities:read' };
  const check = (response: { statusCode: number }) => {
    if (response.statusCode !== 200) throw new Error(`bench request failed with ${response.statusCode}`);
  };

  // Events are built once: the measurement is the handler, not the test's event factory.
  const getEvent = httpEvent({
    routeKey: 'GET /v1/entities/{entityId}',
    pathParameters: { entityId: ids[7]! },
    authorizer: access,
  });
  const listEvent = httpEvent({
    routeKey: 'GET /v1/entities',
    query: { pageSize: '25' },
    authorizer: access,
  });
  const authorizerEvent = {
    type: 'REQUEST',
    headers: { authorization: `Bearer ${token}` },
    identitySource: [`Bearer ${token}`],
    requestContext: {},
  } as never;

  const rounds = options.quick ? 3 : 15;
  const perRound = options.quick ? 20 : 200;
  const doc = documentClient();
  const tokenKey = apiTokenKeys.primary(hashApiToken(token));
  const entityKey = entityKeys.primary(tenantId, ids[7]!);
  const listInput = {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': entityKeys.tenantPartition(tenantId), ':p': 'ENTITY#' },
    Limit: 26,
  };
  const cases: {
    name: string;
    subject: () => Promise<unknown>;
    floor: () => Promise<unknown>;
    floorName: string;
  }[] = [
    {
      name: 'authorizer (valid token)',
      subject: async () => {
        const result = (await authorizer(authorizerEvent, context)) as unknown as {
          context: { tenantId?: string };
        };
        if (!result.context.tenantId) throw new Error('authorizer refused the bench token');
      },
      floor: () => doc.send(new GetCommand({ TableName: tableName(), Key: tokenKey, ConsistentRead: true })),
      floorName: 'GetItem of the token',
    },
    {
      name: 'GET /v1/entities/{entityId}',
      subject: async () => check(await entities(getEvent, context)),
      floor: () => doc.send(new GetCommand({ TableName: tableName(), Key: entityKey, ConsistentRead: true })),
      floorName: 'GetItem of the entity',
    },
    {
      name: 'GET /v1/entities (25 items)',
      subject: async () => check(await entities(listEvent, context)),
      floor: () => doc.send(new QueryCommand(listInput)),
      floorName: 'Query of 26 items',
    },
  ];

  const figures: Figure[] = [];
  for (const c of cases) {
    // Warm up both paths (JIT, connection pool) before measuring.
    for (let i = 0; i < 20; i++) {
      await c.subject();
      await c.floor();
    }
    const { runs, floorRuns } = await alternate(rounds, perRound, c.subject, c.floor);
    figures.push({
      name: c.name,
      unit: 'ms',
      runs,
      floorRuns,
      floorName: c.floorName,
      better: 'lower',
      goal: { ratioAtMost: READ_GOAL, text: `≤ ${READ_GOAL}× raw calls` },
    });
  }
  return {
    title: 'Warm handler overhead (in process, dynalite)',
    figures,
    notes: [
      `${rounds} alternating rounds of ${perRound} calls each; a round's value is its median call. Log lines are built but not printed.`,
    ],
  };
}
