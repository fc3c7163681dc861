// Where each running `npm start` tells other local tools (the token, tenant and aggregate CLIs) how to
// reach its database: one file per server, named after its port, so two servers in one checkout do not
// overwrite each other and a CLI can pick one with --port. A file whose server died uncleanly is ignored.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** EVS_STATE_DIR moves it (tests running several instances at once). */
export const STATE_DIR = resolve(process.env.EVS_STATE_DIR ?? '.local-data/servers');

export interface LocalState {
  apiUrl: string;
  port: number;
  endpoint: string;
  tableName: string;
  pid: number;
  backend: string;
  /** Absent when the data is in memory. */
  dataDir?: string | undefined;
}

const fileFor = (port: number) => join(STATE_DIR, `${port}.json`);

export function writeState(state: LocalState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(fileFor(state.port), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearState(port: number): void {
  rmSync(fileFor(port), { force: true });
}

/** Whether a process with this id is running (EPERM: it is, but not ours to signal). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The servers running in this checkout, by port. */
export function runningServers(): LocalState[] {
  let names: string[];
  try {
    names = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  const servers: LocalState[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const state = JSON.parse(readFileSync(join(STATE_DIR, name), 'utf8')) as LocalState;
      if (processAlive(state.pid)) servers.push(state);
    } catch {
      // Half-written or removed meanwhile: not a server to target.
    }
  }
  return servers.sort((a, b) => a.port - b.port);
}

const describe = (s: LocalState) => `--port ${s.port} (${s.dataDir ? `data in ${s.dataDir}` : 'in memory'})`;

/**
 * The server a CLI should work on: the one on `port`, or the only one running. Throws a message for the
 * operator when there is none, or several and no port.
 */
export function selectServer(port?: string): LocalState {
  const servers = runningServers();
  if (port !== undefined) {
    const found = servers.find((s) => String(s.port) === port);
    if (found) return found;
    throw new Error(
      servers.length === 0
        ? `no local API is running here on port ${port}: start it with \`npm start -- --port ${port}\``
        : `no local API is running here on port ${port}; running: ${servers.map(describe).join(', ')}`,
    );
  }
  const [only, ...others] = servers;
  if (!only) throw new Error('no local API is running here: start it with `npm start`');
  if (others.length > 0)
    throw new Error(`several local APIs are running here; pick one: ${servers.map(describe).join(', ')}`);
  return only;
}
