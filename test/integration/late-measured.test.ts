// A charger's measured session that arrives after the daily job stored the calculated one of the same charge
// (an offline charger delivering its TransactionEvent Ended days late): over HTTP, the charge point's
// telemetry → the job (real processEntity) stores calculated sessions → a public session through OCPP
// transaction events ends late → the calculated session is gone, the measured one is there, the rest are
// untouched → the job's next run counts the charge once in daily energy, although the day is older than a
// run normally recomputes → recording it again changes nothing. Then the worker's side on its own: a mark
// made during a run stays for the next, a calculated session the job stored while a measured one was being
// recorded is removed by the next run, a run that processed nothing keeps the marks, and a recording that
// failed part-way is completed by its retry.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation, sqsEvent } from '../../infra/local/aggregate.js';
import { newEntity } from '../../shared/entities/domain.js';
import { recordMeasuredSession } from '../../shared/pipeline/measured-sessions.js';
import { encodeJobMessage } from '../../shared/pipeline/messages.js';
import { processEntity } from '../../shared/pipeline/process-entity.js';
import type { EntityProcessor } from '../../shared/pipeline/processor.js';
import { createWorkerHandler, type WorkerHandler } from '../../shared/pipeline/worker.js';
import { ingestReadings } from '../../shared/readings/service.js';
import { rollupSince } from '../../shared/rollups/service.js';
import type { ChargeSessionRecord } from '../../shared/sessions/model.js';
import { documentClient } from '../../shared/storage/client.js';
import { putNewEntity } from '../../shared/storage/entities.js';
import { readEntityRollups } from '../../shared/storage/rollups.js';
import { readEntitySessions, upsertSession } from '../../shared/storage/sessions.js';
import { later, txEvent } from '../fixtures/ocpp/builders.js';
import { simulateEntity } from '../simulator/simulate.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { injectDynamoFaults, jobState, quietLog, setCapture } from '../support/job.js';
import { shiftToRecent, toReadingBody } from '../support/readings.js';
import { RecordingSink } from '../support/recording-sink.js';
import { createEntity, registerCharger } from '../support/requests.js';
import { sessionAt } from '../support/sessions.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ALL_DAYS = { first: '2000-01-01', last: '2100-01-01' };

let api: TestApi;
let token: string;
const TENANT = 'late-measured';

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token(TENANT);
});
afterAll(() => api.close());

const staleMarksOf = async (tenantId: string, entityId: string) => [
  ...((await jobState(tenantId, entityId))?.rollupsStaleMarks ?? []),
];

/** Every charge session of the entity as the API lists it (one page is plenty here). */
async function listed(entityId: string): Promise<any[]> {
  const response = await api.request(
    'GET',
    `/v1/entities/${entityId}/charge-sessions?start=2000-01-01T00:00:00Z&pageSize=100`,
    { token },
  );
  expect(response.status, response.text).toBe(200);
  expect(response.body.links.next).toBeNull();
  return response.body.data;
}

/** The tenant's fleet listing from `start` (an ISO instant) to `end`. */
async function fleetListed(start: string, end: string): Promise<any[]> {
  const response = await api.request('GET', `/v1/charge-sessions?start=${start}&end=${end}&pageSize=100`, {
    token,
  });
  expect(response.status, response.text).toBe(200);
  return response.body.data;
}

async function dailyEnergy(entityId: string, date: string) {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  const response = await api.request(
    'GET',
    `/v1/fleet/daily-energy?start=${date}&end=${next}&entityId=${entityId}`,
    { token },
  );
  expect(response.status, response.text).toBe(200);
  return response.body.data as any[];
}

/**
 * The oracle for one UTC day's energy and sessions started, from listed sessions: each session's energy
 * split by the share of its time inside the day (docs/daily-job.md), written out independently here.
 */
