// Local server throughput: autocannon on loopback against the local runner (in a child process), for the
// busiest read paths; the floor is the same handler invoked in process, one call after another.

import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import type { Figure, Section } from './lib.js';

interface Target {
  url: string;
  token: string;
  entityId: string;
  /** Public charging session tokens, polled in turn (the limit is 30 polls a minute per token). */
  sessionTokens: string[];
}

interface Case {
  name: string;
  /** The paths requested in turn, one per request. */
  paths: string[];
  /** Sent with each request; public routes take none. */
  headers: Record<string, string>;
  /** Requests per round, when the route's rate limit bounds how many may be made (else the round's time). */
  amount?: number;
}

async function startServer(quick: boolean): Promise<{ child: ChildProcess; target: Target }> {
  const args = ['--import', 'tsx', 'bench/server-child.ts', ...(quick ? ['--quick'] : [])];
  const child = spawn(process.execPath, args, {
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

function load(url: string, c: Case, limits: { seconds: number; amount?: number | undefined }) {
  let next = 0;
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 10,
        ...(limits.amount === undefined ? { duration: limits.seconds } : { amount: limits.amount }),
        headers: c.headers,
        requests: [
          {
            setupRequest: (request) => ({ ...request, path: c.paths[next++ % c.paths.length] as string }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** Polls sent to warm the public route up. */
const POLL_WARM_UP = 500;

export async function benchServer(options: {
  quick: boolean;
  inProcessMs: Record<string, number>;
}): Promise<Section> {
  const { child, target } = await startServer(options.quick);
  try {
    const seconds = options.quick ? 1 : 10;
    const rounds = options.quick ? 1 : 3;
    const auth = { authorization: `Bearer ${target.token}` };
    // Polls per round: three rounds and the warm-up of the poll stay under 30 polls a minute per token.
    const pollsPerRound = Math.floor((target.sessionTokens.length * 30 - POLL_WARM_UP) / rounds / 1.1);
    const cases: Case[] = [
      { name: 'GET /v1/entities (25 items)', paths: ['/v1/entities?pageSize=25'], headers: auth },
      { name: 'GET /v1/entities/{entityId}', paths: [`/v1/entities/${target.entityId}`], headers: auth },
      {
        name: 'GET /v1/entities/{entityId}/charge-sessions (25 items)',
        paths: [`/v1/entities/${target.entityId}/charge-sessions?start=2026-01-01T00:00:00Z&pageSize=25`],
        headers: auth,
      },
      {
        name: 'GET /v1/public-charging/sessions/{token}',
        paths: target.sessionTokens.map((token) => `/v1/public-charging/sessions/${token}`),
        headers: {},
        amount: options.quick ? 200 : pollsPerRound,
      },
    ];
    const figures: Figure[] = [];
    const notes: string[] = [];
    for (const c of cases) {
      await load(target.url, c, { seconds: 1, amount: c.amount === undefined ? undefined : POLL_WARM_UP });
      const rps: number[] = [];
      const p50: number[] = [];
      const p99: number[] = [];
      let errors = 0;
      for (let i = 0; i < rounds; i++) {
        const result = await load(target.url, c, { seconds, amount: c.amount });
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
        `${rounds} rounds of ${seconds} s each (the public poll: ${cases[3]?.amount} polls a round over ${target.sessionTokens.length} session tokens, within the per-token limit); the server (dynalite + runner) runs in one process, as npm start does.`,
        'Ratio = in-process calls per second (one after another) ÷ server requests per second.',
        ...notes,
      ],
    };
  } finally {
    child.kill('SIGTERM');
  }
}
