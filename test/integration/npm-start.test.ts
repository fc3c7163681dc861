// `npm start` as a user runs it: the script starts, seeds the demo tenant (entities, locations and a week of
// readings), runs the daily job once over them, prints a token and curl lines, and those curl lines work:
// the printed sessions curl lists the charges the demo telemetry contains, found by the real engine, with
// no `npm run aggregate` first. That command, run afterwards as the README says, finds nothing new.
// SIGTERM to the `npm start` process alone, as a process manager sends it, then stops all of it: server,
// database, port.

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, inject, it } from 'vitest';
import { DEMO_TIME_ZONE, demoTelemetry } from '../../infra/local/demo-readings.js';
import { DEMO_TARIFFS } from '../../infra/local/seed.js';
import { addDays, startOfLocalDay } from '../../shared/rollups/calendar.js';
import { processGroupAlive, runProcess, startProcess, type TestProcess } from '../support/processes.js';

const run = promisify(execFile);
const env = {
  ...process.env,
  LOG_LEVEL: 'warn',
  EVS_STATE_DIR: mkdtempSync(join(tmpdir(), 'evs-npm-start-')),
};
/** The car reports every 5 minutes: an edge lies within one or two readings of the truth. */
const CAR_EDGE_MS = 10 * 60_000;
const MIN = 60_000;
let server: TestProcess | undefined;
afterAll(() => server?.stop());

const localDay = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: DEMO_TIME_ZONE }).format(new Date(ms));

async function curl(line: string, token: string): Promise<{ status: string; json: any }> {
  const { stdout } = await run('bash', ['-c', `export EVS_TOKEN=${token}; ${line} -w '\\n%{http_code}'`]);
  const body = stdout.slice(0, stdout.lastIndexOf('\n'));
  return { status: stdout.slice(stdout.lastIndexOf('\n') + 1), json: JSON.parse(body) };
}