function expectedDay(sessions: readonly any[], date: string) {
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const dayEnd = dayStart + DAY;
  let energy = 0;
  let count = 0;
  for (const s of sessions) {
    const start = Date.parse(s.data.start);
    const end = Date.parse(s.data.end);
    if (start >= dayStart && start < dayEnd) count++;
    expect(end).toBeGreaterThan(start);
    const inside = Math.max(0, Math.min(end, dayEnd) - Math.max(start, dayStart));
    energy += (s.data.charge.total.total * inside) / (end - start);
  }
  return { energy, count };
}

describe('a measured session that arrives after the job stored the calculated one', () => {
  it('replaces it in the listings and, at the next run, in the daily energy of its day however old', async () => {
    // A charge point reporting meter and power, three days of telemetry ending a couple of hours ago.
    const now = new Date();
    const { id: entityId } = await createEntity(
      api,
      token,
      { type: 'CP', name: 'Depot wallbox', timeZone: 'UTC' },
      { capture: true },
    );
    const sim = simulateEntity({
      seed: 4,
      id: 'late-cp',
      profile: 'cp-meter-power',
      timeZone: 'UTC',
      startDate: [2025, 3, 27],
      days: 3,
    });
    const shift = shiftToRecent(sim.toMs, now.getTime(), 2 * HOUR);
    const bodies = sim.readings.map((r) => toReadingBody(r, shift));
    for (let i = 0; i < bodies.length; i += 1_000)
      await ingestReadings(TENANT, entityId, bodies.slice(i, i + 1_000), now);

    // The job runs (the real processor), and again two days later with nothing new.
    const worker = createWorkerHandler(processEntity, { log: quietLog });
    const firstRun = await runAggregation({ worker, asOf: now });
    expect(firstRun).toMatchObject({ processed: 1, deadLetters: [] });
    expect(firstRun.sessionsWritten).toBeGreaterThanOrEqual(2);
    const laterRun = await runAggregation({ worker, asOf: new Date(now.getTime() + 2 * DAY) });
    expect(laterRun).toMatchObject({ processed: 1, deadLetters: [] });

    const before = await listed(entityId);
    expect(before.every((s) => s.data.source === 'calculated')).toBe(true);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const [target, ...others] = before as [any, ...any[]];
    const day = target.data.start.slice(0, 10) as string;
    // The charge is older than a run normally looks back: without the stale mark it would never be redone.
    const state = await jobState(TENANT, entityId);
    const window = rollupSince(state?.rolledUpThrough ?? null, state?.rolledUpThrough ?? null);
    expect(window).not.toBeNull();
    expect(Date.parse(`${day}T00:00:00Z`) + DAY).toBeLessThan(window as number);
    const dayBefore = await dailyEnergy(entityId, day);
    expect(dayBefore).toHaveLength(1);
    expect(dayBefore[0].energy.value).toBeCloseTo(expectedDay(before, day).energy, 3);

    // Public charging on the same charge point: its charger measured that charge, and (offline until now)
    // delivers the transaction's end only today.
    const code = await registerCharger(api, token, entityId, {
      name: 'Depot 1',
      connectors: [{ connectorId: 1, type: 'Type2', maxPowerKw: 22 }],
    });
    const ip = '127.0.3.1';
    const started = await api.request('POST', '/v1/public-charging/sessions', {
      sourceIp: ip,
      body: { code, connector_id: 1 },
    });
    expect(started.status, started.text).toBe(201);
    const sessionToken: string = started.body.token;
    expect(
      (await api.request('POST', `/v1/public-charging/sessions/${sessionToken}/confirm`, { sourceIp: ip }))
        .status,
    ).toBe(200);
    const commands = await api.request('GET', `/v1/chargers/${code}/commands`, { token });
    const start = commands.body.data.find((c: any) => c.action === 'RequestStartTransaction');
    expect(
      (
        await api.request('POST', `/v1/chargers/${code}/commands/${start.commandId}/result`, {
          token,
          body: { status: 'Accepted' },
        })
      ).status,
    ).toBe(200);
    const measuredStart = later(60_000, new Date(target.data.start));
    const measuredEnd = later(-60_000, new Date(target.data.end));
    const sendEvent = (event: unknown) =>
      api.request('POST', `/v1/chargers/${code}/transaction-events`, { token, body: event });
    const transactionId = 'TX-LATE-1';
    const startedEvent = await sendEvent(
      txEvent('Started', 0, {
        at: measuredStart,
        beginWh: 250_000,
        chargingState: 'Charging',
        remoteStartId: start.request.remoteStartId,
        transactionId,
      }),
    );
    expect(startedEvent.status, startedEvent.text).toBe(200);
    const ended = await sendEvent(
      txEvent('Ended', 1, {
        at: measuredEnd,
        endWh: 262_345,
        stoppedReason: 'EVDisconnected',
        triggerReason: 'EVCommunicationLost',
        transactionId,
        offline: true,
      }),
    );
    expect(ended.status, ended.text).toBe(200);
    expect(ended.body.session.status).toBe('captured');

    // At once: the calculated session is gone, the measured one stands for the charge, the rest untouched.
    const after = await listed(entityId);
    const measured = after.find((s) => s.data.source === 'measured');
    expect(measured).toMatchObject({
      id: start.request.idToken.idToken,
      data: {
        start: measuredStart.toISOString(),
        end: measuredEnd.toISOString(),
        charge: { total: { total: 12.345, unit: 'kWh' } },
        method: 'energy_meter',
      },
    });
    expect(after.find((s) => s.id === target.id)).toBeUndefined();
    expect(after.filter((s) => s.data.source === 'calculated')).toEqual(others);
    expect(after).toHaveLength(before.length);
    const fleet = await fleetListed(`${day}T00:00:00Z`, `${day}T23:59:59Z`);
    expect(fleet.filter((s) => s.entityId === entityId && s.data.start.slice(0, 10) === day)).toEqual(
      after.filter((s) => s.data.start.slice(0, 10) === day),
    );
    // The day's rollup is stale until the next run, and the job state says from when: the calculated
    // session's start (recorded again on capture, when only the measured one was left, from its own).
    expect((await dailyEnergy(entityId, day))[0]).toEqual(dayBefore[0]);
    expect((await staleMarksOf(TENANT, entityId)).sort()).toEqual([
      `${Date.parse(target.data.start)}#${measured.id}`,
      `${measuredStart.getTime()}#${measured.id}`,
    ]);

    // The next daily run counts the charge once, with the measured energy, and clears the mark.
    const nextRun = await runAggregation({ worker, asOf: new Date(now.getTime() + 3 * DAY) });
    expect(nextRun).toMatchObject({ processed: 1, deadLetters: [] });
    const expected = expectedDay(after, day);
    expect(expected.energy).not.toBeCloseTo(expectedDay(before, day).energy, 2);
    const dayAfter = await dailyEnergy(entityId, day);
    expect(dayAfter).toHaveLength(1);
    expect(dayAfter[0].energy.value).toBeCloseTo(expected.energy, 3);
    expect(dayAfter[0].sessionCount).toBe(expected.count);
    expect(dayAfter[0].sessionCount).toBe(dayBefore[0].sessionCount);
    expect(await staleMarksOf(TENANT, entityId)).toEqual([]);
    const rollups = await readEntityRollups(TENANT, entityId, ALL_DAYS);

    // Recording it again, through the engine's effect path as the sweeper would: nothing changes.
    const { carryOut } = await import('../../shared/public-sessions/engine.js');
    const { getSession } = await import('../../shared/storage/public-sessions.js');
    const stored = await getSession(measured.id);
    expect(stored?.record.status).toBe('captured');
    await carryOut(
      {
        record: stored!.record,
        pendingEffects: [{ type: 'record_measured_session', sessionId: measured.id }],
      },
      new Date(now.getTime() + 3 * DAY + HOUR),
    );
    expect(await listed(entityId)).toEqual(after);
    const rerun = await runAggregation({ worker, asOf: new Date(now.getTime() + 4 * DAY) });
    expect(rerun).toMatchObject({ processed: 1, rollupsWritten: 0, rollupsDeleted: 0, deadLetters: [] });
    expect(await readEntityRollups(TENANT, entityId, ALL_DAYS)).toEqual(rollups);
    expect(await staleMarksOf(TENANT, entityId)).toEqual([]);
  });
});

