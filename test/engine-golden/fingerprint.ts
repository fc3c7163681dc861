// A fingerprint of everything the engine outputs (sessions, skipped, resumeFrom, ongoing) over fixed corpora
// of both generators, for one run over the whole window and for runs chained by `resumeFrom` across window
// cuts (where `ongoing` is non-null). A restructuring of the engine must leave it unchanged; a rule change
// changes it, and says so in its commit. `npx tsx test/engine-golden/print.ts` prints it (and `--dump DIR`
// writes each corpus's outputs as JSON, to diff two versions of the engine).

import { createHash } from 'node:crypto';
import { computeSessions } from '../../shared/engine/index.js';
import type { EngineInput, EngineOutput } from '../../shared/engine/types.js';
import { buildAdversaryCorpus } from '../adversary/corpus.js';
import { buildCorpus } from '../simulator/corpus.js';

const HOUR = 3_600_000;

/** Where each window is cut, as shares of it: odd shares, so cuts fall inside sessions as well as between. */
const CUTS = [0.23, 0.5, 0.71, 0.9] as const;

export interface GoldenCorpus {
  name: string;
  inputs: EngineInput[];
}

export function goldenCorpora(): GoldenCorpus[] {
  const simulator = buildCorpus({ seed: 20250101, entitiesPerProfile: 8, days: 10 }).map(
    (e): EngineInput => ({
      entity: e.entity,
      readings: e.readings,
      window: { from: e.fromMs, to: e.toMs + 25 * HOUR },
      locations: e.locations,
      exactLocation: true,
    }),
  );
  const adversary = (seed: number) =>
    buildAdversaryCorpus({ seed, carsPerMode: 8, days: 10 }).map(
      (c): EngineInput => ({
        entity: c.entity,
        readings: c.readings,
        window: c.window,
        locations: c.locations,
        exactLocation: true,
      }),
    );
  return [
    { name: 'simulator seed 20250101', inputs: simulator },
    { name: 'adversary seed 20251025', inputs: adversary(20251025) },
    { name: 'adversary seed 20250101', inputs: adversary(20250101) },
  ];
}

/** Every output for one input: the whole window, then runs chained by resumeFrom across the cuts. */
export function goldenOutputs(input: EngineInput): EngineOutput[] {
  const outputs = [computeSessions(input)];
  const { from, to } = input.window;
  let resumeFrom = from;
  for (const share of [...CUTS, 1]) {
    const cut = share === 1 ? to : Math.floor(from + share * (to - from));
    const out = computeSessions({ ...input, window: { from: resumeFrom, to: cut } });
    outputs.push(out);
    resumeFrom = out.resumeFrom;
  }
  return outputs;
}

export function fingerprint(corpus: GoldenCorpus): { hash: string; outputs: EngineOutput[][] } {
  const hash = createHash('sha256');
  const outputs = corpus.inputs.map(goldenOutputs);
  for (const list of outputs) for (const out of list) hash.update(JSON.stringify(out));
  return { hash: hash.digest('hex').slice(0, 16), outputs };
}
