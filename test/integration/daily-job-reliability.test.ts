// The daily job end to end in one process — planner → in-process queue → worker with the production
// processor, processEntity — over a simulated fleet whose readings are stored through the readings store:
// DynamoDB calls failing (throttled before, timed out after a write went through) during two daily runs
// leave exactly the items of a fault-free run, sessions, rollups, cursors and rollup marks alike; a second
// run for the same day changes no item of the table; an entity switched off or deleted mid-run is skipped
// without failing anything; an entity that always fails ends as a dead letter.

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../../infra/local/aggregate.js';
import { processEntity } from '../../shared/pipeline/process-entity.js';
import type { EntityProcessor, EntityRef } from '../../shared/pipeline/processor.js';
import { createWorkerHandler } from '../../shared/pipeline/worker.js';
import { dailyTotals } from '../../shared/rollups/daily.js';
import { documentClient, tableName } from '../../shared/storage/client.js';
import { deleteEntity } from '../../shared/storage/entities.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  createJobEntities,
  type FleetMember,
  injectDynamoFaults,
  jobEntityId,
  quietLog,
  seedFleet,
  setCapture,
  simulateFleet,
} from '../support/job.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** 40 entities (every simulator profile five times) × one local day at a 5-minute cadence. */
const FLEET: FleetMember[] = simulateFleet({
  seed: 4_2026,
  count: 40,
  startDate: [2026, 1, 5],
  days: 1,
  cadenceMs: 5 * MINUTE,
});
/**
 * Two runs, so the second resumes from the first's cursors and rollup marks: one part-way through the day
 * (past its end in Sydney, mid-afternoon in Amsterdam, morning in New York), one after it everywhere.
 */
const RUNS = [new Date('2026-01-05T14:00:00.000Z'), new Date('2026-01-06T08:00:00.000Z')];
const LAST_RUN = RUNS[RUNS.length - 1]!;
/** When the workers think it is: rollups are stamped with it. */
const clockAt = (ms: number) => () => new Date(ms);

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const worker = (processor: EntityProcessor = processEntity, clockMs = LAST_RUN.getTime()) =>
  createWorkerHandler(processor, { log: quietLog, clock: clockAt(clockMs) });

/** Every item of the table, in key order. */
async function scanTable(): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(), ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const key = (item: Record<string, any>) => `${item.pk}\u0000${item.sk}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

/**
 * What the job wrote for a tenant, whole: every session, rollup and job-state item as stored (every
 * attribute), and each entity's session cursor. The tenant's name is masked so two tenants compare.
 */
async function jobItems(tenantId: string) {
  const mask = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replaceAll(`T#${tenantId}#`, 'T#*#').replace(new RegExp(`^${tenantId}$`), '*')
      : Array.isArray(value)
        ? value.map(mask)
        : value !== null && typeof value === 'object' && !(value instanceof Uint8Array)
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]))
          : value;
  const items = (await scanTable()).filter(
    (item) =>
      (typeof item.pk === 'string' &&
        /#(SESSIONS|DAILY)$/.test(item.pk) &&
        item.pk.startsWith(`T#${tenantId}#E#`)) ||
      (item.pk === `T#${tenantId}` && String(item.sk).startsWith('ENTITY#')),
  );
  return items.map((item) =>
    item.pk === `T#${tenantId}`
      ? { entity: item.entityId, sessionCursor: item.sessionCursor ?? null }
      : mask(item),
  ) as Record<string, any>[];
}

async function runDays(options: { processor?: EntityProcessor; maxReceiveCount?: number } = {}) {
  const summaries = [];
  for (const asOf of RUNS) {
    summaries.push(
      await runAggregation({
        worker: worker(options.processor, asOf.getTime() + HOUR),
        asOf,
        pageLimit: 10,
        maxReceiveCount: options.maxReceiveCount,
      }),
    );
  }
  return summaries;
}

