import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { CONTINUATION_TOKEN_MAX_AGE_MS, openCursor, sealCursor } from '../../shared/http/cursor.js';
import { thrownApiError } from '../support/errors.js';

const SECRET = 'test-secret';
const NOW = new Date('2026-06-01T12:00:00Z');
const BINDING = { tenantId: 'acme', query: 'listEntities?type=' };
const POSITION = { pk: 'T#acme', sk: 'ENTITY#0190' };

function rejects(fn: () => unknown) {
  const error = thrownApiError(fn);
  expect(error).toBeInstanceOf(ValidationError);
  expect(error.code).toBe('invalid_continuation_token');
}

describe('continuation tokens', () => {
  it('round-trip a position and are opaque', () => {
    const token = sealCursor(POSITION, BINDING, SECRET, NOW);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('acme');
    expect(openCursor(token, BINDING, SECRET, NOW)).toEqual(POSITION);
  });

  it('reject any altered byte', () => {
    const token = sealCursor(POSITION, BINDING, SECRET, NOW);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const raw = Buffer.from(token, 'base64url');
        const i = at % raw.length;
        raw[i] = (raw[i] as number) ^ flip;
        rejects(() => openCursor(raw.toString('base64url'), BINDING, SECRET, NOW));
      }),
    );
  });

  it('reject another tenant, another query, another key, and age beyond the limit', () => {
    const token = sealCursor(POSITION, BINDING, SECRET, NOW);
    rejects(() => openCursor(token, { ...BINDING, tenantId: 'other' }, SECRET, NOW));
    rejects(() => openCursor(token, { ...BINDING, query: 'listEntities?type=EV' }, SECRET, NOW));
    rejects(() => openCursor(token, BINDING, 'another-secret', NOW));
    rejects(() =>
      openCursor(token, BINDING, SECRET, new Date(NOW.getTime() + CONTINUATION_TOKEN_MAX_AGE_MS + 1)),
    );
    expect(
      openCursor(token, BINDING, SECRET, new Date(NOW.getTime() + CONTINUATION_TOKEN_MAX_AGE_MS)),
    ).toEqual(POSITION);
  });

  it('reject garbage', () => {
    for (const garbage of ['', 'x', 'not a token', '%%%', 'A'.repeat(5000)])
      rejects(() => openCursor(garbage, BINDING, SECRET, NOW));
  });
});