// ----- the worker's side ------------------------------------------------------------------------------

const JOB_TENANT = 'late-worker';
const AS_OF = new Date('2026-02-20T02:00:00.000Z');
/** The processor's cursor: the rollups would normally be redone from a day before it. */
const CURSOR = '2026-02-20T00:00:00.000Z';

async function chargePoint(n: number): Promise<{ id: string; type: 'CP' }> {
  const id = `01900000-0000-7000-8000-0000000ea${String(n).padStart(3, '0')}`;
  const since = '2026-01-01T00:00:00.000Z';
  await putNewEntity({
    ...newEntity(
      JOB_TENANT,
      id,
      { type: 'CP', name: `CP ${n}`, timeZone: 'UTC', capabilities: [] },
      new Date(since),
    ),
    features: { CaptureChargeSessions: { enabled: true, since } },
  });
  return { id, type: 'CP' };
}

/**
 * processEntity's outcome, its sessions stored by `during` if at all: by default a day with nothing new, the
 * cursor staying where it was.
 */
const idleProcessor =
  (
    hooks: { during?: () => Promise<void>; cursorBefore?: string; cursorAfter?: string } = {},
  ): EntityProcessor =>
  async () => {
    await hooks.during?.();
    return {
      status: 'processed',
      readings: 0,
      sessionsWritten: 0,
      sessionsSkipped: 0,
      cursorBefore: hooks.cursorBefore ?? CURSOR,
      cursorAfter: hooks.cursorAfter ?? CURSOR,
      consumed: { readUnits: 0, writeUnits: 0 },
    };
  };

