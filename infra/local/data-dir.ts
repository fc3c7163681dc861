// What `npm start -- --data-dir DIR` keeps in DIR besides the database: a lock naming the server that
// uses it (two servers on one database would corrupt it, and the database's own lock error is cryptic),
// the cursor key (page links survive a restart) and the demo token (a restart does not mint another).

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from './state.js';

export class DataDirInUse extends Error {}

/**
 * Takes DIR for this process: a lock file with its pid. A lock left by a process that is gone is taken
 * over; one held by a running process is refused. Returns the release.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'server.lock');
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (readPid(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPid(file);
    if (holder !== undefined && holder !== process.pid && processAlive(holder))
      throw new DataDirInUse(
        `--data-dir ${dir} is in use by another server (npm start, pid ${holder}): stop it first, or pick another --data-dir`,
      );
    rmSync(file, { force: true }); // stale: its server is gone
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The cursor key: kept in DIR when given, so page links survive a restart on it. */
export function cursorSecretFor(dir: string | undefined): string {
  if (!dir) return randomBytes(32).toString('base64url');
  const file = join(dir, 'cursor-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** A secret kept in DIR (readable by its owner only), or undefined when there is none. */
export function readKept(dir: string, name: string): string | undefined {
  try {
    return readFileSync(join(dir, name), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function keep(dir: string, name: string, value: string): void {
  writeFileSync(join(dir, name), `${value}\n`, { mode: 0o600 });
}
