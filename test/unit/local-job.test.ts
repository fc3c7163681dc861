// The local runner's pieces of the daily job: the in-process queue's delivery rules (redelivery with a
// receive count, dead letters after maxReceiveCount, refusals), and the command line's arguments and output.

import { describe, expect, it } from 'vitest';
import {
  type AggregationSummary,
  asOfForDate,
  formatSummary,
  parseInterval,
  progressBar,
} from '../../infra/local/aggregate.js';
import { InProcessQueue } from '../../infra/local/in-process-queue.js';

describe('the in-process queue', () => {
  it('delivers oldest first, again after a failure with its receive count, then to the dead letters', async () => {
    const queue = new InProcessQueue({ idPrefix: 'q', maxReceiveCount: 2, now: () => 7 });
    await queue.sendBatch([
      { id: '0', body: 'a' },
      { id: '1', body: 'b' },
      { id: '2', body: 'c' },
    ]);
    expect(queue.sent).toBe(3);
    const first = queue.receive(2);
    expect(first.map((m) => [m.messageId, m.body, m.receiveCount, m.sentAtMs])).toEqual([
      ['q-1', 'a', 1, 7],
      ['q-2', 'b', 1, 7],
    ]);
    expect(queue.inFlightCount).toBe(2);
    queue.acknowledge(['q-1']);
    queue.fail(['q-2']);
    expect(queue.waiting).toBe(2);
    expect(queue.receive(10).map((m) => [m.messageId, m.receiveCount])).toEqual([
      ['q-3', 1],
      ['q-2', 2],
    ]);
    queue.fail(['q-2', 'q-3']);
    expect(queue.deadLetters.map((m) => m.messageId)).toEqual(['q-2']);
    expect(queue.receive(10).map((m) => [m.messageId, m.receiveCount])).toEqual([['q-3', 2]]);
    queue.acknowledge(['q-3']);
    expect(queue.waiting + queue.inFlightCount).toBe(0);
  });

  it('refuses entries the way SendMessageBatch can, keeping the rest', async () => {
    const queue = new InProcessQueue({
      idPrefix: 'r',
      maxReceiveCount: 1,
      refuse: (entry) =>
        entry.id === '1' ? { id: '1', senderFault: false, code: 'InternalError' } : undefined,
    });
    const { failed } = await queue.sendBatch([
      { id: '0', body: 'a' },
      { id: '1', body: 'b' },
    ]);
    expect(failed).toEqual([{ id: '1', senderFault: false, code: 'InternalError' }]);
    expect(queue.receive(10).map((m) => m.body)).toEqual(['a']);
  });
});

describe('the command line', () => {
  it('reads intervals and refuses what is not one', () => {
    expect(parseInterval('90s')).toBe(90_000);
    expect(parseInterval('30m')).toBe(1_800_000);
    expect(parseInterval('6h')).toBe(21_600_000);
    expect(parseInterval('1d')).toBe(86_400_000);
    for (const bad of ['0h', '6', 'h', '1.5h', '-1h', '6 hours'])
      expect(parseInterval(bad), bad).toBeUndefined();
  });

  it('runs --date D as of the end of D in UTC, or now for today', () => {
    const now = new Date('2026-01-20T09:30:00.000Z');
    expect(asOfForDate(undefined, now)).toEqual(now);
    expect(asOfForDate('2026-01-15', now).toISOString()).toBe('2026-01-16T00:00:00.000Z');
    expect(asOfForDate('2026-01-20', now)).toEqual(now);
  });

  it('draws progress and a summary with the figures and every dead letter', () => {
    expect(progressBar({ phase: 'planning', planned: 1234, done: 0, failedAttempts: 0 })).toBe(
      'planning… 1,234 entities enqueued',
    );
    expect(progressBar({ phase: 'processing', planned: 200, done: 50, failedAttempts: 3 }, 10)).toBe(
      '[###.......] 50/200 entities (25%, 3 retried)',
    );
    const summary: AggregationSummary = {
      runId: 'local-x',
      asOf: '2026-01-16T00:00:00.000Z',
      plan: {
        runId: 'local-x',
        asOf: '',
        shards: 16,
        pages: 16,
        entities: 3,
        sendCalls: 1,
        resentEntries: 0,
      },
      planAttempts: 1,
      entities: 3,
      processed: 1,
      skippedDisabled: 1,
      skippedMissing: 0,
      duplicates: 0,
      failedAttempts: 5,
      deadLetters: [{ messageId: 'm', tenantId: 't', entityId: 'e', receiveCount: 5, error: 'boom' }],
      readings: 14_400,
      sessionsWritten: 12,
      rollupsWritten: 4,
      rollupsDeleted: 1,
      readUnits: 360,
      writeUnits: 72,
      planMs: 20,
      totalMs: 2_000,
    };
    const text = formatSummary(summary);
    expect(text).toContain(
      'entities          3 enqueued: 1 processed, 1 switched off, 0 deleted, 0 duplicates',
    );
    expect(text).toContain('readings          14,400');
    expect(text).toContain('sessions written  12');
    expect(text).toContain('daily rollups     4 written, 1 removed');
    expect(text).toContain('360.0 read units (0.0250 per reading), 72.0 write units (0.0050 per reading)');
    expect(text).toContain('time              2.00 s (planning 0.02 s), 7,200 readings/s');
    expect(text).toContain('t/e after 5 deliveries: boom');
  });
});
