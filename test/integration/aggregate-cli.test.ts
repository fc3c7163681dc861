// The daily job locally, as a user runs it: `npm start -- --aggregate-every …` runs it at start (as every
// `npm start` does) and then at that interval, with the real worker (functions/worker.ts), computing the demo sessions from the demo readings; their rollups are
// served at /v1/fleet/daily-energy and add up to the listed sessions; `npm run aggregate -- --date …` finds
// the running store, runs it again (changing nothing) and prints its summary. Ctrl-C (SIGINT to the
// `npm start` process) then stops all of it, the hourly job included.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { DEMO_CP_ID, DEMO_EV_ID } from '../../infra/local/seed.js';
import { processGroupAlive, runProcess, startProcess, type TestProcess } from '../support/processes.js';

const env = {
  ...process.env,
  LOG_LEVEL: 'warn',
  EVS_STATE_DIR: mkdtempSync(join(tmpdir(), 'evs-aggregate-cli-')),
};
/** `npm run aggregate -- …`, resolving with its exit status and output. */
const aggregate = (...args: string[]) =>
  runProcess('npm', ['run', '--silent', 'aggregate', '--', ...args], { env });
let server: TestProcess | undefined;
let output = '';
let apiUrl = '';
let token = '';

beforeAll(async () => {
  server = startProcess(
    'npm',
    ['start', '--', '--port', '0', '--backend', inject('dynamoBackend'), '--aggregate-every', '1h'],
    { env },
  );
  output = await server.waitForOutput(/daily job as of [\s\S]*Stop with Ctrl-C/, 50_000);
  apiUrl = /running at (http:\/\/\S+)/.exec(output)![1]!;
  token = /export EVS_TOKEN=(evs_[A-Za-z0-9_-]+)/.exec(output)![1]!;
}, 60_000);
afterAll(() => server?.stop());

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
  expect(output).toContain('it also runs every 1h');
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
  const { code, stdout } = await aggregate('--date', yesterday);
  expect(code).toBe(0);
  const asOf = new Date(Date.parse(`${yesterday}T00:00:00.000Z`) + 86_400_000).toISOString();
  expect(stdout).toContain(`daily job as of ${asOf}`);
  expect(stdout).toMatch(/entities\s+2 enqueued: 2 processed/);
  expect(stdout).toMatch(/sessions written\s+0\n/);
  expect(stdout).toMatch(/daily rollups\s+0 written, 0 removed/);
  expect(stdout).toMatch(/time\s+\d+\.\d\d s/);
  expect(await dailyEnergy()).toEqual(before);
}, 30_000);

it('npm run aggregate refuses a date it cannot use, and says when no npm start is running', async () => {
  const refused = await aggregate('--date', '2026-02-30');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--date must be a date YYYY-MM-DD');
  const elsewhere = await aggregate('--port', '1');
  expect(elsewhere.code).toBe(2);
  expect(elsewhere.stderr).toMatch(
    /no local API is running here on port 1; running: --port \d+ \(in memory\)/,
  );
  const alone = await runProcess('npm', ['run', '--silent', 'aggregate'], {
    env: { ...env, EVS_STATE_DIR: mkdtempSync(join(tmpdir(), 'evs-no-server-')) },
  });
  expect(alone.code).toBe(2);
  expect(alone.stderr).toContain('no local API is running here');
}, 30_000);

it('Ctrl-C (SIGINT to npm start) stops the server, its database and its job timer, and frees the port', async () => {
  process.kill(server!.pid, 'SIGINT');
  await server!.exited;
  await expect.poll(() => processGroupAlive(server!.pid), { timeout: 10_000 }).toBe(false);
  await expect(fetch(`${apiUrl}/openapi.json`)).rejects.toThrow();
}, 30_000);
