// Use cases of the webhooks area: each takes the calling tenant, its input and the time. Unknown ids and
// other tenants' ids are the same 404. A test ping and a resend are attempted within the request, so
// their answer shows how the receiver answered.

import { randomBytes, randomUUID } from 'node:crypto';
import { config } from '../config.js';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import type { Position } from '../storage/page.js';
import * as store from '../storage/webhooks.js';
import { attemptDelivery, type DeliveryDeps, messageIdOf } from './delivery.js';
import { checkEndpointUrl, newSeries, payloadOf, TEST_EVENT_TYPE, URL_PROBLEMS } from './domain.js';
import {
  type CreateWebhookInput,
  MAX_ENDPOINTS_PER_TENANT,
  type UpdateWebhookInput,
  type WebhookDeliveryResource,
  type WebhookEndpointResource,
} from './schemas.js';

/** `whsec_` + base64 of 32 random bytes (Standard Webhooks' secret form; the HMAC key is the bytes). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function webhookNotFound(webhookId: string): NotFoundError {
  return new NotFoundError('webhook_not_found', `No webhook endpoint with id '${webhookId}' exists.`);
}

function deliveryNotFound(deliveryId: string): NotFoundError {
  return new NotFoundError('webhook_delivery_not_found', `No delivery with id '${deliveryId}' exists.`);
}

export function toEndpointResource(endpoint: store.EndpointRecord): WebhookEndpointResource {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    status: !endpoint.enabled ? 'disabled' : endpoint.failingSince ? 'failing' : 'enabled',
    failingSince: endpoint.failingSince,
    lastError: endpoint.lastError,
    disabledReason: endpoint.disabledReason,
    disabledAt: endpoint.disabledAt,
    created: endpoint.created,
    updated: endpoint.updated,
  };
}

export function toDeliveryResource(delivery: store.DeliveryRecord): WebhookDeliveryResource {
  return {
    id: delivery.deliveryId,
    webhookId: messageIdOf(delivery.deliveryId),
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.nextAttemptAt,
    attempts: delivery.attempts,
    created: delivery.created,
  };
}

function checkUrl(url: string): void {
  const problem = checkEndpointUrl(url, { allowLoopback: config().webhooksAllowLoopback });
  if (problem) {
    throw new ValidationError('validation_failed', URL_PROBLEMS[problem], {
      errors: [{ in: 'body', field: 'url', code: problem, message: URL_PROBLEMS[problem] }],
    });
  }
}

/** Sorted, without repeats: the stored form of a subscription. */
const eventSet = <T extends string>(events: readonly T[]) => [...new Set(events)].sort();

/**
 * Registers an endpoint; the answer carries its secret, never shown again. The cap is checked by counting
 * first (as locations do): creates racing at the cap may overshoot it by the number racing, harmlessly.
 */
export async function createEndpoint(
  tenantId: string,
  input: CreateWebhookInput,
  now: Date,
): Promise<store.EndpointRecord> {
  checkUrl(input.url);
  if ((await store.listAllEndpoints(tenantId)).length >= MAX_ENDPOINTS_PER_TENANT) {
    throw new ConflictError(
      'webhook_limit_reached',
      `A tenant can have at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one first.`,
      { extensions: { limit: MAX_ENDPOINTS_PER_TENANT } },
    );
  }
  const at = now.toISOString();
  const endpoint: store.EndpointRecord = {
    tenantId,
    id: uuidv7(now.getTime()),
    url: input.url,
    events: eventSet(input.events),
    description: input.description ?? null,
    secret: newSigningSecret(),
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    failingSince: null,
    lastError: null,
    created: at,
    updated: at,
  };
  await store.putNewEndpoint(endpoint);
  return endpoint;
}

export async function getEndpoint(tenantId: string, webhookId: string): Promise<store.EndpointRecord> {
  const endpoint = isUuid(webhookId) ? await store.getEndpoint(tenantId, webhookId) : undefined;
  if (!endpoint) throw webhookNotFound(webhookId);
  return endpoint;
}

export function listEndpoints(tenantId: string, page: { pageSize: number; startKey: Position | undefined }) {
  return store.listEndpoints(tenantId, page);
}

