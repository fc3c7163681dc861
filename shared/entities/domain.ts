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

/** Battery capacity applies to EVs: a charge point meters what it delivers. `field` is where it was given. */
export function assertBatteryCapacityApplies(
  entity: { id?: string; type: EntityType },
  where: { in: 'path' | 'body'; field: string },
): void {
  if (entity.type === 'EV') return;
  throw new ValidationError(
    'battery_capacity_ev_only',
    'Battery capacity can only be set on entities of type EV.',
    {
      errors: [
        {
          ...where,
          code: 'battery_capacity_ev_only',
          message: entity.id
            ? `Entity '${entity.id}' is a ${entity.type}.`
            : `This entity is a ${entity.type}.`,
        },
      ],
    },
  );
}

export function newEntity(tenantId: string, id: string, input: CreateEntityInput, now: Date): EntityRecord {
  const at = now.toISOString();
  const capacity = input.batteryCapacity ?? null;
  if (capacity !== null) assertBatteryCapacityApplies(input, { in: 'body', field: 'batteryCapacity' });
  return {
    tenantId,
    id,
    type: input.type,
    name: input.name,
    vendor: input.vendor ?? null,
    model: input.model ?? null,
    timeZone: input.timeZone,
    capabilities: input.capabilities,
    batteryCapacityKwh: capacity,
    batteryCapacityUpdated: capacity === null ? null : at,
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
      `This EV reports neither power nor energy, so its sessions are measured from state of charge, which needs its battery capacity. Set it first with PUT /v1/entities/${entity.id}/battery-capacity (or give \`batteryCapacity\` when creating an entity).`,
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

/** The one shape of a battery capacity in answers, in the entity and in its own resource alike. */
function batteryCapacityValue(kwh: number) {
  return { value: kwh, unit: 'kWh' as const };
}

export function toBatteryCapacityResource(entity: EntityRecord) {
  if (entity.batteryCapacityKwh === null || entity.batteryCapacityUpdated === null) return undefined;
  return {
    entityId: entity.id,
    batteryCapacity: batteryCapacityValue(entity.batteryCapacityKwh),
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
      entity.batteryCapacityKwh === null ? null : batteryCapacityValue(entity.batteryCapacityKwh),
    features: featureStates(entity),
    created: entity.created,
    updated: entity.updated,
  };
}
