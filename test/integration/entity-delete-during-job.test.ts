// Deleting an entity while the daily job works on it, over HTTP, with the real worker and processEntity: a
// DELETE that arrives while a run holds the entity's lease — the run about to store its sessions, or its
// rollups — answers 202 with the lease's time left and removes nothing, so the run's writes land under an
// entity that still exists; sent again once the run is over, it removes them all and answers 204. A
// lease held but expired (its worker died) does not hold a DELETE up. A run that takes the lease while a
// DELETE is between its purge and the entity's deletion leaves no job state behind.

import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsEvent } from '../../infra/local/aggregate.js';
import { encodeJobMessage } from '../../shared/pipeline/messages.js';
import { processEntity } from '../../shared/pipeline/process-entity.js';
import { ENTITY_LEASE_MS } from '../../shared/pipeline/settings.js';
import { createWorkerHandler, type RecordOutcome } from '../../shared/pipeline/worker.js';
import { documentClient, tableName } from '../../shared/storage/client.js';
import { entityDataPartitions } from '../../shared/storage/entity-data.js';
import { acquireEntityLease, releaseEntityLease } from '../../shared/storage/rollups.js';
import { type ApiResponse, startTestApi, type TestApi } from '../support/api.js';
import { quietLog, withDynamoMiddleware } from '../support/job.js';

const HOUR = 3_600_000;
const TENANT = 'delete-during-job';
const LEASE_SECONDS = ENTITY_LEASE_MS / 1000;

let api: TestApi;
let token: string;

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token(TENANT);
});
afterAll(() => api.close());

/** An EV with capture on and readings of one finished charge (idle, then 7 kW for an hour 8 h ago, idle). */
async function chargedEv(now: number): Promise<string> {
  const created = await api.request('POST', '/v1/entities', {
    token,
    body: { type: 'EV', name: 'Deleted mid-run', capabilities: ['power'] },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const enabled = await api.request('PATCH', `/v1/entities/${id}/features`, {
    token,
    body: { feature: 'CaptureChargeSessions', enabled: true },
  });
  expect(enabled.status).toBe(200);
  const from = now - 8.5 * HOUR;
  const readings = Array.from({ length: 7 * 60 }, (_, i) => ({
    timestamp: new Date(from + i * 60_000).toISOString(),
    powerKw: i >= 30 && i < 90 ? 7 : 0,
  }));
  const posted = await api.request('POST', `/v1/entities/${id}/readings`, { token, body: { readings } });
  expect(posted.status).toBe(202);
  return id;
}

/** One job message for the entity through a worker running the real processEntity, as SQS delivers it. */
async function runJob(entityId: string, asOf: number): Promise<RecordOutcome> {
  const messageId = randomUUID();
  const { outcomes } = await createWorkerHandler(processEntity, { log: quietLog }).handleBatch(
    sqsEvent([
      {
        messageId,
        body: encodeJobMessage({
          v: 1,
          tenantId: TENANT,
          entityId,
          asOf: new Date(asOf).toISOString(),
          runId: 'delete-during-job',
        }),
        receiveCount: 1,
        sentAtMs: 0,
      },
    ]),
  );
  return outcomes[0]!;
}

/**
 * Runs `action` once, just before the first DynamoDB call (of this process: the API's and the worker's)
 * that `when` picks, while `fn` runs.
 */
async function onceBefore<T>(
  when: (command: string, input: Record<string, any>) => boolean,
  action: () => Promise<void>,
  fn: () => Promise<T>,
): Promise<T> {
  let fired = false;
  return withDynamoMiddleware(
    'deleteDuringJob',
    async (input, command) => {
      if (!fired && when(command, input)) {
        fired = true;
        await action();
      }
    },
    fn,
  );
}

const deleteEntity = (id: string) => api.request('DELETE', `/v1/entities/${id}`, { token });

/** The tenant's sessions and daily energy as the fleet listings show them, over the last days. */
async function fleet(now: number) {
  const start = new Date(now - 3 * 24 * HOUR);
  const sessions = await api.request('GET', `/v1/charge-sessions?start=${start.toISOString()}&pageSize=100`, {
    token,
  });
  const energy = await api.request(
    'GET',
    `/v1/fleet/daily-energy?start=${start.toISOString().slice(0, 10)}&end=${new Date(now + 2 * 24 * HOUR).toISOString().slice(0, 10)}`,
    { token },
  );
  expect(sessions.status).toBe(200);
  expect(energy.status).toBe(200);
  return { sessions: sessions.body.data as any[], energy: energy.body.data as any[] };
}

/** Items left in each of the entity's data partitions (the job state included). */
async function leftUnder(entityId: string): Promise<Record<string, number>> {
  const left: Record<string, number> = {};
  for (const partition of entityDataPartitions(TENANT, entityId)) {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ConsistentRead: true,
      }),
    );
    left[partition] = page.Count ?? 0;
  }
  return left;
}

const nothingUnder = (entityId: string) =>
  Object.fromEntries(entityDataPartitions(TENANT, entityId).map((partition) => [partition, 0]));

function expectWaitingForTheJob(response: ApiResponse) {
  expect(response.status, response.text).toBe(202);
  expect(response.body).toEqual({ status: 'in_progress', deletedItems: 0 });
  const retryAfter = Number(response.headers.get('retry-after'));
  // The run has just taken its lease: nearly all of it is left, and never more than one lease length.
  expect(retryAfter).toBeGreaterThan(LEASE_SECONDS - 30);
  expect(retryAfter).toBeLessThanOrEqual(LEASE_SECONDS);
}

