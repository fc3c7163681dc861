// Pricing, tax, energy formatting, session tokens and rate-limit arithmetic of public charging.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../shared/errors.js';
import { formatEnergyKwh, taxRateMillionths } from '../../shared/public-charging/money.js';
import {
  type ChargerTariff,
  capturedTax,
  chargedAmount,
  keepEnergySample,
  priceCharging,
  pricedUntil,
  pricingSummary,
  pricingTariff,
} from '../../shared/public-charging/pricing.js';
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

const pricing = { currency: 'EUR', pricePerKwh: 45, startFee: 100, taxRate: 0.21 };
/** A session's pricing facts: charging from `start`, the register read at each (minute, Wh). */
function facts(
  energyWh: number,
  options: { tariff?: ChargerTariff; timeZone?: string; samples?: [number, number][] } = {},
) {
  const start = Date.UTC(2025, 2, 1, 10, 0);
  const at = (minute: number) => new Date(start + minute * 60_000).toISOString();
  return {
    pricing,
    tariff: options.tariff ?? null,
    timeZone: options.timeZone ?? null,
    chargingStartedAt: at(0),
    energyWh,
    amountAuthorized: 5_000,
    meter: {
      registerMinWh: 0,
      registerBeginWh: 0,
      samples: (options.samples ?? []).map(([minute, wh]) => ({ at: at(minute), wh })),
    },
    at,
  };
}

describe("a public charger's price is a tariff, priced once per session, half-even", () => {
  it('writes tax-inclusive pricing as the tariff it stands for, and reads the headline back', () => {
    expect(pricingTariff(pricing)).toEqual({
      id: null,
      version: null,
      currency: 'EUR',
      elements: [
        {
          priceComponents: [
            { type: 'ENERGY', price: 0.371901, vat: 21 },
            { type: 'FLAT', price: 0.826446, vat: 21 },
          ],
        },
      ],
    });
    expect(pricingSummary(pricingTariff(pricing))).toEqual(pricing);
  });
  it('the headline round-trips for every price, tax rate and minor unit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 1_000_000 }),
        (currency, pricePerKwh, startFee, millionths) => {
          const p = { currency, pricePerKwh, startFee, taxRate: millionths / 1_000_000 };
          const back = pricingSummary(pricingTariff(p));
          expect(back).toMatchObject({ currency, pricePerKwh, startFee });
        },
      ),
      { seed: 2, numRuns: 1000 },
    );
  });
  it('charges start fee + energy with VAT: 12.345 kWh at 45 + 100 is 656, capped at the hold', () => {
    // 12.345 × 0.371901 + 0.826446 = 5.4175642… → 542 excluding VAT, 113.7689 → 114 VAT: 656.
    const f = facts(12_345, { samples: [[30, 12_345]] });
    const price = priceCharging(f, f.at(30));
    expect(price).toMatchObject({ gross: 656, cost: { total: 542, tax: 114, tariffId: null } });
    expect(chargedAmount(f, f.at(30))).toBe(656);
    expect(chargedAmount({ ...f, energyWh: 200_000 }, f.at(30))).toBe(5_000);
    expect(chargedAmount({ ...f, energyWh: null }, f.at(30))).toBeNull();
  });
  it('never decreases as energy grows, never exceeds the hold, and its breakdown sums to the total', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2_000_000 }),
        fc.nat({ max: 2_000_000 }),
        fc.nat({ max: 100_000 }),
        fc.nat({ max: 10_000 }),
        fc.nat({ max: 1_000_000 }),
        (a, b, pricePerKwh, startFee, hold) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const p = { ...pricing, pricePerKwh, startFee };
          const f = (wh: number) => ({
            ...facts(wh, { samples: [[60, wh]] }),
            pricing: p,
            amountAuthorized: hold,
          });
          const until = f(0).at(60);
          expect(chargedAmount(f(low), until)!).toBeLessThanOrEqual(chargedAmount(f(high), until)!);
          expect(chargedAmount(f(high), until)!).toBeLessThanOrEqual(hold);
          const { cost, gross } = priceCharging(f(high), until)!;
          expect(cost.breakdown.reduce((sum, line) => sum + line.amount, 0)).toBe(cost.total);
          expect(gross).toBe(cost.total + cost.tax);
          expect(cost.total).toBeGreaterThanOrEqual(0);
        },
      ),
      { seed: 3, numRuns: 500 },
    );
  });
  it("prices a time-of-use tariff by the meter curve in the charge point's zone, not evenly", () => {
    // 0.20 before 11:30 Amsterdam time (10:30Z in March), 0.40 after; VAT 0. The register rises 9 kWh by
    // 10:30Z and 1 kWh in the half hour after: 9 × 0.20 + 1 × 0.40 = 2.20 (spread evenly it would be 3.00).
    const tariff: ChargerTariff = {
      id: '0195512a-0000-7000-8000-00000000aaaa',
      version: 3,
      currency: 'EUR',
      elements: [
        { priceComponents: [{ type: 'ENERGY', price: 0.2 }], restrictions: { endTime: '11:30' } },
        { priceComponents: [{ type: 'ENERGY', price: 0.4 }] },
      ],
    };
    const f = facts(10_000, {
      tariff,
      timeZone: 'Europe/Amsterdam',
      samples: [
        [15, 8_000],
        [30, 9_000],
        [60, 10_000],
      ],
    });
    const price = priceCharging(f, f.at(60))!;
    expect(price.cost).toMatchObject({ total: 220, tax: 0, tariffId: tariff.id, tariffVersion: 3 });
    expect(price.cost.breakdown.map((l) => [l.type, l.price, l.quantity, l.amount, l.to])).toEqual([
      ['ENERGY', 0.2, 9, 180, f.at(30)],
      ['ENERGY', 0.4, 1, 40, f.at(60)],
    ]);
    expect(pricedUntil({ ...f, completedAt: null })).toBe(f.at(60));
  });
  it('the VAT of a capture: all of it when the capture is the price, carved out of a capped one', () => {
    const f = facts(10_000, { samples: [[30, 10_000]] });
    // 10 kWh: 455 + 95 = 550.
    expect(capturedTax(f, f.at(30), 550)).toBe(95);
    // 500 of it: 500 − 500 / 1.21 (413.2…) = 87.
    expect(capturedTax(f, f.at(30), 500)).toBe(87);
    expect(capturedTax({ ...f, energyWh: 0 }, f.at(30), 0)).toBe(0);
  });
  it('keeps one energy sample per 15 minutes, the latest, whatever order they arrive in', () => {
    const samples = [
      { at: '2025-03-01T10:01:00.000Z', wh: 100 },
      { at: '2025-03-01T10:14:00.000Z', wh: 900 },
      { at: '2025-03-01T10:16:00.000Z', wh: 1_000 },
      { at: '2025-03-01T10:05:00.000Z', wh: 300 },
    ];
    const fold = (list: typeof samples) => list.reduce(keepEnergySample, [] as typeof samples);
    const expected = [samples[1], samples[2]];
    expect(fold(samples)).toEqual(expected);
    expect(fold([...samples].reverse())).toEqual(expected);
    expect(fold([...samples, ...samples])).toEqual(expected);
  });
});

describe('tax rates', () => {
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
