// Secondary adapter: the webhook queue on AWS. `record` sends the deliveries it made due, so the dispatcher
// attempts them within seconds instead of at its next minute. Only a nudge: the deliveries are already
// stored and due, so a send that fails loses nothing (the minute's dispatch finds them).

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClient } from '../aws/clients.js';
import { logger } from '../logger.js';
import type { DeliveryRef } from '../storage/webhooks.js';

/** Deliveries per message: ~150 bytes each, far below SQS's 256 KiB. */
const PER_MESSAGE = 500;

let client: SQSClient | undefined;
const log = logger.child({ area: 'webhooks' });

export interface QueuedDeliveries {
  deliveries: DeliveryRef[];
}

export async function sendDueDeliveries(queueUrl: string, deliveries: readonly DeliveryRef[]): Promise<void> {
  client ??= awsClient(SQSClient);
  for (let i = 0; i < deliveries.length; i += PER_MESSAGE) {
    const body: QueuedDeliveries = { deliveries: deliveries.slice(i, i + PER_MESSAGE) };
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
    } catch (error) {
      log.warn('could not queue deliveries; the next dispatch attempts them', {
        count: body.deliveries.length,
        error,
      });
    }
  }
}

/** The deliveries a queue message names; none for a body that is not one of ours. */
export function deliveriesOf(body: string): DeliveryRef[] {
  try {
    const parsed = JSON.parse(body) as Partial<QueuedDeliveries>;
    return Array.isArray(parsed.deliveries)
      ? parsed.deliveries.filter(
          (d): d is DeliveryRef =>
            typeof d?.tenantId === 'string' &&
            typeof d.endpointId === 'string' &&
            typeof d.deliveryId === 'string',
        )
      : [];
  } catch {
    return [];
  }
}
