// The daily job at fleet scale: 1,000 entities × one day of 1-minute readings (1.44 M readings), stored
// through the readings use case as an uploader sends them (an hour of readings a request), then the
// planner and the worker with processEntity — `runAggregation`, as `npm run aggregate` runs them — against
// dynalite in this process. Measured against its floor in the same run: a Query per entity over its stored
// readings (eventually consistent, every page, ReturnConsumedCapacity), as many in flight as the worker
// processes entities at once, which is the least any job must read. Reported: wall time, readings per
// second, and DynamoDB read and write units per reading (and per entity) as DynamoDB reports them.
//
// Each round runs the job from scratch (cursors, sessions, rollups and job state removed), so rounds do
// the same work; the floor runs alternate with them. --quick: 20 entities × 2 hours.

import { randomBytes } from 'node:crypto';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../infra/local/dynamo.js';
import type { Reading } from '../shared/readings/model.js';
import { PROFILES, simulateEntity } from '../test/simulator/simulate.js';
import { shiftToRecent, toReadingBody } from '../test/support/readings.js';
import type { Figure, Section } from './lib.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
const TENANT = 'bench-job';
/** Entities uploading at once while the fleet is seeded. */
const SEED_CONCURRENCY = 16;

interface Options {
  quick: boolean;
}

