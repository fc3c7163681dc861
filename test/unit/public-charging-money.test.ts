// Pricing, tax, energy formatting, session tokens and rate-limit arithmetic of public charging.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../shared/errors.js';
import { divideHalfUp } from '../../shared/money.js';
import {
  energyCost,
  formatEnergyKwh,
  sessionCost,
  TAX_RATE_SCALE,
  taxPortion,
  taxRateMillionths,
  uncappedCost,
} from '../../shared/public-charging/money.js';
import {
  PUBLIC_RATE_LIMITS,
  rateCounterKey,
  rateDecision,
  rateWindow,
} from '../../shared/public-charging/rate-limits.js';
import {
  hashSessionToken,
  isWellFormedSessionToken,
  newSessionToken,
  SESSION_TOKEN_BYTES,
} from '../../shared/public-charging/tokens.js';

/** Reference: exact half-up division in BigInt, written independently of the code under test. */
const halfUpReference = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);

describe('divideHalfUp', () => {
  it('rounds halves up and everything else to the nearest integer', () => {
    expect(divideHalfUp(5, 10)).toBe(1);
    expect(divideHalfUp(4, 10)).toBe(0);
    expect(divideHalfUp(15, 10)).toBe(2);
    expect(divideHalfUp(25, 10)).toBe(3); // half-up, not banker's rounding
    expect(divideHalfUp(0, 7)).toBe(0);
  });
  it('matches exact BigInt arithmetic over the safe range', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 1, max: 2 ** 31 }), (n, d) => {
        expect(BigInt(divideHalfUp(n, d))).toBe(halfUpReference(BigInt(n), BigInt(d)));
      }),
      { seed: 1, numRuns: 2000 },
    );
  });
  it('refuses negative, fractional or unsafe inputs', () => {
    expect(() => divideHalfUp(-1, 2)).toThrow(RangeError);
    expect(() => divideHalfUp(1.5, 2)).toThrow(RangeError);
    expect(() => divideHalfUp(1, 0)).toThrow(RangeError);
    expect(() => divideHalfUp(2 ** 60, 3)).toThrow(RangeError);
  });
});

describe('session cost', () => {
  const tariff = { pricePerKwh: 45, startFee: 100 };
  it('is start fee + energy × price, rounded half-up on minor units', () => {
    expect(energyCost(12_345, 45)).toBe(556); // 555.525 → 556
    expect(energyCost(1_500, 1)).toBe(2); // 1.5 → 2
    expect(energyCost(1_499, 1)).toBe(1);
    expect(uncappedCost(tariff, 12_345)).toBe(656);
    expect(sessionCost(tariff, 12_345, 5_000)).toBe(656);
  });
  it('is capped at the authorized amount', () => {
    expect(sessionCost(tariff, 200_000, 5_000)).toBe(5_000);
    expect(sessionCost(tariff, 0, 50)).toBe(50);
  });
  it('never decreases as energy grows and never exceeds the hold', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000_000 }),
        fc.nat({ max: 10_000_000 }),
        fc.nat({ max: 100_000 }),
        fc.nat({ max: 10_000 }),
        fc.nat({ max: 1_000_000 }),
        (a, b, price, fee, hold) => {
          const t = { pricePerKwh: price, startFee: fee };
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(sessionCost(t, low, hold)).toBeLessThanOrEqual(sessionCost(t, high, hold));
          expect(sessionCost(t, high, hold)).toBeLessThanOrEqual(hold);
          expect(BigInt(energyCost(high, price))).toBe(halfUpReference(BigInt(high) * BigInt(price), 1000n));
        },
      ),
      { seed: 2, numRuns: 1000 },
    );
  });
});

describe('tax portion of a tax-inclusive amount', () => {
  it('carves tax out of the gross amount', () => {
    expect(taxPortion(1_000, 0.21)).toBe(174); // net 826.446… → 826
    expect(taxPortion(121, 0.21)).toBe(21);
    expect(taxPortion(1_000, 0)).toBe(0);
    expect(taxPortion(0, 0.21)).toBe(0);
    expect(taxPortion(1_000, 1)).toBe(500);
    expect(taxPortion(10_000, 0.08875)).toBe(815); // 8.875 %: net 9184.845… → 9185
  });
  it('is the gross minus the half-up net, exactly, for rates with up to six decimals', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.nat({ max: TAX_RATE_SCALE }), (gross, millionths) => {
        const rate = millionths / TAX_RATE_SCALE;
        const net = halfUpReference(
          BigInt(gross) * BigInt(TAX_RATE_SCALE),
          BigInt(TAX_RATE_SCALE + millionths),
        );
        expect(BigInt(taxPortion(gross, rate))).toBe(BigInt(gross) - net);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });
  it('refuses rates outside 0–1 or finer than millionths', () => {
    expect(taxRateMillionths(0.21)).toBe(210_000);
    expect(() => taxRateMillionths(1.01)).toThrow(RangeError);
    expect(() => taxRateMillionths(-0.1)).toThrow(RangeError);
    expect(() => taxRateMillionths(0.12345678)).toThrow(RangeError);
  });
});

describe('formatEnergyKwh', () => {
  it('writes whole Wh as kWh with three decimals', () => {
    expect(formatEnergyKwh(0)).toBe('0.000');
    expect(formatEnergyKwh(7)).toBe('0.007');
    expect(formatEnergyKwh(12_345)).toBe('12.345');
    expect(formatEnergyKwh(100_000)).toBe('100.000');
  });
  it('round-trips through decimal parsing without drift', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000_000 }), (wh) => {
        const text = formatEnergyKwh(wh);
        expect(text).toMatch(/^\d+\.\d{3}$/);
        expect(Number(text.replace('.', ''))).toBe(wh);
      }),
      { seed: 4, numRuns: 1000 },
    );
  });
});

