// Where a running `npm start` tells other local tools (the token CLI) how to reach its database.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** EVS_STATE_FILE moves it (tests running several instances at once). */
export const STATE_FILE = resolve(process.env.EVS_STATE_FILE ?? '.local-data/local-api.json');

export interface LocalState {
  apiUrl: string;
  endpoint: string;
  tableName: string;
  pid: number;
}

export function writeState(state: LocalState): void {
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

export function readState(): LocalState | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

export function clearState(): void {
  rmSync(STATE_FILE, { force: true });
}
