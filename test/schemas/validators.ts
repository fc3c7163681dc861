// The validators the export tests check output against. Each is built from a public source, not from the
// code under test: Atlas from its published session schema (atlas-session.schema.json), EV-ChART from the
// upstream Module 2 field definition, Beckn from the published v1 YAML plus the v2.0 properties of seed 000,
// and the DER-Connect CSV from its row rules (der-connect-csv-row.schema.json).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * Copies of the public files in the reference material's upstream/ folder (../shared/reference/upstream,
 * outside the repository), kept in the test tree so a clean clone tests on its own; a unit test checks
 * them against the originals wherever those are present.
 */
export const UPSTREAM = join(here, 'upstream');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// ajv-formats is CommonJS: under NodeNext its default import is typed (and at run time may be) the module object.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

export interface Validator {
  (value: unknown): boolean;
  errors: () => ErrorObject[];
  schema: Record<string, unknown>;
}

function validator(schema: Record<string, unknown>): Validator {
  const compiled: ValidateFunction = newAjv().compile(schema);
  const validate = ((value: unknown) => compiled(value)) as Validator;
  validate.errors = () => compiled.errors ?? [];
  validate.schema = schema;
  return validate;
}

// ----- Atlas ------------------------------------------------------------------------------------------

export const atlasSchema = readJson(join(here, 'atlas-session.schema.json')) as Record<string, unknown>;
export const validateAtlas = validator(atlasSchema);

// ----- EV-ChART Module 2 ------------------------------------------------------------------------------

interface EvchartField {
  field_name: string;
  required: boolean;
  datatype: 'string' | 'decimal' | 'datetime';
  max_length?: number;
  max_precision?: number;
  max_scale?: number;
  min_value?: number;
  required_empty_allowed?: boolean;
}

export const evchartDefinition = readJson(join(UPSTREAM, 'evchart-module2-definition.json')) as {
  module: number;
  fields: EvchartField[];
};
const stationColumns = readJson(join(here, 'evchart-module2-station-columns.json')) as {
  fields: EvchartField[];
};

/** The column order of the reference README's Module 2 list (shared/reference/README.md). */
export const EVCHART_README_COLUMNS = [
  'station_id',
  'port_id',
  'network_provider',
  'charger_id',
  'session_id',
  'connector_id',
  'session_start',
  'session_end',
  'session_error',
  'error_other',
  'energy_kwh',
  'power_kw',
  'payment_method',
  'payment_other',
];

/** Our stricter reading of "datetime": ISO 8601 / RFC 3339 in UTC, to the second. */
const EVCHART_DATETIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$';

/** One field rule as a JSON Schema for the CSV cell (always a string). */
function evchartCellSchema(field: EvchartField): Record<string, unknown> {
  const emptyAllowed = !field.required || field.required_empty_allowed === true;
  let nonEmpty: Record<string, unknown>;
  switch (field.datatype) {
    case 'string':
      nonEmpty = { type: 'string', minLength: 1, maxLength: field.max_length ?? 255 };
      break;
    case 'decimal': {
      const precision = field.max_precision ?? 7;
      const scale = field.max_scale ?? 2;
      // min_value 0 means no sign; precision minus scale bounds the integer digits.
      const sign = (field.min_value ?? -1) >= 0 ? '' : '-?';
      nonEmpty = { type: 'string', pattern: `^${sign}\\d{1,${precision - scale}}(\\.\\d{1,${scale}})?$` };
      break;
    }
    case 'datetime':
      nonEmpty = { type: 'string', format: 'date-time', pattern: EVCHART_DATETIME };
      break;
  }
  return emptyAllowed ? { anyOf: [{ const: '' }, nonEmpty] } : nonEmpty;
}

export const evchartFields: EvchartField[] = [...stationColumns.fields, ...evchartDefinition.fields];

export const evchartRowSchema: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'EV-ChART Module 2 row (CSV cells), from evchart-module2-definition.json',
  type: 'object',
  additionalProperties: false,
  required: evchartFields.filter((field) => field.required).map((field) => field.field_name),
  properties: Object.fromEntries(evchartFields.map((field) => [field.field_name, evchartCellSchema(field)])),
};
export const validateEvchartRow = validator(evchartRowSchema);

// ----- Beckn EvChargingSession v2.0 ------------------------------------------------------------------

