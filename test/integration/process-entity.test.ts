// processEntity, the daily job's step for one entity, against the real store: end to end over HTTP
// (simulated readings in → sessions out through the listing, with the simulator's energies); crash safety
// (a failure after some sessions are stored, or at the cursor, then a retry, gives exactly a clean run's
// sessions); throttling ridden out; daily runs chained by the cursor equal one run; skips for a deleted
// entity or capture off; charge-point sessions yielding to measured ones; late readings reported.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEntity } from '../../shared/entities/domain.js';
import type { Reading } from '../../shared/readings/model.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { readingTimes, scoreEntity } from '../simulator/metrics.js';
import { type ProfileName, type SimulatedEntity, simulateEntity } from '../simulator/simulate.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { withDynamoMiddleware } from '../support/job.js';
import { asStored, postReadings, shiftToRecent, toReadingBody } from '../support/readings.js';

let api: TestApi;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const pipeline = () => import('../../shared/pipeline/process-entity.js');
const storage = async () => ({
  ...(await import('../../shared/storage/entities.js')),
  ...(await import('../../shared/storage/sessions.js')),
  ...(await import('../../shared/storage/client.js')),
});

function simulate(profile: ProfileName, seed: number, days = 3): SimulatedEntity {
  return simulateEntity({
    seed,
    id: `${profile}-${seed}`,
    profile,
    timeZone: 'Europe/Amsterdam',
    startDate: [2025, 3, 27],
    days,
  });
}

interface Seeded {
  tenantId: string;
  entityId: string;
  readings: Reading[];
  shift: number;
}

/** The entity (capture on) and its readings, written straight through the store and the ingest use case. */
async function seed(tenantId: string, entityId: string, sim: SimulatedEntity, now: Date): Promise<Seeded> {
  const { putNewEntity } = await storage();
  const { ingestReadings } = await import('../../shared/readings/service.js');
  const shift = shiftToRecent(sim.toMs, now.getTime(), 2 * HOUR);
  const entity = newEntity(
    tenantId,
    entityId,
    { type: sim.entity.type, name: 'x', timeZone: 'UTC', capabilities: [] },
    now,
  );
  await putNewEntity({
    ...entity,
    batteryCapacityKwh: sim.entity.batteryCapacityKwh,
    features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
  });
  const readings = asStored(sim.readings, shift);
  const bodies = readings.map((r) => toReadingBody(r));
  for (let i = 0; i < bodies.length; i += 1_000)
    await ingestReadings(tenantId, entityId, bodies.slice(i, i + 1_000), now);
  return { tenantId, entityId, readings, shift };
}

async function storedSessions(tenantId: string, entityId: string): Promise<ChargeSessionRecord[]> {
  const { listEntitySessions } = await storage();
  const out: ChargeSessionRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await listEntitySessions(
      tenantId,
      entityId,
      { start: '2000-01-01T00:00:00Z' },
      { pageSize: 100, startKey },
    );
    out.push(...page.items);
    startKey = page.nextKey;
  } while (startKey);
  return out;
}

/** A session as another tenant's copy of the same entity must have it (the tenant is the only difference). */
const comparable = ({ tenantId, ...rest }: ChargeSessionRecord, withCreated = true) =>
  withCreated ? rest : { ...rest, created: undefined };

const isSessionWrite = (input: Record<string, any>, command: string, tenantId: string) =>
  command.startsWith('Update') &&
  typeof input.Key?.pk === 'string' &&
  input.Key.pk.startsWith(`T#${tenantId}#`) &&
  input.Key.pk.endsWith('#SESSIONS');

