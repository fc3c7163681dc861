// The operator's use cases for chargers: register, read, list, reconfigure, delete; the public
// sessions of a charger; and the commands waiting for the operator's CSMS. A charger of another tenant
// is the same 404 as none (codes are unique across tenants, but who holds one is not disclosed).

import type * as z from 'zod/mini';
import { requireEntity } from '../entities/service.js';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors.js';
import { hashOcppPassword } from '../ocpp/passwords.js';
import {
  type ChargerRecord,
  newChargerRecord,
  publicConnectorStatus,
  reconfigureCharger,
  setChargerOnline,
} from '../public-charging/charger.js';
import { formatEnergyKwh } from '../public-charging/money.js';
import { pricingSummary } from '../public-charging/pricing.js';
import type { ChargerConfig, ChargerPricing } from '../public-charging/schemas.js';
import type { PublicSessionRecord } from '../public-charging/session.js';
import { MAX_WRITE_ATTEMPTS } from '../public-sessions/engine.js';
import * as store from '../storage/chargers.js';
import { deleteOcppStation, getOcppStation, putOcppPasswordHash } from '../storage/ocpp-stations.js';
import type { Position } from '../storage/page.js';
import { listChargerSessions } from '../storage/public-sessions.js';
import { addTariffReference, getTariff } from '../storage/tariffs.js';
import type { Charger, ChargerSession } from './schemas.js';

export function chargerNotFound(code: string): NotFoundError {
  return new NotFoundError('charger_not_found', `No charger with code '${code}' exists.`);
}

export async function requireOwnCharger(tenantId: string, code: string): Promise<ChargerRecord> {
  const charger = await store.getCharger(code);
  if (charger?.tenantId !== tenantId) throw chargerNotFound(code);
  return charger;
}

/** Applies `change` to the charger with a version-conditioned write, re-reading on a lost race. */
export async function updateCharger(
  tenantId: string,
  code: string,
  change: (charger: ChargerRecord) => ChargerRecord,
): Promise<ChargerRecord> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await requireOwnCharger(tenantId, code);
    const next = change(current);
    if (next === current || (await store.replaceCharger(next, current.version))) return next;
  }
  throw new ServiceUnavailableError('The charger is changing concurrently; retry shortly.');
}

async function requireChargePoint(tenantId: string, entityId: string): Promise<void> {
  const entity = await requireEntity(tenantId, entityId);
  if (entity.type !== 'CP') {
    throw new ValidationError('validation_failed', 'A charger belongs to a charge point (CP) entity.', {
      errors: [
        {
          in: 'body',
          field: 'entityId',
          code: 'not_a_charge_point',
          message: `Entity '${entityId}' is an ${entity.type}, not a CP.`,
        },
      ],
    });
  }
}

function inUse(code: string, connectorIds: number[]): ConflictError {
  return new ConflictError(
    'charger_in_use',
    `Charger ${code} has public sessions in progress on connector(s) ${connectorIds.join(', ')}; wait until they end.`,
    { extensions: { connectors: connectorIds } },
  );
}

function heldConnectors(charger: ChargerRecord): number[] {
  return Object.entries(charger.connectorStates)
    .filter(([, state]) => state.activeSessionId !== null)
    .map(([id]) => Number(id));
}

function fieldError(field: string, code: string, message: string): ValidationError {
  return new ValidationError('validation_failed', message, {
    errors: [{ in: 'body', field, code, message }],
  });
}

/**
 * The headline prices of the tariff a configuration names (undefined when it gives its own `pricing`),
 * after checking the tariff exists and the hold covers its start fee plus one kWh with VAT.
 */
async function tariffPricing(tenantId: string, config: ChargerConfig): Promise<ChargerPricing | undefined> {
  if (!config.tariffId) return undefined;
  const tariff = await getTariff(tenantId, config.tariffId);
  if (!tariff) throw fieldError('tariffId', 'unknown_tariff', 'No tariff with this id exists.');
  const pricing = pricingSummary(tariff);
  if (config.holdAmount < pricing.startFee + pricing.pricePerKwh) {
    throw fieldError(
      'holdAmount',
      'hold_too_small',
      `The hold must cover at least the tariff's start fee plus one kWh with VAT (${pricing.startFee + pricing.pricePerKwh}).`,
    );
  }
  return pricing;
}

/**
 * A charger naming a tariff counts as a reference to it, as a location does: raised before the charger
 * names it, lowered after it stops (shared/storage/tariffs.ts), so the tariff cannot be deleted under it.
 */
async function referenceTariff(tenantId: string, tariffId: string | null | undefined): Promise<void> {
  if (tariffId && !(await addTariffReference(tenantId, tariffId, 1))) {
    throw fieldError('tariffId', 'unknown_tariff', 'No tariff with this id exists.');
  }
}

async function releaseTariff(tenantId: string, tariffId: string | null | undefined): Promise<void> {
  if (tariffId) await addTariffReference(tenantId, tariffId, -1);
}

export async function createCharger(
  tenantId: string,
  config: ChargerConfig,
  now: Date,
): Promise<ChargerRecord> {
  await requireChargePoint(tenantId, config.entityId);
  const charger = newChargerRecord(tenantId, config, now, await tariffPricing(tenantId, config));
  await referenceTariff(tenantId, charger.tariffId);
  let stored = false;
  try {
    stored = await store.putNewCharger(charger);
  } finally {
    if (!stored) await releaseTariff(tenantId, charger.tariffId);
  }
  if (!stored) {
    throw new ConflictError(
      'public_code_taken',
      `The public code '${config.publicCode}' is already in use; choose another.`,
    );
  }
  return charger;
}

