// A public charging session that delivered energy, as the charge session its charger's CP entity
// measured: the same record the engine stores for calculated sessions, with source `measured`, category
// `public` and the cost its charger's tariff gives it. The caller records it only when that entity has
// CaptureChargeSessions enabled.

import type { ChargeSessionRecord } from '../sessions/model.js';
import { MEASURED_STATUSES } from './lifecycle.js';
import { measuredCost } from './pricing.js';
import type { PublicSessionRecord } from './session.js';

/** Card payments through the provider; exporters map it to their own vocabularies. */
export const PUBLIC_CHARGING_PAYMENT_TYPE = 'card';

/**
 * The measured charge session of a public session whose charging is over (settling or later) with
 * energy > 0, else null. Its id is the public session's, so recording it again (when the payment
 * outcome changes) overwrites rather than duplicates. Times are the charger's; `created` is now.
 */
export function toMeasuredChargeSession(record: PublicSessionRecord, now: Date): ChargeSessionRecord | null {
  const energyWh = record.energyWh ?? 0;
  if (!MEASURED_STATUSES.has(record.status) || energyWh <= 0) return null;
  if (record.chargingStartedAt === null || record.completedAt === null) return null;
  const start = record.chargingStartedAt;
  const end = record.completedAt < start ? start : record.completedAt;
  const spanSeconds = Math.round((Date.parse(end) - Date.parse(start)) / 1000);
  // The charger's own count of seconds with energy flowing is best; the transaction's span otherwise.
  const chargingSeconds = Math.min(record.timeSpentChargingSeconds ?? spanSeconds, spanSeconds);
  const energyKwh = energyWh / 1000;
  const averagePowerKw = chargingSeconds > 0 ? energyKwh / (chargingSeconds / 3600) : 0;
  // Peak can never be below the average; with no power samples the average is all that is known.
  const peakPowerKw = Math.max((record.meter.peakPowerW ?? 0) / 1000, averagePowerKw);
  const captured = record.amountCaptured !== null;
  return {
    tenantId: record.tenantId,
    entityId: record.entityId,
    entityType: 'CP',
    id: record.id,
    start,
    end,
    energyKwh,
    averagePowerKw,
    peakPowerKw,
    chargingSeconds,
    socStartPercent: record.meter.socFirst?.percent ?? null,
    socEndPercent: record.meter.socLast?.percent ?? null,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    position: null,
    method: 'energy_meter',
    source: 'measured',
    created: now.toISOString(),
    // A public charger's session, priced by the charger's tariff with the one pricing function: the
    // tariff's price before any cap (what was charged is `measured.costAmount`, capped at the hold).
    category: 'public',
    cost: measuredCost(record, end),
    measured: {
      chargerCode: record.chargerCode,
      connectorId: record.connectorId,
      connectorType: record.connectorType,
      stoppedReason: record.stoppedReason,
      plugStart: record.pluggedInAt,
      plugEnd: record.unpluggedAt,
      currency: record.pricing.currency,
      costAmount: captured ? record.amountCaptured : record.costAmount,
      taxAmount: record.taxAmount,
      pricePerKwh: record.pricing.pricePerKwh,
      startFee: record.pricing.startFee,
      paymentType: PUBLIC_CHARGING_PAYMENT_TYPE,
      finalStatus: record.status,
      failureReason: record.failureReason,
      evchart: record.evchart,
    },
  };
}
