// The demo telemetry of `npm start`: valid readings the ingest API accepts, the same for every start on a
// given day, and — whatever the day, DST weeks included — the engine finds in them the charges they hold:
// five of the car from state of charge alone (one across local midnight), three of the charger from its
// register.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEMO_BATTERY_KWH,
  DEMO_PLACES,
  DEMO_TIME_ZONE,
  demoTelemetry,
  demoWeek,
} from '../../infra/local/demo-readings.js';
import { computeSessions } from '../../shared/engine/index.js';
import { roundTo } from '../../shared/numbers.js';
import { READINGS_SETTLE_MS } from '../../shared/pipeline/domain.js';
import { toReading } from '../../shared/readings/domain.js';
import { ReadingInput } from '../../shared/readings/schemas.js';
import { addDays, localDate, startOfLocalDay } from '../../shared/rollups/calendar.js';
import { ENERGY_DECIMALS } from '../../shared/sessions/model.js';

const MINUTE = 60_000;
/** Ordinary weeks, and weeks across the spring and autumn clock changes in Amsterdam. */
const DAYS = ['2026-01-15T12:00:00Z', '2026-03-31T06:00:00Z', '2026-10-28T21:30:00Z', '2026-11-21T23:30:00Z'];

describe('the demo telemetry', () => {
  it('is the same for every start on one local day, and different weeks on different days', () => {
    const morning = demoTelemetry(new Date('2026-01-15T07:00:00Z'));
    expect(demoTelemetry(new Date('2026-01-15T22:59:00Z'))).toEqual(morning);
    expect(demoTelemetry(new Date('2026-01-16T07:00:00Z')).first).toBe('2026-01-09');
    expect(morning).toMatchObject({ first: '2026-01-08', last: '2026-01-14' });
  });

  it('is settled for the daily job whenever npm start runs, the hour after local midnight included', () => {
    // The job run at start reads up to READINGS_SETTLE_MS before now: every demo reading must lie there.
    // Around the coming local midnight, from the (shifted) clock: any midnight will do.
    const today = localDate(Date.now(), DEMO_TIME_ZONE);
    const midnight = startOfLocalDay(addDays(today, 1), DEMO_TIME_ZONE);
    for (let t = midnight - 2 * 3_600_000; t <= midnight + 2 * 3_600_000; t += 10 * MINUTE) {
      const week = demoTelemetry(new Date(t));
      const last = Math.max(...[...week.car, ...week.charger].map((r) => Date.parse(r.timestamp)));
      expect(last, new Date(t).toISOString()).toBeLessThanOrEqual(t - READINGS_SETTLE_MS);
      expect(week.first).toBe(demoWeek(new Date(t)).first);
    }
    // Half an hour after midnight the week still ends at yesterday's; an hour after, at today's.
    expect(demoTelemetry(new Date(midnight + 30 * MINUTE)).last).toBe(addDays(today, -1));
    expect(demoTelemetry(new Date(midnight + 60 * MINUTE)).last).toBe(today);
  });

  it('is made of readings the API accepts, all before the local day it is generated on', () => {
    const now = new Date(DAYS[0]!);
    const week = demoTelemetry(now);
    const today = localDate(now.getTime(), DEMO_TIME_ZONE);
    for (const reading of [...week.car, ...week.charger]) {
      expect(ReadingInput.safeParse(reading).success, reading.timestamp).toBe(true);
      expect(localDate(Date.parse(reading.timestamp), DEMO_TIME_ZONE) < today).toBe(true);
    }
    expect(new Set(week.car.map((r) => r.timestamp)).size).toBe(week.car.length);
    expect(week.car.length).toBe(7 * 288); // every 5 minutes, day and night
  });

  for (const day of DAYS) {
    it(`holds charges the engine finds: the week before ${day.slice(0, 10)}`, () => {
      const now = new Date(day);
      const week = demoTelemetry(now);
      const window = { from: now.getTime() - 35 * 86_400_000, to: now.getTime() - 60 * MINUTE };
      const locations = Object.values(DEMO_PLACES);
      for (const [type, readings] of [
        ['EV', week.car],
        ['CP', week.charger],
      ] as const) {
        const { sessions, skipped } = computeSessions({
          entity: { id: type, type, batteryCapacityKwh: type === 'EV' ? DEMO_BATTERY_KWH : null },
          readings: readings.map(toReading),
          window,
          locations,
          exactLocation: false,
        });
        const charges = week.charges.filter((c) => c.entity === type);
        expect(skipped).toEqual([]);
        expect(sessions).toHaveLength(type === 'EV' ? 5 : 3);
        for (const [i, charge] of charges.entries()) {
          const session = sessions[i]!;
          const edge = type === 'EV' ? 10 * MINUTE : MINUTE;
          expect(Math.abs(Date.parse(session.start) - charge.startMs)).toBeLessThanOrEqual(edge);
          expect(Math.abs(Date.parse(session.end) - charge.endMs)).toBeLessThanOrEqual(edge);
          expect(Math.abs(session.energyKwh - charge.energyKwh)).toBeLessThanOrEqual(
            type === 'EV' ? 1.2 : 0.02,
          );
          expect(session.method).toBe(type === 'EV' ? 'state_of_charge' : 'energy_meter');
        }
      }
      const overnight = week.charges.filter(
        (c) => localDate(c.startMs, DEMO_TIME_ZONE) !== localDate(c.endMs - MINUTE, DEMO_TIME_ZONE),
      );
      expect(overnight.map((c) => c.entity).sort()).toEqual(['CP', 'EV']);
    });
  }

  it("gives the README tour's session energies exactly as the API serves them", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const claimed = /"method": "energy_meter", ([\d., ]+) kWh/.exec(readme)?.[1]?.split(', ').map(Number);
    const firstCar = Number(/"charge": \{ "total": \{ "total": ([\d.]+), "unit": "kWh" \}/.exec(readme)?.[1]);
    const now = new Date(DAYS[0]!);
    const week = demoTelemetry(now);
    const served = (type: 'EV' | 'CP', readings: typeof week.car) =>
      computeSessions({
        entity: { id: type, type, batteryCapacityKwh: type === 'EV' ? DEMO_BATTERY_KWH : null },
        readings: readings.map(toReading),
        window: { from: now.getTime() - 35 * 86_400_000, to: now.getTime() - 60 * MINUTE },
        locations: Object.values(DEMO_PLACES),
        exactLocation: false,
      }).sessions.map((s) => roundTo(s.energyKwh, ENERGY_DECIMALS));
    expect(claimed).toEqual(served('CP', week.charger));
    expect(firstCar).toBe(served('EV', week.car)[0]);
  });
});
