// Cost on sessions, end to end: a tariff and where it applies are set over HTTP, a charge point's
// readings are stored, the daily job's step computes and prices the session, and the listing serves
// `data.category` and `data.cost` — split over the time-of-use boundary by the meter's own steps.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEntity } from '../../shared/entities/domain.js';
import type { Reading } from '../../shared/readings/model.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { toReadingBody } from '../support/readings.js';

let api: TestApi;
const MIN = 60_000;
const HOUR = 60 * MIN;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** A CP in UTC, charging from `t0` for two hours: 15 kWh in the first hour, 5 kWh in the second. */
async function seedChargePoint(
  tenantId: string,
  entityId: string,
  t0: number,
  now: Date,
  place?: { lat: number; lon: number },
): Promise<void> {
  const { putNewEntity } = await import('../../shared/storage/entities.js');
  const { ingestReadings } = await import('../../shared/readings/service.js');
  const entity = newEntity(
    tenantId,
    entityId,
    { type: 'CP', name: 'Wallbox', timeZone: 'UTC', capabilities: place ? ['location'] : [] },
    now,
  );
  await putNewEntity({
    ...entity,
    features: { CaptureChargeSessions: { enabled: true, since: now.toISOString() } },
  });
  const readings: Reading[] = [];
  let energy = 100;
  for (let t = t0 - 30 * MIN; t <= t0 + 150 * MIN; t += 5 * MIN) {
    const charging = t >= t0 && t < t0 + 2 * HOUR;
    const kw = !charging ? 0 : t < t0 + HOUR ? 15 : 5;
    readings.push({
      t,
      energyKwh: Number(energy.toFixed(4)),
      powerKw: kw,
      isPluggedIn: true,
      isCharging: charging,
      ...place,
    });
    energy += (kw * 5) / 60;
  }
  await ingestReadings(
    tenantId,
    entityId,
    readings.map((r) => toReadingBody(r)),
    now,
  );
}

