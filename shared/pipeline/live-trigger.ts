// The port ingestion calls once it has stored new readings of an entity that captures sessions: "run the
// engine for this entity soon". Deployed, a message on the real-time FIFO queue (LIVE_QUEUE_URL, set on the
// readings function only); under `npm start` and in tests, the in-process runner (infra/local/live.ts)
// registers itself with setLiveTrigger. Without either, nothing happens and the daily job finds the readings.

import type { SQSClient } from '@aws-sdk/client-sqs';
import { awsClient } from '../aws/clients.js';
import { encodeLiveMessage } from './messages.js';
import type { EntityRef } from './processor.js';
import { LIVE_BUCKET_SECONDS } from './settings.js';

export type LiveTrigger = (ref: EntityRef, now: Date) => Promise<void>;

let registered: LiveTrigger | undefined;
let client: SQSClient | undefined;

/** Registers the in-process trigger (null removes it); returns what was registered before. */
export function setLiveTrigger(trigger: LiveTrigger | undefined): LiveTrigger | undefined {
  const before = registered;
  registered = trigger;
  return before;
}

/**
 * The FIFO message for readings that arrived at `now`: one group per entity (one run at a time, in order),
 * one deduplication id per entity and bucket (a burst of requests is one run; SQS drops the repeats for
 * 5 minutes, longer than any bucket).
 */
export function liveMessageFor(ref: EntityRef, now: Date, bucketSeconds = LIVE_BUCKET_SECONDS) {
  const bucket = Math.floor(now.getTime() / (bucketSeconds * 1000));
  return {
    MessageBody: encodeLiveMessage({ v: 1, tenantId: ref.tenantId, entityId: ref.entityId }),
    MessageGroupId: `${ref.tenantId}#${ref.entityId}`,
    MessageDeduplicationId: `${ref.tenantId}#${ref.entityId}#${bucket}`,
  };
}

export function sqsLiveTrigger(queueUrl: string): LiveTrigger {
  return async (ref, now) => {
    // Loaded on the first notification: the readings function's cold start does not pay for it otherwise.
    const sqs = await import('@aws-sdk/client-sqs');
    client ??= awsClient(sqs.SQSClient);
    await client.send(new sqs.SendMessageCommand({ QueueUrl: queueUrl, ...liveMessageFor(ref, now) }));
  };
}

/** The trigger in effect: the registered one, else the queue named by LIVE_QUEUE_URL, else none. */
export function liveTrigger(): LiveTrigger | undefined {
  if (registered) return registered;
  const url = process.env.LIVE_QUEUE_URL;
  if (url) registered = sqsLiveTrigger(url);
  return registered;
}
