// Public charging's schemas: the driver-facing resources in Plugchoice's shape (snake_case, its status
// values), the start request, and the operator's charger configuration (camelCase, like the rest of our
// API). Validation, TypeScript types and OpenAPI in one.

import * as z from 'zod/mini';
import { EVCHART_ID_MAX_LENGTH, EVCHART_NETWORK_PROVIDER_MAX_LENGTH } from '../exports/evchart-limits.js';
import { roundTo } from '../numbers.js';
import { boundedInt, boundedNumber, nameString, uuidString } from '../schema.js';
import { TariffElementSchema } from '../tariffs/schemas.js';
import { CURRENCY_CODES } from './currencies.js';
import { isValidTaxRate } from './money.js';

export const PUBLIC_SESSION_STATUSES = [
  'created',
  'authorized',
  'starting',
  'charging',
  'stopping',
  'settling',
  'captured',
  'no_charge',
  'expired',
  'failed',
  'abandoned',
  'capture_failed',
  'requires_review',
  'refunded',
  'written_off',
] as const;
export type PublicSessionStatus = (typeof PUBLIC_SESSION_STATUSES)[number];

/** Why a session failed, was abandoned or expired, or why its capture failed (`failure_reason`). */
export const FAILURE_REASONS = [
  'payment_failed',
  'payment_timeout',
  'cancelled_by_driver',
  'start_rejected',
  'start_timeout',
  'connector_unavailable',
  'capture_failed',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Plugchoice's connector status: OCPP 1.6 names, derived from OCPP 2.0.1 status and charging state. */
export const PUBLIC_CONNECTOR_STATUSES = [
  'Available',
  'Charging',
  'Faulted',
  'Finishing',
  'Preparing',
  'Reserved',
  'SuspendedEV',
  'SuspendedEVSE',
  'Unavailable',
] as const;
export type PublicConnectorStatus = (typeof PUBLIC_CONNECTOR_STATUSES)[number];

export const CONNECTOR_TYPES = ['CCS2', 'Type2', 'CHAdeMO', 'GB_T'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/**
 * A charger's public code: 1–10 of A–Z, 0–9 and inner hyphens, stored uppercase. Input in any case is
 * accepted and uppercased, because drivers type what is printed on the charger.
 */
export const PUBLIC_CODE_PATTERN = /^[A-Z0-9](?:[A-Z0-9-]{0,8}[A-Z0-9])?$/;
export const PUBLIC_CODE_MAX_LENGTH = 10;

export const PublicCode = z.string().check(
  z.trim(),
  z.toUpperCase(),
  z.regex(PUBLIC_CODE_PATTERN, { message: 'Use 1–10 of A–Z, 0–9 and inner hyphens.' }),
  z.meta({
    description: "The charger's public code, as printed on it; any case is accepted and stored uppercase.",
    example: 'AMS-042',
  }),
);

/** An uppercase ISO 4217 code (shared/public-charging/currencies.ts). */
const KNOWN_CURRENCIES = new Set<string>(CURRENCY_CODES);
export const CurrencyCode = z.string().check(
  z.regex(/^[A-Z]{3}$/),
  z.refine((code: string) => KNOWN_CURRENCIES.has(code), { message: 'Not an ISO 4217 currency code.' }),
  z.meta({ description: 'ISO 4217 currency code.', example: 'EUR', enum: [...CURRENCY_CODES] }),
);

const minorUnits = (max: number) => boundedInt(0, max);

// ---------------------------------------------------------------------------------------------------
// Operator configuration

/** A registry value the operator copies from EV-ChART: a name (no control characters), 1–`max` characters. */
const registryValue = (max: number, description: string, example: string) =>
  nameString(max).check(z.meta({ description: `${description} No control characters.`, example }));

/**
 * The charger's station as registered in EV-ChART (the Joint Office's NEVI reporting system). Module 2
 * exports write these exact values; without them the charger's sessions cannot be exported as EV-ChART.
 */
export const EvchartStationRegistration = z
  .strictObject({
    stationId: registryValue(
      EVCHART_ID_MAX_LENGTH,
      `EV-ChART station_id the station is registered under (23 CFR 680.112(a)(1)); 1–${EVCHART_ID_MAX_LENGTH} characters.`,
      'NEVI-AMS-042',
    ),
    networkProvider: registryValue(
      EVCHART_NETWORK_PROVIDER_MAX_LENGTH,
      `EV-ChART network_provider the station is registered with; 1–${EVCHART_NETWORK_PROVIDER_MAX_LENGTH} characters.`,
      'acme_network',
    ),
    chargerId: z.optional(
      registryValue(
        EVCHART_ID_MAX_LENGTH,
        `EV-ChART charger_id of this charger, if registered (optional in EV-ChART); 1–${EVCHART_ID_MAX_LENGTH} characters. Left empty in exports when absent.`,
        'CHG-01',
      ),
    ),
  })
  .check(
    z.meta({
      id: 'EvchartStationRegistration',
      description:
        "The charger's identity in EV-ChART, for Module 2 (charging sessions) exports. Each connector then names its port (`connectors[].portId`). Shown to the operator only, never on the public charger.",
    }),
  );

export type EvchartStationRegistration = z.output<typeof EvchartStationRegistration>;

/** A connector in public use. OCPP addresses it by EVSE id and connector id within the EVSE. */
export const ChargerConnectorConfig = z
  .strictObject({
    connectorId: boundedInt(1, 100).check(z.meta({ description: "The connector's public number (1–100)." })),
    type: z.enum(CONNECTOR_TYPES),
    // No public connector delivers under 1 kW; the floor also keeps stored values in DynamoDB's range.
    maxPowerKw: z.pipe(
      boundedNumber(1, 1000),
      z.transform((v: number) => roundTo(v, 2)),
    ),
    evseId: z
      .optional(z.int().check(z.minimum(1)))
      .check(
        z.meta({ description: 'OCPP 2.0.1 EVSE id; defaults to connectorId (one connector per EVSE).' }),
      ),
    evseConnectorId: z
      ._default(z.int().check(z.minimum(1)), 1)
      .check(z.meta({ description: 'OCPP 2.0.1 connector id within the EVSE; default 1.' })),
    portId: z.optional(
      registryValue(
        EVCHART_ID_MAX_LENGTH,
        `EV-ChART port_id of the port this connector belongs to (23 CFR 680.112(a)(2)); 1–${EVCHART_ID_MAX_LENGTH} characters. Required on every connector when the charger has \`evchart\`, refused without it. A port charges one vehicle at a time, as an OCPP EVSE does: connectors of one EVSE share its port id, connectors of different EVSEs have different ones.`,
        'PORT-1',
      ),
    ),
  })
  .check(z.meta({ id: 'ChargerConnectorConfig' }));

export const ChargerPricing = z
  .strictObject({
    currency: CurrencyCode,
    pricePerKwh: minorUnits(1_000_000).check(z.meta({ description: 'Minor units per kWh, tax included.' })),
    startFee: minorUnits(1_000_000).check(
      z.meta({ description: 'Minor units per session, tax included; charged only if energy was delivered.' }),
    ),
    taxRate: boundedNumber(0, 1).check(
      z.refine(isValidTaxRate, { message: 'At most six decimals.' }),
      z.meta({
        description: 'Tax rate included in the prices, 0–1 (0.21 for 21 %), at most six decimals.',
        example: 0.21,
        // Not `multipleOf: 0.000001`: validators divide in floating point (Ajv refuses 0.2 and 0.07).
        'x-max-decimals': 6,
      }),
    ),
  })
  .check(z.meta({ id: 'ChargerPricing' }));

export const ChargerConfig = z
  .strictObject({
    publicCode: PublicCode,
    name: nameString(100).check(z.meta({ example: 'Keizersgracht 42' })),
    entityId: z.uuid().check(
      // Any case is a UUID; keys hold the lower-case form.
      z.toLowerCase(),
      z.meta({ description: 'The CP entity this charger is (its measured sessions go there).' }),
    ),
    public: z
      .boolean()
      .check(z.meta({ description: 'Open to public charging; a non-public charger answers 404.' })),
    online: z._default(z.boolean(), true).check(
      z.meta({
        description: 'Whether sessions can start now; set false for maintenance. The OCPP link also sets it.',
      }),
    ),
    connectors: z.array(ChargerConnectorConfig).check(z.minLength(1), z.maxLength(100)),
    // Priced as the tariff it stands for (ENERGY per kWh and a FLAT start fee, excluding VAT); the
    // alternative to `tariffId` (ChargerPricing carries its own schema id, so no description here).
    pricing: z.optional(ChargerPricing),
    tariffId: z.optional(
      uuidString('a tariff id').check(
        z.meta({
          description:
            "A tariff of the tenant (POST /v1/tariffs) that prices this charger's sessions: time-of-use bands in the charge point's time zone, TIME, PARKING_TIME, FLAT and ENERGY components. Each session keeps the version current when it started. Give this or `pricing` (tax-inclusive minor units, priced as the ENERGY + FLAT tariff they stand for), exactly one; an unknown id is a 400 `unknown_tariff`, and the tariff cannot be deleted while a charger names it.",
        }),
      ),
    ),
    holdAmount: boundedInt(1, 10_000_000).check(
      z.meta({
        description:
          "The amount held on the driver's card when a session starts (minor units); the session stops when its cost reaches it. At least the start fee plus one kWh, with VAT (`pricing.startFee + pricing.pricePerKwh`, or the tariff's first FLAT and ENERGY prices): a rule between fields JSON Schema cannot state, refused with 400 on `holdAmount`.",
      }),
    ),
    evchart: z.optional(EvchartStationRegistration),
  })
  .check(
    z.superRefine((config, ctx) => {
      for (const issue of portIdIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
      const ids = config.connectors.map((c) => c.connectorId);
      if (new Set(ids).size !== ids.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['connectors'],
          message: 'connectorId values must not repeat.',
        });
      }
      const evses = config.connectors.map((c) => `${c.evseId ?? c.connectorId}/${c.evseConnectorId}`);
      if (new Set(evses).size !== evses.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['connectors'],
          message: 'Two connectors map to one OCPP connector.',
        });
      }
      if ((config.pricing === undefined) === (config.tariffId === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [config.pricing === undefined ? 'pricing' : 'tariffId'],
          message: 'Give the charger either `pricing` or a `tariffId`, exactly one.',
          params: { code: 'pricing_or_tariff' },
        });
      }
      if (config.pricing && config.holdAmount < config.pricing.startFee + config.pricing.pricePerKwh) {
        ctx.addIssue({
          code: 'custom',
          path: ['holdAmount'],
          message: 'The hold must cover at least the start fee plus one kWh.',
        });
      }
    }),
    z.meta({
      id: 'ChargerConfig',
      // Exactly one of the two ways to price it (checked by the superRefine above, stated for clients).
      oneOf: [{ required: ['pricing'] }, { required: ['tariffId'] }],
      // portIdIssues' first rule, for generated clients: with `evchart` every connector names its port,
      // without it none does. (One port per EVSE, and holdAmount's minimum, are stated in descriptions.)
      if: { required: ['evchart'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, never awaited.
      then: { properties: { connectors: { items: { required: ['portId'] } } } },
      else: { properties: { connectors: { items: { not: { required: ['portId'] } } } } },
    }),
  );

interface PortIdIssue {
  path: PropertyKey[];
  message: string;
  params: { code: string };
}

/**
 * The port ids a configuration must have to be exported as EV-ChART: one on every connector when the
 * charger is registered (a session on a connector without one could not be reported), none without a
 * registration (a port id means something only within its station), and one port per EVSE (a port
 * charges one vehicle at a time, which is what an OCPP EVSE is).
 */
function portIdIssues(config: {
  evchart?: unknown;
  connectors: readonly { connectorId: number; evseId?: number | undefined; portId?: string | undefined }[];
}): PortIdIssue[] {
  const issues: PortIdIssue[] = [];
  const registered = config.evchart !== undefined;
  if (!registered) {
    if (config.connectors.some((c) => c.portId !== undefined)) {
      issues.push({
        path: ['evchart'],
        message:
          'Required when a connector has a portId: a port id means something only within its EV-ChART station.',
        params: { code: 'required' },
      });
    }
    return issues;
  }
  const portOfEvse = new Map<number, string>();
  const evseOfPort = new Map<string, number>();
  config.connectors.forEach((connector, index) => {
    const path = ['connectors', index, 'portId'];
    if (connector.portId === undefined) {
      issues.push({
        path,
        message:
          "Required when the charger has an EV-ChART registration (evchart): the port_id EV-ChART knows this connector's port by.",
        params: { code: 'required' },
      });
      return;
    }
    const evse = connector.evseId ?? connector.connectorId;
    const evsePort = portOfEvse.get(evse);
    const portEvse = evseOfPort.get(connector.portId);
    if (evsePort !== undefined && evsePort !== connector.portId) {
      issues.push({
        path,
        message: `Connectors of EVSE ${evse} are one port: use '${evsePort}' here too.`,
        params: { code: 'port_mismatch' },
      });
    } else if (portEvse !== undefined && portEvse !== evse) {
      issues.push({
        path,
        message: `Port '${connector.portId}' is EVSE ${portEvse}'s; a port belongs to one EVSE.`,
        params: { code: 'duplicate_port' },
      });
    } else {
      portOfEvse.set(evse, connector.portId);
      evseOfPort.set(connector.portId, evse);
    }
  });
  return issues;
}

export type ChargerConnectorConfig = z.output<typeof ChargerConnectorConfig>;
export type ChargerPricing = z.output<typeof ChargerPricing>;
export type ChargerConfig = z.output<typeof ChargerConfig>;

// ---------------------------------------------------------------------------------------------------
// Driver-facing resources (Plugchoice's shape)

const timestamp = () => z.nullable(z.iso.datetime());
const amount = () => z.nullable(z.int());

export const PublicChargerSummary = z
  .object({ public_code: z.string(), name: z.string(), online: z.boolean() })
  .check(z.meta({ id: 'PublicChargerSummary' }));

export const PublicSessionPricing = z
  .object({ currency: z.string(), price_per_kwh: z.int(), start_fee: z.int() })
  .check(z.meta({ id: 'PublicSessionPricing', description: 'Tax-inclusive prices in minor units.' }));

export const PublicSessionPayment = z
  .object({
    client_secret: z.string(),
    publishable_key: z.string(),
    stripe_account_id: z.nullable(z.string()),
  })
  .check(
    z.meta({
      id: 'PublicSessionPayment',
      description: 'The Stripe payment context, present only while `created`.',
    }),
  );

/** The tariff a charger prices with, as drivers see it (OCPI-shaped, prices excluding VAT). */
export const PublicChargerTariff = z
  .object({
    id: z.string(),
    version: z.int(),
    currency: z.string(),
    elements: z.array(TariffElementSchema),
  })
  .check(
    z.meta({
      id: 'PublicChargerTariff',
      description:
        'The tariff that prices the session, when the charger names one (null: `pricing` is the whole price). Prices in major units excluding VAT; times local to the charger. `pricing` then gives its first ENERGY and FLAT prices with VAT, in minor units.',
    }),
  );

export const PublicSessionData = z
  .object({
    status: z.enum(PUBLIC_SESSION_STATUSES),
    failure_reason: z.nullable(z.enum(FAILURE_REASONS)),
    connector_id: z.int(),
    connector_status: z.nullable(z.enum(PUBLIC_CONNECTOR_STATUSES)),
    charger: PublicChargerSummary,
    pricing: PublicSessionPricing,
    amount_authorized: amount().check(z.meta({ description: 'The pre-authorized hold in minor units.' })),
    energy_kwh: z
      .nullable(z.string().check(z.regex(/^\d+\.\d{3}$/)))
      .check(
        z.meta({ description: 'Energy delivered, kWh as a decimal string; an estimate while charging.' }),
      ),
    cost_amount: amount().check(
      z.meta({ description: 'Running cost in minor units, capped at amount_authorized.' }),
    ),
    amount_captured: amount(),
    tax_amount: amount().check(
      z.meta({ description: 'The tax portion of amount_captured (prices include tax).' }),
    ),
    driver_email: z.nullable(z.string()),
    created_at: timestamp(),
    authorized_at: timestamp(),
    charging_started_at: timestamp(),
    completed_at: timestamp(),
    captured_at: timestamp(),
  })
  .check(z.meta({ id: 'PublicChargingSessionData' }));

export const PublicSession = z
  .object({ data: PublicSessionData, payment: z.nullable(PublicSessionPayment) })
  .check(z.meta({ id: 'PublicChargingSession' }));

export type PublicSessionResource = z.output<typeof PublicSession>;

export const PublicSessionCreated = z
  .object({
    token: z
      .string()
      .check(z.meta({ description: 'The session token: the only credential for this session. Keep it.' })),
    data: PublicSessionData,
    payment: z.nullable(PublicSessionPayment),
  })
  .check(z.meta({ id: 'PublicChargingSessionCreated' }));

export const StartPublicSessionBody = z
  .strictObject({
    code: z
      .string()
      .check(
        z.trim(),
        z.toUpperCase(),
        z.minLength(1),
        z.maxLength(PUBLIC_CODE_MAX_LENGTH),
        z.meta({ example: 'AMS-042' }),
      ),
    connector_id: boundedInt(1, 100),
    email: z
      .optional(z.email().check(z.maxLength(254)))
      .check(z.meta({ description: 'Where the receipt goes.' })),
  })
  .check(z.meta({ id: 'StartPublicChargingSessionRequest' }));

export type StartPublicSessionInput = z.output<typeof StartPublicSessionBody>;

export const PublicChargerConnector = z
  .object({
    connector_id: z.int(),
    type: z.enum(CONNECTOR_TYPES),
    max_power_kw: z.number(),
    status: z.nullable(z.enum(PUBLIC_CONNECTOR_STATUSES)),
    available: z.boolean().check(z.meta({ description: 'Whether a session can start on it now.' })),
  })
  .check(z.meta({ id: 'PublicChargerConnector' }));

export const PublicCharger = z
  .object({
    data: z.object({
      public_code: z.string(),
      name: z.string(),
      online: z.boolean(),
      connectors: z.array(PublicChargerConnector),
      pricing: z.object({
        currency: z.string(),
        price_per_kwh: z.int(),
        start_fee: z.int(),
        tax_rate: z.number().check(z.meta({ description: 'The tax rate included in the prices.' })),
      }),
      tariff: z.nullable(PublicChargerTariff),
      hold_amount: z
        .int()
        .check(z.meta({ description: 'What will be held on the card when a session starts.' })),
    }),
  })
  .check(z.meta({ id: 'PublicCharger' }));

export type PublicChargerResource = z.output<typeof PublicCharger>;
