// fast-check arbitraries from the JSON Schemas of the OpenAPI document: values that satisfy a schema
// (so fuzzed requests reach deep into the handlers), and hostile values that break it in every way a
// client can (wrong types, missing and extra fields, huge strings and arrays, deep nesting, extreme and
// invalid dates and numbers, unicode and control characters).

import fc from 'fast-check';

export type JsonSchema = Record<string, any>;

export interface SchemaContext {
  components: Record<string, JsonSchema>;
  /**
   * The clock valid date-times are drawn from. Valid means accepted by the server on the day the test
   * runs: a fixed calendar date falls out of the 35-day readings retention and turns a valid sample into
   * a 400 (it did, on 2026-11-29). Out-of-range dates belong to the hostile values below.
   */
  now: Date;
}

function resolve(schema: JsonSchema, context: SchemaContext): JsonSchema {
  let current = schema;
  for (let depth = 0; current?.$ref && depth < 20; depth++) {
    const name = String(current.$ref).replace('#/components/schemas/', '');
    current = context.components[name] ?? {};
  }
  return current ?? {};
}

const DAY_MS = 86_400_000;
/** Inside the shortest retention any route applies (35 days), with a margin for a slow run. */
const RECENT_DAYS = 30;

/** An RFC 3339 rendering of `ms` at a fixed UTC offset, e.g. `2026-12-01T09:30:00+02:00`. */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

/** Valid date-times: instants in the last 30 days of `now`, in UTC or at an offset, some with milliseconds. */
function dateTimes(now: Date): fc.Arbitrary<string> {
  const end = Math.floor(now.getTime() / 1000) * 1000;
  const instant = fc.integer({ min: end - RECENT_DAYS * DAY_MS, max: end });
  return fc.oneof(
    instant.map((ms) => new Date(ms).toISOString()),
    fc
      .tuple(
        fc.integer({ min: end - RECENT_DAYS * DAY_MS, max: end - DAY_MS }),
        fc.constantFrom(-300, 60, 120, 330),
      )
      .map(([ms, offset]) => withOffset(Math.floor(ms / 1000) * 1000, offset)),
  );
}

function stringFor(schema: JsonSchema, context: SchemaContext): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return dateTimes(context.now);
  if (schema.format === 'date') return dateTimes(context.now).map((d) => d.slice(0, 10));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uri') return fc.webUrl();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
  if (schema.pattern) {
    // Patterns are honoured only for simple character classes; otherwise a short alphanumeric string.
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 1e9));
  }
  return fc.string({ minLength, maxLength });
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    schema.minimum ??
    (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : -1e6);
  const max =
    schema.maximum ??
    (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : 1e6);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * `base` with one `anyOf` variant applied (allOf semantics, for the object shapes the API uses): the
 * variant's required fields added, and its property constraints merged; `not: { type: 'null' }` drops
 * null from the property's types.
 */
function withVariant(base: JsonSchema, variant: JsonSchema, context: SchemaContext): JsonSchema {
  const { anyOf: _, ...rest } = base;
  const properties: Record<string, JsonSchema> = { ...(rest.properties ?? {}) };
  for (const [key, constraint] of Object.entries((variant.properties ?? {}) as Record<string, JsonSchema>)) {
    if ((constraint as unknown) === false) {
      // `false`: the variant forbids the property.
      delete properties[key];
      continue;
    }
    const property = resolve(properties[key] ?? {}, context);
    const { not, ...other } = constraint;
    const types = Array.isArray(property.type) ? property.type : undefined;
    const notNull = not?.type === 'null';
    properties[key] = {
      ...property,
      ...other,
      // Null leaves either form a schema gives it: a type list, or an `anyOf` with a `{type: 'null'}` arm.
      ...(notNull && types ? { type: types.filter((t: string) => t !== 'null') } : {}),
      ...(notNull && property.anyOf
        ? { anyOf: property.anyOf.filter((arm: JsonSchema) => resolve(arm, context).type !== 'null') }
        : {}),
    };
  }
  return { ...rest, properties, required: [...(rest.required ?? []), ...(variant.required ?? [])] };
}

/** Values that satisfy `schema` (best effort: keywords the generator does not know are ignored). */
export function validValue(schema: JsonSchema, context: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, context);
  if (depth > 8) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf && s.properties) {
    return fc.oneof(
      ...s.anyOf.map((v: JsonSchema) => validValue(withVariant(s, v, context), context, depth + 1)),
    );
  }
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return fc.oneof(...variants.map((v: JsonSchema) => validValue(v, context, depth + 1)));
  if (s.allOf)
    return validValue(
      Object.assign({}, ...s.allOf.map((v: JsonSchema) => resolve(v, context))),
      context,
      depth + 1,
    );
  // Each of several types, null included: clients send null for a nullable field.
  if (Array.isArray(s.type) && s.type.length > 1)
    return fc.oneof(...s.type.map((t: string) => validValue({ ...s, type: t }, context, depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringFor(s, context);
    case 'integer':
      return numberFor(s, true);
    case 'number':
      return numberFor(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = validValue(s.items ?? {}, context, depth + 1);
      const size = {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 5, (s.minItems ?? 0) + 5),
      };
      return s.uniqueItems
        ? fc.uniqueArray(items, { ...size, selector: (v) => JSON.stringify(v) })
        : fc.array(items, size);
    }
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set<string>(s.required ?? []);
      const entries = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, validValue(value, context, depth + 1)]),
      );
      return fc.record(entries, { requiredKeys: [...required].filter((k) => k in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const HOSTILE_STRINGS = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u200b',
    '../../etc/passwd',
    '%2e%2e%2f',
    'T#other-tenant',
    '#',
    'a#b',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '{"$ne":null}',
    '9999-12-31T23:59:59Z',
    '0000-00-00T00:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-01-01T25:00:00Z',
    '2026-01-01',
    // Valid RFC 3339, but far outside any retention or range the server accepts.
    '2000-01-01T00:00:00Z',
    '2099-12-31T23:59:59+14:00',
    'NaN',
    'Infinity',
    '-0',
    '1e309',
    '😀'.repeat(300),
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

const HOSTILE_NUMBERS = fc.constantFrom(
  -1,
  0,
  -0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  1e-320,
  0.1 + 0.2,
  2 ** 53,
);

function deep(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: [value] };
  return value;
}

/** Any JSON value a hostile client could send in place of a valid one. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  HOSTILE_STRINGS,
  HOSTILE_NUMBERS,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { minLength: 2_000, maxLength: 5_000 }),
  fc.integer({ min: 50, max: 500 }).map(deep),
  fc.jsonValue({ maxDepth: 4 }),
);

/** A valid value with one part broken: a field removed, retyped, added, or replaced by a hostile value. */
export function mutatedValue(schema: JsonSchema, context: SchemaContext): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      validValue(schema, context),
      fc.nat(),
      hostileValue,
      fc.constantFrom('remove', 'replace', 'add', 'whole'),
    )
    .map(([value, pick, hostile, how]) => {
      if (how === 'whole' || value === null || typeof value !== 'object') return hostile;
      const copy = structuredClone(value) as Record<string, unknown>;
      const keys = Object.keys(copy);
      if (how === 'add' || keys.length === 0) {
        copy[`unexpected_${pick % 7}`] = hostile;
        return copy;
      }
      const key = keys[pick % keys.length] as string;
      if (how === 'remove') delete copy[key];
      else copy[key] = hostile;
      return copy;
    });
}
