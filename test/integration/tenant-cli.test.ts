// `npm run tenant` as an operator runs it against a running `npm start` (found through its state file):
// exact locations are off until switched on, and the switch reaches the store the API reads. With two
// servers in the checkout it refuses to guess, and --port picks one.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalState } from '../../infra/local/state.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { runProcess } from '../support/processes.js';

let api: TestApi;
const stateDir = mkdtempSync(join(tmpdir(), 'evs-tenant-cli-'));
let port: number;

/** A state file as `npm start` writes it; this process stands in for the server's. */
function announce(state: Omit<LocalState, 'pid' | 'backend'>) {
  writeFileSync(
    join(stateDir, `${state.port}.json`),
    JSON.stringify({ ...state, pid: process.pid, backend: api.backend }),
  );
}

beforeAll(async () => {
  api = await startTestApi();
  port = Number(new URL(api.url).port);
  announce({ apiUrl: api.url, port, endpoint: api.endpoint, tableName: api.tableName });
});
afterAll(() => api.close());

async function tenant(...args: string[]) {
  const result = await runProcess('npx', ['tsx', 'infra/cli/tenant.ts', ...args], {
    env: { ...process.env, EVS_STATE_DIR: stateDir },
  });
  return result;
}

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
  const refused = await tenant('set', '--tenant', 'cli-tenant', '--exact-locations', 'yes');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('set needs --exact-locations on|off');
}, 60_000);

it('with two servers in the checkout, asks which one, and --port picks it', async () => {
  const { getTenantSettings } = await import('../../shared/storage/tenant-settings.js');
  const other = port === 65535 ? port - 1 : port + 1;
  announce({
    apiUrl: `http://127.0.0.1:${other}`,
    port: other,
    dataDir: '/srv/other',
    endpoint: 'http://127.0.0.1:9',
    tableName: 'evsessions-local',
  });
  const ambiguous = await tenant('set', '--tenant', 'two-servers', '--exact-locations', 'on');
  expect(ambiguous.code).toBe(2);
  const ports = [port, other].sort((a, b) => a - b);
  expect(ambiguous.stderr).toContain(
    `several local APIs are running here; pick one: ${ports
      .map((p) => `--port ${p} (${p === other ? 'data in /srv/other' : 'in memory'})`)
      .join(', ')}`,
  );
  expect((await getTenantSettings('two-servers')).exactLocations).toBe(false);

  const picked = await tenant(
    'set',
    '--tenant',
    'two-servers',
    '--exact-locations',
    'on',
    '--port',
    String(port),
  );
  expect(picked.code).toBe(0);
  expect((await getTenantSettings('two-servers')).exactLocations).toBe(true);
}, 60_000);
