// The engine's input and output. Pure data; the rules are in README.md next to this file.

import type { TenantLocation } from '../locations/match.js';
import type { Reading } from '../readings/model.js';
import type { ChargeSessionRecord, SessionQuality } from '../sessions/model.js';

export interface EngineEntity {
  id: string;
  type: 'EV' | 'CP';
  /** Needed only to turn a state-of-charge change into kWh. */
  batteryCapacityKwh: number | null;
}

export interface EngineInput {
  entity: EngineEntity;
  /** Any order; duplicates allowed (the same `t` is the same reading). Readings outside `window` are ignored. */
  readings: readonly Reading[];
  /** Epoch ms, both inclusive. `to` is the newest instant the readings are complete up to. */
  window: { from: number; to: number };
  locations: readonly TenantLocation[];
  /** The tenant opted in to exact coordinates; otherwise only location matches are given (privacy by default). */
  exactLocation: boolean;
}

/** A completed session: a ChargeSessionRecord without what the caller adds (tenant, entity type, created, measured). */
export type DetectedSession = Omit<
  ChargeSessionRecord,
  'tenantId' | 'entityType' | 'created' | 'measured'
> & {
  source: 'calculated';
  batteryEnergyKwh: number | null;
  chargingEfficiency: number | null;
  quality: SessionQuality;
};

export const SKIP_REASONS = [
  /** Already charging at the first reading of the window: its start and early energy are unknown. */
  'started_before_window',
  /** Charging was seen (flag, plug) but no signal measures energy (no meter, power or state of charge). */
  'no_energy_signal',
  /** Only state of charge measures it and the entity has no battery capacity: never guessed. */
  'no_battery_capacity',
  /** Less than MIN_SESSION_ENERGY_KWH. */
  'no_energy',
  /** Detected from state of charge alone and it rose less than SOC_RISE_MIN_PERCENT. */
  'soc_rise_too_small',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A completed charging event that is not reported as a session, and why (for logs and metrics). */
export interface SkippedSession {
  start: string;
  end: string;
  reason: SkipReason;
}

export interface EngineOutput {
  /** Completed sessions only, ordered by start; they never overlap. */
  sessions: DetectedSession[];
  skipped: SkippedSession[];
  /**
   * Where the next run must start reading (epoch ms, inclusive): before any session still in progress and
   * its context, so nothing is lost or split. Never before `window.from`, never after `window.to`.
   */
  resumeFrom: number;
  /**
   * The session in progress at `window.to` (held back from `sessions`), built from what the window saw:
   * provisional energy, end and quality. Same id as the completed session it becomes. Null when nothing
   * is in progress, or what is in progress is not a session by the rules yet.
   */
  ongoing: DetectedSession | null;
}
