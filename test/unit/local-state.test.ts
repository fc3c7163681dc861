// How the local CLIs find the `npm start` to work on (infra/local/state.ts), and how a --data-dir is
// held by one server at a time (infra/local/data-dir.ts).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

process.env.EVS_STATE_DIR = mkdtempSync(join(tmpdir(), 'evs-state-unit-'));
const { clearState, runningServers, selectServer, writeState } = await import('../../infra/local/state.js');
const { lockDataDir } = await import('../../infra/local/data-dir.js');

/** The pid of a process that has ended. */
const deadPid = () => spawnSync('true').pid;

const server = (port: number, pid = process.pid, dataDir?: string) => ({
  apiUrl: `http://127.0.0.1:${port}`,
  port,
  endpoint: 'http://127.0.0.1:9',
  tableName: 'evsessions-local',
  pid,
  backend: 'dynalite',
  dataDir,
});

it('picks the only server, asks which when several run, and finds one by --port', () => {
  expect(() => selectServer()).toThrow('no local API is running here: start it with `npm start`');
  writeState(server(3000));
  expect(selectServer().port).toBe(3000);
  // A server that died without cleaning up is not a candidate.
  writeState(server(3002, deadPid()));
  expect(runningServers().map((s) => s.port)).toEqual([3000]);
  expect(selectServer().port).toBe(3000);

  writeState(server(3001, process.pid, '/srv/evs'));
  expect(() => selectServer()).toThrow(
    'several local APIs are running here; pick one: --port 3000 (in memory), --port 3001 (data in /srv/evs)',
  );
  expect(selectServer('3001').dataDir).toBe('/srv/evs');
  expect(() => selectServer('3002')).toThrow(
    'no local API is running here on port 3002; running: --port 3000 (in memory), --port 3001 (data in /srv/evs)',
  );
  clearState(3000);
  clearState(3001);
  expect(() => selectServer('3000')).toThrow(
    'no local API is running here on port 3000: start it with `npm start -- --port 3000`',
  );
});

it('a --data-dir is held by one server; a lock left by a process that is gone is taken over', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'evs-lock-')), 'data');
  const lock = join(dir, 'server.lock');
  const release = lockDataDir(dir);
  expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);

  // Another running process holds it.
  writeFileSync(lock, `${process.ppid}\n`);
  expect(() => lockDataDir(dir)).toThrow(
    `--data-dir ${dir} is in use by another server (npm start, pid ${process.ppid}): stop it first, or pick another --data-dir`,
  );
  // Its holder is gone (killed, say): the next start takes it.
  writeFileSync(lock, `${deadPid()}\n`);
  const again = lockDataDir(dir);
  expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
  again();
  expect(existsSync(lock)).toBe(false);
  release(); // a second release is harmless
});
