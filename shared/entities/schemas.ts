// The entities area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { boundedNumber, trimmedString } from '../schema.js';
import { IANA_TIME_ZONE_SHAPE, isIanaTimeZone } from '../time-zones.js';

export const ENTITY_TYPES = ['EV', 'CP'] as const;
export const CAPABILITIES = ['soc', 'power', 'energy', 'range', 'location', 'odometer'] as const;
export const FEATURES = ['CaptureChargeSessions'] as const;

/** Bounds on an EV battery: from e-scooter-sized packs to heavy-duty trucks and buses. */
export const BATTERY_CAPACITY_KWH = { min: 1, max: 1000 } as const;

export const EntityType = z.enum(ENTITY_TYPES).check(
  z.meta({
    id: 'EntityType',
    description: '`EV` for an electric vehicle, `CP` for a charge point.',
  }),
);
export const Capability = z.enum(CAPABILITIES).check(
  z.meta({
    id: 'Capability',
    description:
      'A signal the entity reports: `soc` (state of charge), `power`, `energy` (a cumulative meter), `range`, `location`, `odometer`.',
  }),
);
export const FeatureName = z.enum(FEATURES).check(z.meta({ id: 'FeatureName' }));

export const TimeZone = z.string().check(
  z.maxLength(64),
  z.refine(isIanaTimeZone, {
    message: 'Not an IANA time-zone name (e.g. Europe/Amsterdam).',
    params: { code: 'invalid_time_zone' },
  }),
  z.meta({
    description:
      'IANA time-zone name (a tz database region name such as `Europe/Amsterdam`, or `UTC`), used for daily rollups; any name the tz database knows, aliases included, and no offsets. Default `UTC`.',
    example: 'Europe/Amsterdam',
    // isIanaTimeZone's shape rule; whether the name exists depends on the tz database, so no enum.
    pattern: IANA_TIME_ZONE_SHAPE.source,
  }),
);

const label = (max: number) => trimmedString(1, max);

export const CreateEntityBody = z
  .strictObject({
    type: EntityType,
    name: label(100).check(z.meta({ example: 'Family car' })),
    vendor: z.optional(label(100)).check(z.meta({ example: 'Tesla' })),
    model: z.optional(label(100)).check(z.meta({ example: 'Model 3' })),
    timeZone: z._default(TimeZone, 'UTC'),
    capabilities: z._default(
      z.array(Capability).check(
        z.maxLength(CAPABILITIES.length),
        z.refine((list) => new Set(list).size === list.length, {
          message: 'Capabilities must not repeat.',
          params: { code: 'duplicate_item' },
        }),
        z.meta({ uniqueItems: true }),
      ),
      [],
    ),
  })
  .check(z.meta({ id: 'CreateEntityRequest' }));

export const BatteryCapacityValue = z
  .object({ value: z.number(), unit: z.literal('kWh') })
  .check(z.meta({ id: 'BatteryCapacityValue' }));

export const FeatureState = z
  .object({
    feature: FeatureName,
    enabled: z.boolean(),
    since: z
      .nullable(z.iso.datetime())
      .check(z.meta({ description: 'When the feature last changed state; null if never set.' })),
  })
  .check(z.meta({ id: 'FeatureState' }));

export const FeatureStates = z.array(FeatureState).check(z.meta({ id: 'FeatureStates' }));

export const Entity = z
  .object({
    id: z.uuid(),
    type: EntityType,
    name: z.string(),
    vendor: z.nullable(z.string()),
    model: z.nullable(z.string()),
    timeZone: z.string(),
    capabilities: z.array(Capability),
    batteryCapacity: z.nullable(BatteryCapacityValue),
    features: FeatureStates,
    created: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .check(z.meta({ id: 'Entity' }));

export const EntityPage = pageSchema(Entity, 'EntityPage');

export const EntityIdParams = z.strictObject({
  entityId: z.string().check(z.meta({ description: 'The entity id (a UUID).' })),
});

export const ListEntitiesQuery = z.strictObject({
  ...pageQueryFields,
  type: z.optional(EntityType).check(z.meta({ description: 'Only entities of this type.' })),
});

export const PutBatteryCapacityBody = z
  .strictObject({
    batteryCapacity: boundedNumber(BATTERY_CAPACITY_KWH.min, BATTERY_CAPACITY_KWH.max).check(
      z.meta({
        description: `Usable battery capacity in kWh, ${BATTERY_CAPACITY_KWH.min}–${BATTERY_CAPACITY_KWH.max}.`,
        example: 75,
      }),
    ),
  })
  .check(z.meta({ id: 'BatteryCapacityRequest' }));

export const BatteryCapacity = z
  .object({
    entityId: z.uuid(),
    batteryCapacity: z.number(),
    unit: z.literal('kWh'),
    updated: z.iso.datetime(),
  })
  .check(z.meta({ id: 'BatteryCapacity' }));

export const PatchFeatureBody = z
  .strictObject({ feature: FeatureName, enabled: z.boolean() })
  .check(z.meta({ id: 'FeatureChangeRequest' }));

export type EntityType = z.output<typeof EntityType>;
export type Capability = z.output<typeof Capability>;
export type FeatureName = z.output<typeof FeatureName>;
export type CreateEntityInput = z.output<typeof CreateEntityBody>;
export type EntityResource = z.output<typeof Entity>;
export type FeatureStateResource = z.output<typeof FeatureState>;

export const EntityDeletionInProgress = z
  .object({
    status: z.literal('in_progress'),
    deletedItems: z.int().check(
      z.meta({
        description:
          'Stored items (buckets of readings, sessions, rollups) this request removed; 0 while the daily job is processing the entity.',
      }),
    ),
  })
  .check(
    z.meta({
      id: 'EntityDeletionInProgress',
      description:
        'The deletion is not finished: the daily job is processing the entity, so nothing was removed yet, or its history was larger than one request can remove and what this request removed is gone. Capture is off and the entity is still there. Send the DELETE again (after Retry-After) until it answers 204.',
    }),
  );
