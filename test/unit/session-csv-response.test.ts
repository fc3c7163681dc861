// One capped CSV response, on an in-memory listing that pages like DynamoDB (Limit counts the items a
// filter examines, LastEvaluatedKey whenever the Limit was reached): walking from response to response
// writes every session exactly once, in order, and each response keeps its row, byte and Query limits.

import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, csvStream } from '../../shared/exports/csv.js';
import { derConnectCsv, derConnectCsvLine } from '../../shared/exports/index.js';
import {
  buildCsvResponse,
  type CsvResponseLimits,
  jsonEscapedBytes,
} from '../../shared/sessions/csv-response.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import type { Page, Position } from '../../shared/storage/page.js';
import { sessionAt, sessionId } from '../support/sessions.js';

const ENTITY = { id: '01900000-0000-7000-8000-000000000001', type: 'EV' as const };

function sessions(labels: readonly string[]): ChargeSessionRecord[] {
  return labels.map((label, i) =>
    sessionAt('acme', ENTITY, Date.parse('2025-01-01T00:00:00Z') + i * 60_000, i, {
      locationMatches: [{ accuracy: 1, location: { id: 'l', label } }],
    }),
  );
}

/** A sorted listing read the way storage/page.ts reads DynamoDB, with an optional filter. */
function listing(
  all: readonly ChargeSessionRecord[],
  keep: (s: ChargeSessionRecord) => boolean = () => true,
) {
  const position = (session: ChargeSessionRecord): Position => ({ sk: session.start });
  const fetches: number[] = [];
  const fetch = async (startKey: Position | undefined, limit: number): Promise<Page<ChargeSessionRecord>> => {
    fetches.push(limit);
    const from = startKey ? all.findIndex((s) => s.start === startKey.sk) + 1 : 0;
    const examined = all.slice(from, from + limit + 1);
    const matched = examined.filter(keep);
    if (matched.length > limit) {
      const items = matched.slice(0, limit);
      return { items, nextKey: position(items[items.length - 1] as ChargeSessionRecord) };
    }
    const reachedLimit = examined.length === limit + 1;
    return {
      items: matched,
      nextKey: reachedLimit ? position(examined.at(-1) as ChargeSessionRecord) : undefined,
    };
  };
  return { fetch, position, fetches };
}

const csvIds = (body: string) =>
  (parse(body, { columns: true }) as Record<string, string>[]).map((row) => row.id as string);

async function walkAll(
  all: readonly ChargeSessionRecord[],
  limits: CsvResponseLimits,
  options: { keep?: (s: ChargeSessionRecord) => boolean; skip?: (s: ChargeSessionRecord) => boolean } = {},
) {
  const store = listing(all, options.keep);
  const write = options.skip
    ? (source: AsyncIterable<ChargeSessionRecord>) =>
        csvStream(['id'], source, (s) => (options.skip?.(s) ? null : csvLine([csvCell(s.id)])))
    : (source: AsyncIterable<ChargeSessionRecord>) => derConnectCsv(source);
  const responses = [];
  let startKey: Position | undefined;
  do {
    const response = await buildCsvResponse({
      ...limits,
      startKey,
      fetch: store.fetch,
      position: store.position,
      write,
    });
    responses.push(response);
    startKey = response.nextKey;
    if (responses.length > all.length * limits.queryItems + 10) throw new Error('the walk does not end');
  } while (startKey);
  return { responses, fetches: store.fetches };
}

const LOOSE: CsvResponseLimits = { maxRows: 1_000, maxBytes: 1e9, queryItems: 100, maxQueries: 100 };

