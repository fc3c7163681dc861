// The pure rules of a session query: reading date-times, the range rules, the page size per
// representation, content negotiation, format applicability, and what a continuation token is bound to.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindingQuery } from '../../shared/sessions/http.js';
import {
  assertFormatApplies,
  CSV_MAX_ROWS,
  chooseRepresentation,
  MAX_RANGE_MS,
  pageSizeFor,
  parseInstant,
  rangeProblem,
} from '../../shared/sessions/query.js';
import { EntitySessionsQuery, FleetSessionsQuery } from '../../shared/sessions/schemas.js';
import { thrownApiError } from '../support/errors.js';

describe('parseInstant', () => {
  it('reads RFC 3339 date-times with Z or an offset into the stored key form', () => {
    expect(parseInstant('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseInstant('2026-01-01T01:30:00+01:30')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseInstant('2025-12-31T19:00:00-05:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseInstant('2026-01-01T00:00:00.123Z')).toBe('2026-01-01T00:00:00.123Z');
    expect(parseInstant('2024-02-29T12:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
  });

  it('reads the lower-case t and z that RFC 3339 allows', () => {
    expect(parseInstant('2026-01-01t00:00:00z')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseInstant('2026-01-01t01:00:00+01:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseInstant('2026-01-01T00:00:00.5z')).toBe('2026-01-01T00:00:00.500Z');
  });

  it('reads a space where the offset sign belongs as + (an unencoded + in a query string)', () => {
    expect(parseInstant('2026-01-01T01:00:00 01:00')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('rounds a fraction finer than a millisecond up, and keeps whole milliseconds', () => {
    expect(parseInstant('2026-01-01T00:00:00.0001Z')).toBe('2026-01-01T00:00:00.001Z');
    expect(parseInstant('2026-01-01T00:00:00.123000000Z')).toBe('2026-01-01T00:00:00.123Z');
    expect(parseInstant('2026-01-01T00:00:00.123000001Z')).toBe('2026-01-01T00:00:00.124Z');
    expect(parseInstant('2026-01-01T23:59:59.9999Z')).toBe('2026-01-02T00:00:00.000Z');
  });

  it('refuses bare dates, missing offsets or seconds, impossible dates and instants beyond four-digit years', () => {
    for (const text of [
      '2026-01-01',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00Z',
      '2026-01-01 00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00+0100',
      '2026-01-01T00:00:00+24:00',
      '0000-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59.9999Z',
      '1767225600',
      '',
    ]) {
      expect(parseInstant(text), text).toBeUndefined();
    }
  });

  it('gives the same instant for every offset spelling of it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2090-01-01T00:00:00Z') }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (ms, offsetMinutes) => {
          const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(parseInstant(`${local}${offset}`)).toBe(new Date(ms).toISOString());
        },
      ),
    );
  });
});

describe('rangeProblem', () => {
  const start = '2026-01-01T00:00:00.000Z';
  const plus = (ms: number) => new Date(Date.parse(start) + ms).toISOString();

  it('allows an open range, and end from a millisecond after start to 366 days after', () => {
    expect(rangeProblem(start, undefined)).toBeUndefined();
    expect(rangeProblem(start, plus(1))).toBeUndefined();
    expect(rangeProblem(start, plus(MAX_RANGE_MS))).toBeUndefined();
  });

  it('refuses end at or before start, and beyond the maximum', () => {
    expect(rangeProblem(start, start)).toContain('must be after start');
    expect(rangeProblem(start, plus(-1))).toContain('must be after start');
    expect(rangeProblem(start, plus(MAX_RANGE_MS + 1))).toContain('at most 366 days');
  });
});

describe('the query schemas', () => {
  it('put each cross-field problem on its field', () => {
    const issues = (input: Record<string, string>) =>
      EntitySessionsQuery.safeParse(input).error?.issues.map((issue) => [
        issue.path.join('.'),
        issue.message,
      ]) ?? [];
    // EV-ChART needs no parameter: its identifiers come from the chargers' registrations.
    expect(issues({ start: '2026-01-01T00:00:00Z', format: 'evchart' })).toEqual([]);
    expect(
      EntitySessionsQuery.safeParse({ start: '2026-01-01T00:00:00Z', networkProvider: 'x' }).error?.issues,
    ).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['networkProvider'] })]);
    expect(issues({ start: '2026-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z' })).toEqual([
      ['end', expect.stringContaining('must be after start')],
    ]);
    expect(issues({ start: '2026-01-01', end: '2025-01-01T00:00:00Z' })).toEqual([
      ['start', expect.stringContaining('a bare date is not accepted')],
    ]);
  });

  it('give canonical instants, and the fleet filters', () => {
    const parsed = FleetSessionsQuery.parse({
      start: '2026-01-01T01:00:00+01:00',
      end: '2026-02-01T00:00:00Z',
      pageSize: '40',
      type: 'CP',
      entityId: '01900000-0000-7000-8000-000000000001',
    });
    expect(parsed).toEqual({
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-02-01T00:00:00.000Z',
      pageSize: 40,
      type: 'CP',
      entityId: '01900000-0000-7000-8000-000000000001',
    });
  });
});