describe('session tokens', () => {
  const bytes = (fill: number) => new Uint8Array(SESSION_TOKEN_BYTES).fill(fill);
  it('are pcs_ + 192 bits in URL-safe base64 and well formed', () => {
    const token = newSessionToken(bytes(0xff));
    expect(token).toBe(`pcs_${'_'.repeat(32)}`);
    expect(isWellFormedSessionToken(token)).toBe(true);
    expect(encodeURIComponent(token)).toBe(token);
  });
  it('differ for different randomness and carry all of it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: SESSION_TOKEN_BYTES, maxLength: SESSION_TOKEN_BYTES }),
        fc.uint8Array({ minLength: SESSION_TOKEN_BYTES, maxLength: SESSION_TOKEN_BYTES }),
        (a, b) => {
          const [ta, tb] = [newSessionToken(a), newSessionToken(b)];
          expect(isWellFormedSessionToken(ta)).toBe(true);
          expect(Buffer.from(ta.slice(4), 'base64url')).toEqual(Buffer.from(a));
          expect(ta === tb).toBe(Buffer.from(a).equals(Buffer.from(b)));
        },
      ),
      { seed: 5, numRuns: 500 },
    );
  });
  it('need exactly the stated randomness', () => {
    expect(() => newSessionToken(new Uint8Array(16))).toThrow(RangeError);
  });
  it('reject malformed tokens', () => {
    for (const bad of [
      '',
      'pcs_',
      `evs_${'a'.repeat(32)}`,
      `pcs_${'a'.repeat(31)}`,
      `pcs_${'a'.repeat(33)}`,
      `pcs_${'a'.repeat(31)}=`,
    ]) {
      expect(isWellFormedSessionToken(bad)).toBe(false);
    }
  });
  it('are stored as their SHA-256 hex', () => {
    expect(hashSessionToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSessionToken(newSessionToken(bytes(1)))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('rate limits', () => {
  it('states the public limits', () => {
    expect(PUBLIC_RATE_LIMITS.getSession).toEqual({ limit: 30, windowSeconds: 60, per: 'token' });
    expect(PUBLIC_RATE_LIMITS.startSession).toEqual({ limit: 3, windowSeconds: 60, per: 'ip' });
    expect(PUBLIC_RATE_LIMITS.sessionCommand).toEqual({ limit: 10, windowSeconds: 60, per: 'token' });
    expect(PUBLIC_RATE_LIMITS.getCharger).toEqual({ limit: 30, windowSeconds: 60, per: 'ip' });
    expect(PUBLIC_RATE_LIMITS.chargerStarts).toEqual({ limit: 12, windowSeconds: 3600, per: 'charger' });
  });
  it('align windows to the epoch', () => {
    expect(rateWindow(new Date('2025-03-01T10:00:42.250Z'), 60)).toEqual({
      windowStart: Date.parse('2025-03-01T10:00:00Z') / 1000,
      resetAt: Date.parse('2025-03-01T10:01:00Z') / 1000,
      retryAfterSeconds: 18,
    });
    expect(rateWindow(new Date('2025-03-01T10:59:59.999Z'), 3600).retryAfterSeconds).toBe(1);
    expect(rateWindow(new Date('2025-03-01T10:00:00.000Z'), 60).retryAfterSeconds).toBe(60);
  });
  it('contain now in [windowStart, resetAt) and never ask to wait past the reset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.constantFrom(1, 60, 3600, 86_400),
        (ms, w) => {
          const window = rateWindow(new Date(ms), w);
          expect(window.windowStart * 1000).toBeLessThanOrEqual(ms);
          expect(window.resetAt * 1000).toBeGreaterThan(ms);
          expect(window.resetAt - window.windowStart).toBe(w);
          expect(window.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(window.retryAfterSeconds).toBeLessThanOrEqual(w);
          expect(ms + window.retryAfterSeconds * 1000).toBeGreaterThanOrEqual(window.resetAt * 1000);
        },
      ),
      { seed: 6, numRuns: 1000 },
    );
  });
  it('allow up to the limit with the remaining count, then answer 429 with Retry-After', () => {
    const window = rateWindow(new Date('2025-03-01T10:00:42Z'), 60);
    expect(rateDecision(1, 3, window)).toEqual({
      allowed: true,
      headers: { 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '2' },
    });
    expect(rateDecision(3, 3, window)).toMatchObject({
      allowed: true,
      headers: { 'X-RateLimit-Remaining': '0' },
    });
    const denied = rateDecision(4, 3, window);
    expect(denied.allowed).toBe(false);
    expect(denied.headers).toEqual({
      'X-RateLimit-Limit': '3',
      'X-RateLimit-Remaining': '0',
      'Retry-After': '18',
    });
    if (denied.allowed) throw new Error('unreachable');
    expect(denied.error).toBeInstanceOf(RateLimitedError);
    expect(denied.error.status).toBe(429);
    expect(denied.error.headers).toEqual(denied.headers);
  });
  it('name one counter per rule, subject and window', () => {
    const window = rateWindow(new Date('2025-03-01T10:00:42Z'), 60);
    expect(rateCounterKey('startSession', '203.0.113.9', window)).toBe(
      `startSession#203.0.113.9#${window.windowStart}`,
    );
  });
  it('refuse meaningless inputs', () => {
    expect(() => rateWindow(new Date(0), 0)).toThrow(RangeError);
    expect(() => rateDecision(0, 3, rateWindow(new Date(0), 60))).toThrow(RangeError);
  });
});
