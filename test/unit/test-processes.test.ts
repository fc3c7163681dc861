// The suite's own guard against leaked processes (test/support/processes.ts, global-processes.ts): a
// stopped child takes everything it started with it, and the teardown check fails when one is left.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { expect, inject, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import checkProcesses from '../support/global-processes.js';
import {
  MARKER_VARIABLE,
  processesWithMarker,
  processGroupAlive,
  runProcess,
  startProcess,
} from '../support/processes.js';

const onLinux = process.platform === 'linux';

it.runIf(onLinux)('stop() ends the whole tree a child grew, not only the child', async () => {
  // A shell that starts two grandchildren, as npm → tsx → node → java does.
  const tree = startProcess('sh', ['-c', 'sleep 60 & sleep 60 & echo ready; wait']);
  await tree.waitForOutput(/ready/, 10_000);
  const marker = inject('processMarker');
  const mine = () => processesWithMarker(marker).filter((p) => p.pgid === tree.pid);
  // Polled: a forked child shows the shell's command line until it has exec'd sleep.
  await expect
    .poll(() =>
      mine()
        .map((p) => p.command)
        .sort(),
    )
    .toEqual(['sh -c sleep 60 & sleep 60 & echo ready; wait', 'sleep 60', 'sleep 60']);
  await tree.stop();
  expect(mine()).toEqual([]);
  expect(processGroupAlive(tree.pid)).toBe(false);
});

it.runIf(onLinux)('runProcess reports what a finished command left running, then ends it', async () => {
  const result = await runProcess('sh', ['-c', 'sleep 60 & echo started']);
  expect(result).toMatchObject({ code: 0, stdout: 'started\n', leftRunning: true });
  const clean = await runProcess('sh', ['-c', 'echo done']);
  expect(clean).toMatchObject({ code: 0, leftRunning: false });
});

it.runIf(onLinux)(
  'the teardown check fails the run when a test leaked a child, names it and ends it',
  async () => {
    let marker = '';
    const project = {
      name: 'leak-check',
      provide: (key: string, value: string) => {
        if (key === 'processMarker') marker = value;
      },
    } as unknown as TestProject;
    const teardown = checkProcesses(project);
    expect(marker).toMatch(/^leak-check-/);

    // Nothing left: the check passes.
    await expect(teardown()).resolves.toBeUndefined();

    // A test "forgets" its child: started with the project's marker, never stopped.
    const leaked = spawn('sleep', ['60'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, [MARKER_VARIABLE]: marker, EVS_LEAK_PROBE: randomUUID() },
    });
    await expect.poll(() => processesWithMarker(marker).length).toBe(1);
    await expect(teardown()).rejects.toThrow(
      new RegExp(
        `test project leak-check left 1 process\\(es\\) running \\(now ended\\):\\n\\s+${leaked.pid}  sleep 60`,
      ),
    );
    expect(processGroupAlive(leaked.pid!)).toBe(false);
  },
);
