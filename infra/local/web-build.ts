// `npm start` serves the dashboard from web/dist, building it first when it is missing or older than its
// sources, so a fresh clone needs nothing but `npm ci && npm start`.

import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
export const WEB_DIST = join(WEB_ROOT, 'dist');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

export function webBuildIsStale(): boolean {
  const built = join(WEB_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['index.html', 'vite.config.ts', 'src', 'public'].map((p) => join(WEB_ROOT, p));
  return Math.max(...sources.filter(existsSync).map(newestMtime)) > statSync(built).mtimeMs;
}

/** Builds web/dist when stale; returns its path. Built beside it and moved in, so a reader never sees half. */
export async function ensureWebBuild(): Promise<string> {
  if (!webBuildIsStale()) return WEB_DIST;
  const { build } = await import('vite');
  const staging = join(WEB_ROOT, `.dist-${process.pid}`);
  await build({
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: staging, emptyOutDir: true },
  });
  // Another `npm start` (tests start several) may have finished the same build meanwhile: keep its copy,
  // which it may be serving, rather than swap the folder under it.
  if (!webBuildIsStale()) {
    rmSync(staging, { recursive: true, force: true });
    return WEB_DIST;
  }
  rmSync(WEB_DIST, { recursive: true, force: true });
  renameSync(staging, WEB_DIST);
  return WEB_DIST;
}
