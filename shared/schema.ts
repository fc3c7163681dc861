// The building blocks our zod/mini schemas share, and the one-time setup zod/mini needs. zod/mini (not
// classic zod) because its functions tree-shake: classic's prototype methods cost ~100 KB per Lambda.

import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { isUuid } from './ids.js';

// zod/mini ships without messages ("Invalid input" for everything); our problem documents carry zod's
// English ones. shared/http/validation.ts imports this module, so they are set before a request is parsed.
z.config(en());

/** A string of `min`–`max` characters. */
export const boundedString = (min: number, max: number) =>
  z.string().check(z.minLength(min), z.maxLength(max));

/** A string trimmed first, then of `min`–`max` characters: names and labels people type. */
export const trimmedString = (min: number, max: number) =>
  z.string().check(z.trim(), z.minLength(min), z.maxLength(max));

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
