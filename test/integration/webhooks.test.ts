// Webhooks over HTTP: endpoints registered through the API, events recorded through the sink producers
// use, delivered by the dispatcher to a real receiver on 127.0.0.1 that verifies every request with the
// `standardwebhooks` package. Retries are driven with an injected clock (the dispatcher's `now`), never by
// waiting: a receiver that fails first gets the event later with the same webhook-id; the whole schedule
// exhausted marks the endpoint failing; 410 disables it; a test ping; the delivery log; bad input.

import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../shared/config.js';
import { dispatchDue } from '../../shared/webhooks/delivery.js';
import { RETRY_DELAYS_MS } from '../../shared/webhooks/domain.js';
import type { DomainEvent } from '../../shared/webhooks/events.js';
import { webhookEventSink } from '../../shared/webhooks/outbox.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { loopbackAddress } from '../support/fixtures.js';
import { createEntity, registerCharger } from '../support/requests.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let api: TestApi;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  // As `npm start` sets it: receivers on this machine are allowed (deployed they are refused).
  process.env.WEBHOOKS_ALLOW_LOOPBACK = 'true';
  resetConfig();
  api = await startTestApi();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await api.close();
});

let t0 = new Date();
afterEach(() => {
  // Each test's clock starts after everything the previous one scheduled (a day and more ahead).
  t0 = new Date(t0.getTime() + 3 * 86_400_000);
});
const at = (ms: number) => new Date(t0.getTime() + ms);

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function register(token: string, r: WebhookReceiver, events: string[] = ['charge_session.completed']) {
  const created = await api.request('POST', '/v1/webhooks', { token, body: { url: r.url, events } });
  expect(created.status).toBe(201);
  r.secret = created.body.secret;
  return created.body as { id: string; secret: string };
}

function sessionEvent(tenantId: string, type: DomainEvent['type'] = 'charge_session.completed'): DomainEvent {
  const id = randomUUID();
  return {
    id: `${id}:${type}`,
    type,
    tenantId,
    occurredAt: t0.toISOString(),
    data: { id, status: 'completed' },
  };
}