const at = (iso: string) => Date.parse(iso);
const measuredAt = (
  entity: { id: string; type: 'CP' },
  start: string,
  hours: number,
  energyKwh: number,
  n: number,
): ChargeSessionRecord =>
  sessionAt(JOB_TENANT, entity, at(start), n, {
    end: new Date(at(start) + hours * HOUR).toISOString(),
    energyKwh,
    chargingSeconds: hours * 3600,
    method: 'energy_meter',
    source: 'measured',
  });
const calculatedAt = (
  entity: { id: string; type: 'CP' },
  start: string,
  hours: number,
  energyKwh: number,
  n: number,
): ChargeSessionRecord =>
  sessionAt(JOB_TENANT, entity, at(start), n, {
    end: new Date(at(start) + hours * HOUR).toISOString(),
    energyKwh,
    chargingSeconds: hours * 3600,
  });

/** One job message for one entity through the worker, as SQS would deliver it. */
async function runFor(handler: WorkerHandler, entityId: string, asOf: Date, messageId = randomUUID()) {
  const result = await handler.handleBatch(
    sqsEvent([
      {
        messageId,
        body: encodeJobMessage({
          v: 1,
          tenantId: JOB_TENANT,
          entityId,
          asOf: asOf.toISOString(),
          runId: 'late-measured-test',
        }),
        receiveCount: 1,
        sentAtMs: 0,
      },
    ]),
  );
  return result.outcomes[0]!;
}

const energyOf = async (entityId: string) =>
  Object.fromEntries(
    (await readEntityRollups(JOB_TENANT, entityId, ALL_DAYS)).map((r) => [
      r.date,
      [r.energyKwh, r.sessionCount],
    ]),
  );

