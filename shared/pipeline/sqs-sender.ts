// Secondary adapter: the planner's queue on AWS, SendMessageBatch through one SQS client per process.

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClient } from '../aws/clients.js';
import type { QueueSender } from './planner.js';

let client: SQSClient | undefined;

function sqsClient(): SQSClient {
  client ??= awsClient(SQSClient);
  return client;
}

export function sqsQueueSender(queueUrl: string, sqs: SQSClient = sqsClient()): QueueSender {
  return {
    async sendBatch(entries) {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((entry) => ({ Id: entry.id, MessageBody: entry.body })),
        }),
      );
      return {
        failed: (result.Failed ?? []).map((failure) => ({
          id: failure.Id ?? '',
          senderFault: failure.SenderFault ?? false,
          code: failure.Code ?? 'Unknown',
        })),
      };
    },
  };
}
