// Readings: (1) the ingest handler in process against the raw DocumentClient calls it makes (GetItem of
// the entity, the consistent Query of the touched hours, the PutItems of the same segments), on the same
// dynalite, in alternating rounds; (2) what ingestion and processEntity cost in DynamoDB capacity units
// per reading, as ReturnConsumedCapacity reports them, against one item per reading (1 write unit each).

import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Reading } from '../shared/readings/model.js';
import { simulateEntity } from '../test/simulator/simulate.js';
import { httpEvent, lambdaContext } from '../test/support/events.js';
import {
  asStored,
  chunks,
  type ReadingBody,
  shiftToRecent,
  toReadingBody,
} from '../test/support/readings.js';
import { alternate, type Figure, type Section } from './lib.js';

type Handler = (event: unknown, context: Context) => Promise<{ statusCode: number; body?: string }>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * The handler parses, validates, dedupes and deflates 1,000 readings (~6 µs of CPU each, measured), work
 * the raw calls do not do; at most as much again as the round trips keeps ingest I/O-bound.
 */
const INGEST_GOAL = 2;

/** Simulated EV telemetry with every field, moved to end two hours before now. */
function telemetry(seed: number, cadenceMs: number, days: number, now: number): ReadingBody[] {
  const sim = simulateEntity({
    seed,
    id: `bench-readings-${seed}`,
    profile: 'ev-power',
    timeZone: 'UTC',
    startDate: [2025, 6, 2],
    days,
    cadenceMs,
    alwaysAwake: true,
    duplicateRate: 0,
  });
  const shift = shiftToRecent(sim.toMs, now, 2 * HOUR);
  return asStored(sim.readings, shift)
    .filter((r: Reading) => r.t < now - 2 * HOUR)
    .map((r) => toReadingBody(r));
}

