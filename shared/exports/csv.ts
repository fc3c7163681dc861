// RFC 4180 CSV writing, and the pull-based streaming every CSV export shares.

/** RFC 4180 §2: records end with CRLF. */
export const CRLF = '\r\n';

/** Cells that must be quoted (RFC 4180 §2.6): they hold a comma, a quote, CR or LF. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV Injection"): `=`, `+`, `-`, `@`,
 * and tab or carriage return, which some spreadsheets strip before looking.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

export interface CellOptions {
  /**
   * Prefix text that starts like a formula with `'` so spreadsheets show it as text. Only for free text a
   * person may open in a spreadsheet; never for numbers we format or for machine uploads, where it would
   * change the value.
   */
  defuseFormula?: boolean;
}

export function csvCell(value: string, options: CellOptions = {}): string {
  const text = options.defuseFormula && FORMULA_TRIGGER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly string[]): string {
  return cells.join(',') + CRLF;
}

/**
 * Streams a CSV: the header line, then one line per session that `toLine` does not skip (it returns null).
 * Pull-based: a session is read from `sessions` only when the consumer asks for the next line, so memory
 * holds one session and one line however long the export is — the caller's page iterator decides how many
 * sessions sit in memory while it reads.
 */
export async function* csvStream<T>(
  header: readonly string[],
  sessions: AsyncIterable<T>,
  toLine: (session: T) => string | null,
  prefix = '',
): AsyncGenerator<string, void, undefined> {
  yield prefix + csvLine(header);
  for await (const session of sessions) {
    const line = toLine(session);
    if (line !== null) yield line;
  }
}
