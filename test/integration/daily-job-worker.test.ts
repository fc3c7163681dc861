// The worker against a real DynamoDB API: exactly the failed records reported, deleted and switched-off
// entities skipped without failing the batch (a deleted one's job state removed), the entity lease
// (duplicates, busy, take-over, expiry), a crash between the processor and the rollups repaired by the
// redelivery, and the units it consumed.

import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsEvent } from '../../infra/local/aggregate.js';
import { encodeJobMessage } from '../../shared/pipeline/messages.js';
import type { EntityProcessor } from '../../shared/pipeline/processor.js';
import { ENTITY_LEASE_MS } from '../../shared/pipeline/settings.js';
import { createWorkerHandler } from '../../shared/pipeline/worker.js';
import { deleteEntity, getEntity } from '../../shared/storage/entities.js';
import { acquireEntityLease, deleteEntityJobState, readEntityRollups } from '../../shared/storage/rollups.js';
import { listEntitySessions } from '../../shared/storage/sessions.js';
import { startTestApi, type TestApi } from '../support/api.js';
import {
  createJobEntities,
  entityAwareProcessor,
  injectDynamoFaults,
  jobEntityId,
  jobState,
  processedOnly,
  quietLog,
  setCapture,
  simulatedProcessor,
} from '../support/job.js';
import { sessionAt, writeSessions } from '../support/sessions.js';

const AS_OF = '2026-01-15T02:00:00.000Z';
const ALL_DAYS = { first: '2000-01-01', last: '2100-01-01' };
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const event = (records: { id: string; body: string; receiveCount?: number }[]): SQSEvent =>
  sqsEvent(
    records.map(({ id, body, receiveCount }) => ({
      messageId: id,
      body,
      receiveCount: receiveCount ?? 1,
      sentAtMs: 0,
    })),
  );

const job = (tenantId: string, entityId: string, asOf = AS_OF) =>
  encodeJobMessage({ v: 1, tenantId, entityId, asOf, runId: 'worker-test' });

