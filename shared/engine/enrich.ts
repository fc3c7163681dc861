// Stage: a closed session's record, or why it is not reported. From the builder's committed totals: the
// energy by the best signal (energy.ts), what reached the battery (soc.ts), charging time and average, peak,
// position and location matches, and quality (quality.ts). Pure.

import { matchLocations, type TenantLocation } from '../locations/match.js';
import {
  BASELINE_MAX_AGE_MS,
  METER_PEAK_WINDOW_MS,
  SOC_PEAK_WINDOW_MS,
  SOC_RISE_MIN_PERCENT,
} from './constants.js';
import { chargingEfficiency, chooseEnergy, maxRate } from './energy.js';
import { SOC } from './evidence.js';
import { median } from './geo.js';
import { chargeSessionId } from './id.js';
import { isoUtc } from './iso-time.js';
import { energyQuality, gapsWithin, uncertaintySeconds } from './quality.js';
import type { SessionBuilder } from './session-builder.js';
import { refinedSocDelta } from './soc.js';
import type { DetectedSession, SkipReason } from './types.js';

const HOUR_MS = 3_600_000;

export interface SessionContext {
  entityId: string;
  /** NaN when unknown. */
  capacityKwh: number;
  locations: readonly TenantLocation[];
  exactLocation: boolean;
  /** Data gaps (pairs of epoch ms) since the session opened. */
  gaps: readonly number[];
}

export function buildSession(cur: SessionBuilder, ctx: SessionContext): DetectedSession | SkipReason {
  const { start, end } = cur;
  const capacity = ctx.capacityKwh;
  const samples = cur.samples;
  const committed = samples.committed;
  if (cur.truncated) return 'started_before_window';

  const socOpen = cur.socOpen;
  const socClose = cur.socClose;
  const socKnown = !Number.isNaN(socOpen) && !Number.isNaN(socClose);
  if (cur.kind === SOC && !(socKnown && socClose - socOpen >= SOC_RISE_MIN_PERCENT)) {
    return 'soc_rise_too_small';
  }
  // What reached the battery: ΔSoC × capacity (past the 1 % steps where the data allows).
  let battery = Number.NaN;
  if (socKnown && capacity > 0) {
    const delta = cur.kind === SOC ? socClose - socOpen : refinedSocDelta(samples.socSteps(true), cur);
    battery = ((delta > 0 ? delta : 0) * capacity) / 100;
  }
  const chosen = chooseEnergy({
    // The meter read at the opening reading and near the end.
    meterKwh: cur.meterOn && cur.closeT - cur.cMeterLastT <= BASELINE_MAX_AGE_MS ? cur.cMeterSum : Number.NaN,
    meterResets: cur.cMeterResets,
    powerKwh: cur.cHadPower && cur.cPowerOk ? cur.cPowerEnergy : Number.NaN,
    socKnown,
    batteryKwh: battery,
  });
  if (typeof chosen === 'string') return chosen;
  const { method, energy } = chosen;

  const chargingMs = cur.chargingMs > 0 ? cur.chargingMs : 0;
  const average = chargingMs > 0 ? energy / (chargingMs / HOUR_MS) : 0;
  let peak = Number.NaN;
  if (cur.cHadPower) peak = cur.cPeak;
  else if (method === 'energy_meter')
    peak = maxRate(samples.meterT, samples.meterV, committed.meter, METER_PEAK_WINDOW_MS);
  else if (method === 'state_of_charge') {
    peak = (maxRate(samples.socT, samples.socV, committed.soc, SOC_PEAK_WINDOW_MS) * capacity) / 100;
  }
  if (!(peak >= average)) peak = average;

  const position =
    committed.located > 0
      ? { lat: median(samples.lat, committed.located), lon: median(samples.lon, committed.located) }
      : null;
  return {
    entityId: ctx.entityId,
    // From the reading that first showed this charge, not from `start`: while it is in progress the start
    // can still move earlier (a SoC-only onset needs a few steps; a meter's first step refines it), and
    // the id must not change between the provisional session and the completed one.
    id: chargeSessionId(ctx.entityId, cur.anchor),
    start: isoUtc(start),
    end: isoUtc(end),
    energyKwh: energy,
    averagePowerKw: average,
    peakPowerKw: peak,
    chargingSeconds: Math.round(chargingMs / 1000),
    socStartPercent: orNull(socOpen),
    socEndPercent: orNull(socClose),
    rangeStartKm: orNull(cur.rangeOpen),
    rangeEndKm: orNull(cur.rangeClose),
    locationMatches: position ? matchLocations(position, ctx.locations) : [],
    position: ctx.exactLocation ? position : null,
    method,
    source: 'calculated',
    batteryEnergyKwh: orNull(battery),
    // Only from two signals, and only for a rise large enough that the 1 % steps do not dominate it.
    chargingEfficiency: chargingEfficiency(method, energy, battery, socClose - socOpen),
    quality: {
      start: { rule: cur.startEdge.rule, uncertaintySeconds: uncertaintySeconds(start, cur.startEdge) },
      end: { rule: cur.endEdge.rule, uncertaintySeconds: uncertaintySeconds(end, cur.endEdge) },
      gaps: gapsWithin(ctx.gaps, start, end),
      energy: energyQuality(method),
    },
  };
}

/** NaN (unknown) as null, for the session record. */
function orNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
