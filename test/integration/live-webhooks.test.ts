// Issue 13's promise end to end, over HTTP and with no daily job: a car plugs in, charges and unplugs
// through ingested readings; the real-time runner (in process, as `npm start` runs it) lists the session
// as active, then completed; the real webhook sink records its events and the dispatcher delivers them to
// loopback receivers that verify every request with the `standardwebhooks` package. A receiver that
// answers 500 at first gets the event later with the same webhook-id. The daily job run afterwards changes
// nothing and sends nothing. Retries are driven by the dispatcher's injected `now`, never by waiting.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../../infra/local/aggregate.js';
import { type LocalLive, startLocalLive } from '../../infra/local/live.js';
import { resetConfig } from '../../shared/config.js';
import { processEntity } from '../../shared/pipeline/process-entity.js';
import { createWorkerHandler } from '../../shared/pipeline/worker.js';
import { dispatchDue } from '../../shared/webhooks/delivery.js';
import { RETRY_DELAYS_MS } from '../../shared/webhooks/domain.js';
import { webhookEventSink } from '../../shared/webhooks/outbox.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { quietLog } from '../support/job.js';
import { createEntity } from '../support/requests.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const MINUTE = 60_000;
// The clock the real-time runs and the sink read: injected, a fixed instant.
const NOW = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const TENANT = 'live-hooks';

let api: TestApi;
let token: string;
let live: LocalLive;
let receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  // As `npm start` sets it: receivers on this machine are allowed (deployed they are refused).
  process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
  resetConfig();
  api = await startTestApi();
  token = await api.token(TENANT, {
    scopes: ['entities:write', 'readings:write', 'sessions:read', 'webhooks:read', 'webhooks:write'],
  });
  // A debounce longer than the test: runs happen when the test settles them, never on their own.
  live = startLocalLive({
    events: webhookEventSink(() => NOW),
    debounceMs: 3_600_000,
    clock: () => NOW,
    log: quietLog,
  });
});
afterAll(async () => {
  await live.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await api.close();
});

async function receiverFor(events: string[]): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers = [...receivers, r];
  const created = await api.request('POST', '/v1/webhooks', { token, body: { url: r.url, events } });
  expect(created.status, created.text).toBe(201);
  r.secret = created.body.secret;
  return r;
}

describe('a real-time session pushed by webhooks', () => {
  it('is listed active then completed, its started and completed events arrive signed, a failing receiver gets them later with the same id, and the daily job adds nothing', async () => {
    const watcher = await receiverFor(['charge_session.started', 'charge_session.completed']);
    const flaky = await receiverFor(['charge_session.completed']);
    flaky.answer = (n) => (n <= 2 ? 500 : 200);
    const car = await createEntity(
      api,
      token,
      {
        type: 'EV',
        name: 'Hooked car',
        capabilities: ['power', 'soc'],
        batteryCapacity: { value: 60, unit: 'kWh' },
      },
      { capture: true },
    );
    const base = NOW.getTime() - 3 * 60 * MINUTE;
    const post = async (from: number, to: number, plugged: boolean) => {
      const readings = Array.from({ length: to - from }, (_, i) => {
        const minute = from + i;
        return {
          timestamp: new Date(base + minute * MINUTE).toISOString(),
          powerKw: plugged ? 7.2 : 0,
          soc: 40 + Math.floor(Math.max(0, Math.min(minute, 50) - 10) * 0.2),
          isPluggedIn: plugged,
          isCharging: plugged,
        };
      });
      const response = await api.request('POST', `/v1/entities/${car.id}/readings`, {
        token,
        body: { readings },
      });
      expect(response.status, response.text).toBe(202);
      await live.settle();
      // What the webhook queue (deployed) or the in-process hand-off (npm start) would start at once.
      await dispatchDue(NOW);
    };
    const list = async (status: string) => {
      const query = `start=${new Date(base - 60 * MINUTE).toISOString()}&status=${status}`;
      const response = await api.request('GET', `/v1/entities/${car.id}/charge-sessions?${query}`, { token });
      expect(response.status, response.text).toBe(200);
      return response.body.data as any[];
    };

    await post(0, 10, false); // parked, unplugged
    await post(10, 30, true); // plugged in and charging
    const [active] = await list('active');
    expect(active).toMatchObject({ data: { status: 'active', provisional: true } });
    expect(await list('completed')).toEqual([]);
    expect(watcher.received.map((w) => w.payload.type)).toEqual(['charge_session.started']);
    expect(watcher.received[0]!.payload.data).toMatchObject({ id: active.id, data: { status: 'active' } });

    await post(30, 50, true);
    await post(50, 60, false); // unplugged: it completes
    const [completed] = await list('completed');
    expect(completed).toMatchObject({ id: active.id, data: { status: 'completed', provisional: false } });
    expect(await list('active')).toEqual([]);

    // The watcher: started, then completed with the final values, every request verified.
    expect(watcher.rejected).toEqual([]);
    expect(watcher.received.map((w) => w.payload.type)).toEqual([
      'charge_session.started',
      'charge_session.completed',
    ]);
    expect(watcher.received[1]!.payload.data).toEqual(completed);
    expect(new Set(watcher.received.map((w) => w.headers['webhook-id'])).size).toBe(2);

    // The flaky receiver answered 500 to the first attempt; the retries come on the schedule, same id.
    expect(flaky.received.map((w) => w.status)).toEqual([500]);
    await dispatchDue(new Date(NOW.getTime() + RETRY_DELAYS_MS[1]!));
    await dispatchDue(new Date(NOW.getTime() + RETRY_DELAYS_MS[1]! + RETRY_DELAYS_MS[2]!));
    expect(flaky.rejected).toEqual([]);
    expect(flaky.received.map((w) => w.status)).toEqual([500, 500, 200]);
    expect(new Set(flaky.received.map((w) => w.headers['webhook-id'])).size).toBe(1);
    expect(flaky.received[2]!.payload).toMatchObject({
      type: 'charge_session.completed',
      data: { id: completed.id },
    });

    // The daily job afterwards (with the real sink, as its Lambda has it): no session written, no event.
    const before = await list('all');
    const sink = webhookEventSink(() => NOW);
    const worker = createWorkerHandler((ref, at) => processEntity(ref, at, { events: sink }), {
      log: quietLog,
    });
    const run = await runAggregation({ worker, asOf: new Date(NOW.getTime() + 2 * 60 * MINUTE) });
    expect(run).toMatchObject({ processed: 1, sessionsWritten: 0, deadLetters: [] });
    expect(await list('all')).toEqual(before);
    await dispatchDue(new Date(NOW.getTime() + 3 * 60 * MINUTE));
    expect(watcher.received).toHaveLength(2);
    expect(flaky.received).toHaveLength(3);
  });
});