/** OpenAPI annotations that are not JSON Schema keywords; strict ajv refuses unknown keywords. */
const OPENAPI_ONLY_KEYWORDS = new Set(['x-jsonld', 'example']);

function withoutOpenApiAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutOpenApiAnnotations);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !OPENAPI_ONLY_KEYWORDS.has(key))
      .map(([key, child]) => [key, withoutOpenApiAnnotations(child)]),
  );
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

/** components.schemas.ChargingSession of Beckn's published v1 attribute YAML (OpenAPI 3.1 = JSON Schema 2020-12). */
export const becknV1Schema = withoutOpenApiAnnotations(
  (
    parseYaml(readFileSync(join(UPSTREAM, 'beckn-EvChargingSession-v1-attributes.yaml'), 'utf8')) as {
      components: { schemas: { ChargingSession: JsonSchema } };
    }
  ).components.schemas.ChargingSession,
) as JsonSchema;

const v1 = becknV1Schema.properties ?? {};
const v1Property = (name: string): JsonSchema => {
  const property = v1[name];
  if (!property) throw new Error(`The v1 YAML has no property ${name}; the v2.0 schema cannot be built.`);
  return property;
};

/**
 * v2.0 = the eleven properties of seed 000's "Properties (latest: v2.0)" table. Seven keep their v1
 * definitions (same name, type and enum in both). The rest are new or retyped in v2.0:
 * - totalCost: v1 {exclVat, inclVat} became a PriceSpecification, written in the schema.org terms Beckn v2
 *   uses for prices (`@type` schema:PriceSpecification, schema:price, schema:priceCurrency,
 *   schema:valueAddedTaxIncluded).
 * - telemetry: array<TelemetryInterval>; v1's chargingTelemetry items are the only published interval shape.
 * - authorizationMode: an enum whose full list is not published (seed: "e.g., RFID, APP, PLUG_AND_CHARGE";
 *   Beckn's v1 example uses APP_QR), so: an upper-case token.
 * - trackingUrl: string (uri).
 * Plus `@context` and `@type`, which Beckn v2 attribute objects carry (v1: x-jsonld). v1 properties absent
 * from the v2.0 table (lastUpdated, reservationId, …) are not allowed: additionalProperties stays false.
 */
export const becknV2Schema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://schema.beckn.io/EvChargingSession/v2.0',
  title: 'Beckn EvChargingSession v2.0 attributes (built from the v1 YAML and seed 000)',
  type: 'object',
  additionalProperties: false,
  required: ['@context', '@type'],
  properties: {
    '@context': { const: 'https://schema.beckn.io/EvChargingSession/v2.0/context.jsonld' },
    '@type': { const: 'EvChargingSession' },
    sessionStatus: v1Property('sessionStatus'),
    connectorStatus: v1Property('connectorStatus'),
    buyerFinderFee: v1Property('buyerFinderFee'),
    connectorType: v1Property('connectorType'),
    maxPowerKW: v1Property('maxPowerKW'),
    meteredEnergyKWh: v1Property('meteredEnergyKWh'),
    meteredDurationMinutes: v1Property('meteredDurationMinutes'),
    totalCost: {
      type: 'object',
      additionalProperties: false,
      required: ['@type', 'schema:price', 'schema:priceCurrency'],
      properties: {
        '@type': { const: 'schema:PriceSpecification' },
        'schema:price': { type: 'number', minimum: 0 },
        'schema:priceCurrency': { type: 'string', pattern: '^[A-Z]{3}$' },
        'schema:valueAddedTaxIncluded': { type: 'boolean' },
      },
    },
    authorizationMode: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
    telemetry: { type: 'array', items: (v1Property('chargingTelemetry') as { items: JsonSchema }).items },
    trackingUrl: { type: 'string', format: 'uri' },
  },
};
export const validateBecknV2 = validator(becknV2Schema);

// ----- DER-Connect CSV ---------------------------------------------------------------------------------

export const derConnectCsvRowSchema = readJson(join(here, 'der-connect-csv-row.schema.json')) as Record<
  string,
  unknown
>;
export const validateDerConnectCsvRow = validator(derConnectCsvRowSchema);

export function describeErrors(validate: Validator): string {
  return validate
    .errors()
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`)
    .join('; ');
}
