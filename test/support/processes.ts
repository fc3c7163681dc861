// Child processes started by tests (npm start, the CLIs, cdk synth, the bench), in one place. Each runs in
// its own process group, so stopping it ends the whole tree it grew (npm → tsx → node → java), not only
// its first process; and each carries a marker in its environment, inherited by everything it starts, so
// the suite's teardown (test/support/global-processes.ts) can find any that outlived its test.

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The environment marker of this test project's child processes. */
    processMarker: string;
  }
}

export const MARKER_VARIABLE = 'EVS_TEST_PROCESS';
/** How long a stopped process group gets between SIGTERM and SIGKILL. */
const GRACE_MS = 10_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TestProcess {
  /** The first process; also the id of the process group. */
  pid: number;
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the output once it matches; rejects if the process exits first or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
  exited: Promise<ExitStatus>;
  /** SIGTERM to the whole group, SIGKILL after a grace period; resolves when no process of it is left. */
  stop(): Promise<void>;
}

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** detached: the child leads a new process group, which everything it starts joins. */
function spawnInGroup(command: string, args: string[], options: ProcessOptions) {
  return spawn(command, args, {
    env: { ...(options.env ?? process.env), [MARKER_VARIABLE]: inject('processMarker') },
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts a command in its own process group with the test marker; stop it in afterAll/finally. */
export function startProcess(command: string, args: string[], options: ProcessOptions = {}): TestProcess {
  const child = spawnInGroup(command, args, options);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  // 'exit', not 'close': a leftover grandchild holding the pipes would keep 'close' from ever coming.
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    pid,
    child,
    output: () => output,
    exited,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          if (pattern.test(output)) {
            done();
            resolve(output);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${command} ${args.join(' ')}: no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then((status) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`${command} ${args.join(' ')} exited (${JSON.stringify(status)}):\n${output}`));
        });
        check();
      });
    },
    stop: () => stopProcessGroup(pid),
  };
}

/**
 * Runs a command to its end, like execFile, but in its own process group with the test marker, and ends
 * whatever it left running in that group. Resolves with the exit status whatever it is: tests assert on it.
 */
export async function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions & { timeoutMs?: number } = {},
): Promise<ExitStatus & { stdout: string; stderr: string; leftRunning: boolean }> {
  const child = spawnInGroup(command, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) void stopProcessGroup(child.pid);
  }, timeoutMs);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const status = await new Promise<ExitStatus>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  }).finally(() => clearTimeout(timer));
  // Whether it left anything behind (a JVM, a server) when it exited: a leak the caller may assert on.
  const leftRunning = child.pid !== undefined && processGroupAlive(child.pid);
  if (child.pid !== undefined) await stopProcessGroup(child.pid);
  await closed; // the rest of its output
  if (timedOut)
    throw new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms:\n${stdout}${stderr}`);
  return { ...status, stdout, stderr, leftRunning };
}

interface ProcessInfo {
  pid: number;
  pgid: number;
  command: string;
}

/** Living processes (zombies excluded), from /proc; undefined where there is no /proc. */
function livingProcesses(filter: (pid: number) => boolean = () => true): ProcessInfo[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const found: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (!filter(pid)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so read after the last ')'.
      const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      found.push({ pid, pgid: Number(pgid), command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Whether any process of the group is still running, the first one or any it started. */
export function processGroupAlive(pgid: number): boolean {
  const processes = livingProcesses();
  if (processes) return processes.some((p) => p.pgid === pgid);
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group, SIGKILL after the grace period; resolves when no process of it is left. */
export async function stopProcessGroup(pgid: number, graceMs = GRACE_MS): Promise<void> {
  if (!processGroupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processGroupAlive(pgid)) {
    if (Date.now() > deadline) {
      signalGroup(pgid, 'SIGKILL');
      if (Date.now() > deadline + 5_000) throw new Error(`process group ${pgid} survived SIGKILL`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Processes still running that carry the marker (Linux: read from /proc/<pid>/environ). */
export function processesWithMarker(marker: string): ProcessInfo[] {
  const needle = `\0${MARKER_VARIABLE}=${marker}\0`;
  return (
    livingProcesses((pid) => {
      if (pid === process.pid) return false;
      return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle);
    }) ?? []
  );
}