describe('a batch', () => {
  it('reports exactly the records that failed; the others are processed and rolled up', async () => {
    const tenant = 'batch';
    const ids = Array.from({ length: 8 }, (_, n) => jobEntityId(100 + n));
    const entities = await createJobEntities(tenant, ids);
    await writeSessions(
      entities.map((e, n) =>
        sessionAt(tenant, { id: e.id, type: e.type }, Date.parse('2026-01-10T08:00:00Z'), n),
      ),
    );
    const failing = new Set([ids[2], ids[5]]);
    const processor: EntityProcessor = async (ref, now) => {
      if (failing.has(ref.entityId)) throw new Error(`engine failed on ${ref.entityId}`);
      return processedOnly(ref, now);
    };
    const handler = createWorkerHandler(processor, { log: quietLog });
    const records = [
      ...ids.map((id, n) => ({ id: `m${n}`, body: job(tenant, id) })),
      { id: 'not-json', body: '{"v":1,' },
      { id: 'wrong-shape', body: JSON.stringify({ v: 1, tenantId: tenant, asOf: AS_OF, runId: 'x' }) },
    ];
    const { response, outcomes } = await handler.handleBatch(event(records));

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm2' },
      { itemIdentifier: 'm5' },
      { itemIdentifier: 'not-json' },
      { itemIdentifier: 'wrong-shape' },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'processed',
      'processed',
      'failed',
      'processed',
      'processed',
      'failed',
      'processed',
      'processed',
      'failed',
      'failed',
    ]);
    expect(outcomes[2]!.error).toMatch(/engine failed/);
    for (const [n, id] of ids.entries()) {
      const rollups = await readEntityRollups(tenant, id, ALL_DAYS);
      expect(rollups.length > 0, id).toBe(!failing.has(id));
      // A failed entity's lease is given back at once, so its redelivery is not held up.
      expect((await jobState(tenant, id))?.leaseOwner, `m${n}`).toBeUndefined();
    }
    // The plain Lambda handler answers the same partial batch response.
    expect((await handler(event(records.slice(0, 3)))).batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
  });

  it('counts a deleted or switched-off entity as a success, skipped, and leaves it without rollups', async () => {
    const tenant = 'skips';
    const ids = [jobEntityId(200), jobEntityId(201), jobEntityId(202)];
    const entities = await createJobEntities(tenant, ids);
    await writeSessions(
      entities.map((e, n) =>
        sessionAt(tenant, { id: e.id, type: e.type }, Date.parse('2026-01-11T08:00:00Z'), n),
      ),
    );
    await deleteEntity(tenant, ids[0]!);
    await setCapture(tenant, ids[1]!, false);
    const { response, outcomes } = await createWorkerHandler(entityAwareProcessor).handleBatch(
      event(ids.map((id, n) => ({ id: `s${n}`, body: job(tenant, id) }))),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped_missing', 'skipped_disabled', 'processed']);
    expect(await readEntityRollups(tenant, ids[0]!, ALL_DAYS)).toEqual([]);
    expect(await readEntityRollups(tenant, ids[1]!, ALL_DAYS)).toEqual([]);
    expect(await readEntityRollups(tenant, ids[2]!, ALL_DAYS)).toHaveLength(1);
    // Taking the lease made each a job-state item; the deleted entity's is removed with the lease, the
    // others keep theirs, lease given back.
    expect(await jobState(tenant, ids[0]!)).toBeUndefined();
    for (const id of ids.slice(1)) {
      const state = await jobState(tenant, id);
      expect(state, id).toMatchObject({ itemType: 'EntityJobState' });
      expect(state?.leaseOwner, id).toBeUndefined();
    }
  });

  it('reports what the whole message consumed, metered: the processor’s DynamoDB calls included', async () => {
    const tenant = 'units';
    const [entity] = await createJobEntities(tenant, [jobEntityId(300)]);
    const { upsertSession } = await import('../../shared/storage/sessions.js');
    const [session] = [
      sessionAt(tenant, { id: entity!.id, type: entity!.type }, Date.parse('2026-01-12T08:00:00Z'), 1),
    ];
    // The processor really writes a session (metered), and reports figures of its own that are not trusted.
    const processor: EntityProcessor = async (ref, now) => {
      await upsertSession(session!);
      return { ...(await processedOnly(ref, now)), consumed: { readUnits: 1_000, writeUnits: 1_000 } };
    };
    const { outcomes } = await createWorkerHandler(processor, { log: quietLog }).handleBatch(
      event([{ id: 'u1', body: job(tenant, entity!.id) }]),
    );
    // At least: the processor's session write, the lease and its release, one rollup put; and reads of the
    // entity, its sessions and its rollups. Never the processor's self-reported 1,000s.
    expect(outcomes[0]!.consumed.writeUnits).toBeGreaterThanOrEqual(1 + 3);
    expect(outcomes[0]!.consumed.writeUnits).toBeLessThan(100);
    expect(outcomes[0]!.consumed.readUnits).toBeGreaterThan(0);
    expect(outcomes[0]!.consumed.readUnits).toBeLessThan(100);
    expect(outcomes[0]!.rollupsWritten).toBe(1);
  });
});

