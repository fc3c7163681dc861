// A tenant with one of everything the API can address by id: an EV and a CP entity, a public charger on
// the CP, a public charging session (its token) and the charger's waiting start command. `pathValues`
// gives a real value for every path parameter of every route, so suites generated from the route list
// (fuzzing, tenant isolation) reach real items; a route with a parameter this file does not know fails
// those suites until a fixture is added here.

import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApi } from './api.js';
import { createEntity, registerCharger } from './requests.js';

export interface TenantFixtures {
  tenantId: string;
  /** A token with every scope. */
  token: string;
  evId: string;
  cpId: string;
  chargerCode: string;
  sessionToken: string;
  commandId: string;
  locationId: string;
  webhookId: string;
  /** A real value for each path parameter name used by the API. */
  pathValues: Record<string, string>;
  /** Text that belongs to this tenant and must never appear in another tenant's responses. */
  secrets: string[];
}

/** A fresh client address on loopback (the harness binds to it), so per-IP rate limits start empty. */
export function loopbackAddress(): string {
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  return `127.${1 + (a % 250)}.${b}.${1 + (c % 250)}`;
}

export async function createTenantFixtures(api: TestApi, tenantId: string): Promise<TenantFixtures> {
  const token = await api.token(tenantId);
  const marker = `${tenantId}-${randomBytes(3).toString('hex')}`;
  const { id: evId } = await createEntity(api, token, {
    type: 'EV',
    name: `EV of ${marker}`,
    capabilities: ['soc', 'power'],
  });
  await api.request('PUT', `/v1/entities/${evId}/battery-capacity`, {
    token,
    body: { batteryCapacity: 64 },
  });
  const { id: cpId } = await createEntity(api, token, { type: 'CP', name: `CP of ${marker}` });
  for (const id of [evId, cpId]) {
    await api.request('PATCH', `/v1/entities/${id}/features`, {
      token,
      body: { feature: 'CaptureChargeSessions', enabled: true },
    });
  }
  const chargerCode = await registerCharger(api, token, cpId, { name: `Charger of ${marker}` });
  // A webhook endpoint that the session below gives a delivery (its status changes). `.invalid` never
  // resolves (RFC 6761), so a test ping or resend fails fast, as a DNS error, and reaches no one.
  const webhook = await api.request('POST', '/v1/webhooks', {
    token,
    body: {
      url: `https://hooks.${marker}.invalid/events`,
      events: ['public_charging_session.status_changed'],
    },
  });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  const session = await api.request('POST', '/v1/public-charging/sessions', {
    sourceIp: loopbackAddress(),
    body: { code: chargerCode, connector_id: 1, email: `${marker}@example.com` },
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  const sessionToken = session.body.token as string;
  const confirmed = await api.request('POST', `/v1/public-charging/sessions/${sessionToken}/confirm`);
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  const commands = await api.request('GET', `/v1/chargers/${chargerCode}/commands`, { token });
  const commandId = commands.body.data[0]?.commandId as string;
  expect(commandId).toBeDefined();
  const deliveries = await api.request('GET', `/v1/webhooks/${webhook.body.id}/deliveries`, { token });
  const deliveryId = deliveries.body.data[0]?.id as string;
  expect(deliveryId, JSON.stringify(deliveries.body)).toBeDefined();
  const location = await api.request('POST', '/v1/locations', {
    token,
    body: { label: `Depot of ${marker}`, lat: 52.37, lon: 4.89, radiusMeters: 150 },
  });
  expect(location.status, JSON.stringify(location.body)).toBe(201);
  const tariff = await api.request('POST', '/v1/tariffs', {
    token,
    body: {
      name: `Tariff of ${marker}`,
      currency: 'EUR',
      elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.3 }] }],
    },
  });
  expect(tariff.status, JSON.stringify(tariff.body)).toBe(201);
  // Two stored sessions of the EV, so session lists have a second page (and a continuation token).
  const { upsertSession } = await import('../../shared/storage/sessions.js');
  for (const [i, start] of ['2026-01-05T18:00:00.000Z', '2026-01-06T18:00:00.000Z'].entries()) {
    await upsertSession({
      tenantId,
      entityId: evId,
      entityType: 'EV',
      id: `${evId.slice(0, -1)}${i}`,
      start,
      end: new Date(Date.parse(start) + 3_600_000).toISOString(),
      energyKwh: 7.2,
      averagePowerKw: 7.2,
      peakPowerKw: 7.4,
      chargingSeconds: 3_600,
      socStartPercent: 40,
      socEndPercent: 52,
      rangeStartKm: null,
      rangeEndKm: null,
      locationMatches: [],
      position: null,
      method: 'power_flow',
      source: 'calculated',
      created: '2026-01-07T02:00:00.000Z',
      measured: null,
    });
  }
  return {
    tenantId,
    token,
    evId,
    cpId,
    chargerCode,
    sessionToken,
    commandId,
    locationId: location.body.id,
    webhookId: webhook.body.id,
    pathValues: {
      entityId: evId,
      code: chargerCode,
      token: sessionToken,
      commandId,
      locationId: location.body.id,
      tariffId: tariff.body.id,
      version: '1',
      webhookId: webhook.body.id,
      deliveryId,
    },
    secrets: [
      marker,
      evId,
      cpId,
      chargerCode,
      sessionToken,
      location.body.id,
      tariff.body.id,
      webhook.body.id,
      webhook.body.secret,
      deliveryId,
    ],
  };
}

/** A concrete path for a route template from a tenant's fixtures; throws on an unknown parameter. */
export function fixturePath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(
        `No fixture for path parameter {${name}} in ${template}: add one to test/support/fixtures.ts`,
      );
    }
    return encodeURIComponent(value);
  });
}
