// Use cases of the tariffs area: each takes the calling tenant, its input and the time. Unknown ids and
// other tenants' ids are the same 404; nothing is written unless the whole request is valid.

import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { isUuid, uuidv7 } from '../ids.js';
import { rfc3339ToMs } from '../schema.js';
import type { Position } from '../storage/page.js';
import type { TariffRecord } from '../storage/tariffs.js';
import * as store from '../storage/tariffs.js';
import type { CreateTariffInput, PutPricesInput, TariffResource, UpdateTariffInput } from './schemas.js';
import { checkSeries } from './series.js';

/** Reads of dynamic prices cover at most this long: a month of 15-minute prices. */
export const MAX_PRICES_RANGE_MS = 31 * 86_400_000;

/** Concurrent edits are retried this often before the caller is told to try again. */
const EDIT_ATTEMPTS = 3;

export function tariffNotFound(tariffId: string): NotFoundError {
  return new NotFoundError('tariff_not_found', `No tariff with id '${tariffId}' exists.`);
}

export function toTariffResource(t: TariffRecord): TariffResource {
  return {
    id: t.id,
    version: t.version,
    name: t.name,
    currency: t.currency,
    elements: t.elements,
    created: t.created,
    updated: t.updated,
  };
}

export async function createTariff(
  tenantId: string,
  input: CreateTariffInput,
  now: Date,
): Promise<TariffRecord> {
  const at = now.toISOString();
  const tariff: TariffRecord = {
    tenantId,
    id: uuidv7(now.getTime()),
    version: 1,
    ...input,
    created: at,
    updated: at,
  };
  await store.putNewTariff(tariff);
  return tariff;
}

export async function getTariff(tenantId: string, tariffId: string): Promise<TariffRecord> {
  const tariff = isUuid(tariffId) ? await store.getTariff(tenantId, tariffId) : undefined;
  if (!tariff) throw tariffNotFound(tariffId);
  return tariff;
}

export async function getTariffVersion(
  tenantId: string,
  tariffId: string,
  version: number,
): Promise<TariffRecord> {
  const tariff = isUuid(tariffId) ? await store.getTariffVersion(tenantId, tariffId, version) : undefined;
  if (!tariff) {
    throw new NotFoundError('tariff_version_not_found', `Tariff '${tariffId}' has no version ${version}.`);
  }
  return tariff;
}

/** An edit makes a new version; sessions priced before keep the version they name. */
export async function updateTariff(
  tenantId: string,
  tariffId: string,
  input: UpdateTariffInput,
  now: Date,
): Promise<TariffRecord> {
  for (let attempt = 0; attempt < EDIT_ATTEMPTS; attempt++) {
    const current = await getTariff(tenantId, tariffId);
    const next: TariffRecord = {
      ...current,
      name: input.name ?? current.name,
      currency: input.currency ?? current.currency,
      elements: input.elements ?? current.elements,
      version: current.version + 1,
      updated: now.toISOString(),
    };
    if (await store.replaceTariff(current, next)) return next;
  }
  throw new ConflictError(
    'tariff_edit_conflict',
    'The tariff is being edited by another request; send the edit again.',
  );
}

export async function deleteTariff(tenantId: string, tariffId: string): Promise<void> {
  const outcome = isUuid(tariffId) ? await store.deleteTariff(tenantId, tariffId) : 'missing';
  if (outcome === 'missing') throw tariffNotFound(tariffId);
  if (outcome === 'referenced') {
    throw new ConflictError(
      'tariff_in_use',
      'A location, a charger or the cost settings still name this tariff; point them elsewhere first.',
    );
  }
}

export function listTariffs(tenantId: string, page: { pageSize: number; startKey: Position | undefined }) {
  return store.listTariffs(tenantId, page);
}

export async function putPrices(tenantId: string, tariffId: string, input: PutPricesInput) {
  // Another tenant's tariff id is a 404 whatever the body holds.
  await getTariff(tenantId, tariffId);
  const { points, errors } = checkSeries(input.prices);
  if (errors.length > 0) {
    throw new ValidationError(
      'validation_failed',
      'The price series must be continuous, without overlaps or gaps.',
      {
        errors,
      },
    );
  }
  await store.putPrices(tenantId, tariffId, points);
  return toPricesResource(tariffId, points[0]!.start, points[points.length - 1]!.end, points);
}

export async function readPrices(tenantId: string, tariffId: string, fromIso: string, toIso: string) {
  await getTariff(tenantId, tariffId);
  // The schema accepted both as RFC 3339, so they parse.
  const from = rfc3339ToMs(fromIso) as number;
  const to = rfc3339ToMs(toIso) as number;
  if (!(to > from && to - from <= MAX_PRICES_RANGE_MS)) {
    throw new ValidationError('validation_failed', 'to must be after from, by at most 31 days.', {
      errors: [{ in: 'query', field: 'to', code: 'invalid_range', message: 'At most 31 days after from.' }],
    });
  }
  return toPricesResource(tariffId, from, to, await store.readPrices(tenantId, tariffId, from, to));
}

function toPricesResource(
  tariffId: string,
  from: number,
  to: number,
  points: readonly { start: number; end: number; price: number }[],
) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    tariffId,
    from: iso(from),
    to: iso(to),
    prices: points.map((p) => ({ start: iso(p.start), end: iso(p.end), price: p.price })),
  };
}
