// Demo data for `npm start`: tenant `demo` with one EV and one charge point under fixed ids, the tenant's
// Home and Work locations, and a week of the two entities' readings (infra/local/demo-readings.ts) stored
// through the readings use case as an uploader would, so that `npm run aggregate` computes their sessions.
// A restart on a kept --data-dir finds the entities and adds nothing: their readings are already there.

import { SCOPES } from '../../shared/auth/scopes.js';
import { issueApiToken } from '../../shared/auth/token-admin.js';
import { hashApiToken } from '../../shared/auth/tokens.js';
import type { EntityRecord } from '../../shared/entities/domain.js';
import { newEntity } from '../../shared/entities/domain.js';
import { MAX_READINGS_PER_REQUEST } from '../../shared/readings/schemas.js';
import { ingestReadings } from '../../shared/readings/service.js';
import { findApiTokenByHash } from '../../shared/storage/api-tokens.js';
import { getCostSettings, putCostSettings } from '../../shared/storage/cost-settings.js';
import { getEntity, putNewEntity } from '../../shared/storage/entities.js';
import { getLocation, putNewLocation } from '../../shared/storage/locations.js';
import { getTariff, putNewTariff } from '../../shared/storage/tariffs.js';
import type { TariffElement } from '../../shared/tariffs/model.js';
import { DEMO_BATTERY_KWH, DEMO_PLACES, DEMO_TIME_ZONE, demoTelemetry } from './demo-readings.js';

export const DEMO_TENANT = 'demo';
export const DEMO_EV_ID = '01900000-0000-7000-8000-00000000e001';
export const DEMO_CP_ID = '01900000-0000-7000-8000-00000000c001';

/** Home is cheaper at night (a typical Dutch double tariff); Work charges a start fee and a flat kWh price. */
export const DEMO_TARIFFS = {
  home: {
    id: '01900000-0000-7000-8000-0000000ca001',
    name: 'Home, off-peak 23:00–07:00',
    currency: 'EUR',
    elements: [
      {
        priceComponents: [{ type: 'ENERGY', price: 0.22, vat: 21 }],
        restrictions: { startTime: '23:00', endTime: '07:00' },
      },
      { priceComponents: [{ type: 'ENERGY', price: 0.31, vat: 21 }] },
    ] satisfies TariffElement[],
  },
  work: {
    id: '01900000-0000-7000-8000-0000000ca002',
    name: 'Work charger',
    currency: 'EUR',
    elements: [
      {
        priceComponents: [
          { type: 'FLAT', price: 0.5, vat: 21 },
          { type: 'ENERGY', price: 0.28, vat: 21 },
        ],
      },
    ] satisfies TariffElement[],
  },
};

export interface DemoSeed {
  ev: EntityRecord;
  cp: EntityRecord;
  /** Readings stored by this start: none when the entities were already there. */
  readings: number;
}

export async function seedDemo(now: Date): Promise<DemoSeed> {
  const since = now.toISOString();
  const ev: EntityRecord = {
    ...newEntity(
      DEMO_TENANT,
      DEMO_EV_ID,
      {
        type: 'EV',
        name: 'Demo car',
        vendor: 'Volkswagen',
        model: 'ID.3 Pro',
        timeZone: DEMO_TIME_ZONE,
        capabilities: ['soc', 'range', 'location', 'odometer'],
      },
      now,
    ),
    batteryCapacityKwh: DEMO_BATTERY_KWH,
    batteryCapacityUpdated: since,
    features: { CaptureChargeSessions: { enabled: true, since } },
  };
  const cp: EntityRecord = {
    ...newEntity(
      DEMO_TENANT,
      DEMO_CP_ID,
      {
        type: 'CP',
        name: 'Demo home charger',
        vendor: 'Alfen',
        model: 'Eve Single Pro-line',
        timeZone: DEMO_TIME_ZONE,
        capabilities: ['power', 'energy'],
      },
      now,
    ),
    features: { CaptureChargeSessions: { enabled: true, since } },
  };
  for (const tariff of Object.values(DEMO_TARIFFS)) {
    if (!(await getTariff(DEMO_TENANT, tariff.id))) {
      await putNewTariff({ tenantId: DEMO_TENANT, ...tariff, version: 1, created: since, updated: since });
    }
  }
  if ((await getCostSettings(DEMO_TENANT, true)).updated === null) {
    // Home charging is reimbursed at 0.30 EUR/kWh, as many employers do, whatever the home tariff is.
    await putCostSettings(DEMO_TENANT, {
      defaultTariffId: null,
      reimbursement: { currency: 'EUR', pricePerKwh: 0.3 },
      reimburseHomeAtActualTariff: false,
      updated: since,
    });
  }
  for (const place of Object.values(DEMO_PLACES)) {
    if (await getLocation(DEMO_TENANT, place.id)) continue;
    const { id, label, lat, lon, radiusMeters, category } = place;
    const tariffId = category === 'home' ? DEMO_TARIFFS.home.id : DEMO_TARIFFS.work.id;
    await putNewLocation({
      tenantId: DEMO_TENANT,
      id,
      label,
      lat,
      lon,
      radiusMeters,
      category,
      tariffId,
      created: since,
    });
  }
  const created: EntityRecord[] = [];
  for (const entity of [ev, cp]) {
    if (await getEntity(entity.tenantId, entity.id)) continue;
    await putNewEntity(entity);
    created.push(entity);
  }
  if (created.length === 0) return { ev, cp, readings: 0 };

  const telemetry = demoTelemetry(now);
  let readings = 0;
  for (const entity of created) {
    const all = entity.id === DEMO_EV_ID ? telemetry.car : telemetry.charger;
    // As an uploader sends them: full requests, oldest first.
    for (let i = 0; i < all.length; i += MAX_READINGS_PER_REQUEST) {
      const result = await ingestReadings(
        DEMO_TENANT,
        entity.id,
        all.slice(i, i + MAX_READINGS_PER_REQUEST),
        now,
      );
      readings += result.accepted;
    }
  }
  return { ev, cp, readings };
}

const DAY_MS = 86_400_000;
export const DEMO_TOKEN_LIFETIME_MS = 30 * DAY_MS;
/** A kept demo token is reused while it has at least this long to run, so it does not lapse mid-demo. */
const DEMO_TOKEN_MIN_LEFT_MS = 7 * DAY_MS;

export interface DemoToken {
  token: string;
  expiresAt: string;
  /** True when `kept` was still valid and is returned instead of a new token. */
  reused: boolean;
}

/**
 * The demo tenant's token (all scopes): `kept`, from an earlier start on the same data, while the store
 * still holds it unrevoked, with every scope there is, and a week or more to run; a new 30-day one otherwise.
 */
export async function demoToken(now: Date, kept: string | undefined): Promise<DemoToken> {
  if (kept) {
    const record = await findApiTokenByHash(hashApiToken(kept));
    if (
      record?.tenantId === DEMO_TENANT &&
      !record.revokedAt &&
      // A token kept from before a scope existed (webhooks:*) would be refused by that scope's routes.
      SCOPES.every((scope) => record.scopes.includes(scope)) &&
      Date.parse(record.expiresAt) - now.getTime() >= DEMO_TOKEN_MIN_LEFT_MS
    )
      return { token: kept, expiresAt: record.expiresAt, reused: true };
  }
  const { token, record } = await issueApiToken(
    { tenantId: DEMO_TENANT, name: 'npm start', lifetimeMs: DEMO_TOKEN_LIFETIME_MS },
    now,
  );
  return { token, expiresAt: record.expiresAt, reused: false };
}