describe('/v1/webhooks', () => {
  it('registers an endpoint with a secret shown once, reads, lists, changes and deletes it', async () => {
    const token = await api.token('wh-crud');
    const created = await api.request('POST', '/v1/webhooks', {
      token,
      body: {
        url: 'https://hooks.example.com/evs',
        events: ['charge_session.completed'],
        description: 'Billing',
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${api.url}/v1/webhooks/${created.body.id}`);
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.com/evs',
      events: ['charge_session.completed'],
      description: 'Billing',
      enabled: true,
      status: 'enabled',
      failingSince: null,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const got = await api.request('GET', `/v1/webhooks/${created.body.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    const { secret: _secret, ...withoutSecret } = created.body;
    expect(got.body).toEqual(withoutSecret);

    const second = await api.request('POST', '/v1/webhooks', {
      token,
      body: { url: 'https://hooks.example.com/2', events: ['public_charging_session.status_changed'] },
    });
    const page1 = await api.request('GET', '/v1/webhooks?pageSize=1', { token });
    expect(page1.body.data.map((e: any) => e.id)).toEqual([created.body.id]);
    expect(page1.body.data[0]).not.toHaveProperty('secret');
    const page2 = await api.request(
      'GET',
      `/v1/webhooks?pageSize=1&continuationToken=${encodeURIComponent(page1.body.meta.continuationToken)}`,
      { token },
    );
    expect(page2.body.data.map((e: any) => e.id)).toEqual([second.body.id]);
    expect(page2.body.links.next).toBeNull();

    const patched = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, {
      token,
      body: { events: ['charge_session.started', 'charge_session.completed'], enabled: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      events: ['charge_session.completed', 'charge_session.started'],
      enabled: false,
      status: 'disabled',
      disabledReason: 'user',
    });

    expect((await api.request('DELETE', `/v1/webhooks/${created.body.id}`, { token })).status).toBe(204);
    const gone = await api.request('GET', `/v1/webhooks/${created.body.id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('webhook_not_found');
    // Another tenant's endpoint is the same 404.
    const other = await api.token('wh-crud-other');
    expect((await api.request('GET', `/v1/webhooks/${second.body.id}`, { token: other })).status).toBe(404);
  });

  it('refuses bad input with a problem naming the field, and stores nothing', async () => {
    const token = await api.token('wh-bad');
    const cases: [unknown, string, string][] = [
      [{ url: 'http://hooks.example.com/x', events: ['charge_session.completed'] }, 'url', 'https_required'],
      [{ url: 'https://10.0.0.8/x', events: ['charge_session.completed'] }, 'url', 'non_public_address'],
      [
        { url: 'https://169.254.169.254/x', events: ['charge_session.completed'] },
        'url',
        'non_public_address',
      ],
      [{ url: 'http://192.168.1.5/x', events: ['charge_session.completed'] }, 'url', 'https_required'],
      [
        { url: 'https://u:p@hooks.example.com/', events: ['charge_session.completed'] },
        'url',
        'url_credentials',
      ],
      [
        { url: 'https://hooks.example.com/', events: ['charge_session.exploded'] },
        'events[0]',
        'invalid_value',
      ],
      [{ url: 'https://hooks.example.com/', events: ['webhook.test'] }, 'events[0]', 'invalid_value'],
      [{ url: 'https://hooks.example.com/', events: [] }, 'events', 'too_small'],
      [
        { url: 'https://hooks.example.com/', events: ['charge_session.completed'], extra: 1 },
        'extra',
        'unrecognized_field',
      ],
    ];
    for (const [body, field, code] of cases) {
      const response = await api.request('POST', '/v1/webhooks', { token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, code }));
    }
    expect((await api.request('GET', '/v1/webhooks', { token })).body.data).toEqual([]);

    const created = await api.request('POST', '/v1/webhooks', {
      token,
      body: { url: 'https://hooks.example.com/', events: ['charge_session.completed'] },
    });
    const bad = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, {
      token,
      body: { url: 'https://10.1.2.3/', events: ['charge_session.started'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'url', code: 'non_public_address' });
    // Never a partial write: the events were not changed either.
    expect((await api.request('GET', `/v1/webhooks/${created.body.id}`, { token })).body.events).toEqual([
      'charge_session.completed',
    ]);
    expect((await api.request('PATCH', `/v1/webhooks/${created.body.id}`, { token, body: {} })).status).toBe(
      400,
    );
    expect((await api.request('GET', '/v1/webhooks/not-a-uuid', { token })).status).toBe(400);
  });

  it('needs webhooks:read to read and webhooks:write to change', async () => {
    const reader = await api.token('wh-scopes', { scopes: ['webhooks:read'] });
    const writer = await api.token('wh-scopes', { scopes: ['webhooks:write'] });
    const body = { url: 'https://hooks.example.com/', events: ['charge_session.completed'] };
    expect((await api.request('POST', '/v1/webhooks', { token: reader, body })).body.code).toBe(
      'insufficient_scope',
    );
    expect((await api.request('POST', '/v1/webhooks', { token: writer, body })).status).toBe(201);
    expect((await api.request('GET', '/v1/webhooks', { token: writer })).status).toBe(403);
    expect((await api.request('GET', '/v1/webhooks', { token: reader })).status).toBe(200);
  });
});

describe('delivery', () => {
  it('delivers a recorded event, signed, once per subscribed endpoint; recording it again sends nothing more', async () => {
    const token = await api.token('wh-deliver');
    const completed = await receiver();
    const started = await receiver();
    const endpoint = await register(token, completed, ['charge_session.completed']);
    await register(token, started, ['charge_session.started']);
    const otherTenant = await receiver();
    await register(await api.token('wh-deliver-other'), otherTenant, ['charge_session.completed']);

    const event = sessionEvent('wh-deliver');
    const sink = webhookEventSink(() => t0);
    await sink.record([event]);
    await sink.record([event]); // a producer's retry: idempotent by event id
    await dispatchDue(t0);
    await dispatchDue(at(10 * 60_000));

    expect(completed.rejected).toEqual([]);
    expect(completed.received).toHaveLength(1);
    const [request] = completed.received;
    expect(request!.payload).toEqual({
      type: 'charge_session.completed',
      timestamp: t0.toISOString(),
      data: event.data,
    });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Number(request!.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    expect(started.received).toEqual([]);
    expect(otherTenant.received).toEqual([]);

    const log = await api.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { token });
    expect(log.status).toBe(200);
    expect(log.body.data).toEqual([
      {
        id: expect.any(String),
        webhookId: request!.headers['webhook-id'],
        eventId: event.id,
        eventType: 'charge_session.completed',
        status: 'delivered',
        attemptCount: 1,
        nextAttemptAt: null,
        attempts: [
          { attempt: 1, at: t0.toISOString(), statusCode: 200, error: null, durationMs: expect.any(Number) },
        ],
        created: t0.toISOString(),
      },
    ]);
  });

  it('retries a receiver that answers 500 with backoff, with the same webhook-id, until it takes the event', async () => {
    const token = await api.token('wh-retry');
    const r = await receiver();
    r.answer = (n) => (n <= 2 ? 500 : 200);
    const endpoint = await register(token, r);
    await webhookEventSink(() => t0).record([sessionEvent('wh-retry')]);

    await dispatchDue(t0);
    expect(r.received.map((x) => x.status)).toEqual([500]);
    await dispatchDue(at(RETRY_DELAYS_MS[1] - 1)); // not due yet
    expect(r.received).toHaveLength(1);
    await dispatchDue(at(RETRY_DELAYS_MS[1]));
    expect(r.received.map((x) => x.status)).toEqual([500, 500]);
    const pending = await api.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { token });
    expect(pending.body.data[0]).toMatchObject({
      status: 'pending',
      attemptCount: 2,
      nextAttemptAt: at(RETRY_DELAYS_MS[1] + RETRY_DELAYS_MS[2]).toISOString(),
    });
    await dispatchDue(at(RETRY_DELAYS_MS[1] + RETRY_DELAYS_MS[2]));

    expect(r.rejected).toEqual([]);
    expect(r.received.map((x) => x.status)).toEqual([500, 500, 200]);
    expect(new Set(r.received.map((x) => x.headers['webhook-id'])).size).toBe(1);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    const log = await api.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { token });
    expect(log.body.data[0].status).toBe('delivered');
    expect(log.body.data[0].attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 200]);
  });

  it('gets an event to a receiver that was down for an hour', async () => {
    const token = await api.token('wh-down');
    const r = await receiver();
    let down = true;
    r.answer = () => (down ? 503 : 200);
    await register(token, r);
    await webhookEventSink(() => t0).record([sessionEvent('wh-down')]);
    for (let minute = 0; minute <= 60; minute++) await dispatchDue(at(minute * 60_000));
    down = false;
    for (let minute = 61; minute <= 3 * 60; minute += 5) await dispatchDue(at(minute * 60_000));
    expect(r.received.filter((x) => x.status === 200)).toHaveLength(1);
    expect(r.received.at(-1)!.status).toBe(200);
  });

  it('gives a delivery up after the whole schedule and shows the endpoint failing until a delivery succeeds', async () => {
    const token = await api.token('wh-failing');
    const r = await receiver();
    let healthy = false;
    r.answer = () => (healthy ? 200 : 503);
    const endpoint = await register(token, r);
    await webhookEventSink(() => t0).record([sessionEvent('wh-failing')]);
    let elapsed = 0;
    for (const delay of RETRY_DELAYS_MS) {
      elapsed += delay;
      await dispatchDue(at(elapsed));
    }
    await dispatchDue(at(elapsed + 86_400_000));
    expect(r.received).toHaveLength(RETRY_DELAYS_MS.length);

    const failing = await api.request('GET', `/v1/webhooks/${endpoint.id}`, { token });
    expect(failing.body).toMatchObject({
      status: 'failing',
      enabled: true,
      failingSince: at(elapsed).toISOString(),
      lastError: 'HTTP 503',
    });
    const log = await api.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { token });
    expect(log.body.data[0]).toMatchObject({ status: 'failed', attemptCount: 8, nextAttemptAt: null });

    // The receiver is back: a resend is delivered, same webhook-id, and the endpoint is healthy again.
    healthy = true;
    const resent = await api.request(
      'POST',
      `/v1/webhooks/${endpoint.id}/deliveries/${log.body.data[0].id}/resend`,
      {
        token,
      },
    );
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ status: 'delivered', attemptCount: 9 });
    expect(r.received.at(-1)!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
    expect((await api.request('GET', `/v1/webhooks/${endpoint.id}`, { token })).body).toMatchObject({
      status: 'enabled',
      failingSince: null,
    });
  });

  it('disables an endpoint that answers 410 Gone, and sends it nothing more until it is enabled again', async () => {
    const token = await api.token('wh-gone');
    const r = await receiver();
    r.answer = (n) => (n === 1 ? 410 : 200);
    const endpoint = await register(token, r);
    await webhookEventSink(() => t0).record([sessionEvent('wh-gone')]);
    await dispatchDue(t0);
    const disabled = await api.request('GET', `/v1/webhooks/${endpoint.id}`, { token });
    expect(disabled.body).toMatchObject({ enabled: false, status: 'disabled', disabledReason: 'gone' });

    await webhookEventSink(() => t0).record([sessionEvent('wh-gone')]);
    await dispatchDue(at(86_400_000));
    expect(r.received).toHaveLength(1);
    const ping = await api.request('POST', `/v1/webhooks/${endpoint.id}/test`, { token });
    expect(ping.status).toBe(409);
    expect(ping.body.code).toBe('webhook_disabled');

    const enabled = await api.request('PATCH', `/v1/webhooks/${endpoint.id}`, {
      token,
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, status: 'enabled', disabledReason: null });
    expect((await api.request('POST', `/v1/webhooks/${endpoint.id}/test`, { token })).body.status).toBe(
      'delivered',
    );
  });

  it('sends a test ping within the request', async () => {
    const token = await api.token('wh-ping');
    const r = await receiver();
    const endpoint = await register(token, r);
    const ping = await api.request('POST', `/v1/webhooks/${endpoint.id}/test`, { token });
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ eventType: 'webhook.test', status: 'delivered', attemptCount: 1 });
    expect(r.rejected).toEqual([]);
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.payload).toMatchObject({ type: 'webhook.test', data: { webhookId: endpoint.id } });
    expect(r.received[0]!.headers['webhook-id']).toBe(ping.body.webhookId);
  });

  it('counts a receiver that does not answer in time as failed, and retries it', async () => {
    const token = await api.token('wh-timeout');
    const r = await receiver();
    r.answer = (n) => (n === 1 ? 'hang' : 200);
    const endpoint = await register(token, r);
    await webhookEventSink(() => t0).record([sessionEvent('wh-timeout')]);
    await dispatchDue(t0, { timeoutMs: 300 });
    const log = await api.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { token });
    expect(log.body.data[0]).toMatchObject({ status: 'pending', attemptCount: 1 });
    expect(log.body.data[0].attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringContaining('timed out'),
    });
    await dispatchDue(at(RETRY_DELAYS_MS[1]));
    expect(r.received.map((x) => x.status)).toEqual([200]);
  });

  it('checks the address again at delivery time: a name that now resolves to a private address is refused', async () => {
    const token = await api.token('wh-rebind');
    const created = await api.request('POST', '/v1/webhooks', {
      token,
      body: { url: 'https://hooks.rebind.example/x', events: ['charge_session.completed'] },
    });
    expect(created.status).toBe(201);
    await webhookEventSink(() => t0).record([sessionEvent('wh-rebind')]);
    await dispatchDue(t0, { resolve: async () => [{ address: '169.254.169.254', family: 4 }] });
    const log = await api.request('GET', `/v1/webhooks/${created.body.id}/deliveries`, { token });
    expect(log.body.data[0].attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringContaining('169.254.169.254'),
    });
    // Its retries would resolve this name again in later tests: the endpoint goes, its delivery is cancelled.
    expect((await api.request('DELETE', `/v1/webhooks/${created.body.id}`, { token })).status).toBe(204);
  });
});

describe('deployed: the webhook queue', () => {
  it('sends what record made due to the queue, and the dispatcher attempts a queued delivery at once', async () => {
    const token = await api.token('wh-queue');
    const r = await receiver();
    const endpoint = await register(token, r);
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    process.env.WEBHOOK_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks';
    resetConfig();
    try {
      await webhookEventSink().record([sessionEvent('wh-queue')]);
    } finally {
      delete process.env.WEBHOOK_QUEUE_URL;
      resetConfig();
    }
    const sent = sqs.commandCalls(SendMessageCommand);
    sqs.restore();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args[0].input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks');
    const body = sent[0]!.args[0].input.MessageBody!;
    expect(JSON.parse(body).deliveries).toEqual([
      { tenantId: 'wh-queue', endpointId: endpoint.id, deliveryId: expect.any(String) },
    ]);

    // The dispatcher Lambda, as SQS invokes it; a message that is not ours is ignored, not retried forever.
    const { handler } = await import('../../functions/webhook-dispatcher.js');
    const result = await handler({
      Records: [
        { messageId: 'm-1', body },
        { messageId: 'm-2', body: 'not json' },
      ] as never,
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(r.rejected).toEqual([]);
    expect(r.received).toHaveLength(1);
  });
});

describe('connecting to the address that was checked', () => {
  it('sends to the address its own resolution approved, never to one the socket looks up again', async () => {
    const token = await api.token('wh-pinned');
    const r = await receiver();
    // A name only our resolver knows: the request can reach the receiver only through the checked address.
    const url = r.url.replace('127.0.0.1', 'hooks.pinned.localhost');
    const created = await api.request('POST', '/v1/webhooks', {
      token,
      body: { url, events: ['charge_session.completed'] },
    });
    expect(created.status).toBe(201);
    r.secret = created.body.secret;
    await webhookEventSink(() => t0).record([sessionEvent('wh-pinned')]);
    let lookups = 0;
    await dispatchDue(t0, {
      resolve: async (name) => {
        if (name !== 'hooks.pinned.localhost') return [{ address: '10.0.0.1', family: 4 }];
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(lookups).toBe(1);
    expect(r.rejected).toEqual([]);
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.headers.host).toBe(new URL(url).host);
  });
});

describe('public_charging_session.status_changed', () => {
  it('is sent for every status change of a public session, in order, with the session as the operator sees it', async () => {
    const token = await api.token('wh-public');
    const r = await receiver();
    const endpoint = await register(token, r, ['public_charging_session.status_changed']);
    const { id: cpId } = await createEntity(api, token, { type: 'CP', name: 'Webhook CP' });
    const code = await registerCharger(api, token, cpId, { name: 'Webhook charger' });
    const created = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: loopbackAddress(),
      body: { code, connector_id: 1, email: 'driver@example.com' },
    });
    expect(created.status).toBe(201);
    const ip = loopbackAddress();
    expect(
      (
        await api.request('POST', `/v1/public-charging/sessions/${created.body.token}/confirm`, {
          sourceIp: ip,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api.request('POST', `/v1/public-charging/sessions/${created.body.token}/cancel`, {
          sourceIp: ip,
        })
      ).status,
    ).toBe(200);

    // Recorded with the change (the request's outbox), delivered by the next dispatch.
    const log = await api.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { token });
    expect(log.body.data).toHaveLength(2);
    await dispatchDue(new Date());
    expect(r.rejected).toEqual([]);
    const changes = r.received
      .map((x) => x.payload)
      .sort(
        (a, b) =>
          a.timestamp.localeCompare(b.timestamp) ||
          a.data.previousStatus.localeCompare(b.data.previousStatus),
      );
    expect(changes.map((p) => [p.type, p.data.previousStatus, p.data.status])).toEqual([
      ['public_charging_session.status_changed', 'created', 'authorized'],
      ['public_charging_session.status_changed', 'authorized', 'abandoned'],
    ]);
    expect(changes[1]!.data).toMatchObject({
      connectorId: 1,
      chargerCode: code,
      failureReason: 'cancelled_by_driver',
    });
    // The operator's view: never the driver's token or e-mail.
    expect(JSON.stringify(changes)).not.toContain(created.body.token);
    expect(JSON.stringify(changes)).not.toContain('driver@example.com');
  });
});

describe('npm start', () => {
  it('replaces a kept demo token that predates the webhooks scopes, and keeps one that has them', async () => {
    const { demoToken, DEMO_TENANT } = await import('../../infra/local/seed.js');
    const { SCOPES } = await import('../../shared/auth/scopes.js');
    const now = new Date();
    const old = await api.token(DEMO_TENANT, { scopes: SCOPES.filter((s) => !s.startsWith('webhooks:')) });
    expect((await demoToken(now, old)).reused).toBe(false);
    const current = await api.token(DEMO_TENANT);
    expect(await demoToken(now, current)).toMatchObject({ token: current, reused: true });
  });
});
