// The entities area's request and response schemas: validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { pageQueryFields, pageSchema } from '../http/pagination.js';
import { boundedNumber, nameString, uuidString } from '../schema.js';
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

/** An EV's usable battery capacity, as every answer gives it: a quantity like a session's energy. */
export const BatteryCapacityValue = z
  .object({ value: z.number(), unit: z.literal('kWh') })
  .check(z.meta({ id: 'BatteryCapacityValue', description: 'Usable battery capacity.' }));

const batteryCapacityKwh = () =>
  boundedNumber(BATTERY_CAPACITY_KWH.min, BATTERY_CAPACITY_KWH.max).check(
    z.meta({
      description: `Usable battery capacity in kWh, ${BATTERY_CAPACITY_KWH.min}–${BATTERY_CAPACITY_KWH.max}.`,
      example: 77.4,
    }),
  );

/**
 * The battery capacity a request gives, in the one shape the API answers with (`{ "value", "unit" }`).
 * A bare number of kWh — DER-Connect's form, and this API's before — is still read, so existing
 * clients keep working. Read as the number of kWh.
 */
export const BatteryCapacityInput = z
  .pipe(
    z.union(
      [
        z.strictObject({ value: batteryCapacityKwh(), unit: z.literal('kWh') }),
        batteryCapacityKwh().check(
          z.meta({ deprecated: true, description: 'A bare number of kWh (deprecated; DER-Connect form).' }),
        ),
      ],
      { error: 'Expected { "value": <kWh>, "unit": "kWh" }.' },
    ),
    z.transform((capacity: number | { value: number; unit: 'kWh' }) =>
      typeof capacity === 'number' ? capacity : capacity.value,
    ),
  )
  .check(
    z.meta({
      id: 'BatteryCapacityInput',
      description: `Usable battery capacity, ${BATTERY_CAPACITY_KWH.min}–${BATTERY_CAPACITY_KWH.max} kWh, as \`{ "value": 77.4, "unit": "kWh" }\` (the shape answers use); a bare number of kWh is also read.`,
    }),
  );

export const CreateEntityBody = z
  .strictObject({
    type: EntityType,
    name: nameString(100).check(z.meta({ example: 'Family car' })),
    vendor: z.optional(nameString(100)).check(z.meta({ example: 'Tesla' })),
    model: z.optional(nameString(100)).check(z.meta({ example: 'Model 3' })),
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
    batteryCapacity: z.optional(BatteryCapacityInput).check(
      z.meta({
        description:
          'EVs only. Needed before CaptureChargeSessions is enabled on an EV that reports neither power nor energy; can be set or changed later with PUT …/battery-capacity.',
      }),
    ),
  })
  .check(
    z.meta({
      id: 'CreateEntityRequest',
      // What the service checks (battery_capacity_ev_only), for generated clients and fuzzers: a CP
      // carries no batteryCapacity.
      anyOf: [
        { properties: { type: { const: 'EV' } } },
        { properties: { type: { const: 'CP' }, batteryCapacity: false } },
      ],
    }),
  );

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
  entityId: uuidString('an entity id').check(z.meta({ description: 'The entity id (a UUID).' })),
});

/** A listing's `entityId` query parameter: only that entity's `items`, read from its own partition. */
export const entityIdFilter = (items: string) =>
  z
    .optional(uuidString('an entity id'))
    .check(z.meta({ description: `Only this entity's ${items} (read from its own partition).` }));

export const ListEntitiesQuery = z.strictObject({
  ...pageQueryFields,
  type: z.optional(EntityType).check(z.meta({ description: 'Only entities of this type.' })),
});

export const PutBatteryCapacityBody = z
  .strictObject({ batteryCapacity: BatteryCapacityInput })
  .check(z.meta({ id: 'BatteryCapacityRequest' }));

export const BatteryCapacity = z
  .object({
    entityId: z.uuid(),
    batteryCapacity: BatteryCapacityValue,
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
