// The embedded DynamoDB that npm start and the tests run on: reachable over loopback only (it holds
// every tenant's data and takes no credentials), and, for DynamoDB Local, a JVM that gives up says why.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { startDynamoDbLocal } from '../../infra/local/dynamo.js';

const endpoint = new URL(inject('dynamoEndpoint'));
/** This machine's addresses other than loopback, where another host could reach a server. */
const outward = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a && !a.internal && a.family === 'IPv4')
  .map((a) => a!.address);

function connectTo(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

it.skipIf(outward.length === 0)(`${inject('dynamoBackend')} listens on 127.0.0.1 only`, async () => {
  const port = Number(endpoint.port);
  expect(await connectTo('127.0.0.1', port)).toBe('connected');
  for (const address of outward) expect(await connectTo(address, port), address).toBe('ECONNREFUSED');
});

it.runIf(inject('dynamoBackend') === 'dynamodb-local')(
  "DynamoDB Local that exits before it is ready is reported with its own words, not 'exited with code 0'",
  async () => {
    const notADirectory = join(mkdtempSync(join(tmpdir(), 'evs-ddb-')), 'a-file');
    writeFileSync(notADirectory, '');
    await expect(startDynamoDbLocal({ path: notADirectory })).rejects.toThrow(
      /^DynamoDB Local exited \(1\) before it was ready: Invalid directory for database creation/,
    );
  },
  60_000,
);