describe('ingest → processEntity → charge sessions, end to end over HTTP', () => {
  it('computes the simulator’s sessions with their energies, matched to the tenant’s locations', async () => {
    const token = await api.token('pipeline-e2e');
    const now = new Date();
    for (const [profile, seedNo, capabilities] of [
      ['ev-power', 2, ['power', 'soc', 'range', 'location', 'odometer']],
      ['ev-soc-flags', 6, ['soc', 'range', 'location', 'odometer']],
      ['cp-meter-power', 4, ['energy', 'power', 'location']],
    ] as const) {
      const sim = simulate(profile, seedNo);
      const type = sim.entity.type;
      const created = await api.request('POST', '/v1/entities', {
        token,
        body: { type, name: profile, timeZone: sim.timeZone, capabilities },
      });
      const entityId = created.body.id as string;
      if (sim.entity.batteryCapacityKwh !== null) {
        const capacity = await api.request('PUT', `/v1/entities/${entityId}/battery-capacity`, {
          token,
          body: { batteryCapacity: sim.entity.batteryCapacityKwh },
        });
        expect(capacity.status).toBe(200);
      }
      const enabled = await api.request('PATCH', `/v1/entities/${entityId}/features`, {
        token,
        body: { feature: 'CaptureChargeSessions', enabled: true },
      });
      expect(enabled.status).toBe(200);
      for (const location of sim.locations) {
        const { id, ...body } = location;
        expect((await api.request('POST', '/v1/locations', { token, body })).status).toBe(201);
      }
      const shift = shiftToRecent(sim.toMs, now.getTime(), 2 * HOUR);
      const readings = asStored(sim.readings, shift);
      await postReadings(
        api,
        token,
        entityId,
        readings.map((r) => toReadingBody(r)),
      );

      const { processEntity } = await pipeline();
      const result = await processEntity({ tenantId: 'pipeline-e2e', entityId }, now);
      expect(result).toMatchObject({ status: 'processed', readings: readings.length, cursorBefore: null });
      expect(result.cursorAfter).not.toBeNull();
      expect(result.consumed.readUnits).toBeGreaterThan(0);
      expect(result.consumed.writeUnits).toBeGreaterThanOrEqual(result.sessionsWritten);

      const listed = await api.request(
        'GET',
        `/v1/entities/${entityId}/charge-sessions?start=${encodeURIComponent(new Date(sim.fromMs + shift).toISOString())}&pageSize=100`,
        { token },
      );
      expect(listed.status).toBe(200);
      const sessions = listed.body.data as any[];
      expect(sessions).toHaveLength(result.sessionsWritten);
      // Every true session found, with its energy (the engine's accuracy targets hold end to end).
      const truth = sim.truth.map((t) => ({ ...t, startMs: t.startMs + shift, endMs: t.endMs + shift }));
      const detected = sessions.map((s) => ({
        ...s,
        start: s.data.start,
        end: s.data.end,
        energyKwh: s.data.charge.total.total,
      }));
      const score = scoreEntity(truth, detected, readingTimes(readings));
      expect(score.f1, profile).toBe(1);
      for (const pair of score.matched) expect(pair.energyError, profile).toBeLessThan(0.03);
      for (const s of sessions) {
        expect(s.data.source).toBe('calculated');
        expect(s.data.location).toBeUndefined(); // this tenant did not opt in to exact locations
      }
      // Home charging (and every charge at a charge point's site) is matched to the tenant's place.
      const matched = sessions.filter((s) =>
        s.data.locationMatches[0]?.location.label.match(/^(Home|Site)$/),
      );
      if (type === 'CP') expect(matched).toHaveLength(sessions.length);
      else expect(matched.length).toBeGreaterThan(0);
      // A reading from before the cursor arrives late: stored, reported, and it changes no session.
      const late = await api.request('POST', `/v1/entities/${entityId}/readings`, {
        token,
        body: {
          readings: [
            { timestamp: new Date(Date.parse(result.cursorAfter!) - 61_000).toISOString(), soc: 50 },
          ],
        },
      });
      expect(late.status).toBe(202);
      expect(late.body.late).toBe(1);
    }
  });

  it('stores exact positions for a tenant that opted in, and the listing shows them', async () => {
    const { setExactLocations } = await import('../../shared/storage/tenant-settings.js');
    await setExactLocations('pipeline-exact', true, new Date());
    const token = await api.token('pipeline-exact');
    const now = new Date();
    const entityId = '01900000-0000-7000-8000-0000000e0001';
    const { shift } = await seed('pipeline-exact', entityId, simulate('ev-power', 2), now);
    const { processEntity } = await pipeline();
    expect(
      (await processEntity({ tenantId: 'pipeline-exact', entityId }, now)).sessionsWritten,
    ).toBeGreaterThan(0);
    const listed = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=${encodeURIComponent(new Date(Date.parse('2025-03-20T00:00:00Z') + shift).toISOString())}`,
      { token },
    );
    expect(listed.body.data.length).toBeGreaterThan(0);
    for (const s of listed.body.data)
      expect(s.data.location).toEqual({ lat: expect.any(Number), lon: expect.any(Number) });
  });
});

describe('crash safety', () => {
  const ENTITY = '01900000-0000-7000-8000-0000000c0001';

  async function cleanRun(tenantId: string, sim: SimulatedEntity, now: Date) {
    await seed(tenantId, ENTITY, sim, now);
    const { processEntity } = await pipeline();
    const result = await processEntity({ tenantId, entityId: ENTITY }, now);
    return { result, sessions: await storedSessions(tenantId, ENTITY) };
  }

  it('a failure after some sessions are stored, then a retry, gives exactly the sessions of a clean run', async () => {
    const now = new Date();
    const sim = simulate('cp-meter-power', 2);
    const clean = await cleanRun('crash-clean', sim, now);
    expect(clean.sessions.length).toBeGreaterThan(5);

    await seed('crash-retry', ENTITY, sim, now);
    const { processEntity } = await pipeline();
    const { getEntityWithCursor } = await storage();
    let writes = 0;
    await expect(
      withDynamoMiddleware(
        'crashOnThirdSession',
        (input, command) => {
          if (isSessionWrite(input, command, 'crash-retry') && ++writes === 3)
            throw new Error('injected crash');
        },
        () => processEntity({ tenantId: 'crash-retry', entityId: ENTITY }, now),
      ),
    ).rejects.toThrow('injected crash');
    // Some sessions were stored; the cursor did not move.
    const partial = await storedSessions('crash-retry', ENTITY);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(clean.sessions.length);
    expect((await getEntityWithCursor('crash-retry', ENTITY))!.sessionCursor).toBeNull();

    const retry = await processEntity({ tenantId: 'crash-retry', entityId: ENTITY }, now);
    expect(retry.cursorAfter).toBe(clean.result.cursorAfter);
    expect(retry.sessionsWritten).toBe(clean.result.sessionsWritten);
    const after = await storedSessions('crash-retry', ENTITY);
    expect(after.map((s) => comparable(s))).toEqual(clean.sessions.map((s) => comparable(s)));
  });

  it('a failure when moving the cursor, after every session is stored, then a retry, changes nothing', async () => {
    const now = new Date();
    const sim = simulate('ev-power', 14);
    const clean = await cleanRun('cursor-clean', sim, now);
    expect(clean.sessions.length).toBeGreaterThan(0);
    await seed('cursor-retry', ENTITY, sim, now);
    const { processEntity } = await pipeline();
    await expect(
      withDynamoMiddleware(
        'crashOnCursor',
        (input) => {
          if (input.UpdateExpression === 'SET sessionCursor = :after') throw new Error('injected crash');
        },
        () => processEntity({ tenantId: 'cursor-retry', entityId: ENTITY }, now),
      ),
    ).rejects.toThrow('injected crash');
    const retry = await processEntity({ tenantId: 'cursor-retry', entityId: ENTITY }, now);
    expect(retry.cursorAfter).toBe(clean.result.cursorAfter);
    const after = await storedSessions('cursor-retry', ENTITY);
    expect(after.map((s) => comparable(s))).toEqual(clean.sessions.map((s) => comparable(s)));
    // A second run at the same time finds nothing new and changes nothing.
    const third = await processEntity({ tenantId: 'cursor-retry', entityId: ENTITY }, now);
    expect(third.cursorAfter).toBe(retry.cursorAfter);
    expect((await storedSessions('cursor-retry', ENTITY)).map((s) => comparable(s))).toEqual(
      clean.sessions.map((s) => comparable(s)),
    );
  });

  it('rides out throttled session writes with backoff: the same sessions as a clean run', async () => {
    const now = new Date();
    const sim = simulate('cp-meter-power', 3);
    const clean = await cleanRun('throttle-clean', sim, now);
    await seed('throttle-retry', ENTITY, sim, now);
    const { processEntity } = await pipeline();
    let writes = 0;
    // Each session's first write is throttled, its retry goes through. (Throttling every other write
    // overall could, with writes in flight together, throttle one session's every attempt.)
    const throttled = new Set<string>();
    const result = await withDynamoMiddleware(
      'throttleFirstWriteOfEachSession',
      (input, command) => {
        if (!isSessionWrite(input, command, 'throttle-retry')) return;
        writes++;
        if (!throttled.has(input.Key.sk)) {
          throttled.add(input.Key.sk);
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ProvisionedThroughputExceededException',
            $metadata: { httpStatusCode: 400 },
          });
        }
      },
      () => processEntity({ tenantId: 'throttle-retry', entityId: ENTITY }, now),
    );
    expect(writes).toBeGreaterThan(clean.sessions.length);
    expect(result.cursorAfter).toBe(clean.result.cursorAfter);
    const after = await storedSessions('throttle-retry', ENTITY);
    expect(after.map((s) => comparable(s))).toEqual(clean.sessions.map((s) => comparable(s)));
  });

  it('daily runs chained by the cursor store exactly the sessions of one run over all the data', async () => {
    const end = new Date();
    const sim = simulate('ev-meter', 6, 4);
    const one = await cleanRun('chain-one', sim, end);
    const { shift } = await seed('chain-daily', ENTITY, sim, end);
    const { processEntity } = await pipeline();
    let cursor: string | null = null;
    for (let day = 1; day <= 4; day++) {
      const at = new Date(sim.fromMs + shift + day * DAY + 3 * HOUR);
      const result = await processEntity({ tenantId: 'chain-daily', entityId: ENTITY }, at > end ? end : at);
      expect(result.cursorBefore).toBe(cursor);
      cursor = result.cursorAfter;
    }
    const last = await processEntity({ tenantId: 'chain-daily', entityId: ENTITY }, end);
    expect(last.cursorAfter).toBe(one.result.cursorAfter);
    const chained = await storedSessions('chain-daily', ENTITY);
    expect(one.sessions.length).toBeGreaterThan(1);
    expect(chained.map((s) => comparable(s, false))).toEqual(one.sessions.map((s) => comparable(s, false)));
  });
});

describe('skipping', () => {
  it('skips a deleted entity and one with capture off, leaving their cursors alone', async () => {
    const now = new Date();
    const { processEntity } = await pipeline();
    const { deleteEntity, setFeature, getEntityWithCursor } = await storage();
    const sim = simulate('ev-power', 17);
    const missing = await processEntity(
      { tenantId: 'skips', entityId: '01900000-0000-7000-8000-00000000dead' },
      now,
    );
    expect(missing).toMatchObject({
      status: 'skipped_missing',
      readings: 0,
      sessionsWritten: 0,
      cursorAfter: null,
    });

    const off = '01900000-0000-7000-8000-0000000000f1';
    await seed('skips', off, sim, now);
    const first = await processEntity({ tenantId: 'skips', entityId: off }, now);
    expect(first.status).toBe('processed');
    await setFeature(
      { tenantId: 'skips', id: off },
      'CaptureChargeSessions',
      { enabled: false, since: now.toISOString() },
      {
        requireBatteryCapacity: false,
      },
    );
    const later = new Date(now.getTime() + DAY);
    const skipped = await processEntity({ tenantId: 'skips', entityId: off }, later);
    expect(skipped).toMatchObject({
      status: 'skipped_disabled',
      readings: 0,
      sessionsWritten: 0,
      cursorBefore: first.cursorAfter,
      cursorAfter: first.cursorAfter,
    });
    expect(new Date((await getEntityWithCursor('skips', off))!.sessionCursor!).toISOString()).toBe(
      first.cursorAfter,
    );

    await deleteEntity('skips', off);
    expect((await processEntity({ tenantId: 'skips', entityId: off }, later)).status).toBe('skipped_missing');
  });
});

describe('charge points with sessions a charger measured', () => {
  const CP = '01900000-0000-7000-8000-0000000cc001';

  it('stores no calculated session overlapping a measured one, and never overwrites a measured session', async () => {
    const now = new Date();
    const sim = simulate('cp-meter-power', 4);
    await seed('measured-clean', CP, sim, now);
    const { processEntity } = await pipeline();
    await processEntity({ tenantId: 'measured-clean', entityId: CP }, now);
    const calculated = await storedSessions('measured-clean', CP);
    expect(calculated.length).toBeGreaterThanOrEqual(2);
    const [first, second] = calculated as [ChargeSessionRecord, ChargeSessionRecord];

    await seed('measured', CP, sim, now);
    const { upsertSession } = await storage();
    // The charger measured the first charge (starting a little earlier), and the second at the same instant.
    const measured = (s: ChargeSessionRecord, startShiftMs: number): ChargeSessionRecord => ({
      ...s,
      tenantId: 'measured',
      id: `measured-${s.id}`,
      start: new Date(Date.parse(s.start) - startShiftMs).toISOString(),
      energyKwh: 1.234,
      source: 'measured',
      measured: null,
    });
    await upsertSession(measured(first, 90_000));
    await upsertSession(measured(second, 0));
    const result = await processEntity({ tenantId: 'measured', entityId: CP }, now);
    expect(result.sessionsSkipped).toBeGreaterThanOrEqual(2);
    const stored = await storedSessions('measured', CP);
    // Both measured sessions stand in for the calculated ones they overlap; the rest are calculated.
    expect(stored).toHaveLength(calculated.length);
    const bySource = stored.filter((s) => s.source === 'measured');
    expect(bySource.map((s) => s.energyKwh)).toEqual([1.234, 1.234]);
    expect(stored.some((s) => s.source === 'calculated' && s.start === first.start)).toBe(false);
    expect(stored.filter((s) => s.source === 'calculated')).toHaveLength(calculated.length - 2);

    // The rule holds in the write itself, even for a caller that did not look first.
    const refused = await upsertSession({ ...second, tenantId: 'measured' }, { keepMeasured: true });
    expect(refused).toBe(false);
  });
});
