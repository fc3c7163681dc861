// The dashboard as a person uses it, in Debian's Chromium driven by Playwright: `npm start`, open the demo
// link it prints, see the demo car and charger, open a session and its curve, change a battery capacity and
// see a refused value explained, sign out and back in with a token. Each view is scanned with axe-core.
// Skipped, saying so, where no Chromium is installed (vitest.config.ts prints it; .ci/run installs one).

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../web/src/format.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

const run = promisify(execFile);
const env = {
  ...process.env,
  LOG_LEVEL: 'warn',
  EVS_STATE_FILE: join(tmpdir(), `evs-browser-state-${process.pid}.json`),
};
const DEMO_CP = '01900000-0000-7000-8000-00000000c001';

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let demoLink: string;
let apiUrl: string;
let token: string;
const problems: string[] = [];
const requestedUrls: string[] = [];

/** `npm start` on a free port, run as node itself (not through npx) so SIGTERM reaches it. */
async function startServer(): Promise<string> {
  server = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 90_000);
    server!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    server!.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // The tests read the API's JSON as they assert it.
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

/** A link of the top navigation (the breadcrumbs name the fleet too). */
const nav = (name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name });

async function expectAccessible(view: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `axe on the ${view} view`).toEqual([]);
}

describe.skipIf(!existsSync(CHROMIUM_PATH))('the dashboard in Chromium', () => {
  beforeAll(async () => {
    const output = await startServer();
    demoLink = /^\s+(http:\/\/\S+\/#token=evs_\S+)$/m.exec(output)?.[1] ?? '';
    expect(demoLink, output).not.toBe('');
    apiUrl = new URL(demoLink).origin;
    token = decodeURIComponent(new URL(demoLink).hash.slice('#token='.length));
    // No `npm run aggregate` here: npm start ran the daily job over the demo week before printing the link.
    // A public charger on the demo charge point, with one public session, for the Chargers view.
    const code = `WEB${process.pid % 100_000}`;
    const charger = await api('POST', '/v1/chargers', {
      publicCode: code,
      name: 'Demo public charger',
      entityId: DEMO_CP,
      public: true,
      connectors: [{ connectorId: 1, type: 'Type2', maxPowerKw: 22 }],
      pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 100, taxRate: 0.21 },
      holdAmount: 5_000,
    });
    expect(charger.status, JSON.stringify(charger.body)).toBe(201);
    const started = await api('POST', '/v1/public-charging/sessions', {
      code,
      connector_id: 1,
      email: 'driver@example.com',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    // axe-core opens pages of its own, which Playwright allows only in an explicit context.
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
    // Chromium logs every 4xx fetch as an error; the refused ones here are on purpose (the 400, 401 and
    // 422 steps). Anything else — a CSP violation, a script error, a 5xx — is a problem.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 4(00|01|22) /.test(message.text()))
        problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requestedUrls.push(request.url()));
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('the demo link signs in, leaves no token in the address bar, and shows the demo car and charger with a chart', async () => {
    await page.goto(demoLink);
    await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
    expect(page.url()).toBe(`${apiUrl}/#/`);
    expect(await page.evaluate("sessionStorage.getItem('evsessions.token')")).toBe(token);
    await page.getByRole('link', { name: 'Demo car' }).waitFor();
    await page.getByRole('link', { name: 'Demo home charger' }).waitFor();
    await page.locator('figure.chart canvas').first().waitFor();
    await expect(page.getByText('Charge sessions', { exact: true }).isVisible()).resolves.toBe(true);
    await expectAccessible('fleet');
  });

  it("shows this month's cost per currency and each entity's flagged sessions, as the monthly report has them", async () => {
    const month = (await page.evaluate(
      "new Intl.DateTimeFormat('en-CA').format(new Date()).slice(0, 7)",
    )) as string;
    const report = await api('GET', `/v1/fleet/reports/monthly?month=${month}`);
    expect(report.status).toBe(200);
    const rows = report.body.rows as {
      entityName: string;
      flaggedSessions: number;
      cost: { currency: string; total: number; tax: number } | null;
    }[];
    const costs = new Map<string, number>();
    for (const r of rows)
      if (r.cost) costs.set(r.cost.currency, (costs.get(r.cost.currency) ?? 0) + r.cost.total + r.cost.tax);
    await page.getByRole('columnheader', { name: 'Flagged', exact: true }).waitFor();
    await expect(page.getByText(/whose energy is only estimated/).isVisible()).resolves.toBe(true);
    if (costs.size === 0) {
      // Early in a month the demo week may lie wholly in the last one: no cost, and none made up.
      await expect(page.getByText(/Cost this month/).count()).resolves.toBe(0);
    }
    for (const [currency, minor] of costs) {
      const figure = page.locator('.figure', { hasText: `Cost this month (${currency})` });
      await expect(figure.locator('.value').textContent()).resolves.toBe(money(minor, currency));
    }
    for (const name of ['Demo car', 'Demo home charger']) {
      const flagged = rows.filter((r) => r.entityName === name).reduce((n, r) => n + r.flaggedSessions, 0);
      const row = page.getByRole('row', { name: new RegExp(name) });
      await expect(row.locator('td').last().textContent()).resolves.toBe(flagged > 0 ? `⚠ ${flagged}` : '0');
    }
  });

  it("opens the car, a session and its power and state-of-charge curve in the car's time zone", async () => {
    await page.getByRole('link', { name: 'Demo car' }).click();
    await page.getByRole('heading', { name: 'Demo car', level: 1 }).waitFor();
    await expect(page.getByText('Europe/Amsterdam').first().isVisible()).resolves.toBe(true);
    await page.locator('.timeline .bar').first().waitFor();
    await expectAccessible('entity');
    await page.locator('table a').first().click();
    await page.getByRole('heading', { name: /kWh at / }).waitFor();
    await page.locator('.plot.curve canvas').first().waitFor();
    await expect(page.getByText(/State of charge, %/).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /CSV/ }).isVisible()).resolves.toBe(true);
    // Its category, cost and quality, as the API has them (the car reports state of charge only).
    const sessionId = decodeURIComponent(/\/sessions\/([^?]+)/.exec(page.url())?.[1] ?? '');
    const week = new Date(Date.now() - 9 * 86_400_000).toISOString().slice(0, 19);
    const listed = await api(
      'GET',
      `/v1/entities/01900000-0000-7000-8000-00000000e001/charge-sessions?start=${week}Z&pageSize=100`,
    );
    const data = listed.body.data.find((s: { id: string }) => s.id === sessionId).data;
    const fact = (term: string) =>
      page.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
    const labels: Record<string, string> = {
      home: 'Home',
      work: 'Work',
      public: 'Public charging',
      other: 'Other',
    };
    await expect(fact('Category').textContent()).resolves.toBe(labels[data.category]);
    const { cost } = data;
    await expect(fact('Cost').textContent()).resolves.toBe(
      cost
        ? `${money(cost.total, cost.currency)} + ${money(cost.tax, cost.currency)} VAT = ${money(cost.total + cost.tax, cost.currency)}`
        : 'No tariff applies: not priced',
    );
    expect(data.quality.energy).toBe('estimated');
    await page.getByRole('heading', { name: 'Quality' }).waitFor();
    await expect(
      page.getByText('estimated from state of charge × battery capacity', { exact: true }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByText(/⚠ Flagged: its energy is only estimated/).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Start placed').isVisible()).resolves.toBe(true);
    await expectAccessible('session');
  });

  it('downloads a session as CSV, and shows why EV-ChART refuses the demo charge point (no registration)', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /CSV/ }).click(),
    ]);
    const path = await download.path();
    const csv = (await import('node:fs')).readFileSync(path, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^id,entity_id,/);
    expect(csv.trim().split('\n')).toHaveLength(2);
    await nav('Fleet').click();
    await page.getByRole('link', { name: 'Demo home charger' }).click();
    await page.locator('table a').first().click();
    await page.getByRole('button', { name: /EV-ChART/ }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/EV-ChART|registered|station/i);
  });

  it('is usable from the keyboard: a link followed with Enter, focus moved to the new view', async () => {
    await nav('Fleet').focus();
    await page.keyboard.press('Enter');
    const car = page.getByRole('link', { name: 'Demo car' });
    await car.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Demo car', level: 1 }).waitFor();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('main');
  });

  it("changes the car's battery capacity, and explains a refused value with the API's own message", async () => {
    await nav('Fleet').click();
    await page.getByRole('link', { name: 'Demo car' }).click();
    const field = page.getByLabel('Battery capacity (kWh)');
    await field.fill('5000');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#battery-capacity-error').textContent()).resolves.toMatch(
      /1000.*validation_failed/,
    );
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    await field.fill('71.5');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Battery capacity saved: 71.5 kWh.').waitFor();
    expect(
      (await api('GET', '/v1/entities/01900000-0000-7000-8000-00000000e001/battery-capacity')).body,
    ).toMatchObject({ batteryCapacity: { value: 71.5, unit: 'kWh' } });
  });

  it('lists the public charger with its status and recent public session', async () => {
    await nav('Chargers').click();
    await page.getByRole('heading', { name: /Demo public charger/ }).waitFor();
    await expect(page.getByText('Online').first().isVisible()).resolves.toBe(true);
    await page.getByRole('table', { name: 'Recent public sessions' }).waitFor();
    await expectAccessible('chargers');
  });

  it('shows what is charging now: a car that plugged in minutes ago, from the real-time path, no job run', async () => {
    const car = await api('POST', '/v1/entities', {
      type: 'EV',
      name: 'Live test car',
      timeZone: 'Europe/Amsterdam',
      capabilities: ['soc'],
      batteryCapacity: { value: 60, unit: 'kWh' },
    });
    expect(car.status, JSON.stringify(car.body)).toBe(201);
    const carId: string = car.body.id;
    const enabled = await api('PATCH', `/v1/entities/${carId}/features`, {
      feature: 'CaptureChargeSessions',
      enabled: true,
    });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    // Parked and plugged in for 10 minutes, then charging at 7.4 kW for the last 20: still in progress.
    const now = Date.now();
    const minute = 60_000;
    const readings = Array.from({ length: 30 }, (_, k) => {
      const t = now - (30 - k) * minute;
      const charging = k >= 10;
      return {
        timestamp: new Date(t).toISOString(),
        soc: 40 + (charging ? Math.floor((k - 10) * 0.2) : 0),
        powerKw: charging ? 7.4 : 0,
        isPluggedIn: true,
        isCharging: charging,
      };
    });
    const ingested = await api('POST', `/v1/entities/${carId}/readings`, { readings });
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(202);
    // The in-process real-time path lists it within seconds.
    let listed: any[] = [];
    for (let attempt = 0; attempt < 60 && listed.length === 0; attempt++) {
      const start = new Date(now - 2 * 60 * minute).toISOString().replace(/\.\d+Z$/, 'Z');
      const answer = await api('GET', `/v1/entities/${carId}/charge-sessions?start=${start}&status=active`);
      listed = answer.body?.data ?? [];
      if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(listed).toHaveLength(1);

    await page.goto(`${apiUrl}/#/`);
    const section = page.getByRole('region', { name: 'Charging now' });
    await section.getByRole('link', { name: 'Live test car' }).waitFor();
    await expect(section.getByText(/provisional figures/).isVisible()).resolves.toBe(true);
    // Its session opens, marked as in progress, without the exports (they hold completed sessions only).
    await section
      .getByRole('row', { name: /Live test car/ })
      .getByRole('link')
      .nth(1)
      .click();
    await page.getByText(/^In progress:/).waitFor();
    await expect(page.getByRole('button', { name: /CSV/ }).count()).resolves.toBe(0);
    await expectAccessible('charging now');
    // Back to the Chargers view, where the next test expects the person to be.
    await nav('Chargers').click();
    await page.getByRole('heading', { name: /Demo public charger/ }).waitFor();
  });

  it('signs out, refuses a wrong token with a message, and signs back in with the right one', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('evsessions.token')")).toBeNull();
    await expectAccessible('sign-in');
    await page.getByLabel('API token').fill('evs_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/refused the token/).waitFor();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the person was (the Chargers view), signed in.
    await page.getByRole('heading', { name: /Demo public charger/ }).waitFor();
    await nav('Fleet').click();
    await page.getByRole('link', { name: 'Demo car' }).waitFor();
  });

  it('tells a tenant with nothing yet what to do next, on the fleet and the chargers views', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/token.ts', 'create', '--tenant', `empty-${process.pid}`],
      { env },
    );
    const emptyToken = /(evs_[A-Za-z0-9_-]+)/.exec(stdout)?.[1];
    expect(emptyToken, stdout).toBeDefined();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(emptyToken!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav('Fleet').click();
    await page.getByText('No entities yet.').waitFor();
    await expect(page.getByText(/No charging in the last 30 days/).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Nothing is charging right now.').isVisible()).resolves.toBe(true);
    await expect(
      page
        .getByText(/switch on CaptureChargeSessions/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await nav('Chargers').click();
    await page.getByText('No public chargers yet.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav('Fleet').click();
    await page.getByRole('link', { name: 'Demo car' }).waitFor();
  });

  it('works at 375 px wide, with no console errors (CSP included) and the token in no URL', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${apiUrl}/#/`);
    await page.getByRole('link', { name: 'Demo car' }).waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible('fleet at 375 px');
    expect(problems).toEqual([]);
    expect(requestedUrls.filter((u) => u.includes(token) && !u.includes('#token='))).toEqual([]);
  });
});
