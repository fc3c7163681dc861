// Lambda: the real-time path's worker (live FIFO queue → one entity per message → active/completed sessions),
// recording charge_session.* events for webhooks (shared/webhooks/outbox.ts).
import { createLiveWorkerHandler } from '../shared/pipeline/live-worker.js';
import { webhookEventSink } from '../shared/webhooks/outbox.js';

export const handler = createLiveWorkerHandler({ events: webhookEventSink() });