describe('the daily job over a simulated fleet, with processEntity', () => {
  let faultFree: Record<string, any>[];
  let faulty: Record<string, any>[];

  it('stores, with DynamoDB faults, exactly the items it stores without: nothing lost, nothing duplicated', async () => {
    const readings = await seedFleet('fault-free', FLEET, LAST_RUN);
    expect(readings).toBeGreaterThan(FLEET.length * 50);
    const clean = await runDays();
    for (const run of clean) {
      expect(run.deadLetters).toEqual([]);
      expect(run).toMatchObject({ entities: FLEET.length, processed: FLEET.length, failedAttempts: 0 });
    }
    // Every stored reading up to the settled edge was read once over the two runs (the overlap aside).
    expect(clean[0]!.readings + clean[1]!.readings).toBeGreaterThanOrEqual(readings * 0.9);
    faultFree = await jobItems('fault-free');

    // The fault-free run is itself right: sessions where the simulator charged, rollups that add them up.
    const sessions = faultFree.filter((item) => item.itemType === 'ChargeSession');
    const rollups = faultFree.filter((item) => item.itemType === 'DailyRollup');
    expect(sessions.length).toBe(clean[0]!.sessionsWritten + clean[1]!.sessionsWritten);
    expect(sessions.length).toBeGreaterThan(FLEET.length);
    expect(clean[1]!.sessionsWritten).toBeGreaterThan(0);
    expect(faultFree.filter((item) => item.itemType === 'EntityJobState')).toHaveLength(FLEET.length);
    for (const { entityId, sim } of FLEET) {
      const own = sessions.filter((s) => s.entityId === entityId);
      for (const session of own) {
        const [start, end] = [Date.parse(session.start), Date.parse(session.end)];
        const truth = sim.truth.find((t) => t.startMs < end && start < t.endMs);
        expect(truth, `${sim.profile} ${session.start}`).toBeDefined();
      }
      const totals = dailyTotals(
        own.map((s) => ({
          start: s.start,
          end: s.end,
          energyKwh: s.energyKwh,
          chargingSeconds: s.chargingSeconds,
        })),
        sim.timeZone,
        { first: '2026-01-01', last: '2026-01-08' },
      );
      expect(
        rollups
          .filter((r) => r.entityId === entityId)
          .map(({ date, energyKwh, sessionCount, chargingMinutes }) => ({
            date,
            energyKwh,
            sessionCount,
            chargingMinutes,
          })),
        sim.profile,
      ).toEqual(totals);
    }

    // The same fleet in another tenant, the first one out of the capture index; now with faults.
    for (const { entityId } of FLEET) await setCapture('fault-free', entityId, false);
    await seedFleet('faulty', FLEET, LAST_RUN);
    // Seeded, but concurrent runs draw in no fixed order, so the counts vary a little from run to run: the
    // rates are set so that the floors below hold with a wide margin (~16 faults after writes expected).
    const faults = injectDynamoFaults({ seed: 20_260_107, before: 0.03, afterWrite: 0.06 });
    let runs: Awaited<ReturnType<typeof runDays>>;
    try {
      runs = await runDays({ maxReceiveCount: 30 });
    } finally {
      faults.stop();
    }
    expect(faults.stats.before).toBeGreaterThan(20);
    expect(faults.stats.afterWrite).toBeGreaterThanOrEqual(5);
    for (const run of runs) {
      expect(run.deadLetters).toEqual([]);
      expect(run.processed + run.duplicates).toBeGreaterThanOrEqual(FLEET.length);
    }
    // Some faults outlasted processEntity's own retries, and SQS-style redelivery finished the work.
    expect(runs[0]!.failedAttempts + runs[1]!.failedAttempts).toBeGreaterThan(0);
    faulty = await jobItems('faulty');
    expect(faulty).toEqual(faultFree);
  }, 240_000);

  it('changes no item of the table when it runs again for the same day', async () => {
    expect(faulty).toBeDefined();
    const before = await scanTable();
    // A day later by the clock: a rewrite would show in `updated`.
    const again = await runAggregation({
      worker: worker(processEntity, LAST_RUN.getTime() + 24 * HOUR),
      asOf: LAST_RUN,
    });
    expect(again).toMatchObject({
      entities: FLEET.length,
      processed: FLEET.length,
      sessionsWritten: 0,
      rollupsWritten: 0,
      rollupsDeleted: 0,
      failedAttempts: 0,
    });
    expect(await scanTable()).toEqual(before);
  }, 120_000);

  it('skips an entity switched off mid-run and one deleted mid-run, failing nothing', async () => {
    for (const { entityId } of FLEET) await setCapture('faulty', entityId, false);
    const tenant = 'mid-run';
    const fleet = FLEET.slice(0, 10);
    await seedFleet(tenant, fleet, LAST_RUN);
    const seen: string[] = [];
    let changed: { off: string; gone: string } | undefined;
    const processor: EntityProcessor = async (ref: EntityRef, now: Date) => {
      seen.push(ref.entityId);
      if (!changed) {
        // One at a time: the entities not seen yet are still queued. Switch one off and delete another.
        const [off, gone] = fleet.map((m) => m.entityId).filter((id) => id !== ref.entityId);
        changed = { off: off!, gone: gone! };
        await setCapture(tenant, changed.off, false);
        await deleteEntity(tenant, changed.gone);
      }
      return processEntity(ref, now);
    };
    const run = await runAggregation({
      worker: worker(processor),
      asOf: LAST_RUN,
      batchSize: 1,
      concurrency: 1,
    });
    expect(run).toMatchObject({
      entities: fleet.length,
      processed: fleet.length - 2,
      skippedDisabled: 1,
      skippedMissing: 1,
      failedAttempts: 0,
      deadLetters: [],
    });
    expect(new Set(seen)).toEqual(new Set(fleet.map((m) => m.entityId)));
    // The others stored what the fault-free tenant's two runs stored for them (`created` aside: one run
    // here, as of the second day); the two skipped ones nothing at all.
    const items = await jobItems(tenant);
    const written = (all: Record<string, any>[], entityId: string) =>
      all
        .filter((item) => item.entityId === entityId && item.itemType === 'ChargeSession')
        .map((item) => ({ ...item, created: undefined }));
    let sessions = 0;
    for (const { entityId } of fleet) {
      const skipped = entityId === changed!.off || entityId === changed!.gone;
      const cursor = items.find((item) => item.entity === entityId)?.sessionCursor ?? null;
      expect(cursor === null, entityId).toBe(skipped);
      expect(written(items, entityId), entityId).toEqual(skipped ? [] : written(faultFree, entityId));
      expect(items.some((item) => item.entityId === entityId && item.itemType === 'DailyRollup')).toBe(
        !skipped && written(items, entityId).length > 0,
      );
      sessions += written(items, entityId).length;
    }
    expect(sessions).toBeGreaterThan(0);
  }, 60_000);
});

describe('an entity that always fails', () => {
  it('is delivered maxReceiveCount times, then reported as a dead letter; the others are done', async () => {
    for (const { entityId } of FLEET.slice(0, 10))
      await setCapture('mid-run', entityId, false).catch(() => undefined);
    const poisonIds = [jobEntityId(9001), jobEntityId(9002), jobEntityId(9003)];
    await createJobEntities('poison', poisonIds);
    const processor: EntityProcessor = async (ref, now) => {
      if (ref.entityId === poisonIds[1]) throw new Error('engine crashed on this entity');
      return processEntity(ref, now);
    };
    const run = await runAggregation({ worker: worker(processor), asOf: LAST_RUN, maxReceiveCount: 3 });
    expect(run).toMatchObject({ entities: 3, processed: 2, failedAttempts: 3 });
    expect(run.deadLetters).toEqual([
      {
        messageId: expect.any(String),
        tenantId: 'poison',
        entityId: poisonIds[1],
        receiveCount: 3,
        error: 'Error: engine crashed on this entity',
      },
    ]);
  });
});
