// The real-time path over HTTP, without the daily job: a car plugs in, charges and unplugs through ingested
// readings; the in-process runner (what the FIFO queue and the real-time worker do on AWS) lists the session
// as active while it charges and as completed once unplugged, under one id; the events recorded are
// started, then completed; the daily job run afterwards changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../../infra/local/aggregate.js';
import { type LocalLive, startLocalLive } from '../../infra/local/live.js';
import { processEntity } from '../../shared/pipeline/process-entity.js';
import { createWorkerHandler } from '../../shared/pipeline/worker.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { quietLog } from '../support/job.js';
import { RecordingSink } from '../support/recording-sink.js';
import { createEntity } from '../support/requests.js';

const MINUTE = 60_000;
let api: TestApi;
let token: string;
let live: LocalLive;
const sink = new RecordingSink();
// The clock the real-time runs read (for `created` and retention): injected, a fixed instant.
const NOW = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);

beforeAll(async () => {
  api = await startTestApi();
  token = await api.token('live-fleet', { scopes: ['entities:write', 'readings:write', 'sessions:read'] });
  // A debounce longer than the test: runs happen when the test settles them, never on their own.
  live = startLocalLive({ events: sink, debounceMs: 3_600_000, clock: () => NOW, log: quietLog });
});
afterAll(async () => {
  await live.stop();
  await api.close();
});

/** A minute's reading of the car at `minute` (minutes after `base`). */
function reading(base: number, minute: number, state: { plugged: boolean; kw: number; soc: number }) {
  return {
    timestamp: new Date(base + minute * MINUTE).toISOString(),
    powerKw: state.kw,
    soc: state.soc,
    isPluggedIn: state.plugged,
    isCharging: state.kw > 0,
  };
}

describe('a session in real time', () => {
  it('is listed active while charging, completed once unplugged, with started then completed events; the daily job changes nothing', async () => {
    const car = await createEntity(
      api,
      token,
      {
        type: 'EV',
        name: 'Live car',
        capabilities: ['power', 'soc'],
        batteryCapacity: { value: 60, unit: 'kWh' },
      },
      { capture: true },
    );
    const base = NOW.getTime() - 3 * 60 * MINUTE;
    const post = async (minutes: number[], state: (m: number) => Parameters<typeof reading>[2]) => {
      const response = await api.request('POST', `/v1/entities/${car.id}/readings`, {
        token,
        body: { readings: minutes.map((m) => reading(base, m, state(m))) },
      });
      expect(response.status, response.text).toBe(202);
      await live.settle();
    };
    const list = async (status?: string) => {
      const query = `start=${new Date(base - 60 * MINUTE).toISOString()}${status ? `&status=${status}` : ''}`;
      const response = await api.request('GET', `/v1/entities/${car.id}/charge-sessions?${query}`, { token });
      expect(response.status, response.text).toBe(200);
      return response.body.data as any[];
    };
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

    // Parked, unplugged for 10 minutes: nothing to list.
    await post(range(0, 10), () => ({ plugged: false, kw: 0, soc: 40 }));
    expect(await list('all')).toEqual([]);

    // Plugged in and charging at 7.2 kW for 40 minutes (0.2 % a minute on 60 kWh), sent in two uploads.
    const charging = (m: number) => ({ plugged: true, kw: 7.2, soc: 40 + Math.floor((m - 10) * 0.2) });
    await post(range(10, 30), charging);
    const [started] = await list('active');
    expect(started).toMatchObject({ data: { status: 'active', provisional: true } });
    expect(await list()).toEqual([]); // the default listing: completed sessions only
    await post(range(30, 50), charging);
    const [running] = await list('active');
    expect(running.id).toBe(started.id);
    expect(running.data.charge.total.total).toBeGreaterThan(started.data.charge.total.total);

    // Unplugged: the session completes, under the same id, and is no longer active.
    await post(range(50, 60), () => ({ plugged: false, kw: 0, soc: 48 }));
    const completed = await list();
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ id: started.id, data: { status: 'completed', provisional: false } });
    expect(completed[0].data.charge.total.total).toBeCloseTo(7.2 * (40 / 60), 0);
    expect(await list('active')).toEqual([]);

    const types = sink.types().filter((type) => type !== 'charge_session.updated');
    expect(types).toEqual(['charge_session.started', 'charge_session.completed']);
    expect(sink.events.every((event) => (event.data as any).id === started.id)).toBe(true);
    const done = sink.events.find((event) => event.type === 'charge_session.completed');
    expect((done as any).data.data).toMatchObject({ status: 'completed', end: completed[0].data.end });

    // The daily job afterwards, as of an hour and more later: nothing to change.
    const before = await list('all');
    const worker = createWorkerHandler(processEntity, { log: quietLog });
    const run = await runAggregation({ worker, asOf: new Date(NOW.getTime() + 2 * 60 * MINUTE) });
    expect(run).toMatchObject({ processed: 1, sessionsWritten: 0, deadLetters: [] });
    expect(await list('all')).toEqual(before);
  });

  it('a refresh written without the lease never creates its item: a purged entity gets no orphan active session', async () => {
    const { upsertSession, getSessionAt } = await import('../../shared/storage/sessions.js');
    const { sessionAt } = await import('../support/sessions.js');
    const car = { id: '01900000-0000-7000-8000-0000000fffff', type: 'EV' as const };
    const start = NOW.getTime() - 60 * MINUTE;
    const active = sessionAt('live-fleet', car, start, 77, { status: 'active', asOf: NOW.toISOString() });
    expect(await upsertSession(active, { mustExist: true })).toBe(false);
    expect(await getSessionAt('live-fleet', car.id, active.start)).toBeUndefined();
    // Stored by a leased run, it is refreshed in place, never with older values.
    expect(await upsertSession(active)).toBe(true);
    const later = { ...active, energyKwh: 30, asOf: new Date(NOW.getTime() + MINUTE).toISOString() };
    expect(await upsertSession(later, { mustExist: true })).toBe(true);
    expect(await upsertSession({ ...active, energyKwh: 1 }, { mustExist: true })).toBe(false);
    expect((await getSessionAt('live-fleet', car.id, active.start))?.energyKwh).toBe(30);
  });
});
