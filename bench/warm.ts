// Warm handler overhead: the Lambda handler invoked in process (event → middy → validation → use case →
// DynamoDB → response) against the raw DocumentClient calls it makes, on the same dynalite, in alternating
// rounds. The ratio is what our layers cost on top of the database round trips.

import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { httpEvent, lambdaContext } from '../test/support/events.js';
import { alternate, type Figure, recordCalls, replayCalls, type Section } from './lib.js';
import { seedEntitySessions, seedPublicSessions } from './seed.js';

type Handler = (event: unknown, context: Context) => Promise<{ statusCode: number }>;
const READ_GOAL = 1.15;

export async function benchWarm(options: { quick: boolean }): Promise<Section> {
  const { documentClient } = await import('../shared/storage/client.js');
  const { measureCapacity } = await import('../shared/storage/capacity.js');
  const { issueApiToken } = await import('../shared/auth/token-admin.js');
  const { createEntity } = await import('../shared/entities/service.js');
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
  const cases: {
    name: string;
    subject: () => Promise<unknown>;
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
      floorName: 'GetItem of the token',
    },
    {
      name: 'GET /v1/entities/{entityId}',
      subject: async () => check(await entities(getEvent, context)),
      floorName: 'GetItem of the entity',
    },
    {
      name: 'GET /v1/entities (25 items)',
      subject: async () => check(await entities(listEvent, context)),
      floorName: 'Query of 26 items',
    },
  ];

  // Charge sessions: 30 stored for one EV; the list's page of 25 is one GetItem of the entity, one Query of
  // its session partition and one GetItem of the tenant's settings (the exact-location opt-in), sent together.
  const ev = ids[3]!;
  await seedEntitySessions(tenantId, ev, 30);
  const sessions = (await import('../functions/sessions.js')).handler as unknown as Handler;
  const sessionsEvent = httpEvent({
    routeKey: 'GET /v1/entities/{entityId}/charge-sessions',
    pathParameters: { entityId: ev },
    query: { start: '2026-01-01T00:00:00Z', pageSize: '25' },
    authorizer: { tenantId, tokenId: 't', scopes: 'sessions:read' },
  });
  cases.push({
    name: 'GET /v1/entities/{entityId}/charge-sessions (25 items)',
    subject: async () => check(await sessions(sessionsEvent, context)),
    floorName: 'GetItems of the entity and tenant settings + Query of 26 sessions',
  });

  // The public poll: a driver's GET /v1/public-charging/sessions/{token} is one rate-counter update and
  // reads of the session and its charger. The limit is 30 polls a minute per token, so polls rotate over
  // 120 real sessions (10 connectors on each of 12 chargers, within the per-charger start cap).
  const publicCharging = (await import('../functions/public-charging.js')).handler as unknown as Handler;
  const pollEvents = (await seedPublicSessions(tenantId, 12, now)).map((token) =>
    httpEvent({ routeKey: 'GET /v1/public-charging/sessions/{token}', pathParameters: { token } }),
  );
  let poll = 0;
  cases.push({
    name: 'GET /v1/public-charging/sessions/{token}',
    subject: async () => check(await publicCharging(pollEvents[poll++ % pollEvents.length], context)),
    floorName: 'UpdateItem of a counter + GetItems of the session and charger',
  });

  const figures: Figure[] = [];
  const commands = {
    Get: GetCommand,
    Query: QueryCommand,
    Update: UpdateCommand,
    Put: PutCommand,
    Delete: DeleteCommand,
    BatchGet: BatchGetCommand,
  };
  for (const c of cases) {
    // Warm up (JIT, connection pool, the handlers' caches), then record the DynamoDB calls one warm call
    // makes: the floor replays exactly those (same inputs, same concurrency), so the ratio is the cost of
    // everything but the database round trips. Rate-limit counters are replayed on keys of their own.
    for (let i = 0; i < 20; i++) await c.subject();
    const recorded = await recordCalls(doc, commands, c.subject);
    let counter = 0;
    const replayed = recorded.map((call) => {
      const key = call.input.Key as { pk?: string } | undefined;
      if (!key?.pk?.startsWith('RATE#')) return () => call;
      return () => ({
        ...call,
        input: { ...call.input, Key: { ...key, pk: `RATE#bench-floor#${counter++ % 5_000}` } },
      });
    });
    const floor = () =>
      replayCalls(
        doc,
        replayed.map((make) => make()),
      );
    for (let i = 0; i < 20; i++) await floor();
    const { runs, floorRuns } = await alternate(rounds, perRound, c.subject, floor);
    // What one call costs in DynamoDB capacity (as ReturnConsumedCapacity reports it), for docs/cost.md.
    const { consumed } = await measureCapacity(c.subject);
    figures.push({
      name: c.name,
      unit: 'ms',
      runs,
      floorRuns,
      floorName: `${c.floorName} (replayed: ${recorded.length} calls in ${new Set(recorded.map((r) => r.wave)).size} waves)`,
      better: 'lower',
      goal: { ratioAtMost: READ_GOAL, text: `≤ ${READ_GOAL}× raw calls` },
      note: `${consumed.readUnits} read and ${consumed.writeUnits} write units per call`,
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
