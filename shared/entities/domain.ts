// Entities, their battery capacity and their features: the rules, as pure functions of a record and
// the time. No storage, no clock.

import { ValidationError } from '../errors.js';
import type {
  Capability,
  CreateEntityInput,
  EntityResource,
  EntityType,
  FeatureName,
  FeatureStateResource,
} from './schemas.js';
import { FEATURES } from './schemas.js';

export interface FeatureRecord {
  enabled: boolean;
  since: string;
}

export interface EntityRecord {
  tenantId: string;
  id: string;
  type: EntityType;
  name: string;
  vendor: string | null;
  model: string | null;
  timeZone: string;
  capabilities: Capability[];
  batteryCapacityKwh: number | null;
  batteryCapacityUpdated: string | null;
  features: Partial<Record<FeatureName, FeatureRecord>>;
  created: string;
  updated: string;
}

export function newEntity(tenantId: string, id: string, input: CreateEntityInput, now: Date): EntityRecord {
  const at = now.toISOString();
  return {
    tenantId,
    id,
    type: input.type,
    name: input.name,
    vendor: input.vendor ?? null,
    model: input.model ?? null,
    timeZone: input.timeZone,
    capabilities: input.capabilities,
    batteryCapacityKwh: null,
    batteryCapacityUpdated: null,
    features: {},
    created: at,
    updated: at,
  };
}

/**
 * An EV that reports neither power nor energy can only be measured by its state-of-charge change, which
 * needs the battery capacity to turn percent into kWh. Charge points always meter energy or power.
 */
export function needsBatteryCapacityForCapture(entity: Pick<EntityRecord, 'type' | 'capabilities'>): boolean {
  return (
    entity.type === 'EV' && !entity.capabilities.includes('power') && !entity.capabilities.includes('energy')
  );
}

export function assertCanEnable(entity: EntityRecord, feature: FeatureName): void {
  if (
    feature === 'CaptureChargeSessions' &&
    needsBatteryCapacityForCapture(entity) &&
    entity.batteryCapacityKwh === null
  ) {
    throw new ValidationError(
      'battery_capacity_required',
      `This EV reports neither power nor energy, so its sessions are measured from state of charge, which needs its battery capacity. Set it first with PUT /v1/entities/${entity.id}/battery-capacity.`,
      {
        errors: [
          {
            in: 'body',
            field: 'feature',
            code: 'battery_capacity_required',
            message: `Set the battery capacity with PUT /v1/entities/${entity.id}/battery-capacity first.`,
          },
        ],
        extensions: { entityId: entity.id },
      },
    );
  }
}

/** The feature's new record: `since` moves only when the state changes, so repeating a PATCH is a no-op. */
export function nextFeatureState(
  current: FeatureRecord | undefined,
  enabled: boolean,
  now: Date,
): FeatureRecord {
  if (current && current.enabled === enabled) return current;
  return { enabled, since: now.toISOString() };
}

export function featureStates(entity: Pick<EntityRecord, 'features'>): FeatureStateResource[] {
  return FEATURES.map((feature) => ({
    feature,
    enabled: entity.features[feature]?.enabled ?? false,
    since: entity.features[feature]?.since ?? null,
  }));
}

export function isCaptureEnabled(entity: Pick<EntityRecord, 'features'>): boolean {
  return entity.features.CaptureChargeSessions?.enabled === true;
}

export function toBatteryCapacityResource(entity: EntityRecord) {
  if (entity.batteryCapacityKwh === null || entity.batteryCapacityUpdated === null) return undefined;
  return {
    entityId: entity.id,
    batteryCapacity: entity.batteryCapacityKwh,
    unit: 'kWh' as const,
    updated: entity.batteryCapacityUpdated,
  };
}

export function toEntityResource(entity: EntityRecord): EntityResource {
  return {
    id: entity.id,
    type: entity.type,
    name: entity.name,
    vendor: entity.vendor,
    model: entity.model,
    timeZone: entity.timeZone,
    capabilities: entity.capabilities,
    batteryCapacity:
      entity.batteryCapacityKwh === null ? null : { value: entity.batteryCapacityKwh, unit: 'kWh' },
    features: featureStates(entity),
    created: entity.created,
    updated: entity.updated,
  };
}
