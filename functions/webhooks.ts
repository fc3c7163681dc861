// Lambda: the tenant's webhook endpoints and their delivery log (/v1/webhooks…); test pings and resends
// are sent from here, within the request.
import { createHttpHandler } from '../shared/http/handler.js';
import { webhookHandlers } from '../shared/webhooks/http.js';

export const handler = createHttpHandler(webhookHandlers);
