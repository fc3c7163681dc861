// Local server throughput: autocannon on loopback against the local runner (in a child process), for the
// busiest read paths; the floor is the same handler invoked in process, one call after another.

import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import type { Figure, Section } from './lib.js';

interface Target {
  url: string;
  token: string;
  entityId: string;
}

async function startServer(): Promise<{ child: ChildProcess; target: Target }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server-child.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const target = await new Promise<Target>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve(JSON.parse(line) as Target);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, target };
}

function load(url: string, token: string, seconds: number) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      { url, connections: 10, duration: seconds, headers: { authorization: `Bearer ${token}` } },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

export async function benchServer(options: {
  quick: boolean;
  inProcessMs: Record<string, number>;
}): Promise<Section> {
  const { child, target } = await startServer();
  try {
    const seconds = options.quick ? 1 : 10;
    const rounds = options.quick ? 1 : 3;
    const cases = [
      { name: 'GET /v1/entities (25 items)', path: '/v1/entities?pageSize=25' },
      { name: 'GET /v1/entities/{entityId}', path: `/v1/entities/${target.entityId}` },
    ];
    const figures: Figure[] = [];
    const notes: string[] = [];
    for (const c of cases) {
      await load(`${target.url}${c.path}`, target.token, 1); // warm-up
      const rps: number[] = [];
      const p50: number[] = [];
      const p99: number[] = [];
      let errors = 0;
      for (let i = 0; i < rounds; i++) {
        const result = await load(`${target.url}${c.path}`, target.token, seconds);
        if (result.non2xx > 0 || result.errors > 0) errors += result.non2xx + result.errors;
        rps.push(result.requests.average);
        p50.push(result.latency.p50);
        p99.push(result.latency.p99);
      }
      const inProcess = options.inProcessMs[c.name];
      figures.push({
        name: `${c.name}: throughput`,
        unit: 'req/s',
        runs: rps,
        ...(inProcess ? { floorRuns: [1000 / inProcess], floorName: 'in-process calls, sequential' } : {}),
        better: 'higher',
      });
      figures.push({ name: `${c.name}: p50 latency`, unit: 'ms', runs: p50, better: 'lower' });
      figures.push({ name: `${c.name}: p99 latency`, unit: 'ms', runs: p99, better: 'lower' });
      notes.push(`${c.name}: ${errors} non-2xx responses or errors.`);
    }
    return {
      title: 'Local server on loopback (autocannon, 10 connections)',
      figures,
      notes: [
        `${rounds} rounds of ${seconds} s each; the server (dynalite + runner) runs in one process, as npm start does.`,
        'Ratio = in-process calls per second (one after another) ÷ server requests per second.',
        ...notes,
      ],
    };
  } finally {
    child.kill('SIGTERM');
  }
}
