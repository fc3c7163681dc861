// The shared schema building blocks: names people type and RFC 3339 date-times.

import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { NAME_PATTERN, nameString, rfc3339ToMs } from '../../shared/schema.js';

describe('nameString', () => {
  const name = nameString(20);
  const accepts = (text: string) => z.safeParse(name, text).success;

  it('takes letters, digits, punctuation and symbols of any script, and astral characters whole', () => {
    for (const text of ['Family car', 'Zoë', 'Ниссан Лиф', '電気自動車', 'Car 🚗', 'A&B (2) – #1']) {
      expect(accepts(text), text).toBe(true);
    }
  });

  it('refuses C0 and C1 control characters, DEL, line breaks and unpaired surrogates, as invalid_characters', () => {
    for (const text of ['a\u0000b', 'a\u0007b', 'a\nb', 'a\rb', 'a\tb', 'a\u007Fb', 'a\u0085b', 'a\u009Fb']) {
      expect(accepts(text), JSON.stringify(text)).toBe(false);
    }
    for (const text of ['a\u2028b', 'a\u2029b', 'a\uD83Db', 'a\uDE97b', 'b\uD83D']) {
      expect(accepts(text), JSON.stringify(text)).toBe(false);
    }
    const result = z.safeParse(name, 'x\u0007');
    expect(result.error?.issues[0]).toMatchObject({ code: 'custom', params: { code: 'invalid_characters' } });
  });

  it('publishes the rule as a pattern that reads the same with and without the u flag', () => {
    for (const text of ['Car 🚗', 'a\u0000', 'a\uD83D', 'a\u2028b', 'Zoë']) {
      expect(new RegExp(NAME_PATTERN, 'u').test(text), JSON.stringify(text)).toBe(
        new RegExp(NAME_PATTERN).test(text),
      );
    }
  });
});

describe('rfc3339ToMs', () => {
  it('reads upper- and lower-case T and Z alike, and offsets', () => {
    const ms = Date.UTC(2026, 0, 1);
    expect(rfc3339ToMs('2026-01-01T00:00:00Z')).toBe(ms);
    expect(rfc3339ToMs('2026-01-01t00:00:00z')).toBe(ms);
    expect(rfc3339ToMs('2026-01-01t01:00:00+01:00')).toBe(ms);
  });

  it('refuses what RFC 3339 does not allow', () => {
    for (const text of [
      '2026-01-01',
      '2026-01-01x00:00:00Z',
      '2026-01-01T00:00:00',
      '2026-02-30T00:00:00Z',
    ]) {
      expect(rfc3339ToMs(text), text).toBeUndefined();
    }
  });
});
