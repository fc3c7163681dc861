// The DynamoDB DocumentClient, built once per process on first use (through the shared client factory,
// shared/aws/clients.ts) and shared by every item module.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClient, regionFromEnvironment } from '../aws/clients.js';
import { config } from '../config.js';

let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  if (!client) {
    const { dynamodbEndpoint } = config();
    // An embedded DynamoDB ignores the region, but the SDK still wants one: any will do there.
    const base = awsClient(
      DynamoDBClient,
      dynamodbEndpoint
        ? {
            endpoint: dynamodbEndpoint,
            region: regionFromEnvironment() ?? 'local',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {},
    );
    client = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return client;
}

/** Forgets the client (a CLI that changed its target or region before first use; tests). */
export function resetDocumentClient(): void {
  client = undefined;
}

export function tableName(): string {
  return config().tableName;
}
