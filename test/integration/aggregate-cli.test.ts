// The daily job locally, as a user runs it: `npm start -- --aggregate-every …` runs it at start, its
// rollups of the demo sessions are served at /v1/fleet/daily-energy, and `npm run aggregate -- --date …`
// finds the running store, runs it again (changing nothing) and prints its summary. The worker module is
// the test fixture's (EVS_WORKER_ENTRY): a processor that skips deleted and switched-off entities.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { DEMO_SESSIONS } from '../../infra/local/seed-sessions.js';

const run = promisify(execFile);
const env = {
  ...process.env,
  LOG_LEVEL: 'warn',
  EVS_STATE_FILE: join(tmpdir(), `evs-aggregate-state-${process.pid}.json`),
  EVS_WORKER_ENTRY: 'test/fixtures/job/worker-entry.ts',
};
let child: ChildProcess | undefined;
let output = '';
let apiUrl = '';
let token = '';

beforeAll(async () => {
  child = spawn(
    'npx',
    [
      'tsx',
      'infra/local/start.ts',
      '--port',
      '0',
      '--backend',
      inject('dynamoBackend'),
      '--aggregate-every',
      '1h',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not run the job:\n${output}`)), 50_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl-C') && /daily job as of .*\n(.*\n){6}/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  apiUrl = /running at (http:\/\/\S+)/.exec(output)![1]!;
  token = /export EVS_TOKEN=(evs_[A-Za-z0-9_-]+)/.exec(output)![1]!;
}, 60_000);
afterAll(() => {
  child?.kill('SIGTERM');
});

async function dailyEnergy(query: string) {
  const response = await fetch(`${apiUrl}/v1/fleet/daily-energy?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: { entityId: string; date: string; energy: { value: number } }[] };
}

it('runs the job when npm start begins, and serves the demo sessions’ daily rollups', async () => {
  expect(output).toContain('The daily job runs now and every 1h.');
  expect(output).toMatch(/entities\s+2 enqueued: 2 processed, 0 switched off, 0 deleted, 0 duplicates/);
  const { data } = await dailyEnergy('start=2026-01-01&end=2026-02-01&pageSize=1000');
  expect(data.length).toBeGreaterThanOrEqual(DEMO_SESSIONS.length);
  for (const entityId of new Set(DEMO_SESSIONS.map((s) => s.entityId))) {
    const rolled = data.filter((d) => d.entityId === entityId).reduce((sum, d) => sum + d.energy.value, 0);
    const stored = DEMO_SESSIONS.filter((s) => s.entityId === entityId).reduce(
      (sum, s) => sum + s.energyKwh,
      0,
    );
    expect(Math.abs(rolled - stored)).toBeLessThan(0.001);
  }
});

it('npm run aggregate -- --date runs the same job against the running store and changes nothing', async () => {
  const before = await dailyEnergy('start=2026-01-01&end=2026-02-01&pageSize=1000');
  const { stdout } = await run('npx', ['tsx', 'infra/cli/aggregate.ts', '--date', '2026-01-31'], { env });
  expect(stdout).toContain('daily job as of 2026-02-01T00:00:00.000Z');
  expect(stdout).toMatch(/entities\s+2 enqueued: 2 processed/);
  expect(stdout).toMatch(/daily rollups\s+0 written, 0 removed/);
  expect(stdout).toMatch(/time\s+\d+\.\d\d s/);
  expect(await dailyEnergy('start=2026-01-01&end=2026-02-01&pageSize=1000')).toEqual(before);
}, 30_000);

it('npm run aggregate refuses a date it cannot use, and says when no npm start is running', async () => {
  const refused = await run('npx', ['tsx', 'infra/cli/aggregate.ts', '--date', '2026-02-30'], { env }).catch(
    (error) => error,
  );
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--date must be a date YYYY-MM-DD');
  const alone = await run('npx', ['tsx', 'infra/cli/aggregate.ts'], {
    env: { ...env, EVS_STATE_FILE: join(tmpdir(), `evs-no-such-state-${process.pid}.json`) },
  }).catch((error) => error);
  expect(alone.code).toBe(2);
  expect(alone.stderr).toContain('no local API is running here');
}, 30_000);
