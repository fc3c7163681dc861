// The webhooks area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { boundedString, nameString, uuidString } from '../schema.js';
import { MAX_URL_LENGTH, RETRY_DELAYS_MS, TEST_EVENT_TYPE } from './domain.js';
import { WEBHOOK_EVENT_TYPES } from './events.js';

/** Each endpoint is read by every `record` of its tenant's events: a cap keeps that one small Query. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

const url = boundedString(1, MAX_URL_LENGTH).check(
  z.meta({
    description:
      'Where events are POSTed: `https` to a host on the public internet (checked again, resolved, at every delivery). `npm start` also allows `http://127.0.0.1`/`localhost`.',
    example: 'https://example.com/hooks/evsessions',
    format: 'uri',
  }),
);

const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .check(
    z.minLength(1),
    z.maxLength(WEBHOOK_EVENT_TYPES.length),
    z.meta({ description: 'The event types this endpoint receives (at least one).' }),
  );

const description = z
  .nullable(nameString(200))
  .check(z.meta({ description: 'A note for people; not sent.' }));

export const CreateWebhookBody = z
  .strictObject({ url, events, description: z.optional(description) })
  .check(z.meta({ id: 'CreateWebhookRequest' }));
export type CreateWebhookInput = z.output<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .strictObject({
    url: z.optional(url),
    events: z.optional(events),
    description: z.optional(description),
    enabled: z.optional(
      z.boolean().check(
        z.meta({
          description:
            'false stops deliveries (pending ones are cancelled); true starts them again and clears `failing` and a disable by `410 Gone`.',
        }),
      ),
    ),
  })
  .check(
    z.refine((body) => Object.keys(body).length > 0, {
      message: 'Name at least one of url, events, description, enabled.',
      params: { code: 'empty_update' },
    }),
    z.meta({ id: 'UpdateWebhookRequest' }),
  );
export type UpdateWebhookInput = z.output<typeof UpdateWebhookBody>;

const endpointShape = {
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  status: z.enum(['enabled', 'failing', 'disabled']).check(
    z.meta({
      description:
        '`enabled`: deliveries succeed (or are still being retried); `failing`: a delivery was given up after the whole retry schedule (since `failingSince`, `lastError` says why; a later success clears it); `disabled`: by the tenant or by a `410 Gone` answer (`disabledReason`).',
    }),
  ),
  failingSince: z.nullable(z.iso.datetime()),
  lastError: z.nullable(z.string()),
  disabledReason: z.nullable(z.enum(['user', 'gone'])),
  disabledAt: z.nullable(z.iso.datetime()),
  created: z.iso.datetime(),
  updated: z.iso.datetime(),
};

export const WebhookEndpoint = z.object(endpointShape).check(z.meta({ id: 'WebhookEndpoint' }));
export type WebhookEndpointResource = z.output<typeof WebhookEndpoint>;

export const CreatedWebhookEndpoint = z
  .object({
    ...endpointShape,
    secret: z.string().check(
      z.meta({
        description:
          'The signing secret, `whsec_` + base64 of 32 random bytes: shown in this answer only. Verify each request with it (Standard Webhooks).',
      }),
    ),
  })
  .check(z.meta({ id: 'CreatedWebhookEndpoint' }));

export const WebhookEndpointPage = pageSchema(WebhookEndpoint, 'WebhookEndpointPage');

const Attempt = z
  .object({
    attempt: z
      .int()
      .check(z.meta({ description: '1 for the first attempt of this delivery, counting resends.' })),
    at: z.iso.datetime(),
    statusCode: z
      .nullable(z.int())
      .check(z.meta({ description: "The receiver's HTTP status; null when none came." })),
    error: z.nullable(z.string()).check(
      z.meta({
        description: 'Why no answer came (timeout, DNS, refused address, connection); null with a status.',
      }),
    ),
    durationMs: z.int(),
  })
  .check(z.meta({ id: 'WebhookAttempt' }));

export const WebhookDelivery = z
  .object({
    id: z.uuid(),
    webhookId: z
      .string()
      .check(z.meta({ description: 'The `webhook-id` header: the same on every attempt.' })),
    eventId: z.string(),
    eventType: z.enum([...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE]),
    status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).check(
      z.meta({
        description: `\`pending\`: waiting for its next attempt (retried after ${RETRY_DELAYS_MS.slice(1)
          .map((ms) =>
            ms < 60_000 ? `${ms / 1000} s` : ms < 3_600_000 ? `${ms / 60_000} min` : `${ms / 3_600_000} h`,
          )
          .join(
            ', ',
          )}); \`delivered\`: a 2xx came; \`failed\`: given up after the last attempt, or a 410; \`cancelled\`: the endpoint was disabled or deleted first.`,
      }),
    ),
    attemptCount: z.int(),
    nextAttemptAt: z.nullable(z.iso.datetime()),
    attempts: z.array(Attempt).check(z.meta({ description: 'The last 20 attempts, oldest first.' })),
    created: z.iso.datetime(),
  })
  .check(z.meta({ id: 'WebhookDelivery' }));
export type WebhookDeliveryResource = z.output<typeof WebhookDelivery>;

export const WebhookDeliveryPage = pageSchema(WebhookDelivery, 'WebhookDeliveryPage');

export const WebhookIdParams = z.strictObject({
  webhookId: uuidString('a webhook endpoint id').check(z.meta({ description: 'The endpoint id (a UUID).' })),
});

export const WebhookDeliveryParams = z.strictObject({
  webhookId: uuidString('a webhook endpoint id').check(z.meta({ description: 'The endpoint id (a UUID).' })),
  deliveryId: uuidString('a delivery id').check(z.meta({ description: 'The delivery id (a UUID).' })),
});

export const ListWebhooksQuery = z.strictObject({ ...pageQueryFields });
