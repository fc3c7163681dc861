// `npx tsx test/engine-golden/print.ts [--dump DIR]`: the engine's output fingerprints (fingerprint.ts).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint, goldenCorpora } from './fingerprint.js';

const at = process.argv.indexOf('--dump');
const dump = at > 0 ? process.argv[at + 1] : undefined;
for (const corpus of goldenCorpora()) {
  const { hash, outputs } = fingerprint(corpus);
  console.log(`${corpus.name}: ${hash}`);
  if (dump) {
    mkdirSync(dump, { recursive: true });
    const lines = outputs.flatMap((list, k) =>
      list.map((out, j) => JSON.stringify({ input: k, run: j, ...out })),
    );
    writeFileSync(join(dump, `${corpus.name.replaceAll(' ', '-')}.jsonl`), `${lines.join('\n')}\n`);
  }
}
