// `npm run tenant` as an operator runs it against a running `npm start` (found through its state file):
// exact locations are off until switched on, and the switch reaches the store the API reads.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

const run = promisify(execFile);
let api: TestApi;
const stateFile = join(tmpdir(), `evs-tenant-cli-${process.pid}.json`);

beforeAll(async () => {
  api = await startTestApi();
  writeFileSync(
    stateFile,
    JSON.stringify({ apiUrl: api.url, endpoint: api.endpoint, tableName: api.tableName, pid: process.pid }),
  );
});
afterAll(() => api.close());

const tenant = (...args: string[]) =>
  run('npx', ['tsx', 'infra/cli/tenant.ts', ...args], {
    env: { ...process.env, EVS_STATE_FILE: stateFile },
  });

it('shows exact locations off by default, switches them on and off, and refuses a bad value', async () => {
  const { getTenantSettings } = await import('../../shared/storage/tenant-settings.js');
  expect((await tenant('get', '--tenant', 'cli-tenant')).stdout).toMatch(
    /exact locations\s+off\nupdated\s+never/,
  );
  const on = await tenant('set', '--tenant', 'cli-tenant', '--exact-locations', 'on');
  expect(on.stdout).toMatch(/exact locations\s+on/);
  expect(await getTenantSettings('cli-tenant')).toEqual({
    exactLocations: true,
    updated: expect.any(String),
  });
  await tenant('set', '--tenant', 'cli-tenant', '--exact-locations', 'off');
  expect((await getTenantSettings('cli-tenant')).exactLocations).toBe(false);
  await expect(tenant('set', '--tenant', 'cli-tenant', '--exact-locations', 'yes')).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('set needs --exact-locations on|off'),
  });
}, 60_000);
