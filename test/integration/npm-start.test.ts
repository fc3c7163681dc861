// `npm start` as a user runs it: the script starts, seeds the demo tenant, prints a token and curl lines,
// and those curl lines work.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, inject, it } from 'vitest';

const run = promisify(execFile);
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

it('starts the API on the embedded database, and the curl lines it prints work', async () => {
  child = spawn('npx', ['tsx', 'infra/local/start.ts', '--port', '0', '--backend', inject('dynamoBackend')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      EVS_STATE_FILE: join(tmpdir(), `evs-state-${process.pid}.json`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 45_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child!.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });

  const token = /export EVS_TOKEN=(evs_[A-Za-z0-9_-]+)/.exec(output)?.[1];
  expect(token).toBeDefined();
  const curls = [...output.matchAll(/^\s+(curl .+)$/gm)].map((m) => m[1]!);
  expect(curls.length).toBe(2);
  for (const line of curls) {
    const { stdout } = await run('bash', ['-c', `export EVS_TOKEN=${token}; ${line} -w '\\n%{http_code}'`]);
    const [body, status] = [
      stdout.slice(0, stdout.lastIndexOf('\n')),
      stdout.slice(stdout.lastIndexOf('\n') + 1),
    ];
    expect(status, line).toBe('200');
    const json = JSON.parse(body);
    if (line.includes('/features'))
      expect(json).toEqual([{ feature: 'CaptureChargeSessions', enabled: true, since: expect.any(String) }]);
    else expect(json.data.map((e: { type: string }) => e.type).sort()).toEqual(['CP', 'EV']);
  }
}, 60_000);