export async function replaceChargerConfig(
  tenantId: string,
  code: string,
  config: ChargerConfig,
  now: Date,
): Promise<ChargerRecord> {
  if (config.publicCode !== code) {
    throw new ValidationError('validation_failed', 'The public code of a charger cannot change.', {
      errors: [
        {
          in: 'body',
          field: 'publicCode',
          code: 'immutable',
          message: `Must be '${code}'; register a new charger for a new code.`,
        },
      ],
    });
  }
  await requireChargePoint(tenantId, config.entityId);
  // A charger connected to the OCPP-J gateway is online by its connection, whatever the body says.
  if ((await getOcppStation(code))?.connectionId) config = { ...config, online: true };
  const pricing = await tariffPricing(tenantId, config);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await requireOwnCharger(tenantId, code);
    const kept = new Set(config.connectors.map((c) => c.connectorId));
    const dropped = heldConnectors(current).filter((id) => !kept.has(id));
    if (dropped.length > 0) throw inUse(code, dropped);
    const next = reconfigureCharger(current, config, now, pricing);
    const moved = next.tariffId !== current.tariffId;
    if (moved) await referenceTariff(tenantId, next.tariffId);
    let stored = false;
    try {
      stored = await store.replaceCharger(next, current.version);
    } finally {
      // The version condition makes the write and the old tariff it replaced one step: released once.
      if (moved) await releaseTariff(tenantId, stored ? current.tariffId : next.tariffId);
    }
    if (stored) return next;
  }
  throw new ServiceUnavailableError('The charger is changing concurrently; retry shortly.');
}

export async function deleteCharger(tenantId: string, code: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await requireOwnCharger(tenantId, code);
    const held = heldConnectors(current);
    if (held.length > 0) throw inUse(code, held);
    if (await store.deleteCharger(code, current.version)) {
      await releaseTariff(tenantId, current.tariffId);
      // Its OCPP-J password goes with it: a charger registered later under this code starts without one.
      await deleteOcppStation(code);
      return;
    }
  }
  throw new ServiceUnavailableError('The charger is changing concurrently; retry shortly.');
}

/**
 * Sets or rotates the password the charger presents to the OCPP-J gateway (kept as a scrypt hash). From
 * then on the charger is online while it is connected: one not connected now shows offline until it is.
 */
export async function setOcppPassword(tenantId: string, code: string, password: string, now: Date) {
  const charger = await requireOwnCharger(tenantId, code);
  await putOcppPasswordHash(charger.publicCode, await hashOcppPassword(password), now);
  if (!(await getOcppStation(charger.publicCode))?.connectionId) {
    await updateCharger(tenantId, charger.publicCode, (c) => setChargerOnline(c, false, now));
  }
}

export function listChargers(tenantId: string, page: { pageSize: number; startKey: Position | undefined }) {
  return store.listTenantChargers(tenantId, page);
}

export async function listSessionsOfCharger(
  tenantId: string,
  code: string,
  page: { pageSize: number; startKey: Position | undefined },
) {
  await requireOwnCharger(tenantId, code);
  return listChargerSessions(tenantId, code, page);
}

export function toChargerResource(charger: ChargerRecord): z.output<typeof Charger> {
  return {
    publicCode: charger.publicCode,
    name: charger.name,
    entityId: charger.entityId,
    public: charger.public,
    online: charger.online,
    connectors: charger.connectors.map((c) => {
      const state = charger.connectorStates[String(c.connectorId)];
      return {
        connectorId: c.connectorId,
        type: c.type,
        maxPowerKw: c.maxPowerKw,
        evseId: c.evseId,
        evseConnectorId: c.evseConnectorId,
        portId: c.portId,
        ocppStatus: state?.status ?? null,
        status: publicConnectorStatus(state),
        activeSessionId: state?.activeSessionId ?? null,
      };
    }),
    pricing: charger.pricing,
    tariffId: charger.tariffId,
    holdAmount: charger.holdAmount,
    evchart: charger.evchart
      ? {
          stationId: charger.evchart.stationId,
          networkProvider: charger.evchart.networkProvider,
          ...(charger.evchart.chargerId !== null ? { chargerId: charger.evchart.chargerId } : {}),
        }
      : null,
    created: charger.created,
    updated: charger.updated,
  };
}

export function toChargerSessionResource(record: PublicSessionRecord): z.output<typeof ChargerSession> {
  return {
    id: record.id,
    status: record.status,
    failureReason: record.failureReason,
    connectorId: record.connectorId,
    transactionId: record.transactionId,
    stoppedReason: record.stoppedReason,
    currency: record.pricing.currency,
    amountAuthorized: record.amountAuthorized,
    energyKwh: record.energyWh === null ? null : formatEnergyKwh(record.energyWh),
    costAmount: record.costAmount,
    amountCaptured: record.amountCaptured,
    taxAmount: record.taxAmount,
    amountRefunded: record.amountRefunded,
    createdAt: record.createdAt,
    authorizedAt: record.authorizedAt,
    chargingStartedAt: record.chargingStartedAt,
    completedAt: record.completedAt,
    capturedAt: record.capturedAt,
  };
}
