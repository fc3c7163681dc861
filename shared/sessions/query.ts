// The rules of a charge-session query, pure: how a date-time parameter is read, which ranges are
// allowed, how many sessions one response holds, and which representation (a JSON page or a CSV file)
// a request asks for. The route schemas (schemas.ts) and the HTTP adapter (http.ts) apply them.

import * as z from 'zod/mini';
import { NotAcceptableError, UnprocessableError, ValidationError } from '../errors.js';
import { EXPORT_FORMAT_INFO, type ExportFormat } from '../exports/index.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../http/pagination.js';
import { rfc3339ToMs } from '../schema.js';

/**
 * The longest explicit range (`end - start`): a year of 366 days, so the longest reporting period in the
 * field (an annual report over a leap year; EV-ChART is quarterly) fits in one query. It does not protect
 * cost — every page is one bounded Query whatever the range — it refuses ranges that are almost always a
 * mistyped year. An open range (no `end`) has no upper bound and is not limited.
 */
export const MAX_RANGE_DAYS = 366;
export const MAX_RANGE_MS = MAX_RANGE_DAYS * 86_400_000;

/**
 * Rows one CSV response holds at most (and its default `pageSize`). At about 250 bytes a row that is
 * ~2.5 MB, under the byte cap below, and reads in 20 Queries of CSV_QUERY_ITEMS.
 */
export const CSV_MAX_ROWS = 10_000;

/**
 * Bytes of CSV one response carries at most, counted as the JSON-escaped string the Lambda returns (the
 * 6 MB synchronous-invocation limit is on that payload; quotes and line ends double in it). 4 MiB leaves
 * room for headers and for one more row of any size a session can have (items are at most 400 KB).
 */
export const CSV_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Sessions read per DynamoDB Query while writing a CSV: about 500 KB per Query, one page held at a time. */
export const CSV_QUERY_ITEMS = 500;

/**
 * Queries one CSV response may issue. Bounds its duration when a `type` filter discards most sessions
 * read (each Query examines at most CSV_QUERY_ITEMS); the response then ends early with a next link.
 */
export const CSV_MAX_QUERIES = 40;

/** Instants are compared to stored keys at millisecond precision; these bound the four-digit years keys use. */
const MIN_INSTANT_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

export const DATE_TIME_HINT =
  'an RFC 3339 date-time with seconds and an offset or Z (t and z may be lower case), e.g. 2026-01-01T00:00:00Z or 2026-01-01T01:00:00+01:00 (a bare date is not accepted: it does not say which midnight)';

/**
 * The instant a date-time parameter names, as the stored keys write it (ISO 8601 UTC, milliseconds), or
 * undefined when the text is not an RFC 3339 date-time with an offset (read by rfc3339ToMs, the API's one
 * date-time reader). A space where the offset's sign belongs is read as `+`: that is what an unencoded
 * `+` in a query string decodes to. A fraction finer than a millisecond rounds up, so an inclusive start and an exclusive end stay exact at the
 * millisecond keys: `start=…00.0005Z` excludes a session at `…00.000Z`, and `end=…00.0005Z` includes it.
 */
export function parseInstant(text: string): string | undefined {
  const normalised = text.replace(/ (\d{2}:\d{2})$/, '+$1');
  let ms = rfc3339ToMs(normalised);
  if (ms === undefined) return undefined;
  const fraction = /\.(\d+)/.exec(normalised)?.[1] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) ms += 1;
  if (!(ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS)) return undefined;
  return new Date(ms).toISOString();
}

/**
 * A date-time query parameter (up to 64 characters, so a long value costs nothing to refuse), read with
 * parseInstant into the canonical instant; anything else is an `invalid_datetime` field error.
 */
export function instantParameter(description: string, example: string) {
  return z
    .pipe(
      z.string().check(z.maxLength(64)),
      z.transform((text: string, ctx) => {
        const instant = parseInstant(text);
        if (instant !== undefined) return instant;
        ctx.issues.push({
          code: 'custom',
          input: text,
          message: `Expected ${DATE_TIME_HINT}.`,
          params: { code: 'invalid_datetime' },
        });
        return z.NEVER;
      }),
    )
    .check(z.meta({ format: 'date-time', description, example }));
}

/** Why `end` cannot go with `start`, or undefined when the range is allowed. Both are canonical instants. */
export function rangeProblem(start: string, end: string | undefined): string | undefined {
  if (end === undefined) return undefined;
  const span = Date.parse(end) - Date.parse(start);
  if (span <= 0) return `end (${end}) must be after start (${start}); end is exclusive.`;
  if (span > MAX_RANGE_MS) {
    return `The range from start to end may span at most ${MAX_RANGE_DAYS} days; page through longer periods in several queries or leave end out.`;
  }
  return undefined;
}

// ----- representation ----------------------------------------------------------------------------------

/** `sessions` is the DER-Connect JSON page; the others are the export formats. */
export type Representation = 'sessions' | ExportFormat;

export const JSON_MEDIA_TYPE = 'application/json';
export const CSV_MEDIA_TYPE = 'text/csv';

/** The formats written as CSV files rather than JSON pages. */
export type CsvFormat = 'csv' | 'evchart';

