// Prints the benchmark table and writes bench/results.json and bench/results.md.

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Figure, goalMet, median, ratioOf, type Section, spread } from './lib.js';

const fmt = (value: number) =>
  Math.abs(value) >= 1000
    ? Math.round(value).toLocaleString('en-US')
    : Number(value.toPrecision(3)).toString();

function row(figure: Figure) {
  const ratio = ratioOf(figure);
  const met = goalMet(figure);
  return {
    name: figure.name,
    median: median(figure.runs),
    unit: figure.unit,
    spread: spread(figure.runs),
    runs: figure.runs.length,
    floor: figure.floorRuns?.length ? median(figure.floorRuns) : undefined,
    floorName: figure.floorName,
    ratio,
    goal: figure.goal?.text,
    met,
    note: figure.note,
  };
}

export function machine() {
  return {
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

export function writeReport(sections: Section[], outDir: string, mode: 'full' | 'quick') {
  const env = machine();
  const json = {
    mode,
    machine: env,
    sections: sections.map((s) => ({ title: s.title, notes: s.notes ?? [], figures: s.figures.map(row) })),
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);

  const lines = [
    '# Benchmark results',
    '',
    `Measured by \`npm run bench\`${mode === 'quick' ? ' -- --quick (smoke run: few samples, not for decisions)' : ''} on ${env.date.slice(0, 10)}.`,
    `Machine: ${env.cpu}, ${env.memoryGiB} GiB, ${env.platform}, Node.js ${env.node}. Shared and noisy: read ratios, not absolute times.`,
    '',
    'Each figure is the median of several runs, with its spread ((max − min) / median); its floor is measured in the same run, and the ratio compares the two (for throughput, floor ÷ value, so lower is better everywhere).',
    '',
  ];
  for (const section of json.sections) {
    lines.push(
      `## ${section.title}`,
      '',
      '| figure | median | spread | runs | floor | ratio | goal | met |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const r of section.figures) {
      lines.push(
        `| ${r.name} | ${fmt(r.median)} ${r.unit} | ${(r.spread * 100).toFixed(0)} % | ${r.runs} | ${
          r.floor === undefined ? '—' : `${fmt(r.floor)} ${r.unit} (${r.floorName})`
        } | ${r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.goal ?? '—'} | ${
          r.met === undefined ? '—' : r.met ? 'met' : '**not met**'
        } |`,
      );
    }
    const figureNotes = section.figures.filter((r) => r.note);
    if (figureNotes.length) lines.push('', ...figureNotes.map((r) => `- ${r.name}: ${r.note}`));
    for (const note of section.notes) lines.push('', note);
    lines.push('');
  }
  writeFileSync(join(outDir, 'results.md'), `${lines.join('\n')}\n`);

  for (const section of json.sections) {
    console.log(`\n${section.title}`);
    console.table(
      section.figures.map((r) => ({
        figure: r.name,
        median: `${fmt(r.median)} ${r.unit}`,
        spread: `${(r.spread * 100).toFixed(0)}%`,
        floor: r.floor === undefined ? '' : `${fmt(r.floor)} ${r.unit}`,
        ratio: r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
        goal: r.goal ?? '',
        met: r.met === undefined ? '' : r.met ? 'met' : 'NOT MET',
      })),
    );
  }
}
