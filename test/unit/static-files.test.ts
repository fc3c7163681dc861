import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveStatic } from '../../infra/local/static-files.js';

const root = mkdtempSync(join(tmpdir(), 'evs-static-'));
let server: Server;
let base: string;

beforeAll(async () => {
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'evs-static-secret.txt'), 'secret');
  server = createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (!(await serveStatic(root, req.method ?? 'GET', path, res))) {
      res.writeHead(404);
      res.end('fell through');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'evs-static-secret.txt'), { force: true });
});

it('serves the page at / with the CSP and security headers, assets as immutable', async () => {
  const page = await fetch(`${base}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('cache-control')).toBe('no-cache');
  const asset = await fetch(`${base}/assets/app-1.js`);
  expect(await asset.text()).toBe('console.log(1)');
  expect(asset.headers.get('cache-control')).toContain('immutable');
});

it('leaves anything that is not a file under its folder to the API: unknown paths, folders, paths out of it, POSTs', async () => {
  for (const path of [
    '/v1/entities',
    '/assets',
    '/../evs-static-secret.txt',
    '/%2e%2e/evs-static-secret.txt',
  ]) {
    const response = await fetch(`${base}${path}`);
    expect(await response.text(), path).toBe('fell through');
  }
  expect(await (await fetch(`${base}/`, { method: 'POST' })).text()).toBe('fell through');
});

it('never reads a file outside its folder, whatever the decoded path says', async () => {
  const res = { writeHead: () => res, end: () => res } as unknown as ServerResponse;
  for (const path of ['/../evs-static-secret.txt', '/assets/../../evs-static-secret.txt'])
    expect(await serveStatic(root, 'GET', path, res), path).toBe(false);
});
