// The engine's whole output over fixed corpora of both generators, one run per window and runs chained
// across window cuts (test/engine-golden/fingerprint.ts), pinned by hash. It guards restructurings of the
// engine: they must not change a single field. A rule change changes a hash on purpose: its commit says
// why, with the rule's own test; compare outputs with `npx tsx test/engine-golden/print.ts --dump DIR`
// before and after, then update the hash here.

import { describe, expect, it } from 'vitest';
import { fingerprint, goldenCorpora } from '../engine-golden/fingerprint.js';

const EXPECTED: Record<string, string> = {
  'simulator seed 20250101': '34d59d49c775be68',
  'adversary seed 20251025': '9a76e85db99ccdba',
  'adversary seed 20250101': 'fee333ec11183334',
};

describe('engine output fingerprint', () => {
  for (const corpus of goldenCorpora()) {
    it(`${corpus.name}: unchanged`, () => {
      const { hash, outputs } = fingerprint(corpus);
      // Not an empty corpus: sessions, and sessions in progress at the cuts.
      expect(outputs.flat().some((o) => o.ongoing !== null)).toBe(true);
      expect(outputs.flat().reduce((n, o) => n + o.sessions.length, 0)).toBeGreaterThan(500);
      expect(hash).toBe(EXPECTED[corpus.name]);
    });
  }
});
