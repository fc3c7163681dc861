// The CSV exports stream: they pull one session per line they yield, never read ahead, stop reading when
// the consumer stops, and get a busy station's quarter through without holding it. Proven by counting
// what the source has handed out against what the consumer has received, not by timing or RSS.

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { derConnectCsv } from '../../shared/exports/der-connect-csv.js';
import { evchartCsv } from '../../shared/exports/evchart.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { describeErrors, EVCHART_README_COLUMNS, validateEvchartRow } from '../schemas/validators.js';
import { cpMeasuredSession, REGISTERED_CONTEXT } from './export-fixtures.js';

/** A quarter at one busy station: 20,000 sessions, about 220 a day. */
const QUARTER_SESSIONS = 20_000;
/** DynamoDB-style pages, as the read path delivers them. */
const PAGE_SIZE = 25;

interface Source {
  sessions: AsyncGenerator<ChargeSessionRecord>;
  /** Sessions handed to the exporter so far. */
  handedOut: () => number;
  /** Pages fetched so far, and whether the generator ran its cleanup. */
  pagesFetched: () => number;
  closed: () => boolean;
}

/** Generates sessions page by page on demand; nothing exists before it is asked for. */
function pagedSource(total: number): Source {
  let handedOut = 0;
  let pagesFetched = 0;
  let closed = false;
  const startMs = Date.parse('2024-04-01T00:00:00Z');
  async function* sessions(): AsyncGenerator<ChargeSessionRecord> {
    try {
      for (let offset = 0; offset < total; offset += PAGE_SIZE) {
        pagesFetched += 1;
        // One page at a time, as a query with a continuation token would return it.
        const page = await Promise.resolve(
          Array.from({ length: Math.min(PAGE_SIZE, total - offset) }, (_, index) => {
            const n = offset + index;
            const start = startMs + n * 6 * 60_000;
            return cpMeasuredSession(
              {
                connectorId: (n % 2) + 1,
                plugStart: new Date(start - 60_000).toISOString(),
                plugEnd: new Date(start + 40 * 60_000).toISOString(),
                costAmount: 500 + (n % 900),
              },
              {
                id: `0190a1b2-0001-7000-8000-${n.toString().padStart(12, '0')}`,
                start: new Date(start).toISOString(),
                end: new Date(start + 35 * 60_000).toISOString(),
                energyKwh: 10 + (n % 50),
              },
            );
          }),
        );
        for (const session of page) {
          handedOut += 1;
          yield session;
        }
      }
    } finally {
      closed = true;
    }
  }
  return {
    sessions: sessions(),
    handedOut: () => handedOut,
    pagesFetched: () => pagesFetched,
    closed: () => closed,
  };
}

describe('streaming CSV exports', () => {
  it('reads nothing before the consumer asks, then exactly one session per line', async () => {
    const source = pagedSource(100);
    const lines = derConnectCsv(source.sessions, REGISTERED_CONTEXT)[Symbol.asyncIterator]();
    expect(source.handedOut()).toBe(0);
    await lines.next(); // the header
    expect(source.handedOut()).toBe(0);
    for (let pulled = 1; pulled <= 30; pulled++) {
      await lines.next();
      expect(source.handedOut()).toBe(pulled);
    }
    expect(source.pagesFetched()).toBe(2); // 30 sessions: the second page of 25 is open, no third
  });

  it("gets a busy station's quarter through EV-ChART holding one session and one page at a time", async () => {
    const source = pagedSource(QUARTER_SESSIONS);
    let chunks = 0;
    let maxReadAhead = 0;
    let bytes = 0;
    let lastLine = '';
    for await (const chunk of evchartCsv(source.sessions, REGISTERED_CONTEXT)) {
      chunks += 1;
      bytes += Buffer.byteLength(chunk);
      // Rows received so far is chunks - 1 (the header); the source may be at most that far.
      maxReadAhead = Math.max(maxReadAhead, source.handedOut() - (chunks - 1));
      lastLine = chunk;
    }
    expect(chunks).toBe(QUARTER_SESSIONS + 1);
    expect(maxReadAhead).toBe(0);
    expect(source.pagesFetched()).toBe(QUARTER_SESSIONS / PAGE_SIZE);
    expect(source.closed()).toBe(true);
    expect(bytes).toBeGreaterThan(QUARTER_SESSIONS * 100);
    // The last row is the last session, whole and valid.
    const [header = [], cells = []] = parse(
      `${EVCHART_README_COLUMNS.join(',')}\r\n${lastLine}`,
    ) as string[][];
    const row = Object.fromEntries(header.map((column, index) => [column, cells[index] ?? '']));
    expect(row['session_id']).toBe(
      `0190a1b2-0001-7000-8000-${(QUARTER_SESSIONS - 1).toString().padStart(12, '0')}`,
    );
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
  });

  it('stops reading and closes the source when the consumer stops (a client hanging up)', async () => {
    const source = pagedSource(QUARTER_SESSIONS);
    let rows = 0;
    for await (const _chunk of derConnectCsv(source.sessions, REGISTERED_CONTEXT)) {
      rows += 1;
      if (rows === 11) break; // header and ten rows
    }
    expect(source.handedOut()).toBe(10);
    expect(source.pagesFetched()).toBe(1);
    expect(source.closed()).toBe(true);
  });

  it('passes a failure of the source on to the consumer', async () => {
    async function* failing(): AsyncGenerator<ChargeSessionRecord> {
      yield cpMeasuredSession();
      throw new Error('DynamoDB throttled');
    }
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of evchartCsv(failing(), REGISTERED_CONTEXT)) seen.push(chunk);
      })(),
    ).rejects.toThrow('DynamoDB throttled');
    expect(seen).toHaveLength(2); // the header and the row before the failure
  });
});
