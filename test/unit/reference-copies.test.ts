// The public files the tests validate against are copied into the test tree (test/schemas/upstream,
// test/fixtures/ocpp) so a clean clone tests on its own. Where the reference material sits beside the
// repository (../shared/reference/upstream), each copy must hold what the original holds (JSON compared
// parsed, since the formatter lays the copies out its own way).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const originals = join(repo, '..', 'shared', 'reference', 'upstream');

const COPIES = [
  'test/schemas/upstream/evchart-module2-definition.json',
  'test/schemas/upstream/beckn-EvChargingSession-v1-attributes.yaml',
  'test/schemas/upstream/beckn-EvChargingService-v1-session-completed-example.json',
  'test/fixtures/ocpp/ocpp-2.0.1-TransactionEventRequest.json',
  'test/fixtures/ocpp/ocpp-2.0.1-StatusNotificationRequest.json',
];

describe('copies of the reference material in the test tree', () => {
  it.each(COPIES)('%s is in the repository', (copy) => {
    expect(existsSync(join(repo, copy))).toBe(true);
  });

  it.skipIf(!existsSync(originals)).each(COPIES)('%s equals the original', (copy) => {
    const name = copy.split('/').at(-1)!;
    const read = (path: string) => {
      const text = readFileSync(path, 'utf8');
      return path.endsWith('.json') ? JSON.parse(text) : text;
    };
    expect(read(join(repo, copy))).toEqual(read(join(originals, name)));
  });
});
