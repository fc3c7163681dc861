// The building blocks our zod/mini schemas share, and the one-time setup zod/mini needs. zod/mini (not
// classic zod) because its functions tree-shake: classic's prototype methods cost ~100 KB per Lambda.

import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { regexes } from 'zod/v4/core';
import { isUuid } from './ids.js';

// zod/mini ships without messages ("Invalid input" for everything); our problem documents carry zod's
// English ones. shared/http/validation.ts imports this module, so they are set before a request is parsed.
z.config(en());

/** A string of `min`–`max` characters. */
export const boundedString = (min: number, max: number) =>
  z.string().check(z.minLength(min), z.maxLength(max));

/**
 * A string trimmed first, then of `min`–`max` characters: names and labels people type. The document says
 * it must hold a non-space character, or a client would send the all-blank name the trim leaves empty.
 */
export const trimmedString = (min: number, max: number) =>
  z
    .string()
    .check(z.trim(), z.minLength(min), z.maxLength(max), ...(min > 0 ? [z.meta({ pattern: '\\S' })] : []));

/**
 * The characters a name may hold, as a JSON Schema pattern (ECMA-262, read the same with or without the
 * `u` flag): well-formed UTF-16 (a surrogate only as half of a pair) without control characters — C0
 * (NUL, BEL, tab, line feed, …), DEL and C1 — or the Unicode line and paragraph separators. Names end up
 * in CSV rows, logs and other people's screens, where such characters break lines or hide text.
 */
export const NAME_PATTERN =
  '^(?:[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';
const NAME_CHARACTERS = new RegExp(NAME_PATTERN);
/**
 * NAME_PATTERN as the document states it: also at least one non-space character, as trimmedString says
 * (written without a lookahead, which some clients' and fuzzers' regex engines lack).
 */
const NAME_CHARACTER =
  '[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';
const NAME_NON_SPACE =
  '[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';
const NAME_DOCUMENT_PATTERN = `^(?:${NAME_CHARACTER})*(?:${NAME_NON_SPACE})(?:${NAME_CHARACTER})*$`;

/**
 * A name or label people type (an entity's name, a location's label, a charger's name, …): trimmed,
 * 1–`max` characters, and only characters NAME_PATTERN allows; anything else is `invalid_characters`.
 */
export const nameString = (max: number) =>
  trimmedString(1, max).check(
    z.refine((value: string) => NAME_CHARACTERS.test(value), {
      message: 'Must not contain control characters (NUL, BEL, tab, …), line breaks or unpaired surrogates.',
      params: { code: 'invalid_characters' },
    }),
    z.meta({ pattern: NAME_DOCUMENT_PATTERN }),
  );

/**
 * An id of ours (a UUID), e.g. `uuidString('an entity id')`. Any case is accepted (RFC 9562: UUIDs compare
 * case-insensitively) and read in lower case, the form stored in every key; anything else is refused as
 * `invalid_uuid`, so no key is ever built from arbitrary text.
 */
export const uuidString = (what: string) =>
  z
    .string()
    .check(
      z.toLowerCase(),
      z.refine(isUuid, { message: `Not ${what} (a UUID).`, params: { code: 'invalid_uuid' } }),
      z.meta({ format: 'uuid' }),
    );

/** A number in `min`–`max`, both inclusive. */
export const boundedNumber = (min: number, max: number) => z.number().check(z.minimum(min), z.maximum(max));

/** A safe integer in `min`–`max`, both inclusive. */
export const boundedInt = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/**
 * An RFC 3339 date-time with seconds and an offset or `Z`: zod's own date-time pattern (real calendar
 * dates, hours to 23, seconds to 59) with the lower-case `t` and `z` that RFC 3339 (§5.6) allows. Every
 * timestamp the API reads — readings, query ranges — is checked and read with this one pattern.
 */
export const RFC3339_DATE_TIME = (() => {
  const upper = regexes.datetime({ offset: true, local: false, precision: null }).source;
  const source = upper.replace('T(?:', '[Tt](?:').replace('(?:Z|', '(?:[Zz]|');
  // zod's pattern changing shape must not silently drop lower case: fail at load, not in a request.
  if (source.split('[Tt]').length !== 2 || source.split('[Zz]').length !== 2) {
    throw new Error("zod's date-time pattern changed; update RFC3339_DATE_TIME");
  }
  return new RegExp(source);
})();

/** Epoch milliseconds of an RFC 3339 date-time (digits finer than a millisecond dropped), or undefined. */
export function rfc3339ToMs(text: string): number | undefined {
  if (!RFC3339_DATE_TIME.test(text)) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isFinite(ms) ? ms : undefined;
}

/** A date-time field: RFC 3339 as RFC3339_DATE_TIME reads it; otherwise an `invalid_datetime` error. */
export const rfc3339DateTime = () =>
  z.stringFormat('datetime', RFC3339_DATE_TIME).check(z.meta({ format: 'date-time' }));
