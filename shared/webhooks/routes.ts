// The webhooks routes, declared once (see shared/http/route.ts). Served by functions/webhooks.ts.

import { defineRoute } from '../http/route.js';
import { TEST_EVENT_TYPE } from './domain.js';
import {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  ListWebhooksQuery,
  MAX_ENDPOINTS_PER_TENANT,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookDeliveryParams,
  WebhookEndpoint,
  WebhookEndpointPage,
  WebhookIdParams,
} from './schemas.js';

const tags = ['Webhooks'];

export const createWebhookRoute = defineRoute({
  operationId: 'createWebhook',
  method: 'POST',
  path: '/v1/webhooks',
  fn: 'webhooks',
  auth: { scope: 'webhooks:write' },
  summary: 'Register an endpoint that receives events',
  description: `Events of the listed types are POSTed to \`url\` as \`{ type, timestamp, data }\`, signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`) with the \`secret\` in this answer — the only time it is shown. At most ${MAX_ENDPOINTS_PER_TENANT} per tenant (409 \`webhook_limit_reached\`).`,
  tags,
  body: CreateWebhookBody,
  responses: {
    201: {
      description: 'The endpoint was created; keep its secret.',
      schema: CreatedWebhookEndpoint,
      headers: { Location: { description: 'URL of the new endpoint.' } },
    },
  },
  errors: ['webhook_limit_reached'],
});

export const listWebhooksRoute = defineRoute({
  operationId: 'listWebhooks',
  method: 'GET',
  path: '/v1/webhooks',
  fn: 'webhooks',
  auth: { scope: 'webhooks:read' },
  summary: "List the tenant's webhook endpoints, oldest first",
  tags,
  query: ListWebhooksQuery,
  responses: { 200: { description: 'A page of endpoints (without secrets).', schema: WebhookEndpointPage } },
});

export const getWebhookRoute = defineRoute({
  operationId: 'getWebhook',
  method: 'GET',
  path: '/v1/webhooks/{webhookId}',
  fn: 'webhooks',
  auth: { scope: 'webhooks:read' },
  summary: 'Get a webhook endpoint and its state (enabled, failing, disabled)',
  tags,
  params: WebhookIdParams,
  responses: { 200: { description: 'The endpoint (without its secret).', schema: WebhookEndpoint } },
  errors: ['webhook_not_found'],
});

export const updateWebhookRoute = defineRoute({
  operationId: 'updateWebhook',
  method: 'PATCH',
  path: '/v1/webhooks/{webhookId}',
  fn: 'webhooks',
  auth: { scope: 'webhooks:write' },
  summary: 'Change the URL, events, description, or enable/disable the endpoint',
  tags,
  params: WebhookIdParams,
  body: UpdateWebhookBody,
  responses: { 200: { description: 'The endpoint as changed.', schema: WebhookEndpoint } },
  errors: ['webhook_not_found'],
});

export const deleteWebhookRoute = defineRoute({
  operationId: 'deleteWebhook',
  method: 'DELETE',
  path: '/v1/webhooks/{webhookId}',
  fn: 'webhooks',
  auth: { scope: 'webhooks:write' },
  summary: 'Delete a webhook endpoint',
  description: 'Deliveries still pending are cancelled; nothing more is sent to it.',
  tags,
  params: WebhookIdParams,
  responses: { 204: { description: 'The endpoint was deleted.' } },
  errors: ['webhook_not_found'],
});

export const testWebhookRoute = defineRoute({
  operationId: 'testWebhook',
  method: 'POST',
  path: '/v1/webhooks/{webhookId}/test',
  fn: 'webhooks',
  auth: { scope: 'webhooks:write' },
  summary: `Send a \`${TEST_EVENT_TYPE}\` event to this endpoint now`,
  description: `A ping, signed like every event, sent within this request (the receiver has 10 s): the answer is the delivery with its first attempt. If that failed, it is retried on the usual schedule. \`${TEST_EVENT_TYPE}\` is sent only by this operation and cannot be subscribed to.`,
  tags,
  params: WebhookIdParams,
  responses: { 200: { description: 'The test delivery after its first attempt.', schema: WebhookDelivery } },
  errors: ['webhook_not_found', 'webhook_disabled'],
});

export const listWebhookDeliveriesRoute = defineRoute({
  operationId: 'listWebhookDeliveries',
  method: 'GET',
  path: '/v1/webhooks/{webhookId}/deliveries',
  fn: 'webhooks',
  auth: { scope: 'webhooks:read' },
  summary: "The endpoint's deliveries, newest first, with their attempts (kept 30 days)",
  tags,
  params: WebhookIdParams,
  query: ListWebhooksQuery,
  responses: { 200: { description: 'A page of deliveries.', schema: WebhookDeliveryPage } },
  errors: ['webhook_not_found'],
});

export const resendWebhookDeliveryRoute = defineRoute({
  operationId: 'resendWebhookDelivery',
  method: 'POST',
  path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/resend',
  fn: 'webhooks',
  auth: { scope: 'webhooks:write' },
  summary: 'Send a delivery again now (same webhook-id and body)',
  description:
    'Attempted within this request; if that fails, it is retried on the usual schedule from now. Receivers de-duplicate by `webhook-id`, which stays the same.',
  tags,
  params: WebhookDeliveryParams,
  responses: { 200: { description: 'The delivery after the attempt.', schema: WebhookDelivery } },
  errors: ['webhook_not_found', 'webhook_delivery_not_found', 'webhook_disabled'],
});

export const webhookRoutes = [
  createWebhookRoute,
  listWebhooksRoute,
  getWebhookRoute,
  updateWebhookRoute,
  deleteWebhookRoute,
  testWebhookRoute,
  listWebhookDeliveriesRoute,
  resendWebhookDeliveryRoute,
];
