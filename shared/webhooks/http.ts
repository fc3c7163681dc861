// Binds the webhooks routes to their use cases: each adapter maps a validated request to one call.

import { paginate } from '../http/pagination.js';
import { implement } from '../http/route.js';
import {
  createWebhookRoute,
  deleteWebhookRoute,
  getWebhookRoute,
  listWebhookDeliveriesRoute,
  listWebhooksRoute,
  resendWebhookDeliveryRoute,
  testWebhookRoute,
  updateWebhookRoute,
} from './routes.js';
import * as webhooks from './service.js';

export const webhookHandlers = [
  implement(createWebhookRoute, async ({ caller, body, now, baseUrl }) => {
    const endpoint = await webhooks.createEndpoint(caller.tenantId, body, now);
    return {
      status: 201,
      headers: { Location: `${baseUrl}/v1/webhooks/${endpoint.id}` },
      body: { ...webhooks.toEndpointResource(endpoint), secret: endpoint.secret },
    };
  }),

  implement(listWebhooksRoute, async ({ caller, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: 'listWebhooks' },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/webhooks`,
      query: {},
      fetch: (startKey) => webhooks.listEndpoints(caller.tenantId, { pageSize: query.pageSize, startKey }),
      map: webhooks.toEndpointResource,
    }),
  })),

  implement(getWebhookRoute, async ({ caller, params }) => ({
    status: 200,
    body: webhooks.toEndpointResource(await webhooks.getEndpoint(caller.tenantId, params.webhookId)),
  })),

  implement(updateWebhookRoute, async ({ caller, params, body, now }) => ({
    status: 200,
    body: webhooks.toEndpointResource(
      await webhooks.updateEndpoint(caller.tenantId, params.webhookId, body, now),
    ),
  })),

  implement(deleteWebhookRoute, async ({ caller, params }) => {
    await webhooks.deleteEndpoint(caller.tenantId, params.webhookId);
    return { status: 204 };
  }),

  implement(testWebhookRoute, async ({ caller, params, now }) => ({
    status: 200,
    body: webhooks.toDeliveryResource(await webhooks.sendTestEvent(caller.tenantId, params.webhookId, now)),
  })),

  implement(listWebhookDeliveriesRoute, async ({ caller, params, query, now, baseUrl }) => ({
    status: 200,
    body: await paginate({
      binding: { tenantId: caller.tenantId, query: `listWebhookDeliveries:${params.webhookId}` },
      pageSize: query.pageSize,
      continuationToken: query.continuationToken,
      now,
      url: `${baseUrl}/v1/webhooks/${params.webhookId}/deliveries`,
      query: {},
      fetch: (startKey) =>
        webhooks.listDeliveries(caller.tenantId, params.webhookId, { pageSize: query.pageSize, startKey }),
      map: webhooks.toDeliveryResource,
    }),
  })),

  implement(resendWebhookDeliveryRoute, async ({ caller, params, now }) => ({
    status: 200,
    body: webhooks.toDeliveryResource(
      await webhooks.resendDelivery(caller.tenantId, params.webhookId, params.deliveryId, now),
    ),
  })),
];