export async function benchReadings(options: { quick: boolean }): Promise<Section[]> {
  const { documentClient, tableName } = await import('../shared/storage/client.js');
  const { putNewEntity, entityKeys } = await import('../shared/storage/entities.js');
  const { newEntity } = await import('../shared/entities/domain.js');
  const { uuidv7 } = await import('../shared/ids.js');
  const { measureCapacity } = await import('../shared/storage/capacity.js');
  const { ingestReadings } = await import('../shared/readings/service.js');
  const { processEntity } = await import('../shared/pipeline/process-entity.js');
  const { encodeSegment } = await import('../shared/readings/codec.js');
  const { planBatch, toReading, bucketTtlSeconds, retentionMs } = await import(
    '../shared/readings/domain.js'
  );
  const { readingKeys } = await import('../shared/storage/readings.js');
  const readingsHandler = (await import('../functions/readings.js')).handler as unknown as Handler;

  const tenantId = 'bench-readings';
  const now = Date.now();
  let serial = 0;
  const newEntityId = async (capture = false) => {
    const id = uuidv7(now + serial++);
    const entity = newEntity(
      tenantId,
      id,
      { type: 'EV', name: 'bench', timeZone: 'UTC', capabilities: [] },
      new Date(now),
    );
    await putNewEntity(
      capture
        ? {
            ...entity,
            features: { CaptureChargeSessions: { enabled: true, since: new Date(now).toISOString() } },
          }
        : entity,
    );
    return id;
  };

  // ----- handler against its raw calls ---------------------------------------------------------------
  const day = telemetry(1, MINUTE, 1, now).slice(0, 1_000);
  const body = { readings: day };
  const rounds = options.quick ? 3 : 10;
  const perRound = options.quick ? 4 : 15;
  const calls = 2 * (rounds * perRound + 5);
  const entityIds: string[] = [];
  for (let i = 0; i < calls; i++) entityIds.push(await newEntityId());
  let next = 0;
  const context = lambdaContext('bench');
  const access = { tenantId, tokenId: 't', scopes: 'readings:write' };
  // Events are built once per entity: the measurement is the handler, not the event factory.
  const events = entityIds.map((entityId) =>
    httpEvent({
      routeKey: 'POST /v1/entities/{entityId}/readings',
      pathParameters: { entityId },
      body,
      authorizer: access,
    }),
  );
  // The floor's items: the very segments the handler writes for this batch (same buckets, same bytes).
  const plan = planBatch(day.map((b) => toReading(b)));
  const retention = retentionMs(35);
  const segments = [...plan.buckets].map(([bucket, readings]) => ({
    bucket,
    data: encodeSegment(readings),
    n: readings.length,
    ttl: bucketTtlSeconds(bucket, retention),
  }));
  const buckets = [...plan.buckets.keys()];
  const doc = documentClient();
  const subject = async () => {
    const response = await readingsHandler(events[next++]!, context);
    if (response.statusCode !== 202)
      throw new Error(`bench ingest failed: ${response.statusCode} ${response.body}`);
  };
  const floor = async () => {
    const entityId = entityIds[next++]!;
    await Promise.all([
      doc.send(
        new GetCommand({
          TableName: tableName(),
          Key: entityKeys.primary(tenantId, entityId),
          ConsistentRead: true,
        }),
      ),
      doc.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': readingKeys.partition(tenantId, entityId),
            ':from': readingKeys.hour(buckets[0]!),
            ':to': `${readingKeys.hour(buckets[buckets.length - 1]!)}#~`,
          },
          ConsistentRead: true,
        }),
      ),
    ]);
    const queue = [...segments];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let s = queue.shift(); s; s = queue.shift()) {
          await doc.send(
            new PutCommand({
              TableName: tableName(),
              Item: {
                ...readingKeys.segment(tenantId, entityId, s.bucket, 0),
                itemType: 'ReadingSegment',
                d: s.data,
                n: s.n,
                v: 1,
                ttl: s.ttl,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        }
      }),
    );
  };
  for (let i = 0; i < 5; i++) {
    await subject();
    await floor();
  }
  const timed = await alternate(rounds, perRound, subject, floor);
  const handlerSection: Section = {
    title: 'Readings ingestion (in process, dynalite)',
    figures: [
      {
        name: `POST readings: 1,000 one-minute readings over ${buckets.length} hours`,
        unit: 'ms',
        runs: timed.runs,
        floorRuns: timed.floorRuns,
        floorName: `GetItem ∥ Query, then ${segments.length} PutItems of the same segments`,
        better: 'lower',
        goal: { ratioAtMost: INGEST_GOAL, text: `≤ ${INGEST_GOAL}× raw calls` },
      },
    ],
    notes: [
      `${rounds} alternating rounds of ${perRound} requests, each to a fresh entity (so every reading is new); the handler parses and validates the body, dedupes, deflates ${segments.length} segments and writes them 8 at a time, as the floor does.`,
    ],
  };

  // ----- capacity units per reading ----------------------------------------------------------------
  const entities = options.quick ? 2 : 5;
  const unitFigure = (name: string, runs: number[], goal?: Figure['goal'], note?: string): Figure => ({
    name,
    unit: 'units/reading',
    runs,
    floorRuns: [1],
    floorName: 'one item per reading',
    better: 'lower',
    ...(goal ? { goal } : {}),
    ...(note ? { note } : {}),
  });
  const far: Figure['goal'] = { valueAtMost: 0.1, text: '≤ 0.1 (far below one)' };
  const shapes: { name: string; batches: (seed: number) => ReadingBody[][]; goal: Figure['goal'] }[] = [
    {
      name: 'batch of 60 (one-minute cadence)',
      batches: (s) => chunks(telemetry(s, MINUTE, 1, now).slice(0, 600), 60),
      goal: far,
    },
    {
      name: '1,000 over 17 h (one-minute cadence)',
      batches: (s) => [telemetry(s, MINUTE, 1, now).slice(0, 1_000)],
      goal: far,
    },
    {
      // Four readings an hour: the floor of hour buckets is one write per hour touched, 0.25 a reading.
      name: '1,000 over 10 days (15-minute cadence)',
      batches: (s) => [telemetry(s, 15 * MINUTE, 11, now).slice(-1_000)],
      goal: { valueAtMost: 0.3, text: '≤ 0.3 (a write per hour bucket)' },
    },
    {
      name: 'trickle of 1 (one-minute cadence)',
      batches: (s) => chunks(telemetry(s, MINUTE, 1, now).slice(0, 60), 1),
      goal: { valueAtMost: 1, text: '≤ 1 (a write per request)' },
    },
  ];
  const write: Figure[] = [];
  const read: Figure[] = [];
  for (const shape of shapes) {
    const w: number[] = [];
    const r: number[] = [];
    for (let e = 0; e < entities; e++) {
      const entityId = await newEntityId();
      let accepted = 0;
      const { consumed } = await measureCapacity(async () => {
        for (const batch of shape.batches(100 + e))
          accepted += (await ingestReadings(tenantId, entityId, batch, new Date(now))).accepted;
      });
      w.push(consumed.writeUnits / accepted);
      r.push(consumed.readUnits / accepted);
    }
    write.push(unitFigure(`write units, ${shape.name}`, w, shape.goal));
    read.push(unitFigure(`read units, ${shape.name}`, r));
  }
  // A re-send of 60 stored readings: duplicates are found by reading, never written.
  {
    const w: number[] = [];
    for (let e = 0; e < entities; e++) {
      const entityId = await newEntityId();
      const batch = telemetry(200 + e, MINUTE, 1, now).slice(0, 60);
      await ingestReadings(tenantId, entityId, batch, new Date(now));
      const { consumed } = await measureCapacity(() =>
        ingestReadings(tenantId, entityId, batch, new Date(now)),
      );
      w.push(consumed.writeUnits / batch.length);
    }
    write.push(unitFigure('write units, re-send of 60 (all duplicates)', w, { valueAtMost: 0, text: '0' }));
  }
  // processEntity over a day of one-minute readings: read the readings, write the sessions and cursor.
  {
    const rr: number[] = [];
    const ww: number[] = [];
    for (let e = 0; e < entities; e++) {
      const entityId = await newEntityId(true);
      const readings = telemetry(300 + e, MINUTE, 1, now);
      for (const batch of chunks(readings, 1_000))
        await ingestReadings(tenantId, entityId, batch, new Date(now));
      const result = await processEntity({ tenantId, entityId }, new Date(now));
      rr.push(result.consumed.readUnits / result.readings);
      ww.push(result.consumed.writeUnits / result.readings);
    }
    read.push(unitFigure('read units, processEntity over a day (one-minute cadence)', rr));
    write.push(unitFigure('write units, processEntity over a day (sessions + cursor)', ww));
  }
  const unitsSection: Section = {
    title: 'Readings storage cost (DynamoDB capacity units per reading)',
    figures: [...write, ...read],
    notes: [
      `Units as DynamoDB reports them (ReturnConsumedCapacity on dynalite, which sizes items like DynamoDB: a write costs a unit per KB of the larger of old and new item; a strongly consistent read a unit per 4 KB, an eventually consistent one half). ${entities} entities per shape (simulated EV telemetry with every field, full-precision values); the floor is one item per reading. Ingest reads: the entity (1 unit) and the touched hours (consistent) per request.`,
    ],
  };
  return [handlerSection, unitsSection];
}
