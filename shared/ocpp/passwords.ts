// A charger's OCPP Basic-auth password (security profiles 1 and 2), kept only as a scrypt hash. scrypt
// from node:crypto: memory-hard, so a leaked table does not give passwords away to a GPU in hours, and
// no dependency. Its cost only shows on a handshake (once per connection), never per message.

import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** OCPP 2.0.1 BasicAuthPassword: a passwordString of 16 to 40 characters. */
export const OCPP_PASSWORD_MIN = 16;
export const OCPP_PASSWORD_MAX = 40;

/** N = 2^14, r = 8 (16 MiB, ~40 ms here): OWASP's floor for scrypt. Stored with the hash, so it can rise. */
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function derive(password: Buffer, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$<salt b64url>$<key b64url>`. */
export async function hashOcppPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(Buffer.from(password, 'utf8'), salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Whether `password` (the raw Basic-auth bytes) is the one hashed; false for anything malformed. */
export async function verifyOcppPassword(password: Buffer, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
