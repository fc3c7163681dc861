// The dashboard's first load stays small: the JavaScript index.html loads, gzipped, is at most 150 KB.
// Built into a folder of its own, so it never races `npm start` rebuilding web/dist.

import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, expect, it } from 'vitest';
import { WEB_ROOT } from '../../infra/local/web-build.js';

const BUDGET_BYTES = 150 * 1024;
const outDir = join(tmpdir(), `evs-web-budget-${process.pid}`);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it('the JavaScript of the first load is at most 150 KB gzipped', async () => {
  await build({
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const scripts = [
    ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\.?\/?([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  // No inline script: the CSP allows 'self' only.
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(outDir, file))).length, 0);
  console.log(`[web] first-load JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped (budget 150 KB)`);
  expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
}, 60_000);