describe('the worker and the stale marks', () => {
  it('removes a calculated session the job stored while a measured one was being recorded, and redoes its days', async () => {
    const entity = await chargePoint(1);
    const handler = createWorkerHandler(idleProcessor(), { log: quietLog });
    // The rollups are complete through the job's cursor (the first run recomputes everything).
    await runFor(handler, entity.id, AS_OF);

    // The race, inside one run of the job: its processor looked for measured sessions and found none; the
    // charger's session was recorded (nothing calculated to delete yet); then the processor stored the
    // calculated session of the same charge, seen from 23:40 the day before. The run rolled both up.
    const measured = measuredAt(entity, '2026-02-10T00:10:00.000Z', 2, 18.5, 2);
    const racingCalculated = calculatedAt(entity, '2026-02-09T23:40:00.000Z', 3, 21, 3);
    const racing = createWorkerHandler(
      idleProcessor({
        during: async () => {
          await recordMeasuredSession(measured, new RecordingSink());
          expect(await upsertSession(racingCalculated, { keepMeasured: true })).toBe(true);
        },
        // The run read the telemetry of those days; the cursor moved on past them.
        cursorBefore: '2026-02-09T12:00:00.000Z',
      }),
      { log: quietLog },
    );
    expect((await runFor(racing, entity.id, new Date(AS_OF.getTime() + DAY))).status).toBe('processed');
    expect(await energyOf(entity.id)).toEqual({
      // 20 of the calculated session's 180 minutes fall on the 9th.
      '2026-02-09': [expect.closeTo((21 * 20) / 180, 3), 1],
      '2026-02-10': [expect.closeTo((21 * 160) / 180 + 18.5, 3), 1],
    });
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual([`${at(measured.start)}#${measured.id}`]);

    // The next run removes the calculated session and redoes every day it touched, the one before the
    // mark included.
    expect((await runFor(handler, entity.id, new Date(AS_OF.getTime() + 2 * DAY))).status).toBe('processed');
    const sessions = await readEntitySessions(JOB_TENANT, entity.id, { start: '2026-02-01T00:00:00Z' });
    expect(sessions.map((s) => [s.source, s.start])).toEqual([['measured', measured.start]]);
    expect(await energyOf(entity.id)).toEqual({ '2026-02-10': [18.5, 1] });
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual([]);
  });

  it('keeps a mark made while a run was under way for the next run, and clears only the marks it read', async () => {
    const entity = await chargePoint(2);
    await upsertSession(calculatedAt(entity, '2026-02-05T10:00:00.000Z', 1, 10, 1));
    const handler = createWorkerHandler(idleProcessor(), { log: quietLog });
    await runFor(handler, entity.id, AS_OF);
    expect(await energyOf(entity.id)).toEqual({ '2026-02-05': [10, 1] });

    // A measured session recorded before the run; another one, two days later, recorded after the run
    // read the sessions and wrote the rollups, just before it gives the lease back.
    const first = measuredAt(entity, '2026-02-05T09:55:00.000Z', 1, 9, 2);
    await recordMeasuredSession(first, new RecordingSink());
    const second = measuredAt(entity, '2026-02-07T12:00:00.000Z', 1, 7, 3);
    let recorded = false;
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (!recorded && input.UpdateExpression?.includes('REMOVE leaseOwner')) {
          recorded = true;
          await recordMeasuredSession(second, new RecordingSink());
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordDuringRelease' },
    );
    try {
      await runFor(handler, entity.id, new Date(AS_OF.getTime() + DAY));
    } finally {
      documentClient().middlewareStack.remove('recordDuringRelease');
    }
    expect(recorded).toBe(true);
    // The run redid the first mark's day and cleared that mark; the second, earlier than the run's own
    // window but later than the first mark, stays: clearing it would lose its day for good.
    expect(await energyOf(entity.id)).toEqual({ '2026-02-05': [9, 1] });
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual([`${at(second.start)}#${second.id}`]);

    expect((await runFor(handler, entity.id, new Date(AS_OF.getTime() + 2 * DAY))).status).toBe('processed');
    expect(await energyOf(entity.id)).toEqual({ '2026-02-05': [9, 1], '2026-02-07': [7, 1] });
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual([]);
  });

  it('keeps the marks when the run processed nothing (capture off), and honours them once it is back on', async () => {
    const entity = await chargePoint(3);
    await upsertSession(calculatedAt(entity, '2026-02-03T10:00:00.000Z', 1, 10, 1));
    const handler = createWorkerHandler(
      async (ref, now) => {
        const { entityAwareProcessor } = await import('../support/job.js');
        const result = await entityAwareProcessor(ref, now);
        return result.status === 'processed' ? idleProcessor()(ref, now) : result;
      },
      { log: quietLog },
    );
    await runFor(handler, entity.id, AS_OF);
    const measured = measuredAt(entity, '2026-02-03T09:30:00.000Z', 2, 11, 2);
    await recordMeasuredSession(measured, new RecordingSink());
    await setCapture(JOB_TENANT, entity.id, false);
    const marks = await staleMarksOf(JOB_TENANT, entity.id);
    expect(marks).toEqual([`${at(measured.start)}#${measured.id}`]);
    // Switched off, the entity is not planned; a message for it (planned before) is skipped.
    const skipped = await runFor(handler, entity.id, new Date(AS_OF.getTime() + DAY));
    expect(skipped.status).toBe('skipped_disabled');
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual(marks);
    expect(await energyOf(entity.id)).toEqual({ '2026-02-03': [10, 1] });

    await setCapture(JOB_TENANT, entity.id, true);
    await runFor(handler, entity.id, new Date(AS_OF.getTime() + 2 * DAY));
    expect(await energyOf(entity.id)).toEqual({ '2026-02-03': [11, 1] });
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual([]);
  });

  it('completes a recording that failed part-way when it is carried out again, days before the mark included', async () => {
    const entity = await chargePoint(4);
    // The engine saw the charge from 23:50; the charger's transaction began at 00:05.
    const calculated = calculatedAt(entity, '2026-02-11T23:50:00.000Z', 3, 30, 1);
    await upsertSession(calculated);
    const handler = createWorkerHandler(idleProcessor(), { log: quietLog });
    await runFor(handler, entity.id, AS_OF);
    expect(await energyOf(entity.id)).toEqual({
      '2026-02-11': [expect.closeTo(10 / 6, 3), 1],
      '2026-02-12': [expect.closeTo(30 - 10 / 6, 3), 0],
    });

    // The delete happens but its answer is lost: the recording fails (its effect stays in the outbox).
    const measured = measuredAt(entity, '2026-02-12T00:05:00.000Z', 2.5, 27, 2);
    const faults = injectDynamoFaults({
      seed: 7,
      before: 0,
      afterWrite: 1,
      only: (command) => command === 'DeleteItemCommand',
    });
    try {
      await expect(recordMeasuredSession(measured, new RecordingSink())).rejects.toThrow(
        /injected TimeoutError/,
      );
    } finally {
      faults.stop();
    }
    // Carried out again, it finds nothing left to delete; the mark set before the delete still reaches
    // back to the calculated session's day.
    await recordMeasuredSession(measured, new RecordingSink());
    const sessions = await readEntitySessions(JOB_TENANT, entity.id, { start: '2026-02-01T00:00:00Z' });
    expect(sessions.map((s) => s.source)).toEqual(['measured']);
    expect(Math.min(...(await staleMarksOf(JOB_TENANT, entity.id)).map((m) => Number(m.split('#')[0])))).toBe(
      at(calculated.start),
    );

    await runFor(handler, entity.id, new Date(AS_OF.getTime() + DAY));
    expect(await energyOf(entity.id)).toEqual({ '2026-02-12': [27, 1] });
    expect(await staleMarksOf(JOB_TENANT, entity.id)).toEqual([]);
  });

  it('tells subscribers: charge_session.superseded for each calculated session it replaced, naming the measured one, once', async () => {
    const entity = await chargePoint(5);
    const calculated = calculatedAt(entity, '2026-02-11T23:50:00.000Z', 3, 30, 1);
    await upsertSession(calculated);
    const measured = measuredAt(entity, '2026-02-12T00:05:00.000Z', 2.5, 27, 2);
    const sink = new RecordingSink();
    await recordMeasuredSession(measured, sink);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      type: 'charge_session.superseded',
      tenantId: JOB_TENANT,
      data: { id: calculated.id, supersededBy: measured.id, data: { source: 'calculated' } },
    });
    // Recorded again (a retry): nothing left to replace, nothing new to say.
    await recordMeasuredSession(measured, sink);
    expect(sink.events).toHaveLength(1);
  });
});
