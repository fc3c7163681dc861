// One CSV response of a session listing, within the limits of a buffered API Gateway → Lambda response
// (no response streaming on HTTP APIs; 6 MB per invocation). Sessions are read a Query at a time and
// pulled one by one through a pure CSV generator (shared/exports), so memory holds one Query page and the
// text written so far, never the whole history. The response stops at a row count, a byte size or a
// Query budget, and then says where the next one resumes: right after the last session it consumed.
// Storage is injected (`fetch`, `position`), so this is pure and tested without DynamoDB.

import type { Page, Position } from '../storage/page.js';
import type { ChargeSessionRecord } from './model.js';

export interface CsvResponseLimits {
  /** Data rows at most (the header is not counted). */
  maxRows: number;
  /** Bytes of the body at most, counted JSON-escaped (see CSV_MAX_RESPONSE_BYTES); one row always fits. */
  maxBytes: number;
  /** Sessions asked for per Query. */
  queryItems: number;
  /** Queries at most. */
  maxQueries: number;
}

export interface CsvResponseOptions extends CsvResponseLimits {
  /** Where to resume (from a continuation token), or undefined for the start of the range. */
  startKey: Position | undefined;
  /** One Query: up to `limit` sessions after `startKey`, with the key to continue from when more may exist. */
  fetch(startKey: Position | undefined, limit: number): Promise<Page<ChargeSessionRecord>>;
  /** The position right after a session, in the listing `fetch` reads. */
  position(session: ChargeSessionRecord): Position;
  /** Called with each page before its sessions are written (to look up what the CSV needs about them). */
  onPage?(sessions: readonly ChargeSessionRecord[]): Promise<void>;
  /** The CSV generator: the header line first, then a line per session it does not skip. */
  write(sessions: AsyncIterable<ChargeSessionRecord>): AsyncIterable<string>;
}

export interface CsvResponse {
  body: string;
  /** Data rows written. */
  rows: number;
  queries: number;
  /** Where the next response resumes; undefined when the listing is complete. */
  nextKey: Position | undefined;
}

/** The size a string takes inside the Lambda's JSON response payload. */
export function jsonEscapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

export async function buildCsvResponse(options: CsvResponseOptions): Promise<CsvResponse> {
  // What the source has handed out: the session whose line the generator yields next is `current`.
  let previous: ChargeSessionRecord | undefined;
  let current: ChargeSessionRecord | undefined;
  let moreAfterCurrent = false;
  let yielded = 0;
  let queries = 0;
  let budgetKey: Position | undefined;

  async function* source(): AsyncGenerator<ChargeSessionRecord> {
    let key = options.startKey;
    for (;;) {
      if (queries === options.maxQueries) {
        budgetKey = key;
        return;
      }
      const limit = Math.max(1, Math.min(options.queryItems, options.maxRows - yielded));
      const page = await options.fetch(key, limit);
      queries++;
      await options.onPage?.(page.items);
      for (const [index, session] of page.items.entries()) {
        previous = current;
        current = session;
        moreAfterCurrent = index < page.items.length - 1 || page.nextKey !== undefined;
        yielded++;
        yield session;
      }
      if (!page.nextKey) return;
      key = page.nextKey;
    }
  }

  const lines = options.write(source())[Symbol.asyncIterator]();
  const chunks: string[] = [];
  let bytes = 0;
  let rows = 0;
  let nextKey: Position | undefined;
  try {
    const header = await lines.next();
    if (!header.done) {
      chunks.push(header.value);
      bytes += jsonEscapedBytes(header.value);
    }
    for (;;) {
      const line = await lines.next();
      if (line.done) {
        nextKey = budgetKey;
        break;
      }
      const size = jsonEscapedBytes(line.value);
      if (rows > 0 && bytes + size > options.maxBytes) {
        // This line's session is left for the next response, which resumes right after the one before it.
        nextKey = previous ? options.position(previous) : options.startKey;
        break;
      }
      chunks.push(line.value);
      bytes += size;
      rows++;
      if (rows >= options.maxRows) {
        nextKey = moreAfterCurrent && current ? options.position(current) : undefined;
        break;
      }
    }
  } finally {
    await lines.return?.();
  }
  return { body: chunks.join(''), rows, queries, nextKey };
}