const isSessionWrite = (command: string, input: Record<string, any>) =>
  command === 'UpdateItemCommand' && String(input.Key?.pk).endsWith('#SESSIONS');
const isRollupWrite = (command: string, input: Record<string, any>) =>
  command === 'BatchWriteItemCommand' && JSON.stringify(input).includes('"DailyRollup"');

describe('a DELETE while a run of the daily job holds the entity', () => {
  it.each([
    ['store its sessions', isSessionWrite],
    ['store its rollups, after its own check that the entity exists', isRollupWrite],
  ])('waits when the run is about to %s, then removes what the run wrote', async (_, when) => {
    const now = Date.now();
    const id = await chargedEv(now);
    let during: ApiResponse | undefined;
    const outcome = await onceBefore(
      when,
      async () => {
        during = await deleteEntity(id);
      },
      () => runJob(id, now),
    );

    expectWaitingForTheJob(during!);
    // The run went through: its writes are under an entity that is still there, capture now off.
    expect(outcome).toMatchObject({ status: 'processed', sessionsWritten: 1 });
    expect(outcome.rollupsWritten).toBeGreaterThan(0);
    expect((await api.request('GET', `/v1/entities/${id}`, { token })).status).toBe(200);
    const features = await api.request('GET', `/v1/entities/${id}/features`, { token });
    expect(features.body).toContainEqual(
      expect.objectContaining({ feature: 'CaptureChargeSessions', enabled: false }),
    );
    const before = await fleet(now);
    expect(before.sessions.filter((s) => s.entityId === id)).toHaveLength(1);
    expect(before.energy.filter((r) => r.entityId === id).length).toBeGreaterThan(0);

    // The run gave its lease back: the DELETE sent again removes everything, what the run wrote included.
    expect((await deleteEntity(id)).status).toBe(204);
    expect((await api.request('GET', `/v1/entities/${id}`, { token })).status).toBe(404);
    const after = await fleet(now);
    expect(after.sessions.filter((s) => s.entityId === id)).toEqual([]);
    expect(after.energy.filter((r) => r.entityId === id)).toEqual([]);
    expect(await leftUnder(id)).toEqual(nothingUnder(id));
    // A message for it still queued finds it gone and leaves nothing either.
    expect((await runJob(id, now)).status).toBe('skipped_missing');
    expect(await leftUnder(id)).toEqual(nothingUnder(id));
  });

  it('answers 202 with the lease’s time left and removes nothing until the lease is given back', async () => {
    const now = Date.now();
    const id = await chargedEv(now);
    expect(await runJob(id, now)).toMatchObject({ status: 'processed', sessionsWritten: 1 });
    const stored = await leftUnder(id);
    expect(Object.values(stored).every((count) => count > 0)).toBe(true);

    // A worker takes the lease, as for the next day's run.
    const lease = {
      tenantId: TENANT,
      entityId: id,
      owner: 'message-holding-the-lease',
      asOf: new Date(now).toISOString(),
    };
    const taken = await acquireEntityLease({ ...lease, nowMs: Date.now(), leaseMs: ENTITY_LEASE_MS });
    expect(taken.acquired).toBe(true);
    expectWaitingForTheJob(await deleteEntity(id));
    expectWaitingForTheJob(await deleteEntity(id));
    expect(await leftUnder(id)).toEqual(stored);
    expect((await fleet(now)).sessions.filter((s) => s.entityId === id)).toHaveLength(1);

    expect(await releaseEntityLease(lease)).toBe(true);
    expect((await deleteEntity(id)).status).toBe(204);
    expect(await leftUnder(id)).toEqual(nothingUnder(id));
    expect((await fleet(now)).sessions.filter((s) => s.entityId === id)).toEqual([]);
  });

  it('is not held up by a lease that expired (its worker died): 204 at once', async () => {
    const now = Date.now();
    const id = await chargedEv(now);
    await acquireEntityLease({
      tenantId: TENANT,
      entityId: id,
      owner: 'crashed',
      asOf: new Date(now).toISOString(),
      nowMs: Date.now() - ENTITY_LEASE_MS - 1_000,
      leaseMs: ENTITY_LEASE_MS,
    });
    expect((await deleteEntity(id)).status).toBe(204);
    expect(await leftUnder(id)).toEqual(nothingUnder(id));
  });
});

describe('a run that takes the lease while a DELETE is under way', () => {
  it('writes nothing, and leaves no job state once the entity is gone', async () => {
    const now = Date.now();
    const id = await chargedEv(now);
    // Just before the DELETE deletes the entity item (its data already purged), a run takes the lease:
    // capture is off, so it stores nothing, but taking the lease made the job-state item again.
    let outcome: RecordOutcome | undefined;
    const response = await onceBefore(
      (command, input) => command === 'DeleteItemCommand' && String(input.Key?.sk).startsWith('ENTITY#'),
      async () => {
        outcome = await runJob(id, now);
      },
      () => deleteEntity(id),
    );
    expect(response.status).toBe(204);
    expect(outcome).toMatchObject({ status: 'skipped_disabled', sessionsWritten: 0, rollupsWritten: 0 });
    expect(await leftUnder(id)).toEqual(nothingUnder(id));
  });
});
