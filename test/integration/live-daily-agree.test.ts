// The real-time path and the daily job agree: a corpus of simulated entities (every simulator profile),
// one tenant's copy ingested in time-ordered chunks of varying length with a real-time run after each,
// another tenant's copy ingested at once and computed by one daily run whose settled edge is the newest
// reading (where the last real-time run's window ends). Same session ids, same values, same status
// (the one still charging at the end of the data is active in both), under the same entity ids.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEntity } from '../../shared/entities/domain.js';
import { READINGS_SETTLE_MS } from '../../shared/pipeline/domain.js';
import { runLive } from '../../shared/pipeline/live-worker.js';
import { processEntity } from '../../shared/pipeline/process-entity.js';
import { ingestReadings } from '../../shared/readings/service.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { putNewEntity } from '../../shared/storage/entities.js';
import { listEntitySessions } from '../../shared/storage/sessions.js';
import { PROFILES, simulateEntity } from '../simulator/simulate.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { jobEntityId, quietLog } from '../support/job.js';
import { asStored, shiftToRecent, toReadingBody } from '../support/readings.js';
import { RecordingSink } from '../support/recording-sink.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

async function capturing(tenantId: string, entityId: string, type: 'EV' | 'CP', capacity: number | null) {
  const now = new Date();
  const entity = newEntity(tenantId, entityId, { type, name: 'x', timeZone: 'UTC', capabilities: [] }, now);
  await putNewEntity({
    ...entity,
    batteryCapacityKwh: capacity,
    features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
  });
}

async function sessionsOf(tenantId: string, entityId: string) {
  const page = await listEntitySessions(
    tenantId,
    entityId,
    { start: '2000-01-01T00:00:00Z' },
    { pageSize: 1_000, startKey: undefined, status: 'all' },
  );
  // The tenant and when each was computed are the only differences allowed.
  return page.items.map(({ tenantId: _t, created: _c, ...rest }: ChargeSessionRecord) => rest);
}

describe('the real-time path and the daily job give the same sessions (ids, values, status)', () => {
  const now = new Date();
  const sink = new RecordingSink();
  let compared = 0;
  it.each([...PROFILES.entries()])(
    'for the same readings: profile %i (%s)',
    async (n, profile) => {
      {
        const sim = simulateEntity({
          seed: 100 + n,
          id: `agree-${profile}`,
          profile,
          timeZone: 'Europe/Amsterdam',
          startDate: [2025, 5, 12],
          days: 2,
        });
        const entityId = jobEntityId(9_000 + n);
        const readings = asStored(sim.readings, shiftToRecent(sim.toMs, now.getTime(), 2 * HOUR));
        const bodies = readings.map((r) => toReadingBody(r));
        await capturing('agree-live', entityId, sim.entity.type, sim.entity.batteryCapacityKwh);
        await capturing('agree-daily', entityId, sim.entity.type, sim.entity.batteryCapacityKwh);

        // Real time: chunks of 7 to 97 minutes of readings, in time order, a run after each.
        let i = 0;
        let chunk = 0;
        while (i < bodies.length) {
          const until = (readings[i]?.t ?? 0) + (7 + ((chunk * 37) % 91)) * MINUTE;
          let j = i;
          while (j < bodies.length && (readings[j]?.t ?? 0) < until) j++;
          await ingestReadings('agree-live', entityId, bodies.slice(i, j), now);
          const outcome = await runLive({ tenantId: 'agree-live', entityId }, `m-${n}-${chunk}`, {
            events: sink,
            clock: () => now,
            log: quietLog,
          });
          expect(outcome.status, outcome.error).not.toBe('failed');
          i = j;
          chunk++;
        }

        // Daily: everything at once, one run settled up to the newest reading.
        for (let k = 0; k < bodies.length; k += 1_000)
          await ingestReadings('agree-daily', entityId, bodies.slice(k, k + 1_000), now);
        const newest = readings.at(-1)?.t ?? 0;
        const daily = await processEntity(
          { tenantId: 'agree-daily', entityId },
          new Date(newest + READINGS_SETTLE_MS),
        );
        expect(daily.status).toBe('processed');

        const live = await sessionsOf('agree-live', entityId);
        expect(live, profile).toEqual(await sessionsOf('agree-daily', entityId));
        compared += live.length;
      }
    },
    180_000,
  );

  it('over a corpus that is not vacuous: sessions found, started and completed events recorded', () => {
    expect(compared).toBeGreaterThan(PROFILES.length);
    expect(sink.types()).toContain('charge_session.completed');
    expect(sink.types()).toContain('charge_session.started');
  });
});
