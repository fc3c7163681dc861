// The EventSink producers record their events through (shared/webhooks/events.ts): each event is stored
// durably and gets one delivery per enabled endpoint of its tenant subscribed to its type, due at once.
// Everything after that is the dispatcher's (shared/webhooks/delivery.ts): deployed, the webhook-dispatcher
// Lambda, at once through the webhook queue (when the recording function has WEBHOOK_QUEUE_URL, i.e.
// `recordsWebhookEvents` in infra/functions.ts) and every minute for everything due; locally, in process
// within a moment (`deliverInProcess`).
//
// Wiring: a producer takes an `EventSink` and is given `webhookEventSink()` (or `webhookEventSink(clock)`
// in tests). `record` resolves once every event and delivery is stored; it is idempotent by event id
// (deliveries have ids derived from the event and endpoint ids), so a producer may record the same
// events again after a crash and nothing is sent twice by us.

import { config } from '../config.js';
import * as store from '../storage/webhooks.js';
import { newSeries, payloadOf } from './domain.js';
import { type DomainEvent, type EventSink, WEBHOOK_EVENT_TYPES } from './events.js';
import { sendDueDeliveries } from './queue.js';

type DueListener = (deliveries: store.DeliveryRef[]) => void;
let dueListener: DueListener | undefined;

/**
 * Local runs: called with the deliveries `record` made due, so the process attempts them at once
 * instead of waiting for the next dispatch (infra/local/start.ts). Deployed there is none: the
 * dispatcher's next minute does it. Returns the function that removes it.
 */
export function deliverInProcess(listener: DueListener): () => void {
  dueListener = listener;
  return () => {
    if (dueListener === listener) dueListener = undefined;
  };
}

/** Stores the events and their deliveries; the deliveries it made (new or already there). */
export async function recordEvents(events: readonly DomainEvent[], now: Date): Promise<store.DeliveryRef[]> {
  const byTenant = new Map<string, DomainEvent[]>();
  for (const event of events) {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type)) {
      throw new Error(`unknown webhook event type '${event.type}'`);
    }
    byTenant.set(event.tenantId, [...(byTenant.get(event.tenantId) ?? []), event]);
  }
  const made: store.DeliveryRef[] = [];
  for (const [tenantId, tenantEvents] of byTenant) {
    const endpoints = (await store.listAllEndpoints(tenantId)).filter((endpoint) => endpoint.enabled);
    for (const event of tenantEvents) {
      const payload = payloadOf(event);
      // The event first: a crash after it leaves the deliveries to the producer's retry of `record`.
      await store.putEventOnce({ ...event, payload }, now);
      const subscribed = endpoints.filter((endpoint) => endpoint.events.includes(event.type));
      await Promise.all(
        subscribed.map(async (endpoint) => {
          const ref = {
            tenantId,
            endpointId: endpoint.id,
            deliveryId: store.deliveryIdFor(event.id, endpoint.id, event.occurredAt),
          };
          await store.putNewDelivery(
            {
              ...ref,
              ...newSeries(0, now),
              eventId: event.id,
              eventType: event.type,
              payload,
              created: now.toISOString(),
              attempts: [],
            },
            now,
          );
          made.push(ref);
        }),
      );
    }
  }
  if (made.length > 0) {
    const { webhookQueueUrl } = config();
    if (dueListener) dueListener(made);
    else if (webhookQueueUrl) await sendDueDeliveries(webhookQueueUrl, made);
  }
  return made;
}

/** The sink to give producers: records through `recordEvents` at the clock's time. */
export function webhookEventSink(clock: () => Date = () => new Date()): EventSink {
  return {
    async record(events) {
      if (events.length > 0) await recordEvents(events, clock());
    },
  };
}
