// An embedded DynamoDB with a fresh table, configured into this process's environment for the handlers.

import { randomBytes } from 'node:crypto';
import { ensureTable, startDynalite } from '../infra/local/dynamo.js';

export async function benchDatabase() {
  const dynamo = await startDynalite();
  const tableName = `bench-${randomBytes(4).toString('hex')}`;
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.CURSOR_SECRET = randomBytes(32).toString('base64url');
  process.env.AWS_REGION = 'local';
  process.env.LOG_LEVEL = 'info';
  await ensureTable(dynamo.endpoint, tableName);
  const { logSink } = await import('../shared/logger.js');
  // Log lines are still built (their CPU cost is part of a request) but not printed.
  logSink.write = () => undefined;
  return { dynamo, tableName };
}
