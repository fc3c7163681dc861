// `npm run bench -- --quick` as a smoke test: it runs, every section reports figures with floors, and it
// writes both result files. No thresholds on time: speed goals live in the benchmark, not in tests.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runProcess } from '../support/processes.js';

it('runs every benchmark in quick mode and writes results.json and results.md', async () => {
  const out = mkdtempSync(join(tmpdir(), 'evs-bench-'));
  try {
    const bench = await runProcess('npx', ['tsx', 'bench/run.ts', '--quick', '--out', out], {
      timeoutMs: 170_000,
    });
    expect(bench.code, bench.stderr).toBe(0);
    // The bench's own local server went with it.
    expect(bench.leftRunning).toBe(false);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.mode).toBe('quick');
    expect(results.machine).toMatchObject({ cpu: expect.any(String), node: process.version });
    expect(results.sections.length).toBeGreaterThanOrEqual(3);
    for (const section of results.sections) {
      expect(section.figures.length, section.title).toBeGreaterThan(0);
      for (const figure of section.figures) {
        expect(Number.isFinite(figure.median), figure.name).toBe(true);
        if (figure.goal) expect(typeof figure.met, figure.name).toBe('boolean');
      }
    }
    const markdown = readFileSync(join(out, 'results.md'), 'utf8');
    expect(markdown).toContain('# Benchmark results');
    for (const section of results.sections) expect(markdown).toContain(`## ${section.title}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 180_000);
