// Deterministic charge-session ids: the same entity and the same first charging reading always give the
// same id, so re-running the engine over overlapping windows upserts instead of duplicating, and a session
// shown in progress keeps its id when it completes.

import { hash } from 'node:crypto';

/** Versioned so a future change of the id scheme can never collide with ids made by this one. */
const NAMESPACE = 'evsessions/charge-session/v2';

/** The hex digit of a variant byte's high nibble: RFC 9562 variant bits `10`, then the digest's next two bits. */
const VARIANT_DIGITS = ['8', '9', 'a', 'b'] as const;

/**
 * UUID version 8 (RFC 9562, vendor-specific) from the first 128 bits of SHA-256(namespace, entity, anchor), the anchor being
 * the time of the reading that first showed the charge (v1 used the start, which can move while in progress).
 * Built from the hex digest (about half the cost of a Buffer digest, hex conversion and slicing; the
 * engine makes one per session): the version digit replaces the high nibble of byte 6 (hex digit 12), the
 * variant bits the top two bits of byte 8 (hex digit 16).
 */
export function chargeSessionId(entityId: string, anchorMs: number): string {
  const hex = hash('sha256', `${NAMESPACE}\0${entityId}\0${Math.floor(anchorMs)}`, 'hex');
  const variant = VARIANT_DIGITS[Number.parseInt(hex[16]!, 16) & 0b11];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
