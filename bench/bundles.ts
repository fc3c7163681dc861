// Bundle size and cold init of every Lambda — the HTTP API's, its authorizer, the sweeper and the daily
// job's planner and worker — built exactly as CDK builds them, against a floor bundle that only builds a
// DocumentClient. Cold init = importing the bundle in a fresh Node.js process (the SDK
// resolved from node_modules, as Lambda resolves it from its runtime).

import { execFile } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions, LAZY_MODULES, type LazyModule } from '../infra/bundling-options.js';
import { FUNCTIONS, JOB_FUNCTIONS } from '../infra/functions.js';
import type { Figure, Section } from './lib.js';

const run = promisify(execFile);
export const BUNDLE_LIMIT_BYTES = 150 * 1024;
const COLD_INIT_GOAL = 1.3;

async function bundle(
  entry: string,
  outDir: string,
  name: string,
  lazy: readonly LazyModule[] = [],
): Promise<{ file: string; bytes: number }> {
  const file = join(outDir, `${name}.mjs`);
  await build(esbuildOptions(entry, file, lazy));
  return { file, bytes: statSync(file).size };
}

/** Milliseconds to import `file` in a fresh process (module evaluation included, process start excluded). */
async function importTime(file: string): Promise<number> {
  const script = `const t=performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now()-t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      ...process.env,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return Number(stdout);
}

export async function benchBundles(options: { quick: boolean }): Promise<Section[]> {
  // Inside the repository, so bundles resolve @aws-sdk/* from node_modules like Lambda's runtime does.
  const outDir = resolve('bench/.work/bundles');
  mkdirSync(outDir, { recursive: true });
  const floor = await bundle('bench/floor-function.ts', outDir, 'floor');
  const built = await Promise.all(
    Object.entries({ ...FUNCTIONS, ...JOB_FUNCTIONS }).map(async ([name, spec]) => ({
      name,
      lazy: spec.lazyModules ?? [],
      ...(await bundle(spec.entry, outDir, name, spec.lazyModules)),
    })),
  );
  const lazyNames = [...new Set(built.flatMap((b) => b.lazy))];
  const lazyBuilt = await Promise.all(
    lazyNames.map(async (name) => ({ name, ...(await bundle(LAZY_MODULES[name], outDir, `lazy-${name}`)) })),
  );

  const sizes: Figure[] = built.map((b) => ({
    name: `bundle: ${b.name}`,
    unit: 'KB',
    runs: [b.bytes / 1024],
    floorRuns: [floor.bytes / 1024],
    floorName: 'DocumentClient-only bundle',
    better: 'lower',
    goal: { valueAtMost: BUNDLE_LIMIT_BYTES / 1024, text: '≤ 150 KB' },
    ...(b.lazy.length ? { note: `plus ${b.lazy.join(', ')} loaded on first use` } : {}),
  }));
  for (const lazy of lazyBuilt) {
    sizes.push({
      name: `lazy module: ${lazy.name} (not loaded at init)`,
      unit: 'KB',
      runs: [lazy.bytes / 1024],
      better: 'lower',
      note: 'shipped beside the bundle only where it can be used (Stripe: -c payments=stripe)',
    });
  }

  const rounds = options.quick ? 3 : 15;
  const cold: Figure[] = [];
  for (const b of built) {
    const runs: number[] = [];
    const floorRuns: number[] = [];
    for (let i = 0; i < rounds; i++) {
      floorRuns.push(await importTime(floor.file));
      runs.push(await importTime(b.file));
    }
    cold.push({
      name: `cold init: ${b.name}`,
      unit: 'ms',
      runs,
      floorRuns,
      floorName: 'DocumentClient-only bundle',
      better: 'lower',
      goal: { ratioAtMost: COLD_INIT_GOAL, text: `≤ ${COLD_INIT_GOAL}× floor` },
    });
  }
  return [
    {
      title: 'Bundle size (esbuild, minified ESM, AWS SDK external — as deployed)',
      figures: sizes,
      notes: [
        'The floor bundle is tiny because the SDK is provided by the Lambda runtime in both; the goal is absolute.',
      ],
    },
    {
      title: 'Cold init (import of the bundle in a fresh Node.js process)',
      figures: cold,
      notes: [`${rounds} fresh processes per bundle, alternating with the floor.`],
    },
  ];
}
