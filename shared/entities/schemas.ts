// The entities area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { isIanaTimeZone } from '../time-zones.js';

export const ENTITY_TYPES = ['EV', 'CP'] as const;
export const CAPABILITIES = ['soc', 'power', 'energy', 'range', 'location', 'odometer'] as const;
export const FEATURES = ['CaptureChargeSessions'] as const;

/** Bounds on an EV battery: from e-scooter-sized packs to heavy-duty trucks and buses. */
export const BATTERY_CAPACITY_KWH = { min: 1, max: 1000 } as const;

export const EntityType = z.enum(ENTITY_TYPES).meta({
  id: 'EntityType',
  description: '`EV` for an electric vehicle, `CP` for a charge point.',
});
export const Capability = z.enum(CAPABILITIES).meta({
  id: 'Capability',
  description:
    'A signal the entity reports: `soc` (state of charge), `power`, `energy` (a cumulative meter), `range`, `location`, `odometer`.',
});
export const FeatureName = z.enum(FEATURES).meta({ id: 'FeatureName' });

export const TimeZone = z
  .string()
  .max(64)
  .refine(isIanaTimeZone, {
    message: 'Not an IANA time-zone name (e.g. Europe/Amsterdam).',
    params: { code: 'invalid_time_zone' },
  })
  .meta({
    description: 'IANA time-zone name, used for daily rollups. Default `UTC`.',
    example: 'Europe/Amsterdam',
  });

const label = (max: number) => z.string().trim().min(1).max(max);

export const CreateEntityBody = z
  .strictObject({
    type: EntityType,
    name: label(100).meta({ example: 'Family car' }),
    vendor: label(100).optional().meta({ example: 'Tesla' }),
    model: label(100).optional().meta({ example: 'Model 3' }),
    timeZone: TimeZone.default('UTC'),
    capabilities: z
      .array(Capability)
      .max(CAPABILITIES.length)
      .refine((list) => new Set(list).size === list.length, {
        message: 'Capabilities must not repeat.',
        params: { code: 'duplicate_item' },
      })
      .default([]),
  })
  .meta({ id: 'CreateEntityRequest' });

export const BatteryCapacityValue = z
  .object({ value: z.number(), unit: z.literal('kWh') })
  .meta({ id: 'BatteryCapacityValue' });

export const FeatureState = z
  .object({
    feature: FeatureName,
    enabled: z.boolean(),
    since: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'When the feature last changed state; null if never set.' }),
  })
  .meta({ id: 'FeatureState' });

export const FeatureStates = z.array(FeatureState).meta({ id: 'FeatureStates' });

export const Entity = z
  .object({
    id: z.uuid(),
    type: EntityType,
    name: z.string(),
    vendor: z.string().nullable(),
    model: z.string().nullable(),
    timeZone: z.string(),
    capabilities: z.array(Capability),
    batteryCapacity: BatteryCapacityValue.nullable(),
    features: FeatureStates,
    created: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .meta({ id: 'Entity' });

export const EntityPage = pageSchema(Entity, 'EntityPage');

export const EntityIdParams = z.strictObject({
  entityId: z.string().meta({ description: 'The entity id (a UUID).' }),
});

export const ListEntitiesQuery = z.strictObject({
  ...pageQueryFields,
  type: EntityType.optional().meta({ description: 'Only entities of this type.' }),
});

export const PutBatteryCapacityBody = z
  .strictObject({
    batteryCapacity: z
      .number()
      .min(BATTERY_CAPACITY_KWH.min)
      .max(BATTERY_CAPACITY_KWH.max)
      .meta({
        description: `Usable battery capacity in kWh, ${BATTERY_CAPACITY_KWH.min}–${BATTERY_CAPACITY_KWH.max}.`,
        example: 75,
      }),
  })
  .meta({ id: 'BatteryCapacityRequest' });

export const BatteryCapacity = z
  .object({
    entityId: z.uuid(),
    batteryCapacity: z.number(),
    unit: z.literal('kWh'),
    updated: z.iso.datetime(),
  })
  .meta({ id: 'BatteryCapacity' });

export const PatchFeatureBody = z
  .strictObject({ feature: FeatureName, enabled: z.boolean() })
  .meta({ id: 'FeatureChangeRequest' });

export type EntityType = z.output<typeof EntityType>;
export type Capability = z.output<typeof Capability>;
export type FeatureName = z.output<typeof FeatureName>;
export type CreateEntityInput = z.output<typeof CreateEntityBody>;
export type EntityResource = z.output<typeof Entity>;
export type FeatureStateResource = z.output<typeof FeatureState>;
