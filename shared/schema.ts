// The building blocks our zod/mini schemas share, and the one-time setup zod/mini needs. zod/mini (not
// classic zod) because its functions tree-shake: classic's prototype methods cost ~100 KB per Lambda.

import { en } from 'zod/locales';
import * as z from 'zod/mini';

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

/** A number in `min`–`max`, both inclusive. */
export const boundedNumber = (min: number, max: number) => z.number().check(z.minimum(min), z.maximum(max));

/** A safe integer in `min`–`max`, both inclusive. */
export const boundedInt = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