describe('the entity lease', () => {
  let calls: string[] = [];
  const counting: EntityProcessor = async (ref, now) => {
    calls.push(ref.entityId);
    return entityAwareProcessor(ref, now);
  };
  const handler = createWorkerHandler(counting, { log: quietLog });
  const tenant = 'leases';

  it('answers a duplicate of the run the holder is doing as done, and a newer run as busy', async () => {
    const [entity] = await createJobEntities(tenant, [jobEntityId(400)]);
    const id = entity!.id;
    await acquireEntityLease({
      tenantId: tenant,
      entityId: id,
      owner: 'other-message',
      asOf: AS_OF,
      nowMs: Date.now(),
      leaseMs: 60_000,
    });
    calls = [];
    const same = await handler.handleBatch(event([{ id: 'dup', body: job(tenant, id) }]));
    expect(same.response.batchItemFailures).toEqual([]);
    expect(same.outcomes[0]!.status).toBe('duplicate');
    const newer = await handler.handleBatch(
      event([{ id: 'newer', body: job(tenant, id, '2026-01-16T02:00:00.000Z') }]),
    );
    expect(newer.response.batchItemFailures).toEqual([{ itemIdentifier: 'newer' }]);
    expect(newer.outcomes[0]!.error).toMatch(/EntityBusyError/);
    expect(calls).toEqual([]);
    // The holder's own message, delivered again after its attempt died, takes the lease over.
    const takeover = await handler.handleBatch(
      event([{ id: 'other-message', body: job(tenant, id), receiveCount: 2 }]),
    );
    expect(takeover.outcomes[0]!.status).toBe('processed');
    expect(calls).toEqual([id]);
    expect((await jobState(tenant, id))?.leaseOwner).toBeUndefined();
  });

  it('removes a deleted entity’s job state only while its own run holds the lease', async () => {
    const [entity] = await createJobEntities(tenant, [jobEntityId(402)]);
    const id = entity!.id;
    const done = await handler.handleBatch(event([{ id: 'before', body: job(tenant, id) }]));
    expect(done.outcomes[0]!.status).toBe('processed');
    await deleteEntity(tenant, id);
    // Another run holds the lease: this one is a duplicate and touches nothing; nor can a delete made
    // in the name of any other owner.
    const holder = { tenantId: tenant, entityId: id, owner: 'holder', asOf: AS_OF };
    await acquireEntityLease({ ...holder, nowMs: Date.now(), leaseMs: 60_000 });
    const duplicate = await handler.handleBatch(event([{ id: 'other', body: job(tenant, id) }]));
    expect(duplicate.outcomes[0]!.status).toBe('duplicate');
    expect(await deleteEntityJobState({ tenantId: tenant, entityId: id, leaseOwner: 'other' })).toBe(false);
    expect(await jobState(tenant, id)).toMatchObject({ leaseOwner: 'holder' });
    // The holder's own message comes back: it finds the entity gone and removes the item.
    const holders = await handler.handleBatch(
      event([{ id: 'holder', body: job(tenant, id), receiveCount: 2 }]),
    );
    expect(holders.outcomes[0]!.status).toBe('skipped_missing');
    expect(await jobState(tenant, id)).toBeUndefined();
    // A message for it queued still does the same: no job state is left behind for good.
    const late = await handler.handleBatch(
      event([{ id: 'late', body: job(tenant, id, '2026-01-16T02:00:00.000Z') }]),
    );
    expect(late.response.batchItemFailures).toEqual([]);
    expect(late.outcomes[0]!.status).toBe('skipped_missing');
    expect(await jobState(tenant, id)).toBeUndefined();
    // A run whose lease expired and was taken while it looked leaves the item to the run holding it.
    const overtaken = createWorkerHandler(
      async (ref, now) => {
        const taker = { ...ref, owner: 'taker', asOf: AS_OF };
        await acquireEntityLease({ ...taker, nowMs: Date.now() + ENTITY_LEASE_MS + 1_000, leaseMs: 60_000 });
        return entityAwareProcessor(ref, now);
      },
      { log: quietLog },
    );
    const slow = await overtaken.handleBatch(event([{ id: 'slow', body: job(tenant, id) }]));
    expect(slow.outcomes[0]!.status).toBe('skipped_missing');
    expect(await jobState(tenant, id)).toMatchObject({ leaseOwner: 'taker' });
  });

  it('takes an expired lease, and records how far the rollups are up to date when it gives it back', async () => {
    const [entity] = await createJobEntities(tenant, [jobEntityId(401)]);
    const id = entity!.id;
    await acquireEntityLease({
      tenantId: tenant,
      entityId: id,
      owner: 'crashed',
      asOf: '2026-01-14T02:00:00.000Z',
      nowMs: Date.now() - ENTITY_LEASE_MS - 1_000,
      leaseMs: ENTITY_LEASE_MS,
    });
    const cursor: EntityProcessor = async () => ({
      status: 'processed',
      readings: 1440,
      sessionsWritten: 0,
      sessionsSkipped: 0,
      cursorBefore: '2026-01-14T01:00:00.000Z',
      cursorAfter: '2026-01-15T01:30:00.000Z',
      consumed: { readUnits: 0, writeUnits: 0 },
    });
    const result = await createWorkerHandler(cursor).handleBatch(
      event([{ id: 'fresh', body: job(tenant, id) }]),
    );
    expect(result.outcomes[0]!.status).toBe('processed');
    const state = await jobState(tenant, id);
    expect(state).toMatchObject({ rolledUpThrough: '2026-01-15T01:30:00.000Z', itemType: 'EntityJobState' });
    expect(state?.leaseOwner).toBeUndefined();
  });
});

