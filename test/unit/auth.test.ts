import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../shared/auth/authenticate.js';
import {
  bearerToken,
  generateApiToken,
  hashApiToken,
  isWellFormedApiToken,
} from '../../shared/auth/tokens.js';
import type { ApiTokenRecord } from '../../shared/storage/api-tokens.js';

const NOW = new Date('2026-06-01T12:00:00Z');

function record(overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  return {
    tokenId: 't1',
    tenantId: 'acme',
    name: 'test',
    scopes: ['entities:read'],
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt: '2026-12-01T00:00:00Z',
    revokedAt: null,
    ...overrides,
  };
}

describe('API tokens', () => {
  it('carry a prefix, 256 random bits and a checksum that catches any single changed character', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(),
        fc.constantFrom(...'ABCxyz019-_'),
        (bytes, at, replacement) => {
          const token = generateApiToken(bytes);
          expect(token).toMatch(/^evs_[A-Za-z0-9_-]{49}$/);
          expect(isWellFormedApiToken(token)).toBe(true);
          const i = 4 + (at % (token.length - 4));
          if (token[i] === replacement) return;
          expect(isWellFormedApiToken(token.slice(0, i) + replacement + token.slice(i + 1))).toBe(false);
        },
      ),
    );
  });

  it('refuses fewer than 32 random bytes', () => {
    expect(() => generateApiToken(new Uint8Array(16))).toThrow();
  });

  it('are hashed with SHA-256', () => {
    // sha256("abc"), the FIPS 180-2 test vector.
    expect(hashApiToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiToken('evs_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiToken('evs_x')).not.toBe(hashApiToken('evs_y'));
  });

  it('are read from a Bearer header, case-insensitively on the scheme only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('authenticate', () => {
  const token = generateApiToken(new Uint8Array(32).fill(7));
  const lookup = (found: ApiTokenRecord | undefined) => async (hash: string) =>
    hash === hashApiToken(token) ? found : undefined;

  it('accepts a live token and yields its tenant and scopes', async () => {
    expect(await authenticate(`Bearer ${token}`, lookup(record()), NOW)).toEqual({
      ok: true,
      principal: { tenantId: 'acme', tokenId: 't1', scopes: ['entities:read'] },
    });
  });

  it('rejects missing, malformed, unknown, revoked and expired tokens, each for its reason', async () => {
    expect(await authenticate(undefined, lookup(record()), NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(await authenticate('Bearer nope', lookup(record()), NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await authenticate(`Bearer ${token}`, lookup(undefined), NOW)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(
      await authenticate(`Bearer ${token}`, lookup(record({ revokedAt: '2026-05-01T00:00:00Z' })), NOW),
    ).toEqual({
      ok: false,
      reason: 'revoked',
    });
    expect(
      await authenticate(`Bearer ${token}`, lookup(record({ expiresAt: NOW.toISOString() })), NOW),
    ).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('never looks a malformed token up', async () => {
    let lookups = 0;
    await authenticate(
      'Bearer evs_short',
      async () => {
        lookups++;
        return record();
      },
      NOW,
    );
    expect(lookups).toBe(0);
  });
});