/** Applies the changes on the version read; a concurrent change makes it re-read and apply again. */
export async function updateEndpoint(
  tenantId: string,
  webhookId: string,
  input: UpdateWebhookInput,
  now: Date,
): Promise<store.EndpointRecord> {
  if (input.url !== undefined) checkUrl(input.url);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getEndpoint(tenantId, webhookId);
    const at = now.toISOString();
    // `updated` is the version: keep it strictly increasing even for two changes within a millisecond.
    const updated = at > current.updated ? at : new Date(Date.parse(current.updated) + 1).toISOString();
    const next: store.EndpointRecord = {
      ...current,
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.events !== undefined ? { events: eventSet(input.events) } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      updated,
    };
    if (input.enabled === true && !current.enabled) {
      Object.assign(next, {
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        lastError: null,
      });
    } else if (input.enabled === false && current.enabled) {
      Object.assign(next, { enabled: false, disabledReason: 'user', disabledAt: at });
    }
    if (await store.replaceEndpoint(next, current.updated)) return next;
  }
  throw new ServiceUnavailableError('The webhook endpoint is changing concurrently; retry shortly.');
}

/** Deletes the endpoint; its pending deliveries are cancelled when they come due, its log expires. */
export async function deleteEndpoint(tenantId: string, webhookId: string): Promise<void> {
  if (!isUuid(webhookId) || !(await store.deleteEndpoint(tenantId, webhookId)))
    throw webhookNotFound(webhookId);
}

function requireEnabled(endpoint: store.EndpointRecord): void {
  if (!endpoint.enabled) {
    throw new ConflictError(
      'webhook_disabled',
      `The webhook endpoint is disabled (${endpoint.disabledReason === 'gone' ? 'it answered 410 Gone' : 'by PATCH'}); enable it first.`,
    );
  }
}

/** Sends a `webhook.test` event to this endpoint only, now; the delivery as it stands after the attempt. */
export async function sendTestEvent(
  tenantId: string,
  webhookId: string,
  now: Date,
  deps: DeliveryDeps = {},
): Promise<store.DeliveryRecord> {
  const endpoint = await getEndpoint(tenantId, webhookId);
  requireEnabled(endpoint);
  const eventId = `test_${randomUUID()}`;
  const occurredAt = now.toISOString();
  const ref = {
    tenantId,
    endpointId: endpoint.id,
    deliveryId: store.deliveryIdFor(eventId, endpoint.id, occurredAt),
  };
  await store.putNewDelivery(
    {
      ...ref,
      ...newSeries(0, now),
      eventId,
      eventType: TEST_EVENT_TYPE,
      payload: payloadOf({
        type: TEST_EVENT_TYPE,
        occurredAt,
        data: {
          webhookId: endpoint.id,
          message: 'A test event from evsessions: this endpoint is reachable.',
        },
      }),
      created: occurredAt,
      attempts: [],
    },
    now,
  );
  await attemptDelivery(ref, now, deps);
  return (await store.getDelivery(ref)) as store.DeliveryRecord;
}

export async function getDelivery(
  tenantId: string,
  webhookId: string,
  deliveryId: string,
): Promise<store.DeliveryRecord> {
  await getEndpoint(tenantId, webhookId);
  const delivery = await store.getDelivery({ tenantId, endpointId: webhookId, deliveryId });
  if (!delivery) throw deliveryNotFound(deliveryId);
  return delivery;
}

export async function listDeliveries(
  tenantId: string,
  webhookId: string,
  page: { pageSize: number; startKey: Position | undefined },
) {
  await getEndpoint(tenantId, webhookId);
  return store.listDeliveries(tenantId, webhookId, page);
}

/**
 * Sends a delivery again, now, with the same `webhook-id` and body: a new series of attempts (a failed
 * one is retried on the whole schedule again). The delivery as it stands after the attempt.
 */
export async function resendDelivery(
  tenantId: string,
  webhookId: string,
  deliveryId: string,
  now: Date,
  deps: DeliveryDeps = {},
): Promise<store.DeliveryRecord> {
  const endpoint = await getEndpoint(tenantId, webhookId);
  requireEnabled(endpoint);
  for (let attempt = 0; attempt < 5; attempt++) {
    const delivery = await getDelivery(tenantId, webhookId, deliveryId);
    if (await store.saveDeliveryState(delivery, newSeries(delivery.attemptCount, now), delivery.attempts)) {
      await attemptDelivery(delivery, now, deps);
      return (await store.getDelivery(delivery)) as store.DeliveryRecord;
    }
  }
  throw new ServiceUnavailableError('The delivery is being attempted right now; retry shortly.');
}