describe('pageSizeFor', () => {
  it('gives JSON pages 25 by default and at most 100, CSV responses up to 10,000 rows', () => {
    expect(pageSizeFor('sessions', undefined)).toBe(25);
    expect(pageSizeFor('atlas', 100)).toBe(100);
    expect(pageSizeFor('csv', undefined)).toBe(CSV_MAX_ROWS);
    expect(pageSizeFor('evchart', 5_000)).toBe(5_000);
    const error = thrownApiError(() => pageSizeFor('beckn', 101));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(error.errors).toEqual([
      expect.objectContaining({ in: 'query', field: 'pageSize', code: 'too_big' }),
    ]);
  });
});

describe('chooseRepresentation', () => {
  it.each([
    [undefined, 'sessions'],
    ['', 'sessions'],
    ['*/*', 'sessions'],
    ['application/json', 'sessions'],
    ['application/*', 'sessions'],
    ['text/csv', 'csv'],
    ['text/*', 'csv'],
    ['text/csv, */*', 'csv'],
    ['text/csv, application/json', 'sessions'],
    ['text/csv;q=0.9, application/json;q=0.8', 'csv'],
    ['text/csv;q=0.2, application/json', 'sessions'],
    ['application/json;q=0, text/csv;q=0.1', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'csv'],
    ['not a media range', 'sessions'],
  ])('Accept %j without format is %s', (accept, expected) => {
    expect(chooseRepresentation(undefined, accept)).toBe(expected);
  });

  it('lets format win over any Accept', () => {
    expect(chooseRepresentation('atlas', 'text/csv')).toBe('atlas');
    expect(chooseRepresentation('evchart', 'application/json')).toBe('evchart');
    expect(chooseRepresentation('beckn', 'application/xml')).toBe('beckn');
  });

  it.each([
    'application/xml',
    'text/html',
    'image/*',
    'application/json;q=0, text/csv;q=0',
    'application/problem+json',
  ])('answers 406 not_acceptable for %j, naming the header', (accept) => {
    const error = thrownApiError(() => chooseRepresentation(undefined, accept));
    expect(error).toMatchObject({ status: 406, code: 'not_acceptable' });
    expect(error.errors).toEqual([expect.objectContaining({ in: 'header', field: 'accept' })]);
  });
});

describe('assertFormatApplies', () => {
  it('refuses EVs for EV-ChART only', () => {
    expect(() => assertFormatApplies('evchart', 'CP', 'x')).not.toThrow();
    for (const representation of ['sessions', 'atlas', 'beckn', 'csv'] as const) {
      expect(() => assertFormatApplies(representation, 'EV', 'x')).not.toThrow();
    }
    const error = thrownApiError(() => assertFormatApplies('evchart', 'EV', 'entity 1'));
    expect(error).toMatchObject({ status: 422, code: 'format_not_applicable' });
    expect(error.errors).toEqual([expect.objectContaining({ in: 'query', field: 'format' })]);
  });
});

describe('bindingQuery', () => {
  const base = {
    start: '2026-01-01T00:00:00.000Z',
    end: undefined,
    entityId: 'e1',
    type: 'EV',
    format: 'sessions',
  };

  it('does not depend on the order of the parameters, and leaves out absent ones', () => {
    const reordered = { format: 'sessions', type: 'EV', entityId: 'e1', start: '2026-01-01T00:00:00.000Z' };
    expect(bindingQuery('op', base)).toBe(bindingQuery('op', reordered));
    expect(bindingQuery('op', base)).not.toContain('end');
  });

  it('differs when any shaping parameter or the operation differs', () => {
    const variants: Record<string, string | undefined>[] = [
      { ...base, start: '2026-01-01T00:00:00.001Z' },
      { ...base, end: '2026-02-01T00:00:00.000Z' },
      { ...base, entityId: 'e2' },
      { ...base, type: 'CP' },
      { ...base, format: 'csv' },
      // A value that tries to smuggle another parameter in stays one value.
      { ...base, entityId: 'e1&type=CP', type: undefined },
    ];
    const bindings = new Set([
      bindingQuery('op', base),
      bindingQuery('other', base),
      ...variants.map((v) => bindingQuery('op', v)),
    ]);
    expect(bindings.size).toBe(variants.length + 2);
  });
});