describe('a crash between the sessions and the rollups', () => {
  it('is repaired by the redelivery: the same sessions and rollups as a clean run', async () => {
    const id = jobEntityId(500);
    await createJobEntities('clean', [id]);
    await createJobEntities('crash', [id]);
    const handler = createWorkerHandler(simulatedProcessor(), { log: quietLog });

    const clean = await handler.handleBatch(event([{ id: 'c1', body: job('clean', id) }]));
    expect(clean.outcomes[0]).toMatchObject({ status: 'processed' });
    expect(clean.outcomes[0]!.sessionsWritten).toBeGreaterThan(5);

    // The first attempt stores the sessions and moves the cursor, then its rollup write fails.
    const faults = injectDynamoFaults({
      seed: 1,
      before: 1,
      afterWrite: 0,
      only: (command) => command === 'BatchWriteItemCommand',
    });
    const first = await handler.handleBatch(event([{ id: 'k1', body: job('crash', id) }]));
    faults.stop();
    expect(first.response.batchItemFailures).toEqual([{ itemIdentifier: 'k1' }]);
    expect(first.outcomes[0]!.sessionsWritten).toBe(clean.outcomes[0]!.sessionsWritten);
    expect(await readEntityRollups('crash', id, ALL_DAYS)).toEqual([]);

    // The redelivery finds the cursor moved on (no new sessions) yet rolls up everything the first attempt stored.
    const second = await handler.handleBatch(event([{ id: 'k1', body: job('crash', id), receiveCount: 2 }]));
    expect(second.outcomes[0]).toMatchObject({ status: 'processed', sessionsWritten: 0 });
    const strip = <T extends { tenantId: string; updated?: string; created?: string }>(items: T[]) =>
      items.map(({ tenantId: _t, updated: _u, ...rest }) => rest);
    const sessions = async (tenant: string) =>
      (
        await listEntitySessions(
          tenant,
          id,
          { start: '2000-01-01T00:00:00Z' },
          { pageSize: 1000, startKey: undefined },
        )
      ).items;
    expect(strip(await readEntityRollups('crash', id, ALL_DAYS))).toEqual(
      strip(await readEntityRollups('clean', id, ALL_DAYS)),
    );
    expect(strip(await sessions('crash'))).toEqual(strip(await sessions('clean')));
    expect((await readEntityRollups('crash', id, ALL_DAYS)).length).toBeGreaterThan(5);

    // The same crash on a later run, once the rollups were up to date: the mark stays behind the cursor.
    const later = '2026-01-19T02:00:00.000Z';
    expect(
      (await handler.handleBatch(event([{ id: 'c2', body: job('clean', id, later) }]))).outcomes[0]!.status,
    ).toBe('processed');
    const again = injectDynamoFaults({
      seed: 2,
      before: 1,
      afterWrite: 0,
      only: (command) => command === 'BatchWriteItemCommand',
    });
    const failed = await handler.handleBatch(event([{ id: 'k2', body: job('crash', id, later) }]));
    again.stop();
    expect(failed.outcomes[0]).toMatchObject({ status: 'failed' });
    expect(failed.outcomes[0]!.sessionsWritten).toBeGreaterThan(0);
    await handler.handleBatch(event([{ id: 'k2', body: job('crash', id, later), receiveCount: 2 }]));
    expect(strip(await readEntityRollups('crash', id, ALL_DAYS))).toEqual(
      strip(await readEntityRollups('clean', id, ALL_DAYS)),
    );
    expect(strip(await sessions('crash'))).toEqual(strip(await sessions('clean')));
    expect(await getEntity('crash', id)).toBeDefined();
  });
});
