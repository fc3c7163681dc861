// The real-time path's pure rules: the live window, what a run writes and records for the session in
// progress (planLive), deterministic event ids, the FIFO message, and which listings a status selects.

import { describe, expect, it } from 'vitest';
import {
  eventId,
  LIVE_REFRESH_MS,
  type LiveState,
  liveWindow,
  mayChangeSessions,
  planLive,
  planWrites,
  sessionVersion,
} from '../../shared/pipeline/live.js';
import { liveMessageFor } from '../../shared/pipeline/live-trigger.js';
import { decodeLiveMessage } from '../../shared/pipeline/messages.js';
import { assertStatusApplies } from '../../shared/sessions/query.js';
import { statusFilter } from '../../shared/storage/sessions.js';
import { sessionAt } from '../support/sessions.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const car = { id: '01900000-0000-7000-8000-000000000001', type: 'EV' as const };
const session = (n: number, overrides = {}) => sessionAt('t', car, T0 + n * 600 * MINUTE, n, overrides);
const stateOf = (s: ReturnType<typeof session>, asOf: number): LiveState => ({
  id: s.id,
  start: s.start,
  version: sessionVersion({ ...s, status: 'active', asOf: iso(asOf) }),
  asOf: iso(asOf),
});

describe('liveWindow', () => {
  it('ends at the newest reading, not now; nothing when nothing is newer than what was processed', () => {
    expect(liveWindow(T0, T0 + 30 * MINUTE, null)).toEqual({ from: T0, to: T0 + 30 * MINUTE });
    expect(liveWindow(T0, T0 + 30 * MINUTE, T0 + 30 * MINUTE)).toBeNull();
    expect(liveWindow(T0, T0 + 31 * MINUTE, T0 + 30 * MINUTE)).toEqual({ from: T0, to: T0 + 31 * MINUTE });
    expect(liveWindow(T0, null, null)).toBeNull();
    expect(liveWindow(T0, T0 - 1, null)).toBeNull();
  });
});

describe('planLive', () => {
  const s = session(1);
  const asOf = Date.parse(s.end);

  it('a session first seen in progress: started, written active, the live state set', () => {
    const plan = planLive({ previous: null, completed: [], ongoing: s, asOf: iso(asOf) });
    expect(plan.events.map((e) => e.type)).toEqual(['charge_session.started']);
    expect(plan.active).toMatchObject({ id: s.id, status: 'active', asOf: iso(asOf) });
    expect((plan.events[0] as any).data.data).toMatchObject({ status: 'active', provisional: true });
    expect(plan.next).toMatchObject({ id: s.id, start: s.start, asOf: iso(asOf) });
    expect(planWrites(plan)).toBe(true);
  });

  it('unchanged, or changed within the refresh interval: writes and records nothing', () => {
    const previous = stateOf(s, asOf);
    const same = planLive({ previous, completed: [], ongoing: s, asOf: iso(asOf + MINUTE) });
    expect(same.events).toEqual([]);
    expect(planWrites(same)).toBe(false);
    const more = { ...s, energyKwh: s.energyKwh + 1 };
    const soon = planLive({ previous, completed: [], ongoing: more, asOf: iso(asOf + LIVE_REFRESH_MS - 1) });
    expect(planWrites(soon)).toBe(false);
    const due = planLive({ previous, completed: [], ongoing: more, asOf: iso(asOf + LIVE_REFRESH_MS) });
    expect(due.events.map((e) => e.type)).toEqual(['charge_session.updated']);
    expect(due.active?.energyKwh).toBe(more.energyKwh);
    expect(due.removeActiveAt).toEqual([]);
  });

  it('a start that moved replaces the active item at once (the old key is deleted)', () => {
    const moved = { ...s, start: iso(Date.parse(s.start) - 2 * MINUTE) };
    const plan = planLive({
      previous: stateOf(s, asOf),
      completed: [],
      ongoing: moved,
      asOf: iso(asOf + MINUTE),
    });
    expect(plan.active?.start).toBe(moved.start);
    expect(plan.removeActiveAt).toEqual([s.start]);
    expect(plan.events.map((e) => e.type)).toEqual(['charge_session.updated']);
  });

  it('completion: completed recorded, the live state cleared; the active item goes with it when the start moved', () => {
    const plan = planLive({
      previous: stateOf(s, asOf),
      completed: [s],
      ongoing: null,
      asOf: iso(asOf + 9 * MINUTE),
    });
    expect(plan.events.map((e) => e.type)).toEqual(['charge_session.completed']);
    expect(plan.next).toBeNull();
    expect(plan.removeActiveAt).toEqual([]); // the completed item takes the same key
    const moved = { ...s, start: iso(Date.parse(s.start) + MINUTE) };
    expect(
      planLive({ previous: stateOf(s, asOf), completed: [moved], ongoing: null, asOf: iso(asOf) })
        .removeActiveAt,
    ).toEqual([s.start]);
  });

  it('a session that vanished is withdrawn: superseded with what subscribers were shown, its item deleted', () => {
    const shown = { ...s, status: 'active' as const, asOf: iso(asOf) };
    const plan = planLive({
      previous: stateOf(s, asOf),
      completed: [],
      ongoing: null,
      asOf: iso(asOf + MINUTE),
      withdrawn: shown,
    });
    expect(plan.events.map((e) => e.type)).toEqual(['charge_session.superseded']);
    expect((plan.events[0] as any).data.id).toBe(s.id);
    expect(plan.removeActiveAt).toEqual([s.start]);
    expect(plan.next).toBeNull();
  });

  it('a run that read less (the daily job, a late retry) leaves a fresher active item alone, but its completion counts', () => {
    const previous = stateOf(s, asOf + 30 * MINUTE);
    const older = planLive({ previous, completed: [], ongoing: { ...s, energyKwh: 1 }, asOf: iso(asOf) });
    expect(older).toMatchObject({ events: [], active: null, removeActiveAt: [], liveChanged: false });
    const done = planLive({ previous, completed: [s], ongoing: null, asOf: iso(asOf) });
    expect(done.events.map((e) => e.type)).toEqual(['charge_session.completed']);
    expect(done).toMatchObject({ next: null, liveChanged: true });
  });

  it('event ids are deterministic: the same fact from a retry or the other path is one event; new values are another', () => {
    const a = planLive({ previous: null, completed: [s], ongoing: null, asOf: iso(asOf) });
    const b = planLive({
      previous: null,
      completed: [{ ...s, created: iso(T0) }],
      ongoing: null,
      asOf: iso(asOf + 60 * MINUTE),
    });
    expect(a.events[0]?.id).toBe(b.events[0]?.id);
    const c = planLive({
      previous: null,
      completed: [{ ...s, energyKwh: 99 }],
      ongoing: null,
      asOf: iso(asOf),
    });
    expect(c.events[0]?.id).not.toBe(a.events[0]?.id);
    expect(eventId(s.id, 'charge_session.started', 'x')).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(eventId(s.id, 'charge_session.started', 'x')).not.toBe(
      eventId(s.id, 'charge_session.completed', 'x'),
    );
  });
});

