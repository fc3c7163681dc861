// `npm run bench [-- --quick] [-- --out DIR]`: every benchmark, each figure against a floor measured in the
// same run; prints a table and writes results.json and results.md (to bench/ unless --out says otherwise).

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Section } from './lib.js';
import { writeReport } from './report.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const quick = values.quick ?? false;
const outDir = resolve(values.out ?? 'bench');
mkdirSync(outDir, { recursive: true });

const sections: Section[] = [];
const started = Date.now();
const step = async (title: string, fn: () => Promise<Section | Section[]>) => {
  const t = Date.now();
  process.stderr.write(`bench: ${title}…`);
  const result = await fn();
  sections.push(...(Array.isArray(result) ? result : [result]));
  process.stderr.write(` ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
};

const { benchBundles } = await import('./bundles.js');
await step('bundles and cold init', () => benchBundles({ quick }));

await step('engine throughput', async () => {
  const { benchEngine } = await import('./engine.js');
  const result = await benchEngine({ quick });
  return {
    title: 'Session engine throughput (one core)',
    figures: [
      {
        name: 'engine: readings per second',
        unit: 'readings/s',
        runs: result.engineReadingsPerSec,
        floorRuns: result.floorReadingsPerSec,
        floorName: 'loop summing powerKw over the same readings',
        better: 'higher',
        goal: { ratioAtMost: 10, text: '≤ 10× floor' },
      },
    ],
    notes: [
      `${result.readings.toLocaleString('en-US')} readings (${quick ? '60' : '1,000'} entities × one day at a 1-minute cadence, mixed EV and CP profiles), runs alternating with the floor.`,
    ],
  };
});

const { benchDatabase } = await import('./env.js');
const db = await benchDatabase();
try {
  const { benchWarm } = await import('./warm.js');
  await step('warm handler overhead', () => benchWarm({ quick }));
  const { benchReadings } = await import('./readings.js');
  await step('readings ingestion and storage cost', () => benchReadings({ quick }));
  const { benchLive } = await import('./live.js');
  await step('real-time path (units against the daily job, local latency)', () => benchLive({ quick }));
  // Last on this database: it works in a table of its own and puts the configuration back after.
  const { benchJob } = await import('./job.js');
  await step(quick ? 'daily job (20 entities × 2 h)' : 'daily job (1,000 entities × one day)', () =>
    benchJob({ quick }),
  );
} finally {
  await db.dynamo.stop();
}

const { median } = await import('./lib.js');
const warm = sections.find((s) => s.title.startsWith('Warm handler'));
const inProcessMs = Object.fromEntries((warm?.figures ?? []).map((f) => [f.name, median(f.runs)]));
const { benchServer } = await import('./server.js');
await step('local server throughput', () => benchServer({ quick, inProcessMs }));

writeReport(sections, outDir, quick ? 'quick' : 'full');
process.stderr.write(
  `bench: done in ${((Date.now() - started) / 1000).toFixed(0)} s; wrote ${outDir}/results.{json,md}\n`,
);
