// Bearer tokens for third-party apps: `evs_` + 256 random bits (base64url) + a CRC-32 check, so a
// malformed or mistyped token is rejected without a database read and secret scanners can spot them.
// Only the SHA-256 of a token is ever stored.

import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'evs_';
const BODY_LENGTH = 43; // 32 bytes in unpadded base64url
const CHECK_LENGTH = 6; // 4 bytes of CRC-32 in unpadded base64url
const TOKEN_PATTERN = new RegExp(
  `^${TOKEN_PREFIX}[A-Za-z0-9_-]{${BODY_LENGTH}}[A-Za-z0-9_-]{${CHECK_LENGTH}}$`,
);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(crc32(body));
  return buffer.toString('base64url');
}

export function generateApiToken(random: Uint8Array = randomBytes(32)): string {
  if (random.length !== 32) throw new Error('an API token needs exactly 32 random bytes');
  const body = Buffer.from(random).toString('base64url');
  return `${TOKEN_PREFIX}${body}${checksum(body)}`;
}

export function isWellFormedApiToken(token: string): boolean {
  if (!TOKEN_PATTERN.test(token)) return false;
  const body = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + BODY_LENGTH);
  return token.slice(TOKEN_PREFIX.length + BODY_LENGTH) === checksum(body);
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token from an `Authorization: Bearer <token>` header value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match?.[1];
}
