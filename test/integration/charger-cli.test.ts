// `npm run charger`, the README's simulated charger, against a gateway: it connects with its password,
// boots and reports its connector, runs the remote start a driver's payment triggers, meters while
// charging, ends the transaction on the remote stop, and on SIGINT disconnects (the charger goes offline).
// In the CLI project: the simulator's timestamps come from the real clock, so this test's clock is real too.

import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { startProcess, type TestProcess } from '../support/processes.js';
import { createEntity, registerCharger } from '../support/requests.js';

let api: TestApi;
let gateway: import('../../shared/ocpp/gateway.js').OcppGateway;
let endpoint: string;
let simulator: TestProcess | undefined;

beforeAll(async () => {
  api = await startTestApi();
  const { createOcppGateway } = await import('../../shared/ocpp/gateway.js');
  gateway = createOcppGateway({ commandPollMs: 200 });
  endpoint = (await gateway.listen(0, '127.0.0.1')).url;
});
afterAll(async () => {
  await simulator?.stop();
  await gateway?.close();
  await api?.close();
});

it('runs a public session from boot to capture, and goes offline when stopped', async () => {
  const operator = await api.token('charger-cli');
  const entityId = (await createEntity(api, operator, { type: 'CP', name: 'CLI charger' })).id;
  const code = await registerCharger(api, operator, entityId, { online: false });
  const password = 'cli-charger-password';
  await api.request('PUT', `/v1/chargers/${code}/ocpp-password`, { token: operator, body: { password } });

  simulator = startProcess(
    'npx',
    [
      'tsx',
      'infra/cli/charger.ts',
      '--url',
      endpoint,
      '--code',
      code,
      '--password',
      password,
      '--every',
      '1',
    ],
    { env: { ...process.env } },
  );
  await simulator.waitForOutput(/← StatusNotification/, 30_000);
  const charger = async () =>
    (await api.request('GET', `/v1/public-charging/chargers/${code}`, { sourceIp: '127.0.3.1' })).body.data;
  expect(await charger()).toMatchObject({ online: true, connectors: [{ status: 'Available' }, {}] });

  const ip = '127.0.3.2';
  const started = await api.request('POST', '/v1/public-charging/sessions', {
    sourceIp: ip,
    body: { code, connector_id: 1 },
  });
  expect(started.status, started.text).toBe(201);
  const token: string = started.body.token;
  await api.request('POST', `/v1/public-charging/sessions/${token}/confirm`, { sourceIp: ip });
  const session = async () =>
    (await api.request('GET', `/v1/public-charging/sessions/${token}`, { sourceIp: ip })).body.data;
  // 50 kW for a second at a time: 14 Wh a meter update.
  await vi.waitFor(async () => expect(Number((await session()).energy_kwh)).toBeGreaterThan(0.02), {
    timeout: 15_000,
    interval: 250,
  });
  expect((await session()).status).toBe('charging');

  await api.request('POST', `/v1/public-charging/sessions/${token}/stop`, { sourceIp: ip });
  await vi.waitFor(async () => expect((await session()).status).toBe('captured'), {
    timeout: 15_000,
    interval: 250,
  });
  expect((await charger()).connectors[0].status).toBe('Available');

  process.kill(-simulator.pid, 'SIGINT');
  await simulator.waitForOutput(/disconnected \(1000: Simulator stopped\)/, 15_000);
  await vi.waitFor(async () => expect((await charger()).online).toBe(false), { timeout: 15_000 });
}, 90_000);
