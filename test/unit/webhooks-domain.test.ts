// The delivery rules: the retry schedule, what each answer does, and the payload.

import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  classifyAnswer,
  KEPT_ATTEMPTS,
  newSeries,
  payloadOf,
  RETRY_DELAYS_MS,
  withAttempt,
} from '../../shared/webhooks/domain.js';

const start = new Date(Date.now());

describe('afterAttempt', () => {
  it('retries non-2xx and no answer on the schedule, about a day, then gives up and marks the endpoint failing', () => {
    let state = newSeries(0, start);
    let now = start;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      const result = attempt % 2 ? { statusCode: 500 } : { error: 'timed out after 10 s' };
      const next = afterAttempt(state, result, now);
      state = next.state;
      expect(state.attemptCount).toBe(attempt);
      if (attempt < RETRY_DELAYS_MS.length) {
        expect(next.endpoint).toBe('none');
        expect(state.status).toBe('pending');
        const due = new Date(state.nextAttemptAt!);
        waits.push(due.getTime() - now.getTime());
        now = due;
      } else {
        expect(next.endpoint).toBe('failing');
        expect(state).toMatchObject({ status: 'failed', nextAttemptAt: null });
      }
    }
    expect(waits).toEqual(RETRY_DELAYS_MS.slice(1));
    const total = waits.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(24 * 3_600_000);
    expect(total).toBeLessThan(30 * 3_600_000);
  });

  it('stops at a 2xx (endpoint healthy) and at a 410 (endpoint gone)', () => {
    expect(afterAttempt(newSeries(3, start), { statusCode: 204 }, start)).toEqual({
      state: { status: 'delivered', attemptCount: 4, step: 1, nextAttemptAt: null },
      endpoint: 'healthy',
    });
    expect(afterAttempt(newSeries(0, start), { statusCode: 410 }, start)).toMatchObject({
      state: { status: 'failed', nextAttemptAt: null },
      endpoint: 'gone',
    });
  });

  it.each([
    [200, 'delivered'],
    [299, 'delivered'],
    [301, 'retry'],
    [400, 'retry'],
    [404, 'retry'],
    [410, 'gone'],
    [429, 'retry'],
    [503, 'retry'],
  ] as const)('HTTP %i → %s', (statusCode, expected) => {
    expect(classifyAnswer({ statusCode })).toBe(expected);
  });
});

it('keeps the last attempts only', () => {
  let history: ReturnType<typeof withAttempt> = [];
  for (let attempt = 1; attempt <= 30; attempt++)
    history = withAttempt(history, {
      attempt,
      at: start.toISOString(),
      statusCode: 500,
      error: null,
      durationMs: 1,
    });
  expect(history).toHaveLength(KEPT_ATTEMPTS);
  expect(history[0]!.attempt).toBe(30 - KEPT_ATTEMPTS + 1);
});

it('serializes the payload as Standard Webhooks says: { type, timestamp, data }', () => {
  expect(
    JSON.parse(
      payloadOf({ type: 'charge_session.completed', occurredAt: start.toISOString(), data: { id: 'x' } }),
    ),
  ).toEqual({ type: 'charge_session.completed', timestamp: start.toISOString(), data: { id: 'x' } });
});
