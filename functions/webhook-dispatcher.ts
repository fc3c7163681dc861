// Lambda: attempts webhook deliveries. From the webhook queue (SQS): the first attempts of deliveries just
// recorded, at once. Every minute (EventBridge Scheduler): every delivery that is due — retries whose
// backoff has passed, and anything the queue did not bring.
import type { SQSEvent } from 'aws-lambda';
import { attemptQueued, dispatchDue } from '../shared/webhooks/delivery.js';
import { deliveriesOf } from '../shared/webhooks/queue.js';

export const handler = async (event: Partial<SQSEvent> | undefined) => {
  if (Array.isArray(event?.Records)) {
    const failed = await attemptQueued(
      event.Records.map((record) => ({ messageId: record.messageId, deliveries: deliveriesOf(record.body) })),
      new Date(),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  }
  return dispatchDue(new Date());
};