describe('a CSV response', () => {
  it('holds every session when nothing caps it, reading Query after Query', async () => {
    const all = sessions(Array.from({ length: 250 }, (_, i) => `label ${i}`));
    const { responses, fetches } = await walkAll(all, { ...LOOSE, queryItems: 100 });
    expect(responses).toHaveLength(1);
    expect(csvIds(responses[0]!.body)).toEqual(all.map((s) => s.id));
    // The last Query asks for a full page and finds 50.
    expect(fetches).toEqual([100, 100, 100]);
    expect(responses[0]).toMatchObject({ rows: 250, queries: 3, nextKey: undefined });
  });

  it('reads only what it writes: a row cap of 10 costs two Queries of 5 on a 1,000-session history', async () => {
    const all = sessions(Array.from({ length: 1_000 }, () => 'x'));
    const store = listing(all);
    const response = await buildCsvResponse({
      ...LOOSE,
      maxRows: 10,
      queryItems: 5,
      startKey: undefined,
      fetch: store.fetch,
      position: store.position,
      write: (source) => derConnectCsv(source),
    });
    expect(store.fetches).toEqual([5, 5]);
    expect(csvIds(response.body)).toEqual(all.slice(0, 10).map((s) => s.id));
    expect(response.nextKey).toEqual({ sk: all[9]!.start });
  });

  it('stops before the byte cap and resumes with the session that did not fit', async () => {
    const all = sessions(['a'.repeat(400), 'b'.repeat(400), 'c'.repeat(400), 'd'.repeat(400), 'e']);
    const header = jsonEscapedBytes(await firstLine());
    const line = (i: number) => jsonEscapedBytes(derConnectCsvLine(all[i] as ChargeSessionRecord));
    // Room for exactly two of the long rows, a byte short of three.
    const { responses } = await walkAll(all, {
      ...LOOSE,
      maxBytes: header + line(0) + line(1) + line(2) - 1,
    });
    expect(responses.map((r) => r.rows)).toEqual([2, 3]);
    expect(responses.flatMap((r) => csvIds(r.body))).toEqual(all.map((s) => s.id));
    expect(jsonEscapedBytes(responses[0]!.body)).toBe(header + line(0) + line(1));
  });

  it('counts the JSON-escaped size: quotes and line ends take two bytes in the Lambda payload', () => {
    expect(jsonEscapedBytes('a,b\r\n')).toBe(7);
    expect(jsonEscapedBytes('"x"')).toBe(5);
    expect(jsonEscapedBytes('Zürich')).toBe(7);
    expect(jsonEscapedBytes('\u0001')).toBe(6);
  });

  it('writes one row even when it alone is larger than the cap, so a walk always advances', async () => {
    const all = sessions(['z'.repeat(5_000), 'y']);
    const { responses } = await walkAll(all, { ...LOOSE, maxBytes: 100 });
    expect(responses.map((r) => r.rows)).toEqual([1, 1]);
  });

  it('ends at the Query budget with the position after the last Query, when a filter keeps little', async () => {
    const all = sessions(Array.from({ length: 100 }, (_, i) => `${i}`));
    const keep = (s: ChargeSessionRecord) => s.id === sessionId(95);
    const { responses } = await walkAll(all, { ...LOOSE, queryItems: 10, maxQueries: 3 }, { keep });
    // 11 examined per Query (Limit + 1): session 95 is in the third response's last Query; the fourth
    // examines the one session left, as DynamoDB gave a LastEvaluatedKey on reaching the Limit.
    expect(responses.map((r) => r.queries)).toEqual([3, 3, 3, 1]);
    expect(responses.map((r) => r.rows)).toEqual([0, 0, 1, 0]);
    expect(responses.every((r) => r.body.startsWith('id,entity_id,'))).toBe(true);
  });

  it('walks any listing in responses that keep their limits, with no gap and no repeat', async () => {
    const label = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom('a,b', 'say "hi"', 'line1\r\nline2', 'Zürich 東京', '\u0001'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(label, { maxLength: 120 }),
        fc.record({
          maxRows: fc.integer({ min: 1, max: 40 }),
          maxBytes: fc.integer({ min: 150, max: 3_000 }),
          queryItems: fc.integer({ min: 1, max: 30 }),
          maxQueries: fc.integer({ min: 1, max: 6 }),
        }),
        fc.constantFrom('none', 'filter', 'skip'),
        async (labels, limits, mode) => {
          const all = sessions(labels);
          const odd = (s: ChargeSessionRecord) => Number.parseInt(s.id.slice(-4), 16) % 2 === 1;
          const { responses } = await walkAll(all, limits, {
            ...(mode === 'filter' ? { keep: odd } : {}),
            ...(mode === 'skip' ? { skip: (s: ChargeSessionRecord) => !odd(s) } : {}),
          });
          const expected = mode === 'none' ? all : all.filter(odd);
          expect(responses.flatMap((r) => csvIds(r.body))).toEqual(expected.map((s) => s.id));
          for (const response of responses) {
            expect(response.rows).toBeLessThanOrEqual(limits.maxRows);
            expect(response.queries).toBeLessThanOrEqual(limits.maxQueries);
            if (response.rows > 1)
              expect(jsonEscapedBytes(response.body)).toBeLessThanOrEqual(limits.maxBytes);
          }
          expect(responses.at(-1)?.nextKey).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });
});

async function firstLine(): Promise<string> {
  for await (const line of derConnectCsv((async function* () {})())) return line;
  throw new Error('no header');
}
