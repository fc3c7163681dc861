// The daily job end to end in one process (planner → in-process queue → worker, as `npm run aggregate`
// runs it) over many entities, with a processor that stores sessions and moves a cursor like processEntity:
// DynamoDB calls failing (throttled before, timed out after a write) leave exactly the sessions and rollups
// of a fault-free run; a second run for the same day changes nothing; an entity switched off or deleted
// mid-run is skipped without failing anything.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../../infra/local/aggregate.js';
import type { EntityRef } from '../../shared/pipeline/processor.js';
import { createWorkerHandler } from '../../shared/pipeline/worker.js';
import { dailyTotals } from '../../shared/rollups/daily.js';
import { deleteEntity } from '../../shared/storage/entities.js';
import { readEntityRollups } from '../../shared/storage/rollups.js';
import { listEntitySessions } from '../../shared/storage/sessions.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  createJobEntities,
  injectDynamoFaults,
  jobEntityId,
  quietLog,
  SIMULATION_ORIGIN_MS,
  setCapture,
  simulatedHistory,
  simulatedProcessor,
} from '../support/job.js';

const ENTITIES = 90;
const AS_OF = new Date('2026-01-10T02:00:00.000Z');
const ids = Array.from({ length: ENTITIES }, (_, n) => jobEntityId(n + 1));
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

async function snapshot(tenantId: string, entityIds: readonly string[]) {
  const result: Record<string, { sessions: unknown[]; rollups: unknown[] }> = {};
  for (const id of entityIds) {
    const sessions = await listEntitySessions(
      tenantId,
      id,
      { start: '2000-01-01T00:00:00Z' },
      { pageSize: 1000, startKey: undefined },
    );
    const rollups = await readEntityRollups(tenantId, id, { first: '2000-01-01', last: '2100-01-01' });
    result[id] = {
      sessions: sessions.items.map(({ tenantId: _t, ...rest }) => rest),
      rollups: rollups.map(({ tenantId: _t, ...rest }) => rest),
    };
  }
  return result;
}

/** `updated` says when a rollup was computed: equal runs at different times differ only there. */
const withoutUpdated = (snap: Awaited<ReturnType<typeof snapshot>>) =>
  Object.fromEntries(
    Object.entries(snap).map(([id, { sessions, rollups }]) => [
      id,
      { sessions, rollups: rollups.map((r) => ({ ...(r as object), updated: undefined })) },
    ]),
  );

