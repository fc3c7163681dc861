// The daily job locally, as a user runs it: `npm start -- --aggregate-every …` runs it at start with the
// real worker (functions/worker.ts), computing the demo sessions from the demo readings; their rollups are
// served at /v1/fleet/daily-energy and add up to the listed sessions; `npm run aggregate -- --date …` finds
// the running store, runs it again (changing nothing) and prints its summary.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { DEMO_CP_ID, DEMO_EV_ID } from '../../infra/local/seed.js';

const run = promisify(execFile);
const env = {
  ...process.env,
  LOG_LEVEL: 'warn',
  EVS_STATE_FILE: join(tmpdir(), `evs-aggregate-state-${process.pid}.json`),
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

async function get(path: string) {
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as { data: any[] };
}

/** The demo week and the day after it, wherever today is. */
const span = () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { start: day(-9), end: day(2) };
};
const dailyEnergy = () => get(`/v1/fleet/daily-energy?start=${span().start}&end=${span().end}&pageSize=1000`);

it('runs the job when npm start begins: the demo readings become sessions, and their daily rollups add up', async () => {
  expect(output).toContain('The daily job runs now and every 1h.');
  expect(output).toMatch(/entities\s+2 enqueued: 2 processed, 0 switched off, 0 deleted, 0 duplicates/);
  expect(output).toMatch(/sessions written\s+8\n/);
  const { data } = await dailyEnergy();
  for (const entityId of [DEMO_EV_ID, DEMO_CP_ID]) {
    const sessions = (
      await get(`/v1/entities/${entityId}/charge-sessions?start=${span().start}T00:00:00Z&pageSize=100`)
    ).data.map((s) => s.data);
    expect(sessions.length).toBe(entityId === DEMO_EV_ID ? 5 : 3);
    const days = data.filter((d) => d.entityId === entityId);
    const rolled = days.reduce((sum, d) => sum + d.energy.value, 0);
    const stored = sessions.reduce((sum, s) => sum + s.charge.total.total, 0);
    expect(Math.abs(rolled - stored)).toBeLessThan(0.001);
    expect(days.reduce((sum, d) => sum + d.sessionCount, 0)).toBe(sessions.length);
    // The overnight charge is split at local midnight: a day with its share but no session of its own.
    expect(days.some((d) => d.sessionCount === 0 && d.energy.value > 0)).toBe(true);
  }
});

it('npm run aggregate -- --date runs the same job against the running store and changes nothing', async () => {
  const before = await dailyEnergy();
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const { stdout } = await run('npx', ['tsx', 'infra/cli/aggregate.ts', '--date', yesterday], { env });
  const asOf = new Date(Date.parse(`${yesterday}T00:00:00.000Z`) + 86_400_000).toISOString();
  expect(stdout).toContain(`daily job as of ${asOf}`);
  expect(stdout).toMatch(/entities\s+2 enqueued: 2 processed/);
  expect(stdout).toMatch(/sessions written\s+0\n/);
  expect(stdout).toMatch(/daily rollups\s+0 written, 0 removed/);
  expect(stdout).toMatch(/time\s+\d+\.\d\d s/);
  expect(await dailyEnergy()).toEqual(before);
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
