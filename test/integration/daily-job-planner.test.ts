// The planner against a real DynamoDB API: hundreds of entities across tenants, some switched off, read
// from the sparse capture index a few items per page — Query after Query on every shard, chained by
// LastEvaluatedKey, never a Scan — and every enabled entity enqueued exactly once.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { InProcessQueue } from '../../infra/local/in-process-queue.js';
import { decodeJobMessage } from '../../shared/pipeline/messages.js';
import { planDailyRun } from '../../shared/pipeline/planner.js';
import { CAPTURE_SHARDS, entityKeys } from '../../shared/storage/entities.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createJobEntities, jobEntityId, setCapture } from '../support/job.js';
import { recordDynamoCalls } from '../support/sessions.js';

const PAGE_LIMIT = 7;
let api: TestApi;
const enabled = new Set<string>();

beforeAll(async () => {
  api = await startTestApi();
  for (const [t, tenantId] of ['fleet-a', 'fleet-b', 'fleet-c'].entries()) {
    const ids = Array.from({ length: 110 }, (_, n) => jobEntityId(t * 1000 + n));
    await createJobEntities(tenantId, ids);
    for (const [n, id] of ids.entries()) {
      // Every eighth is switched off again: it was in the index and must have left it.
      if (n % 8 === 3) await setCapture(tenantId, id, false);
      else enabled.add(`${tenantId}/${id}`);
    }
  }
}, 60_000);
afterAll(() => api.close());

it('pages every shard of the capture index with Queries only, and enqueues every enabled entity once', async () => {
  const queue = new InProcessQueue({ idPrefix: 'plan', maxReceiveCount: 1 });
  const recorder = recordDynamoCalls();
  let summary: Awaited<ReturnType<typeof planDailyRun>>;
  try {
    summary = await planDailyRun(
      { asOf: new Date('2026-01-20T02:00:00.000Z'), runId: 'planner-test' },
      { queue, pageLimit: PAGE_LIMIT },
    );
  } finally {
    recorder.stop();
  }

  // Only Queries, all on GSI1, each on one capture shard, each at most a page.
  expect(new Set(recorder.calls.map((call) => call.command))).toEqual(new Set(['Query']));
  const byShard = new Map<string, typeof recorder.calls>();
  for (const call of recorder.calls) {
    expect(call.input.IndexName).toBe('GSI1');
    expect(call.input.KeyConditionExpression).toBe('gsi1pk = :shard');
    expect(call.input.Limit).toBe(PAGE_LIMIT);
    expect(call.output?.Count).toBeLessThanOrEqual(PAGE_LIMIT);
    const shard = call.input.ExpressionAttributeValues[':shard'] as string;
    byShard.set(shard, [...(byShard.get(shard) ?? []), call]);
  }
  expect([...byShard.keys()].sort()).toEqual(
    Array.from({ length: CAPTURE_SHARDS }, (_, shard) => entityKeys.captureShardPartition(shard)),
  );
  // Each shard is walked page after page: every page starts where the previous one ended, the last has no key.
  for (const [shard, calls] of byShard) {
    expect(calls[0]!.input.ExclusiveStartKey, shard).toBeUndefined();
    for (let i = 1; i < calls.length; i++)
      expect(calls[i]!.input.ExclusiveStartKey, shard).toEqual(calls[i - 1]!.output?.LastEvaluatedKey);
    expect(calls.at(-1)!.output?.LastEvaluatedKey, shard).toBeUndefined();
  }
  expect(summary.pages).toBe(recorder.calls.length);
  // Pages of 7 over ~20 entities a shard: several pages each, so paging really happened.
  expect(recorder.calls.length).toBeGreaterThan(2 * CAPTURE_SHARDS);

  const received = queue.receive(10_000).map((message) => decodeJobMessage(message.body)!);
  const keys = received.map((m) => `${m.tenantId}/${m.entityId}`);
  expect(keys).toHaveLength(enabled.size);
  expect(new Set(keys)).toEqual(enabled);
  expect(summary.entities).toBe(enabled.size);
  expect(summary.sendCalls).toBeGreaterThanOrEqual(Math.ceil(enabled.size / 10));
  for (const message of received)
    expect(message).toMatchObject({ v: 1, asOf: '2026-01-20T02:00:00.000Z', runId: 'planner-test' });
}, 60_000);