describe('the daily job over many entities', () => {
  let faultFree: Awaited<ReturnType<typeof snapshot>>;
  let faulty: Awaited<ReturnType<typeof snapshot>>;

  it('stores with DynamoDB faults exactly what it stores without: nothing lost, nothing duplicated', async () => {
    const worker = createWorkerHandler(simulatedProcessor(), { log: quietLog });
    await createJobEntities('fault-free', ids);
    const clean = await runAggregation({ worker, asOf: AS_OF, pageLimit: 25 });
    expect(clean.deadLetters).toEqual([]);
    expect(clean.failedAttempts).toBe(0);
    expect(clean).toMatchObject({ entities: ENTITIES, processed: ENTITIES, duplicates: 0 });
    faultFree = await snapshot('fault-free', ids);

    // The oracle: each entity's history completed by the as-of instant, whole, with its rollups.
    let expectedSessions = 0;
    for (const [n, id] of ids.entries()) {
      const complete = simulatedHistory(id, AS_OF.getTime()).filter(
        (s) => s.endMs + 2 * 3_600_000 <= AS_OF.getTime(),
      );
      expectedSessions += complete.length;
      expect(faultFree[id]!.sessions.map((s: any) => Date.parse(s.start))).toEqual(
        complete.map((s) => s.startMs),
      );
      const zone = (faultFree[id]!.rollups[0] as { timeZone: string }).timeZone;
      const totals = dailyTotals(
        complete.map((s) => ({
          start: new Date(s.startMs).toISOString(),
          end: new Date(s.endMs).toISOString(),
          energyKwh: s.energyKwh,
          chargingSeconds: s.chargingSeconds,
        })),
        zone,
        { first: '2025-12-31', last: '2026-01-10' },
      );
      expect(
        faultFree[id]!.rollups.map(({ date, energyKwh, sessionCount, chargingMinutes }: any) => ({
          date,
          energyKwh,
          sessionCount,
          chargingMinutes,
        })),
        `entity ${n}`,
      ).toEqual(totals);
    }
    expect(clean.sessionsWritten).toBe(expectedSessions);
    expect(expectedSessions).toBeGreaterThan(ENTITIES * 5);

    // The same entities in another tenant, the fault-free tenant's out of the index; now with faults.
    for (const id of ids) await setCapture('fault-free', id, false);
    await createJobEntities('faulty', ids);
    const faults = injectDynamoFaults({ seed: 20260110, before: 0.03, afterWrite: 0.02 });
    let run: Awaited<ReturnType<typeof runAggregation>>;
    try {
      run = await runAggregation({ worker, asOf: AS_OF, pageLimit: 25, maxReceiveCount: 30 });
    } finally {
      faults.stop();
    }
    expect(faults.stats.before).toBeGreaterThan(10);
    expect(faults.stats.afterWrite).toBeGreaterThan(5);
    expect(run.failedAttempts).toBeGreaterThan(0);
    expect(run.deadLetters).toEqual([]);
    expect(run.processed + run.duplicates).toBeGreaterThanOrEqual(ENTITIES);
    faulty = await snapshot('faulty', ids);
    expect(withoutUpdated(faulty)).toEqual(withoutUpdated(faultFree));
  }, 180_000);

  it('changes nothing when it runs again for the same day', async () => {
    expect(faulty).toBeDefined();
    const again = await runAggregation({
      worker: createWorkerHandler(simulatedProcessor(), { log: quietLog }),
      asOf: AS_OF,
    });
    expect(again).toMatchObject({
      entities: ENTITIES,
      processed: ENTITIES,
      sessionsWritten: 0,
      rollupsWritten: 0,
      rollupsDeleted: 0,
      failedAttempts: 0,
    });
    // Sessions keep their first `created`, rollups their `updated`: not one attribute moved.
    expect(await snapshot('faulty', ids)).toEqual(faulty);
  }, 120_000);

  it('skips an entity switched off mid-run and one deleted mid-run, failing nothing', async () => {
    for (const id of ids) await setCapture('faulty', id, false);
    const tenant = 'mid-run';
    const midIds = ids.slice(0, 12);
    await createJobEntities(tenant, midIds);
    const seen: string[] = [];
    let changed: { off: string; gone: string } | undefined;
    const beforeEntity = async (ref: EntityRef) => {
      seen.push(ref.entityId);
      if (changed) return;
      // One at a time: the entities not seen yet are still queued. Switch one off and delete another.
      const [off, gone] = midIds.filter((id) => id !== ref.entityId);
      changed = { off: off!, gone: gone! };
      await setCapture(tenant, changed.off, false);
      await deleteEntity(tenant, changed.gone);
    };
    const run = await runAggregation({
      worker: createWorkerHandler(simulatedProcessor({ beforeEntity }), { log: quietLog }),
      asOf: AS_OF,
      batchSize: 1,
      concurrency: 1,
    });
    expect(run).toMatchObject({
      entities: 12,
      processed: 10,
      skippedDisabled: 1,
      skippedMissing: 1,
      failedAttempts: 0,
      deadLetters: [],
    });
    expect(new Set(seen)).toEqual(new Set(midIds));
    const after = await snapshot(tenant, midIds);
    for (const id of midIds) {
      const skipped = id === changed!.off || id === changed!.gone;
      expect(after[id]!.sessions.length > 0, id).toBe(!skipped);
      expect(after[id]!.rollups.length > 0, id).toBe(!skipped);
    }
  }, 60_000);
});

describe('an entity that always fails', () => {
  it('is delivered maxReceiveCount times, then reported as a dead letter; the others are done', async () => {
    for (const id of ids.slice(0, 12)) await setCapture('mid-run', id, false).catch(() => undefined);
    const poisonIds = [jobEntityId(9001), jobEntityId(9002), jobEntityId(9003)];
    await createJobEntities('poison', poisonIds);
    const processor = simulatedProcessor({
      beforeEntity: async (ref) => {
        if (ref.entityId === poisonIds[1]) throw new Error('engine crashed on this entity');
      },
    });
    const run = await runAggregation({
      worker: createWorkerHandler(processor, { log: quietLog }),
      asOf: AS_OF,
      maxReceiveCount: 3,
    });
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

it('the simulated history starts where the processors expect it', () => {
  expect(simulatedHistory(jobEntityId(1), SIMULATION_ORIGIN_MS + 86_400_000 * 3).length).toBeGreaterThan(0);
});
