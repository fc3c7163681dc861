// `npm start` when things are not as planned: a wrong command line is explained before anything starts;
// a start that fails once the database runs (a busy port) says why and leaves nothing running; a
// --data-dir that does not exist yet is created, is held by one server at a time, and a restart on it
// keeps the demo token.

import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { runProcess, startProcess, type TestProcess } from '../support/processes.js';

const backend = inject('dynamoBackend');
const env = {
  ...process.env,
  LOG_LEVEL: 'warn',
  EVS_STATE_DIR: mkdtempSync(join(tmpdir(), 'evs-npm-start-lifecycle-')),
};
/** start.ts as `npm start` runs it, without npm's own lines around the output. */
const START = ['--import', 'tsx', 'infra/local/start.ts'];
const start = (...args: string[]) => runProcess(process.execPath, [...START, ...args], { env });
const started: TestProcess[] = [];
afterAll(() => Promise.all(started.map((p) => p.stop())));

it('explains a wrong command line and exits 2 before starting anything; --help prints the usage', async () => {
  const help = await start('--help');
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^usage: npm start -- \[options\]/);
  expect(help.stdout).toContain('--data-dir DIR');

  const unknown = await start('--prot', '3001');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^npm start: Unknown option '--prot'/);
  expect(unknown.stderr).toContain('usage: npm start');

  const backendName = await start('--backend', 'dynamo');
  expect(backendName.code).toBe(2);
  expect(backendName.stderr).toContain("--backend must be dynalite or dynamodb-local, not 'dynamo'");

  const cors = await start('--cors-origins', '*');
  expect(cors.code).toBe(2);
  expect(cors.stderr).toContain(
    "--cors-origins: CORS origins must be explicit scheme://host[:port] values, not '*'",
  );
}, 60_000);

it('a busy port, found once the database runs: says so, suggests --port, and leaves no database running', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const result = await start('--port', String(port), '--backend', backend);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`npm start: port ${port} on 127.0.0.1 is in use (another npm start?)`);
    expect(result.stderr).toContain('pick another with --port');
    // DynamoDB Local's JVM (or anything else it started) went with it.
    expect(result.leftRunning).toBe(false);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
}, 90_000);

it('creates a missing --data-dir, holds it against a second server, and a restart on it keeps the token', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'evs-data-dir-')), 'not', 'yet');
  const args = ['--port', '0', '--backend', backend, '--data-dir', dataDir];
  const first = startProcess(process.execPath, [...START, ...args], { env });
  started.push(first);
  const firstOutput = await first.waitForOutput(/Stop with Ctrl-C/, 60_000);
  expect(firstOutput).toContain(`(${backend}, data in ${dataDir})`);
  expect(firstOutput).toContain('token (valid 30 days, all scopes)');
  const token = /export EVS_TOKEN=(\S+)/.exec(firstOutput)![1];

  const second = await start(...args);
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(
    new RegExp(`--data-dir ${dataDir} is in use by another server \\(npm start, pid \\d+\\): stop it first`),
  );
  expect(second.leftRunning).toBe(false);

  await first.stop();
  const again = startProcess(process.execPath, [...START, ...args], { env });
  started.push(again);
  const againOutput = await again.waitForOutput(/Stop with Ctrl-C/, 60_000);
  expect(againOutput).toContain('(kept from an earlier start)');
  expect(againOutput).toMatch(
    /token \(kept from an earlier start on this --data-dir, valid until \d{4}-\d\d-\d\d/,
  );
  expect(/export EVS_TOKEN=(\S+)/.exec(againOutput)![1]).toBe(token);
  const apiUrl = /running at (http:\/\/\S+)/.exec(againOutput)![1]!;
  const entities = await fetch(`${apiUrl}/v1/entities`, { headers: { authorization: `Bearer ${token}` } });
  expect(entities.status).toBe(200);
  await again.stop();
}, 180_000);
