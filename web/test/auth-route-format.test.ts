import { beforeEach, expect, it } from 'vitest';
import { readToken, takeTokenFromFragment } from '../src/auth';
import { localDate, localMinutesOfDay, zoneLabel } from '../src/format';
import { href, parseRoute } from '../src/route';

beforeEach(() => {
  const store = new Map<string, string>();
  globalThis.sessionStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  } as Storage;
});

it('moves a #token= fragment into sessionStorage and replaces the address without it', () => {
  const replaced: string[] = [];
  const location = { hash: '#token=evs_abc-123', pathname: '/', search: '' } as Location;
  const history = {
    replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url),
  } as History;
  expect(takeTokenFromFragment(location, history)).toBe(true);
  expect(readToken()).toBe('evs_abc-123');
  expect(replaced).toEqual(['/#/']);
  expect(takeTokenFromFragment({ ...location, hash: '#/chargers' }, history)).toBe(false);
});

it('routes round-trip through their links', () => {
  expect(parseRoute('')).toEqual({ view: 'fleet' });
  expect(parseRoute(href.chargers())).toEqual({ view: 'chargers' });
  expect(parseRoute(href.entity('e 1'))).toEqual({ view: 'entity', entityId: 'e 1' });
  expect(parseRoute(href.session('e1', 's/1', '2030-01-01T10:00:00+01:00'))).toEqual({
    view: 'session',
    entityId: 'e1',
    sessionId: 's/1',
    at: '2030-01-01T10:00:00+01:00',
  });
  expect(parseRoute('#/nothing')).toEqual({ view: 'unknown' });
});

it("places instants on the entity's local day, across a DST change", () => {
  // 2030-03-31 is the spring-forward day in Europe: 01:30 UTC is 03:30 local (CEST).
  expect(localDate('2030-03-30T23:30:00Z', 'Europe/Amsterdam')).toBe('2030-03-31');
  expect(localMinutesOfDay('2030-03-31T01:30:00Z', 'Europe/Amsterdam')).toBe(3 * 60 + 30);
  expect(zoneLabel('Europe/Amsterdam', new Date('2030-07-01T00:00:00Z'))).toMatch(
    /^Europe\/Amsterdam \((CEST|GMT\+2)\)$/,
  );
});
