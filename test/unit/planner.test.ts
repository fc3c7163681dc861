// The planner's sending, against a mocked SQS: ten messages to a SendMessageBatch, every entity once;
// entries SQS refuses for a passing reason resent (only those, with backoff); a malformed entry or one
// refused too often fails the run; a failed index page read again.

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJobMessage } from '../../shared/pipeline/messages.js';
import {
  type CaptureShardReader,
  PAGE_READ_ATTEMPTS,
  planDailyRun,
  QueueSendError,
  SEND_ATTEMPTS,
} from '../../shared/pipeline/planner.js';
import { createPlannerHandler } from '../../shared/pipeline/planner-handler.js';
import { sqsQueueSender } from '../../shared/pipeline/sqs-sender.js';
import { CAPTURE_SHARDS } from '../../shared/storage/entities.js';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/evs-jobs';
const sender = () => sqsQueueSender(QUEUE_URL, new SQSClient({ region: 'eu-west-1' }));
const entity = (shard: number, n: number) => ({ tenantId: `t${n % 3}`, entityId: `s${shard}-e${n}` });

/** An index whose shards hold `counts[shard]` entities, served `limit` at a time. */
function index(counts: Record<number, number>): CaptureShardReader & { calls: number } {
  const reader = async (
    shard: number,
    startKey: Record<string, unknown> | undefined,
    limit: number | undefined,
  ) => {
    reader.calls++;
    const all = Array.from({ length: counts[shard] ?? 0 }, (_, n) => entity(shard, n));
    const from = (startKey?.offset as number | undefined) ?? 0;
    const to = limit === undefined ? all.length : Math.min(all.length, from + limit);
    return { entities: all.slice(from, to), nextKey: to < all.length ? { offset: to } : undefined };
  };
  reader.calls = 0;
  return reader;
}

const sentEntries = () =>
  sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
const run = { asOf: new Date('2026-01-20T02:00:00.000Z'), runId: 'exec-1' };
/** What the SDK throws when DynamoDB throttles a Query after its own retries. */
const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });
const noSleep = { waits: [] as number[], sleep: async (ms: number) => void noSleep.waits.push(ms) };