export function isCsv(representation: Representation): representation is CsvFormat {
  return representation !== 'sessions' && EXPORT_FORMAT_INFO[representation].streamed;
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaRange = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const match = /^([\w.+*-]+)\/([\w.+*-]+)$/.exec(mediaRange.toLowerCase());
    if (!match) continue;
    let q = 1;
    for (const parameter of parameters) {
      const qMatch = /^q=([01](?:\.\d{0,3})?)$/i.exec(parameter);
      if (qMatch) q = Math.min(1, Number(qMatch[1]));
    }
    ranges.push({ type: match[1] as string, subtype: match[2] as string, q });
  }
  return ranges;
}

/** The q-value the Accept ranges give a media type, from its most specific matching range (RFC 9110 §12.5.1). */
function qualityOf(mediaType: string, ranges: MediaRange[]): { q: number; specificity: number } {
  const [type, subtype] = mediaType.split('/') as [string, string];
  let best: { q: number; specificity: number } = { q: 0, specificity: -1 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > best.specificity) best = { q: range.q, specificity };
  }
  return best;
}

/**
 * The representation a request asks for: `format` when given (it wins over Accept), else the Accept
 * header's choice between application/json (the DER-Connect page) and text/csv (the DER-Connect CSV). No
 * Accept, or one that takes anything, is JSON; on equal quality JSON wins unless text/csv was named and
 * JSON only matched through a wildcard. An Accept that takes neither is 406.
 */
export function chooseRepresentation(
  format: ExportFormat | undefined,
  accept: string | undefined,
): Representation {
  if (format) return format;
  if (accept === undefined || accept.trim() === '') return 'sessions';
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 'sessions';
  const json = qualityOf(JSON_MEDIA_TYPE, ranges);
  const csv = qualityOf(CSV_MEDIA_TYPE, ranges);
  if (json.q <= 0 && csv.q <= 0) {
    throw new NotAcceptableError(
      'not_acceptable',
      `Charge sessions are served as ${JSON_MEDIA_TYPE} or ${CSV_MEDIA_TYPE}; the Accept header '${accept}' takes neither. Use format=atlas|evchart|beckn|csv to choose an export.`,
      {
        errors: [
          {
            in: 'header',
            field: 'accept',
            code: 'not_acceptable',
            message: `Accept ${JSON_MEDIA_TYPE} or ${CSV_MEDIA_TYPE}.`,
          },
        ],
      },
    );
  }
  if (csv.q > json.q || (csv.q === json.q && csv.specificity > json.specificity)) return 'csv';
  return 'sessions';
}

/**
 * Sessions per response: JSON pages hold 1–MAX_PAGE_SIZE (default DEFAULT_PAGE_SIZE), as DER-Connect's;
 * a CSV response holds 1–CSV_MAX_ROWS rows (default CSV_MAX_ROWS), within the byte cap.
 */
export function pageSizeFor(representation: Representation, requested: number | undefined): number {
  if (isCsv(representation)) return requested ?? CSV_MAX_ROWS;
  if (requested === undefined) return DEFAULT_PAGE_SIZE;
  if (requested > MAX_PAGE_SIZE) {
    throw new ValidationError(
      'validation_failed',
      `Invalid query.pageSize: JSON pages hold at most ${MAX_PAGE_SIZE} sessions.`,
      {
        errors: [
          {
            in: 'query',
            field: 'pageSize',
            code: 'too_big',
            message: `At most ${MAX_PAGE_SIZE} for JSON pages (CSV responses take up to ${CSV_MAX_ROWS}).`,
          },
        ],
      },
    );
  }
  return requested;
}

/**
 * Refuses a format for an entity type it cannot hold, before anything is read: EV-ChART Module 2 reports
 * a station's sessions, so `format=evchart` refuses EVs (422 format_not_applicable, naming `format`).
 */
export function assertFormatApplies(
  representation: Representation,
  entityType: 'EV' | 'CP',
  subject: string,
): void {
  if (representation === 'sessions') return;
  const accepted = EXPORT_FORMAT_INFO[representation].entityTypes;
  if (accepted.includes(entityType)) return;
  throw new UnprocessableError(
    'format_not_applicable',
    `format=${representation} holds sessions of ${accepted.join(' and ')} entities only; ${subject} is of type ${entityType}.`,
    {
      errors: [
        {
          in: 'query',
          field: 'format',
          code: 'format_not_applicable',
          message: `Not for entities of type ${entityType}.`,
        },
      ],
    },
  );
}

/**
 * Refuses `status=active|all` with an export: Atlas, EV-ChART, Beckn and the CSV report what happened,
 * and an active session's values are provisional (they would change under the same export's next run).
 */
export function assertStatusApplies(representation: Representation, status: string | undefined): void {
  if (representation === 'sessions' || status === undefined || status === 'completed') return;
  throw new UnprocessableError(
    'format_not_applicable',
    `status=${status} is served as JSON pages only (application/json, no format): exports (${representation}) hold completed sessions, whose values are final.`,
    {
      errors: [
        {
          in: 'query',
          field: 'status',
          code: 'format_not_applicable',
          message: 'Exports hold completed sessions only.',
        },
      ],
    },
  );
}
