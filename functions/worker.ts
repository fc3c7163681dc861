// Lambda: the daily job's worker (SQS → one entity per message → sessions, cursor, daily rollups), recording
// charge_session.* events for webhooks (shared/webhooks/outbox.ts) before it stores what they report.
import { processEntity } from '../shared/pipeline/process-entity.js';
import { createWorkerHandler } from '../shared/pipeline/worker.js';
import { webhookEventSink } from '../shared/webhooks/outbox.js';

const events = webhookEventSink();
export const handler = createWorkerHandler((ref, now) => processEntity(ref, now, { events }));