describe('cost on sessions', () => {
  it('prices a computed session with the default tariff, split at the time-of-use boundary by its curve', async () => {
    const tenantId = 'costs-default';
    const entityId = '01900000-0000-7000-8000-0000000c0571';
    const token = await api.token(tenantId);
    const now = new Date();
    const t0 = Math.floor((now.getTime() - 2 * 24 * HOUR) / HOUR) * HOUR;
    // Cheap from the second hour of the charge for four hours (UTC entity: local = UTC).
    const { body: tariff } = await api.request('POST', '/v1/tariffs', {
      token,
      body: {
        name: 'Night',
        currency: 'EUR',
        elements: [
          {
            priceComponents: [{ type: 'ENERGY', price: 0.1, vat: 21 }],
            restrictions: { startTime: hhmm(t0 + HOUR), endTime: hhmm(t0 + 5 * HOUR) },
          },
          { priceComponents: [{ type: 'ENERGY', price: 0.4, vat: 21 }] },
        ],
      },
    });
    await api.request('PUT', '/v1/settings/costs', {
      token,
      body: { defaultTariffId: tariff.id, reimbursement: null, reimburseHomeAtActualTariff: false },
    });
    await seedChargePoint(tenantId, entityId, t0, now);

    const { processEntity } = await import('../../shared/pipeline/process-entity.js');
    expect((await processEntity({ tenantId, entityId }, now)).sessionsWritten).toBe(1);

    const listed = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=${new Date(t0 - 3 * HOUR).toISOString()}`,
      { token },
    );
    expect(listed.status).toBe(200);
    const [session] = listed.body.data;
    expect(session.data.charge.total.total).toBeCloseTo(20, 3);
    expect(session.data.category).toBe('other');
    // 15 kWh × 0.40 + 5 kWh × 0.10 = 6.50; VAT 21 % = 1.365 → 1.36 (half-even).
    expect(session.data.cost).toMatchObject({
      currency: 'EUR',
      total: 650,
      tax: 136,
      tariffId: tariff.id,
      tariffVersion: 1,
    });
    expect(
      session.data.cost.breakdown.map((l: { price: number; amount: number }) => [l.price, l.amount]),
    ).toEqual([
      [0.4, 600],
      [0.1, 50],
    ]);

    // Re-running the job over the same readings (the cursor lost, as after a crash before it moved)
    // stores the same session with the same cost, to the minor unit and the breakdown line.
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { documentClient, tableName } = await import('../../shared/storage/client.js');
    const { entityKeys } = await import('../../shared/storage/entities.js');
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: entityKeys.primary(tenantId, entityId),
        UpdateExpression: 'REMOVE sessionCursor',
      }),
    );
    const rerun = await processEntity({ tenantId, entityId }, new Date(now.getTime() + HOUR));
    expect(rerun.sessionsWritten).toBe(1);
    const repriced = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=${new Date(t0 - 3 * HOUR).toISOString()}`,
      { token },
    );
    expect(repriced.body.data).toHaveLength(1);
    expect(repriced.body.data[0].data.cost).toEqual(session.data.cost);

    // An edit makes version 2; the stored session keeps version 1 and its cost.
    await api.request('PATCH', `/v1/tariffs/${tariff.id}`, { token, body: { name: 'Night v2' } });
    const again = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=${new Date(t0 - 3 * HOUR).toISOString()}`,
      { token },
    );
    expect(again.body.data[0].data.cost.tariffVersion).toBe(1);
  });

  it('gives cost null, never a zero, when no tariff applies', async () => {
    const tenantId = 'costs-none';
    const entityId = '01900000-0000-7000-8000-0000000c0572';
    const token = await api.token(tenantId);
    const now = new Date();
    const t0 = Math.floor((now.getTime() - 2 * 24 * HOUR) / HOUR) * HOUR;
    await seedChargePoint(tenantId, entityId, t0, now);
    const { processEntity } = await import('../../shared/pipeline/process-entity.js');
    await processEntity({ tenantId, entityId }, now);
    const listed = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=${new Date(t0 - 3 * HOUR).toISOString()}`,
      { token },
    );
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0].data).toMatchObject({ category: 'other', cost: null });
  });

  it('takes category and tariff from the matched location; the monthly report sums and reimburses it', async () => {
    const tenantId = 'costs-home';
    const entityId = '01900000-0000-7000-8000-0000000c0573';
    const token = await api.token(tenantId);
    const now = new Date();
    const t0 = Math.floor((now.getTime() - 2 * 24 * HOUR) / HOUR) * HOUR;
    const home = { lat: 52.37, lon: 4.89 };
    const { body: tariff } = await api.request('POST', '/v1/tariffs', {
      token,
      body: {
        name: 'Home',
        currency: 'EUR',
        elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.25 }] }],
      },
    });
    await api.request('POST', '/v1/locations', {
      token,
      body: { label: 'Home', ...home, radiusMeters: 50, category: 'home', tariffId: tariff.id },
    });
    await api.request('PUT', '/v1/settings/costs', {
      token,
      body: {
        defaultTariffId: null,
        reimbursement: { currency: 'EUR', pricePerKwh: 0.3 },
        reimburseHomeAtActualTariff: false,
      },
    });
    await seedChargePoint(tenantId, entityId, t0, now, home);
    const { processEntity } = await import('../../shared/pipeline/process-entity.js');
    await processEntity({ tenantId, entityId }, now);

    const month = new Date(t0).toISOString().slice(0, 7);
    const report = await api.request('GET', `/v1/fleet/reports/monthly?month=${month}`, { token });
    expect(report.status).toBe(200);
    // 20 kWh × 0.25 = 5.00 cost; reimbursed at the reference price: 20 × 0.30 = 6.00.
    expect(report.body).toEqual({
      month,
      rows: [
        {
          entityId,
          entityName: 'Wallbox',
          timeZone: 'UTC',
          category: 'home',
          firstStart: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
          lastEnd: expect.any(String),
          sessions: 1,
          energyKwh: expect.closeTo(20, 3),
          unpricedSessions: 0,
          flaggedSessions: 0,
          cost: { currency: 'EUR', total: 500, tax: 0 },
          reimbursable: { currency: 'EUR', amount: 600 },
        },
      ],
    });
    const csv = await api.request('GET', `/v1/fleet/reports/monthly?month=${month}&entityId=${entityId}`, {
      token,
      headers: { accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'month,entity_id,entity_name,time_zone,category,first_start_local,last_end_local,sessions,energy_kwh,unpriced_sessions,flagged_sessions,currency,cost_excl_vat,vat,cost_incl_vat,reimbursable_currency,reimbursable',
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^${month},${entityId},Wallbox,UTC,home,.*,1,20\\.0\\d{3},0,0,EUR,5\\.00,0\\.00,5\\.00,EUR,6\\.00$`,
      ),
    );
    const empty = await api.request('GET', '/v1/fleet/reports/monthly?month=2001-01', { token });
    expect(empty.body.rows).toEqual([]);
    const bad = await api.request('GET', '/v1/fleet/reports/monthly?month=2026-13', { token });
    expect(bad.status).toBe(400);
  });

  it('prices energy at the uploaded day-ahead prices where they cover the charge', async () => {
    const tenantId = 'costs-dynamic';
    const entityId = '01900000-0000-7000-8000-0000000c0574';
    const token = await api.token(tenantId);
    const now = new Date();
    const t0 = Math.floor((now.getTime() - 2 * 24 * HOUR) / HOUR) * HOUR;
    const { body: tariff } = await api.request('POST', '/v1/tariffs', {
      token,
      body: {
        name: 'Dynamic',
        currency: 'EUR',
        elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.4 }] }],
      },
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    const put = await api.request('PUT', `/v1/tariffs/${tariff.id}/prices`, {
      token,
      body: {
        prices: [
          { start: iso(t0), end: iso(t0 + HOUR), price: 0.05 },
          { start: iso(t0 + HOUR), end: iso(t0 + 2 * HOUR), price: 0.5 },
        ],
      },
    });
    expect(put.status).toBe(200);
    await api.request('PUT', '/v1/settings/costs', {
      token,
      body: { defaultTariffId: tariff.id, reimbursement: null, reimburseHomeAtActualTariff: false },
    });
    await seedChargePoint(tenantId, entityId, t0, now);
    const { processEntity } = await import('../../shared/pipeline/process-entity.js');
    await processEntity({ tenantId, entityId }, now);
    const listed = await api.request(
      'GET',
      `/v1/entities/${entityId}/charge-sessions?start=${iso(t0 - 3 * HOUR)}`,
      { token },
    );
    // 15 kWh × 0.05 + 5 kWh × 0.50 = 3.25 (the static 0.40 would make 8.00).
    expect(listed.body.data[0].data.cost).toMatchObject({ total: 325, tax: 0 });
  });
});