it('starts the API on the embedded database with the demo sessions computed; the curl lines it prints work; npm run aggregate then changes nothing', async () => {
  server = startProcess('npm', ['start', '--', '--port', '0', '--backend', inject('dynamoBackend')], { env });
  const output = await server.waitForOutput(/Stop with Ctrl-C/, 45_000);

  const token = /export EVS_TOKEN=(evs_[A-Za-z0-9_-]+)/.exec(output)?.[1];
  expect(token).toBeDefined();
  const curls = [...output.matchAll(/^\s+(curl .+)$/gm)].map((m) => m[1]!);
  expect(curls.length).toBe(3);
  const sessionsLine = curls.find((line) => line.includes('/charge-sessions'))!;
  expect(sessionsLine).toBeDefined();
  for (const line of curls.filter((l) => l !== sessionsLine)) {
    const { status, json } = await curl(line, token!);
    expect(status, line).toBe('200');
    if (line.includes('/features'))
      expect(json).toEqual([{ feature: 'CaptureChargeSessions', enabled: true, since: expect.any(String) }]);
    else expect(json.data.map((e: { type: string }) => e.type).sort()).toEqual(['CP', 'EV']);
  }

  // The week the demo holds: the printed listing starts at its first day; today is a week later.
  const first = /start=(\d{4}-\d\d-\d\d)T/.exec(sessionsLine)![1]!;
  const week = demoTelemetry(new Date(startOfLocalDay(addDays(first, 7), DEMO_TIME_ZONE) + 12 * 3_600_000));
  expect(week.first).toBe(first);
  expect(output).toContain(
    `(${(week.car.length + week.charger.length).toLocaleString('en-US')} stored just now)`,
  );

  // The daily job ran at start, over every demo reading, before the link was printed.
  expect(output).toMatch(/entities\s+2 enqueued: 2 processed, 0 switched off, 0 deleted, 0 duplicates/);
  expect(output).toContain(
    `readings          ${(week.car.length + week.charger.length).toLocaleString('en-US')}`,
  );
  expect(output).toMatch(/sessions written\s+8\n/);
  expect(output.indexOf('sessions written')).toBeLessThan(output.indexOf('#token='));

  // The car's listing holds its five charges, measured from state of charge alone.
  const { status, json } = await curl(sessionsLine, token!);
  expect(status).toBe('200');
  const listed = json.data as any[];
  const charges = week.charges.filter((c) => c.entity === 'EV');
  expect(listed).toHaveLength(charges.length);
  for (const [i, charge] of charges.entries()) {
    const session = listed[i].data;
    const label = `charge ${i} (${charge.place})`;
    expect(Math.abs(Date.parse(session.start) - charge.startMs), label).toBeLessThanOrEqual(CAR_EDGE_MS);
    expect(Math.abs(Date.parse(session.end) - charge.endMs), label).toBeLessThanOrEqual(CAR_EDGE_MS);
    // Whole-percent state of charge on a 58 kWh pack: within 1 % of the pack either end.
    expect(Math.abs(session.charge.total.total - charge.energyKwh), label).toBeLessThanOrEqual(1.2);
    expect(session.method, label).toBe('state_of_charge');
    const place = { home: 'Home', work: 'Work' }[charge.place as 'home' | 'work'];
    expect(
      session.locationMatches.map((m: any) => m.location.label),
      label,
    ).toEqual(place ? [place] : []);
    // Priced: at home by the off-peak tariff, at work by the work tariff (its 0.50 start fee), elsewhere
    // by nothing (no default tariff), so cost null rather than a made-up zero.
    if (charge.place === 'home' || charge.place === 'work') {
      expect(session.category, label).toBe(charge.place);
      expect(session.cost, label).toMatchObject({ currency: 'EUR', tariffId: DEMO_TARIFFS[charge.place].id });
      expect(session.cost.total, label).toBe(
        session.cost.breakdown.reduce((sum: number, l: { amount: number }) => sum + l.amount, 0),
      );
      if (charge.place === 'work')
        expect(session.cost.breakdown[0], label).toMatchObject({ type: 'FLAT', amount: 50 });
    } else {
      expect(session.category, label).toBe('other');
      expect(session.cost, label).toBeNull();
    }
  }
  // The overnight charge at home crossed 23:00 local: its energy split between the day and off-peak prices.
  const homePrices = listed
    .filter((s: any) => s.data.category === 'home')
    .map((s: any) => s.data.cost.breakdown.map((l: { price: number }) => l.price).sort());
  expect(homePrices).toContainEqual([0.22, 0.31]);
  // One of them ran across local midnight: stored whole, one session.
  expect(charges.some((c) => localDay(c.startMs) !== localDay(c.endMs - MIN))).toBe(true);

  // The charger's three, from its energy register: a guest's car and the demo car's two at home.
  const cp = await curl(
    sessionsLine.replace('00000000e001', '00000000c001').replace(/"$/, '&pageSize=10"'),
    token!,
  );
  const chargerCharges = week.charges.filter((c) => c.entity === 'CP');
  expect(cp.json.data).toHaveLength(chargerCharges.length);
  for (const [i, charge] of chargerCharges.entries()) {
    const session = cp.json.data[i].data;
    expect(session.method).toBe('energy_meter');
    expect(Math.abs(Date.parse(session.start) - charge.startMs)).toBeLessThanOrEqual(MIN);
    expect(Math.abs(session.charge.total.total - charge.energyKwh)).toBeLessThanOrEqual(0.02);
  }

  // `npm run aggregate`, as the printed text offers it, runs the job again and finds nothing new.
  expect(output).toContain('npm run aggregate runs the job again');
  const again = await runProcess('npm', ['run', 'aggregate'], { env });
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/entities\s+2 enqueued: 2 processed/);
  expect(again.stdout).toMatch(/sessions written\s+0\n/);
  expect(again.stdout).toMatch(/daily rollups\s+0 written, 0 removed/);
  expect((await curl(sessionsLine, token!)).json.data).toHaveLength(listed.length);

  // The OCPP-J gateway on the printed address: it refuses an unknown station, and a registered charger
  // with its password connects and shows online; stopping npm start closes that connection too.
  const apiUrl = /running at (http:\/\/\S+)/.exec(output)![1]!;
  const ocppUrl = /Chargers connect over OCPP 2\.0\.1 \(OCPP-J, Basic auth\) to (ws:\/\/\S+)\/<code>/.exec(
    output,
  )?.[1];
  expect(ocppUrl).toBe(`${apiUrl.replace('http', 'ws')}/ocpp`);
  const { connectStation } = await import('../support/ocpp-station.js');
  await expect(connectStation(ocppUrl!, 'NOPE-1', 'sixteen-characters!')).rejects.toMatchObject({
    code: 404,
  });
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const cpId = (
    (await (await api('GET', '/v1/entities')).json()) as { data: { id: string; type: string }[] }
  ).data.find((e) => e.type === 'CP')!.id;
  const code = `NS${Date.now().toString(36).toUpperCase().slice(-6)}`;
  const registered = await api('POST', '/v1/chargers', {
    publicCode: code,
    name: 'npm start charger',
    entityId: cpId,
    public: true,
    online: false,
    connectors: [{ connectorId: 1, type: 'Type2', maxPowerKw: 11 }],
    pricing: { currency: 'EUR', pricePerKwh: 30, startFee: 0, taxRate: 0.21 },
    holdAmount: 2_000,
  });
  expect(registered.status, await registered.clone().text()).toBe(201);
  expect(
    (await api('PUT', `/v1/chargers/${code}/ocpp-password`, { password: 'npm-start-password' })).status,
  ).toBe(204);
  const station = await connectStation(ocppUrl!, code, 'npm-start-password');
  const closed = new Promise((resolve) => station.client.once('close', resolve));
  await expect
    .poll(
      async () => ((await (await api('GET', `/v1/chargers/${code}`)).json()) as { online: boolean }).online,
      { timeout: 15_000 },
    )
    .toBe(true);

  // What a process manager does: SIGTERM to the npm process only. Everything under it ends.
  process.kill(server.pid, 'SIGTERM');
  await server.exited;
  await expect.poll(() => processGroupAlive(server!.pid), { timeout: 10_000 }).toBe(false);
  await expect(fetch(`${apiUrl}/openapi.json`)).rejects.toThrow();
  await closed; // the charger's connection ended with the server
}, 120_000);
