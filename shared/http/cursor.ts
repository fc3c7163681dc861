// Continuation tokens: the DynamoDB position of the next page, sealed with AES-256-GCM so a client can
// neither read nor alter it, and bound to the tenant and the query it came from. A token that fails to
// open, belongs to another tenant or query, or is older than MAX_AGE is answered with 400.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';

/** A page link stays usable for a day: long enough for any export walk, short enough to bound replay. */
export const CONTINUATION_TOKEN_MAX_AGE_MS = 24 * 3600 * 1000;

export interface CursorBinding {
  tenantId: string;
  /** The operation and every query parameter that shapes the result, except the page size. */
  query: string;
}

interface Sealed {
  /** Binding hash. */
  b: string;
  /** Issued at (epoch ms). */
  t: number;
  /** The position (a DynamoDB key). */
  k: Record<string, unknown>;
}

function bindingHash(binding: CursorBinding): string {
  return createHash('sha256')
    .update(`${binding.tenantId}\n${binding.query}`)
    .digest('base64url')
    .slice(0, 22);
}

function keyFrom(secret: string): Buffer {
  return createHash('sha256').update(`evsessions-cursor:${secret}`).digest();
}

export function sealCursor(
  position: Record<string, unknown>,
  binding: CursorBinding,
  secret: string,
  now: Date,
): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const payload: Sealed = { b: bindingHash(binding), t: now.getTime(), k: position };
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

function invalid(reason: string): ValidationError {
  return new ValidationError(
    'invalid_continuation_token',
    `The continuation token is not valid: ${reason}.`,
    {
      errors: [{ in: 'query', field: 'continuationToken', code: 'invalid', message: reason }],
    },
  );
}

export function openCursor(
  token: string,
  binding: CursorBinding,
  secret: string,
  now: Date,
): Record<string, unknown> {
  const raw = /^[A-Za-z0-9_-]{40,4096}$/.test(token) ? Buffer.from(token, 'base64url') : undefined;
  if (!raw || raw.length < 29) throw invalid('it is not a token this API issued');
  let payload: Sealed;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    payload = JSON.parse(plain) as Sealed;
  } catch {
    throw invalid('it is not a token this API issued');
  }
  if (payload.b !== bindingHash(binding)) throw invalid('it belongs to a different query');
  if (now.getTime() - payload.t > CONTINUATION_TOKEN_MAX_AGE_MS) throw invalid('it has expired; start again');
  return payload.k;
}