function entityId(n: number): string {
  return `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** One day of 1-minute telemetry per entity, every profile in turn, reporting all day; ending 2 h ago. */
function fleetTelemetry(count: number, hours: number, nowMs: number) {
  return Array.from({ length: count }, (_, n) => {
    const sim = simulateEntity({
      seed: 7_000 + n,
      id: `bench-job-${n}`,
      profile: PROFILES[n % PROFILES.length]!,
      timeZone: ZONES[n % ZONES.length]!,
      startDate: [2025, 6, 2 + (n % 5)],
      days: 1,
      cadenceMs: MINUTE,
      alwaysAwake: true,
      dropRate: 0,
      duplicateRate: 0,
    });
    // A short run keeps the evening hours, when most charging happens.
    const from = hours >= 24 ? sim.fromMs : sim.fromMs + 17 * HOUR;
    const to = from + hours * HOUR;
    const shift = shiftToRecent(to, nowMs, 2 * HOUR);
    const readings = sim.readings.filter((r: Reading) => r.t >= from && r.t < to);
    return { id: entityId(n + 1), sim, readings, shift };
  });
}

export async function benchJob(options: Options): Promise<Section> {
  const { resetConfig } = await import('../shared/config.js');
  const { documentClient, tableName } = await import('../shared/storage/client.js');
  const { newEntity } = await import('../shared/entities/domain.js');
  const { putNewEntity, entityKeys } = await import('../shared/storage/entities.js');
  const { ingestReadings } = await import('../shared/readings/service.js');
  const { readingKeys } = await import('../shared/storage/readings.js');
  const { sessionKeys } = await import('../shared/storage/sessions.js');
  const { rollupKeys } = await import('../shared/storage/rollups.js');
  const { processEntity } = await import('../shared/pipeline/process-entity.js');
  const { createWorkerHandler } = await import('../shared/pipeline/worker.js');
  const { mapConcurrent } = await import('../shared/concurrency.js');
  const { WORKER_BATCH_SIZE, WORKER_MAX_CONCURRENCY } = await import('../shared/pipeline/settings.js');
  const { runAggregation } = await import('../infra/local/aggregate.js');

  // A table of its own: the planner enqueues every entity with capture on, and only these are wanted.
  const previousTable = process.env.TABLE_NAME;
  const table = `bench-job-${randomBytes(4).toString('hex')}`;
  await ensureTable(process.env.DYNAMODB_ENDPOINT!, table);
  process.env.TABLE_NAME = table;
  resetConfig();
  try {
    const count = options.quick ? 20 : 1_000;
    const hours = options.quick ? 2 : 24;
    const rounds = options.quick ? 2 : 3;
    const nowMs = Date.now();
    const now = new Date(nowMs);
    const fleet = fleetTelemetry(count, hours, nowMs);
    const doc = documentClient();

    // ----- seed: entities, then each entity's readings an hour per request -----------------------------
    const seedStart = performance.now();
    let stored = 0;
    await mapConcurrent(fleet, SEED_CONCURRENCY, async ({ id, sim, readings, shift }) => {
      await putNewEntity({
        ...newEntity(
          TENANT,
          id,
          { type: sim.entity.type, name: sim.entity.id, timeZone: sim.timeZone, capabilities: [] },
          now,
        ),
        batteryCapacityKwh: sim.entity.batteryCapacityKwh,
        features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
      });
      const byHour = new Map<number, Reading[]>();
      for (const r of readings) {
        const hour = Math.floor((r.t + shift) / HOUR);
        const list = byHour.get(hour);
        if (list) list.push(r);
        else byHour.set(hour, [r]);
      }
      for (const batch of byHour.values()) {
        const result = await ingestReadings(
          TENANT,
          id,
          batch.map((r) => toReadingBody(r, shift)),
          now,
        );
        stored += result.accepted;
      }
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;

    // ----- the floor: read every entity's stored readings once, nothing else -------------------------
    const inFlight = WORKER_MAX_CONCURRENCY * WORKER_BATCH_SIZE;
    const floor = async () => {
      let units = 0;
      let items = 0;
      const start = performance.now();
      await mapConcurrent(fleet, inFlight, async ({ id }) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await doc.send(
            new QueryCommand({
              TableName: tableName(),
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': readingKeys.partition(TENANT, id) },
              ConsistentRead: false,
              ReturnConsumedCapacity: 'TOTAL',
              ExclusiveStartKey: startKey,
            }),
          );
          units += page.ConsumedCapacity?.CapacityUnits ?? 0;
          items += page.Count ?? 0;
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      });
      return { seconds: (performance.now() - start) / 1000, units, items };
    };

    // ----- a round's fresh start: no cursor, sessions, rollups or job state -----------------------------
    const deletePartition = async (pk: string) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ProjectionExpression: 'pk, sk',
            ExclusiveStartKey: startKey,
          }),
        );
        const keys = page.Items ?? [];
        for (let i = 0; i < keys.length; i += 25) {
          let pending: Record<string, any>[] | undefined = keys
            .slice(i, i + 25)
            .map((Key) => ({ DeleteRequest: { Key } }));
          while (pending?.length) {
            const out: BatchWriteCommandOutput = await doc.send(
              new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }),
            );
            pending = out.UnprocessedItems?.[tableName()];
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    };
    const reset = () =>
      mapConcurrent(fleet, SEED_CONCURRENCY, async ({ id }) => {
        await doc.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: entityKeys.primary(TENANT, id),
            UpdateExpression: 'REMOVE sessionCursor',
          }),
        );
        await deletePartition(sessionKeys.entityPartition(TENANT, id));
        await deletePartition(rollupKeys.entityPartition(TENANT, id));
      });

    // ----- rounds: floor, then the job from scratch -----------------------------------------------------
    // processEntity's own units, to split the job's cost between it and the worker (lease, rollups).
    const processorUnits = { readUnits: 0, writeUnits: 0 };
    const worker = createWorkerHandler(async (ref, asOf) => {
      const result = await processEntity(ref, asOf);
      processorUnits.readUnits += result.consumed.readUnits;
      processorUnits.writeUnits += result.consumed.writeUnits;
      return result;
    });
    const job = {
      seconds: [] as number[],
      readingsPerSec: [] as number[],
      rcu: [] as number[],
      wcu: [] as number[],
    };
    const base = { seconds: [] as number[], readingsPerSec: [] as number[], rcu: [] as number[] };
    let last: Awaited<ReturnType<typeof runAggregation>> | undefined;
    let floorItems = 0;
    for (let round = 0; round < rounds; round++) {
      const f = await floor();
      floorItems = f.items;
      base.seconds.push(f.seconds);
      base.readingsPerSec.push(stored / f.seconds);
      base.rcu.push(f.units / stored);
      if (round > 0) await reset();
      processorUnits.readUnits = 0;
      processorUnits.writeUnits = 0;
      const run = await runAggregation({ worker, asOf: new Date(nowMs) });
      if (run.deadLetters.length > 0 || run.processed !== count)
        throw new Error(`bench job run failed: ${JSON.stringify({ ...run, plan: undefined })}`);
      if (run.readings !== stored)
        throw new Error(`bench job read ${run.readings} readings, ${stored} were stored`);
      const seconds = run.totalMs / 1000;
      job.seconds.push(seconds);
      job.readingsPerSec.push(run.readings / seconds);
      job.rcu.push(run.readUnits / run.readings);
      job.wcu.push(run.writeUnits / run.readings);
      last = run;
    }

    const scale = `${count.toLocaleString('en-US')} entities × ${hours} h of 1-minute readings`;
    const perEntity = (units: number[]) => units.map((u) => (u * stored) / count);
    const floorName = `a Query per entity of its readings (eventually consistent), ${inFlight} in flight`;
    const figures: Figure[] = [
      {
        name: `daily job wall time: ${scale} (planner + worker)`,
        unit: 's',
        runs: job.seconds,
        floorRuns: base.seconds,
        floorName,
        better: 'lower',
      },
      {
        name: 'daily job: readings processed per second',
        unit: 'readings/s',
        runs: job.readingsPerSec,
        floorRuns: base.readingsPerSec,
        floorName: 'the same Queries',
        better: 'higher',
      },
      {
        name: 'daily job: read units per reading',
        unit: 'RRU/reading',
        runs: job.rcu,
        floorRuns: base.rcu,
        floorName: 'reading the readings once',
        better: 'lower',
      },
      {
        name: 'daily job: write units per reading',
        unit: 'WRU/reading',
        runs: job.wcu,
        better: 'lower',
        note: 'sessions, cursor, lease and its release, changed rollups',
      },
      {
        name: 'daily job: read units per entity',
        unit: 'RRU/entity',
        runs: perEntity(job.rcu),
        floorRuns: perEntity(base.rcu),
        floorName: 'reading the readings once',
        better: 'lower',
      },
      {
        name: 'daily job: write units per entity',
        unit: 'WRU/entity',
        runs: perEntity(job.wcu),
        better: 'lower',
      },
    ];
    return {
      title: `Daily job: ${scale} (planner + worker with processEntity, dynalite in process)`,
      figures,
      notes: [
        `${stored.toLocaleString('en-US')} readings in ${floorItems.toLocaleString('en-US')} hour segments (${(stored / floorItems).toFixed(0)} readings a segment), seeded through the ingest use case an hour per request at ${Math.round(stored / seedSeconds).toLocaleString('en-US')} readings/s; ${count.toLocaleString('en-US')} entities of every simulator profile in turn, five zones. Last run: ${last!.sessionsWritten.toLocaleString('en-US')} sessions and ${last!.rollupsWritten.toLocaleString('en-US')} daily rollups written, ${last!.plan.pages} index pages planned in ${(last!.planMs / 1000).toFixed(2)} s.`,
        `Per entity in the last run: processEntity ${(processorUnits.readUnits / count).toFixed(2)} read and ${(processorUnits.writeUnits / count).toFixed(2)} write units (the entity and its cursor, the readings, the tenant's locations and settings, ${(last!.sessionsWritten / count).toFixed(2)} sessions, the cursor's move); the worker's own ${((last!.readUnits - processorUnits.readUnits) / count).toFixed(2)} read and ${((last!.writeUnits - processorUnits.writeUnits) / count).toFixed(2)} write units (the lease and its release, the entity again, the sessions and rollups of the recomputed days, ${(last!.rollupsWritten / count).toFixed(2)} rollups). The readings' floor is ${((base.rcu[base.rcu.length - 1]! * stored) / count).toFixed(2)} read units an entity: everything else is a fixed cost per entity, so the ratio falls as an entity reports more often.`,
        `${rounds} rounds, each the job from scratch (cursors, sessions, rollups and job state removed) after a floor run; the worker runs ${WORKER_MAX_CONCURRENCY} batches of ${WORKER_BATCH_SIZE} at once as deployed. Units as dynalite reports them (ReturnConsumedCapacity, sized like DynamoDB). dynalite shares this process's one thread with the job, so wall times include the database's CPU; on AWS the table's work is elsewhere and calls take a few milliseconds each.`,
      ],
    };
  } finally {
    if (previousTable === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = previousTable;
    resetConfig();
  }
}