describe('the planner', () => {
  it('sends ten entities to a call, each exactly once, as messages of this run', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const summary = await planDailyRun(run, {
      queue: sender(),
      readShard: index({ 0: 23, 5: 10, 15: 1 }),
      pageLimit: 7,
    });
    const calls = sentEntries();
    for (const entries of calls) {
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.length).toBeLessThanOrEqual(10);
      expect(new Set(entries.map((e) => e.Id)).size).toBe(entries.length);
    }
    expect(
      sqs.commandCalls(SendMessageBatchCommand).every((c) => c.args[0].input.QueueUrl === QUEUE_URL),
    ).toBe(true);
    const messages = calls.flat().map((e) => decodeJobMessage(e.MessageBody!)!);
    const expected = [
      ...Array.from({ length: 23 }, (_, n) => entity(0, n)),
      ...Array.from({ length: 10 }, (_, n) => entity(5, n)),
      entity(15, 0),
    ];
    expect(messages.map((m) => m.entityId).sort()).toEqual(expected.map((e) => e.entityId).sort());
    for (const message of messages) {
      expect(message).toEqual({
        v: 1,
        ...expected.find((e) => e.entityId === message.entityId),
        asOf: '2026-01-20T02:00:00.000Z',
        runId: 'exec-1',
      });
    }
    // Pages of 7: shard 0 in 4 pages (each page's batches sent on their own), shard 5 in 2, shard 15 in 1,
    // and one empty page for each of the 13 empty shards.
    expect(summary).toEqual({
      runId: 'exec-1',
      asOf: '2026-01-20T02:00:00.000Z',
      shards: CAPTURE_SHARDS,
      pages: 4 + 2 + 1 + 13,
      entities: 34,
      sendCalls: 4 + 2 + 1,
      resentEntries: 0,
    });
  });

  it('resends exactly the entries SQS refused for a passing reason, after a backoff', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: ['1', '4', '7'].map((Id) => ({ Id, SenderFault: false, Code: 'InternalError' })),
      })
      .resolvesOnce({ Failed: [{ Id: '4', SenderFault: false, Code: 'RequestThrottled' }] })
      .resolves({});
    noSleep.waits = [];
    const summary = await planDailyRun(run, {
      queue: sender(),
      readShard: index({ 2: 10 }),
      sleep: noSleep.sleep,
    });
    const [first, second, third] = sentEntries();
    expect(first).toHaveLength(10);
    expect(second).toEqual(first!.filter((e) => ['1', '4', '7'].includes(e.Id!)));
    expect(third).toEqual(first!.filter((e) => e.Id === '4'));
    expect(sentEntries()).toHaveLength(3);
    expect(noSleep.waits).toEqual([50, 100]);
    expect(summary).toMatchObject({ entities: 10, sendCalls: 3, resentEntries: 4 });
  });

  it('resends a whole batch whose call failed', async () => {
    sqs.on(SendMessageBatchCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    const summary = await planDailyRun(run, {
      queue: sender(),
      readShard: index({ 9: 4 }),
      sleep: noSleep.sleep,
    });
    const [first, second] = sentEntries();
    expect(second).toEqual(first);
    expect(summary).toMatchObject({ entities: 4, sendCalls: 2 });
  });

  it('fails the run on an entry refused as malformed, without resending it', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents' }],
    });
    const failure = planDailyRun(run, { queue: sender(), readShard: index({ 1: 3 }), sleep: noSleep.sleep });
    await expect(failure).rejects.toBeInstanceOf(QueueSendError);
    await expect(failure).rejects.toThrow(/InvalidMessageContents/);
    expect(sentEntries()).toHaveLength(1);
  });

  it(`fails the run when an entry is still refused after ${SEND_ATTEMPTS} calls`, async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '2', SenderFault: false, Code: 'InternalError' }] });
    await expect(
      planDailyRun(run, { queue: sender(), readShard: index({ 1: 3 }), sleep: noSleep.sleep }),
    ).rejects.toThrow(new RegExp(`after ${SEND_ATTEMPTS} attempts`));
    expect(sentEntries()).toHaveLength(SEND_ATTEMPTS);
  });

  it('reads an index page DynamoDB throttled again, and gives up after a few attempts', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    const flaky = index({ 4: 12 });
    let failures = 1;
    const readShard: CaptureShardReader = async (shard, startKey, limit) => {
      if (shard === 4 && startKey && failures-- > 0) throw throttled();
      return flaky(shard, startKey, limit);
    };
    const summary = await planDailyRun(run, {
      queue: sender(),
      readShard,
      pageLimit: 5,
      sleep: noSleep.sleep,
    });
    expect(summary.entities).toBe(12);
    expect(sentEntries().flat()).toHaveLength(12);

    const broken: CaptureShardReader = async () => {
      throw throttled();
    };
    let reads = 0;
    await expect(
      planDailyRun(run, {
        queue: sender(),
        readShard: (...args) => {
          reads++;
          return broken(...args);
        },
        sleep: noSleep.sleep,
      }),
    ).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(reads).toBe(CAPTURE_SHARDS * PAGE_READ_ATTEMPTS);
  });

  it('fails the run at once when a page read fails for a reason reading again cannot help', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    let reads = 0;
    const denied = Object.assign(new Error('not authorized to perform: dynamodb:Query'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      planDailyRun(run, {
        queue: sender(),
        readShard: async () => {
          reads++;
          throw denied;
        },
        sleep: noSleep.sleep,
      }),
    ).rejects.toThrow(denied);
    // Each shard's first read, none again.
    expect(reads).toBe(CAPTURE_SHARDS);
  });
});

describe('the planner Lambda', () => {
  const now = () => new Date('2030-01-01T00:00:00.000Z');
  const bodies = () =>
    sentEntries()
      .flat()
      .map((e) => decodeJobMessage(e.MessageBody!)!);

  it('plans the run of the scheduled time, named by the execution, so a retried invocation plans the same run', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    const handler = createPlannerHandler(sender, { now, readShard: index({ 3: 2 }) });
    const event = { scheduledTime: '2026-01-20T02:00:00Z', executionId: 'abc-123' };
    const summary = await handler(event);
    await handler(event);
    expect(summary).toMatchObject({ asOf: '2026-01-20T02:00:00.000Z', runId: 'abc-123', entities: 2 });
    expect(new Set(bodies().map((b) => JSON.stringify(b))).size).toBe(2);
    expect(bodies().every((b) => b.asOf === '2026-01-20T02:00:00.000Z' && b.runId === 'abc-123')).toBe(true);
  });

  it('plans as of now when invoked by hand, and refuses an event it cannot read', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    const handler = createPlannerHandler(sender, { now, readShard: index({ 3: 1 }) });
    expect(await handler({})).toMatchObject({
      asOf: '2030-01-01T00:00:00.000Z',
      runId: 'run-2030-01-01T00:00:00.000Z',
    });
    await expect(handler({ scheduledTime: 'yesterday' })).rejects.toThrow(/Not a planner event/);
    expect(sentEntries()).toHaveLength(1);
  });
});