describe('the real-time FIFO message', () => {
  it('groups by entity and deduplicates per entity and bucket', () => {
    const ref = { tenantId: 'acme', entityId: car.id };
    const a = liveMessageFor(ref, new Date(T0 + 1_000));
    const b = liveMessageFor(ref, new Date(T0 + 59_000));
    const c = liveMessageFor(ref, new Date(T0 + 61_000));
    expect(a.MessageGroupId).toBe(`acme#${car.id}`);
    expect(a.MessageDeduplicationId).toBe(b.MessageDeduplicationId);
    expect(c.MessageDeduplicationId).not.toBe(a.MessageDeduplicationId);
    expect(decodeLiveMessage(a.MessageBody)).toEqual({ v: 1, ...ref });
    expect(decodeLiveMessage('{"v":2}')).toBeUndefined();
  });
});

describe('status filters', () => {
  it('completed includes items stored before status existed; all filters nothing', () => {
    expect(statusFilter('completed')?.expression).toContain('attribute_not_exists(#status)');
    expect(statusFilter('active')?.values).toEqual({ ':active': 'active' });
    expect(statusFilter('all')).toBeUndefined();
  });

  it('exports take completed sessions only', () => {
    expect(() => assertStatusApplies('sessions', 'active')).not.toThrow();
    expect(() => assertStatusApplies('csv', 'completed')).not.toThrow();
    expect(() => assertStatusApplies('atlas', undefined)).not.toThrow();
    for (const format of ['csv', 'atlas', 'beckn', 'evchart'] as const)
      expect(() => assertStatusApplies(format, 'all')).toThrow(/completed sessions/);
  });
});

describe('mayChangeSessions (the trigger filter at ingestion)', () => {
  const r = (minute: number, values: Record<string, unknown>) => ({ t: T0 + minute * MINUTE, ...values });
  it('with nothing in progress: only signs of energy flowing trigger a run', () => {
    const parked = [r(1, { soc: 50, powerKw: 0, isPluggedIn: false }), r(2, { soc: 50, powerKw: 0 })];
    expect(mayChangeSessions(parked, r(0, { soc: 50 }), null)).toBe(false);
    expect(mayChangeSessions([r(1, { powerKw: 7.2 })], r(0, { powerKw: 0 }), null)).toBe(true);
    expect(mayChangeSessions([r(1, { isCharging: true })], r(0, {}), null)).toBe(true);
    expect(mayChangeSessions([r(1, { soc: 51 })], r(0, { soc: 50 }), null)).toBe(true);
    expect(mayChangeSessions([r(1, { energyKwh: 10.1 })], r(0, { energyKwh: 10 }), null)).toBe(true);
    // Nothing stored before to compare a SoC with: the next reading tells.
    expect(mayChangeSessions([r(1, { soc: 50 })], undefined, null)).toBe(false);
    expect(mayChangeSessions([r(1, { soc: 50 }), r(2, { soc: 51 })], undefined, null)).toBe(true);
  });

  it('with a session in progress: its refresh interval, or the first reading saying charging stopped', () => {
    const live: LiveState = { id: 'x', start: iso(T0), version: 'v', asOf: iso(T0) };
    const charging = (m: number) => r(m, { powerKw: 7, isPluggedIn: true });
    expect(mayChangeSessions([charging(1), charging(2)], charging(0), live)).toBe(false);
    expect(mayChangeSessions([charging(LIVE_REFRESH_MS / MINUTE)], charging(0), live)).toBe(true);
    expect(mayChangeSessions([r(3, { powerKw: 0, isPluggedIn: false })], charging(2), live)).toBe(true);
    // Left plugged in after the charge: only the first idle reading triggers.
    const idle = (m: number) => r(m, { powerKw: 0, isPluggedIn: true });
    expect(mayChangeSessions([idle(4), idle(5)], idle(3), live)).toBe(false);
  });
});
