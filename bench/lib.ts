// Shared pieces of the benchmarks: statistics, the result model, and timing helpers. Every figure is a
// ratio against a floor measured in the same run, reported with its median and spread over several runs.

export interface Figure {
  /** What is measured, e.g. "cold init: entities". */
  name: string;
  unit: string;
  /** The measured runs of the thing itself. */
  runs: number[];
  /** The measured runs of its floor, in the same process and run. */
  floorRuns?: number[];
  floorName?: string;
  /** For "lower is better" figures the ratio is value/floor; for throughput it is floor/value. */
  better: 'lower' | 'higher';
  /** The goal, as a ratio to the floor or an absolute value. */
  goal?: { ratioAtMost?: number; valueAtMost?: number; valueAtLeast?: number; text: string };
  note?: string;
}

export interface Section {
  title: string;
  figures: Figure[];
  notes?: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Spread as (max - min) / median: how far apart the runs were. */
export function spread(values: number[]): number {
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function ratioOf(figure: Figure): number | undefined {
  if (!figure.floorRuns?.length) return undefined;
  const value = median(figure.runs);
  const floor = median(figure.floorRuns);
  return figure.better === 'lower' ? value / floor : floor / value;
}

export function goalMet(figure: Figure): boolean | undefined {
  if (!figure.goal) return undefined;
  const value = median(figure.runs);
  const ratio = ratioOf(figure);
  if (figure.goal.ratioAtMost !== undefined && (ratio === undefined || ratio > figure.goal.ratioAtMost))
    return false;
  if (figure.goal.valueAtMost !== undefined && value > figure.goal.valueAtMost) return false;
  if (figure.goal.valueAtLeast !== undefined && value < figure.goal.valueAtLeast) return false;
  return true;
}

/** Times `fn` `iterations` times; returns milliseconds per call for each call. */
export async function timeEach(iterations: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/**
 * Measures a subject against its floor in alternating rounds, so drift on a shared machine hits both
 * alike; each round's value is the median per-call time of that round.
 */
export async function alternate(
  rounds: number,
  perRound: number,
  subject: () => Promise<unknown>,
  floor: () => Promise<unknown>,
): Promise<{ runs: number[]; floorRuns: number[] }> {
  const runs: number[] = [];
  const floorRuns: number[] = [];
  for (let round = 0; round < rounds; round++) {
    floorRuns.push(median(await timeEach(perRound, floor)));
    runs.push(median(await timeEach(perRound, subject)));
  }
  return { runs, floorRuns };
}

/** One DynamoDB call a handler made: its command class, its input, and which calls ran alongside it. */
export interface RecordedCall {
  command: new (input: any) => any;
  input: Record<string, unknown>;
  /** Calls with the same wave started before any earlier one finished: they ran concurrently. */
  wave: number;
}

/**
 * Records the DocumentClient calls `fn` makes (through the shared client's middleware stack), so a floor
 * can replay exactly them: same commands, same inputs, same concurrency.
 */
export async function recordCalls(
  client: { middlewareStack: { add: (...args: any[]) => void; remove: (name: string) => boolean } },
  commands: Record<string, new (input: any) => any>,
  fn: () => Promise<unknown>,
): Promise<RecordedCall[]> {
  const calls: RecordedCall[] = [];
  let inFlight = 0;
  let wave = -1;
  client.middlewareStack.add(
    (next: (args: any) => Promise<any>, context: { commandName?: string }) =>
      async (args: { input: any }) => {
        const name = String(context.commandName).replace(/ItemCommand$|Command$/, '');
        const command = commands[name];
        if (!command) throw new Error(`recordCalls: no command class for ${context.commandName}`);
        if (inFlight === 0) wave++;
        inFlight++;
        calls.push({ command, input: structuredClone(args.input), wave });
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
    { step: 'initialize', name: 'evsBenchRecorder', priority: 'high' },
  );
  try {
    await fn();
  } finally {
    client.middlewareStack.remove('evsBenchRecorder');
  }
  return calls;
}

/** Replays recorded calls wave by wave (a wave's calls concurrently), as the handler made them. */
export async function replayCalls(
  client: { send: (command: any) => Promise<unknown> },
  calls: RecordedCall[],
): Promise<void> {
  let i = 0;
  while (i < calls.length) {
    const wave = calls[i]!.wave;
    const group: Promise<unknown>[] = [];
    for (; i < calls.length && calls[i]!.wave === wave; i++) {
      const call = calls[i]!;
      group.push(client.send(new call.command(call.input)));
    }
    await Promise.all(group);
  }
}
