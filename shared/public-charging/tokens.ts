// Public charging session tokens: the driver's only credential for a session. `pcs_` + 192 random bits
// (base64url), so a token is recognisable in logs and by secret scanners and cannot be guessed. Only
// its SHA-256 is ever stored; the token itself exists in the POST response and the driver's app.

import { createHash } from 'node:crypto';

export const SESSION_TOKEN_PREFIX = 'pcs_';
/** 24 bytes = 192 bits (≥ 128 required), exactly 32 base64url characters with no padding. */
export const SESSION_TOKEN_BYTES = 24;
export const SESSION_TOKEN_PATTERN = /^pcs_[A-Za-z0-9_-]{32}$/;

export function newSessionToken(random: Uint8Array): string {
  if (random.length !== SESSION_TOKEN_BYTES) {
    throw new RangeError(`a session token needs exactly ${SESSION_TOKEN_BYTES} random bytes`);
  }
  return `${SESSION_TOKEN_PREFIX}${Buffer.from(random).toString('base64url')}`;
}

/** Shape check before any lookup: a malformed token is a 404 without a database read. */
export function isWellFormedSessionToken(token: string): boolean {
  return SESSION_TOKEN_PATTERN.test(token);
}

/** SHA-256 hex: the stored form and the lookup key. A fast hash suffices for 192-bit random secrets. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
