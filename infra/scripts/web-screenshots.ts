// `npm run web:screenshots -- <demo link>`: the README's pictures of the dashboard (docs/screenshots/),
// taken in Debian's Chromium from a running `npm start` (which has run the daily job over the demo week).

import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/browser/chromium.js';

const link = process.argv[2];
if (!link?.includes('#token='))
  throw new Error('usage: npm run web:screenshots -- http://127.0.0.1:3000/#token=evs_…');
const out = new URL('../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
  const shoot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${out}${name}.png`, fullPage: true });
    console.log(`wrote docs/screenshots/${name}.png`);
  };
  await page.goto(link);
  await page.locator('figure.chart canvas').first().waitFor();
  await shoot('fleet');
  await page.getByRole('link', { name: 'Demo car' }).click();
  await page.locator('.timeline .bar').first().waitFor();
  await shoot('entity');
  await page.locator('table a').first().click();
  await page.locator('.plot.curve canvas').first().waitFor();
  await shoot('session');
  await page.getByRole('link', { name: 'Chargers' }).click();
  await page.getByRole('heading', { level: 1, name: 'Public chargers' }).waitFor();
  await shoot('chargers');
  await page.setViewportSize({ width: 375, height: 800 });
  await page.getByRole('link', { name: 'Fleet' }).click();
  await page.locator('figure.chart canvas').first().waitFor();
  await shoot('fleet-375px');
} finally {
  await browser.close();
}
