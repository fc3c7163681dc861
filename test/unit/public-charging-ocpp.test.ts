// The zod OCPP 2.0.1 schemas must accept exactly what the published JSON Schemas accept. A corpus of
// hand-written messages, messages generated from the upstream schema itself, and mutations of them is
// judged by ajv (draft-06 + ajv-formats, the reference) and by zod; every verdict must agree.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  isOcppDateTime,
  meterSamples,
  normalizeOcppDateTime,
  type OcppMeterValue,
  ocppDateTimeToEpochMs,
  StatusNotificationRequest,
  TransactionEventRequest,
} from '../../shared/public-charging/ocpp.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonSchema = { [key: string]: unknown };

const require = createRequire(import.meta.url);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/ocpp/${name}`, import.meta.url), 'utf8')) as JsonSchema;

const transactionEventSchema = fixture('ocpp-2.0.1-TransactionEventRequest.json');
const statusNotificationSchema = fixture('ocpp-2.0.1-StatusNotificationRequest.json');

// The reference validator: draft-06 meta-schema, full-mode formats, Unicode-aware maxLength (default);
// strict mode off because the OCPP schemas carry `javaType` and `comment` annotations.
const ajv = new Ajv({ strict: false, allErrors: false });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as JsonSchema);
// ajv-formats is CommonJS; its plugin is both module.exports and its `default`.
ajvFormats.default(ajv);
const ajvTransactionEvent = ajv.compile(transactionEventSchema);
const ajvStatusNotification = ajv.compile(statusNotificationSchema);
const ajvDateTime = ajv.compile({ type: 'string', format: 'date-time' });

interface Verdicts {
  ajv: boolean;
  zod: boolean;
}

function judge(validate: ValidateFunction, schema: z.core.$ZodType, message: unknown): Verdicts {
  // Both judge the message as it would arrive: JSON text parsed.
  const parsed = JSON.parse(JSON.stringify(message)) as unknown;
  return { ajv: validate(parsed) === true, zod: z.safeParse(schema, parsed).success };
}

// ---------------------------------------------------------------------------------------------------
// Hand-written corpus

const started = {
  eventType: 'Started',
  timestamp: '2025-03-01T10:00:00.000Z',
  triggerReason: 'RemoteStart',
  seqNo: 0,
  transactionInfo: { transactionId: 'tx-1', remoteStartId: 42, chargingState: 'EVConnected' },
  evse: { id: 1, connectorId: 1 },
  idToken: { idToken: 'pcs-session', type: 'Central' },
  meterValue: [
    {
      timestamp: '2025-03-01T10:00:00Z',
      sampledValue: [{ value: 1234567, context: 'Transaction.Begin' }],
    },
  ],
};

const emoji36 = '😀'.repeat(36); // 36 code points, 72 UTF-16 units
const emoji37 = '😀'.repeat(37);

const transactionEventCases: Array<[string, unknown, boolean]> = [
  ['a full Started event', started, true],
  [
    'the minimal event',
    {
      eventType: 'Updated',
      timestamp: '2025-03-01T10:00:00Z',
      triggerReason: 'MeterValuePeriodic',
      seqNo: 3,
      transactionInfo: { transactionId: 'x' },
    },
    true,
  ],
  ['missing seqNo', { ...started, seqNo: undefined }, false],
  ['missing transactionInfo', { ...started, transactionInfo: undefined }, false],
  ['missing timestamp', { ...started, timestamp: undefined }, false],
  ['unknown top-level member', { ...started, extra: 1 }, false],
  ['unknown eventType', { ...started, eventType: 'started' }, false],
  ['unknown triggerReason', { ...started, triggerReason: 'Plugged' }, false],
  ['seqNo not an integer', { ...started, seqNo: 1.5 }, false],
  ['seqNo as a string', { ...started, seqNo: '1' }, false],
  ['seqNo beyond 2^53 is still an integer', { ...started, seqNo: 2 ** 60 }, true],
  ['seqNo negative', { ...started, seqNo: -1 }, true],
  [
    'transactionId of 36 code points (astral)',
    { ...started, transactionInfo: { transactionId: emoji36 } },
    true,
  ],
  ['transactionId of 37 code points', { ...started, transactionInfo: { transactionId: emoji37 } }, false],
  [
    'transactionId of 36 ASCII characters',
    { ...started, transactionInfo: { transactionId: 'a'.repeat(36) } },
    true,
  ],
  [
    'transactionId of 37 ASCII characters',
    { ...started, transactionInfo: { transactionId: 'a'.repeat(37) } },
    false,
  ],
  [
    'transactionInfo with unknown member',
    { ...started, transactionInfo: { transactionId: 'x', foo: 1 } },
    false,
  ],
  [
    'unknown stoppedReason',
    { ...started, transactionInfo: { transactionId: 'x', stoppedReason: 'Unplugged' } },
    false,
  ],
  ['empty meterValue array', { ...started, meterValue: [] }, false],
  ['meterValue without sampledValue', { ...started, meterValue: [{ timestamp: started.timestamp }] }, false],
  [
    'empty sampledValue array',
    { ...started, meterValue: [{ timestamp: started.timestamp, sampledValue: [] }] },
    false,
  ],
  [
    'sampledValue value as string',
    { ...started, meterValue: [{ timestamp: started.timestamp, sampledValue: [{ value: '1' }] }] },
    false,
  ],
  [
    'sampledValue with fractional value',
    { ...started, meterValue: [{ timestamp: started.timestamp, sampledValue: [{ value: 1.25 }] }] },
    true,
  ],
  [
    'unit of 20 characters and an integer multiplier',
    {
      ...started,
      meterValue: [
        {
          timestamp: started.timestamp,
          sampledValue: [{ value: 1, unitOfMeasure: { unit: 'u'.repeat(20), multiplier: -3 } }],
        },
      ],
    },
    true,
  ],
  [
    'unit of 21 characters',
    {
      ...started,
      meterValue: [
        {
          timestamp: started.timestamp,
          sampledValue: [{ value: 1, unitOfMeasure: { unit: 'u'.repeat(21) } }],
        },
      ],
    },
    false,
  ],
  [
    'fractional multiplier',
    {
      ...started,
      meterValue: [
        { timestamp: started.timestamp, sampledValue: [{ value: 1, unitOfMeasure: { multiplier: 0.5 } }] },
      ],
    },
    false,
  ],
  [
    'signed meter value missing publicKey',
    {
      ...started,
      meterValue: [
        {
          timestamp: started.timestamp,
          sampledValue: [
            { value: 1, signedMeterValue: { signedMeterData: 'a', signingMethod: 'b', encodingMethod: 'c' } },
          ],
        },
      ],
    },
    false,
  ],
  [
    'customData open with extra members',
    { ...started, customData: { vendorId: 'acme', anything: { deep: [1] } } },
    true,
  ],
  ['customData without vendorId', { ...started, customData: { anything: 1 } }, false],
  ['customData vendorId of 256 characters', { ...started, customData: { vendorId: 'v'.repeat(256) } }, false],
  ['customData as an array', { ...started, customData: [] }, false],
  ['evse without id', { ...started, evse: { connectorId: 1 } }, false],
  [
    'idToken additionalInfo empty',
    { ...started, idToken: { idToken: 'a', type: 'Central', additionalInfo: [] } },
    false,
  ],
  [
    'idToken additionalInfo complete',
    {
      ...started,
      idToken: { idToken: 'a', type: 'Central', additionalInfo: [{ additionalIdToken: 'b', type: 'c' }] },
    },
    true,
  ],
  ['offline as a string', { ...started, offline: 'true' }, false],
  ['null for an optional member', { ...started, reservationId: null }, false],
  ['the message as an array', [started], false],
  ['own __proto__ member', JSON.parse(`{"__proto__": 1, ${JSON.stringify(started).slice(1)}`), false],
  ['timestamp with space separator', { ...started, timestamp: '2025-03-01 10:00:00Z' }, true],
  ['timestamp lowercase t and z', { ...started, timestamp: '2025-03-01t10:00:00z' }, true],
  ['timestamp with compact offset', { ...started, timestamp: '2025-03-01T10:00:00+0100' }, true],
  ['timestamp with hour-only offset', { ...started, timestamp: '2025-03-01T10:00:00-05' }, true],
  ['timestamp without zone', { ...started, timestamp: '2025-03-01T10:00:00' }, false],
  ['timestamp on 29 February of a leap year', { ...started, timestamp: '2024-02-29T10:00:00Z' }, true],
  ['timestamp on 29 February of a common year', { ...started, timestamp: '2025-02-29T10:00:00Z' }, false],
  ['timestamp with a leap second at 23:59:60Z', { ...started, timestamp: '2016-12-31T23:59:60Z' }, true],
  [
    'timestamp with a leap second in local time',
    { ...started, timestamp: '2016-12-31T18:59:60-05:00' },
    true,
  ],
  [
    'timestamp with a leap second at the wrong time',
    { ...started, timestamp: '2016-12-31T12:59:60Z' },
    false,
  ],
  ['timestamp at hour 24', { ...started, timestamp: '2025-03-01T24:00:00Z' }, false],
  ['timestamp with a date only', { ...started, timestamp: '2025-03-01' }, false],
];

const statusNotificationCases: Array<[string, unknown, boolean]> = [
  [
    'a valid notification',
    { timestamp: '2025-03-01T10:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 1 },
    true,
  ],
  [
    '1.6-style status',
    { timestamp: '2025-03-01T10:00:00Z', connectorStatus: 'Charging', evseId: 1, connectorId: 1 },
    false,
  ],
  [
    'missing connectorId',
    { timestamp: '2025-03-01T10:00:00Z', connectorStatus: 'Available', evseId: 1 },
    false,
  ],
  ['missing timestamp', { connectorStatus: 'Available', evseId: 1, connectorId: 1 }, false],
  [
    'extra member',
    { timestamp: '2025-03-01T10:00:00Z', connectorStatus: 'Available', evseId: 1, connectorId: 1, x: 1 },
    false,
  ],
  [
    'evseId fractional',
    { timestamp: '2025-03-01T10:00:00Z', connectorStatus: 'Available', evseId: 1.1, connectorId: 1 },
    false,
  ],
  [
    'with customData',
    {
      customData: { vendorId: 'acme', x: 1 },
      timestamp: '2025-03-01T10:00:00Z',
      connectorStatus: 'Faulted',
      evseId: 0,
      connectorId: 0,
    },
    true,
  ],
];

describe('OCPP 2.0.1 schemas agree with the upstream JSON Schemas (hand-written corpus)', () => {
  it.each(transactionEventCases)('TransactionEventRequest: %s', (_, message, expected) => {
    expect(judge(ajvTransactionEvent, TransactionEventRequest, message)).toEqual({
      ajv: expected,
      zod: expected,
    });
  });
  it.each(statusNotificationCases)('StatusNotificationRequest: %s', (_, message, expected) => {
    expect(judge(ajvStatusNotification, StatusNotificationRequest, message)).toEqual({
      ajv: expected,
      zod: expected,
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Generated corpus: valid messages built from the upstream schema itself, then mutated

const dateTimeArb = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    separator: fc.constantFrom('T', 't', ' ', '\t', '\u00a0', 'x', '', 'TT'),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.constantFrom('', '.1', '.123', '.123456789', '.'),
    zone: fc.constantFrom(
      'Z',
      'z',
      '',
      '+01:00',
      '-00:30',
      '+0100',
      '+01',
      '+24:00',
      '+23:59',
      '-23:60',
      '+1:00',
      '-05:00',
    ),
  })
  .map(({ year, month, day, separator, hour, minute, second, fraction, zone }) => {
    const p = (n: number, width = 2) => String(n).padStart(width, '0');
    return `${p(year, 4)}-${p(month)}-${p(day)}${separator}${p(hour)}:${p(minute)}:${p(second)}${fraction}${zone}`;
  });

/** Date-times upstream accepts, in every form it accepts (separators, zones, fractions). */
const validDateTimeArb = fc
  .record({
    date: fc.date({
      min: new Date('0000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    separator: fc.constantFrom('T', 't', ' '),
    fraction: fc.constantFrom('', '.5', '.123456789'),
    zone: fc.constantFrom('Z', 'z', '+01:00', '-05:30', '+0100', '-05', '+23:59'),
  })
  .map(({ date, separator, fraction, zone }) => {
    const iso = date.toISOString();
    return `${iso.slice(0, 10)}${separator}${iso.slice(11, 19)}${fraction}${zone}`;
  });

function resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const name = ref.replace('#/definitions/', '');
  return (root.definitions as Record<string, JsonSchema>)[name] as JsonSchema;
}

/** A fast-check arbitrary of values the JSON Schema accepts, read from the schema (not from our zod). */
function validArbitrary(root: JsonSchema, schemaOrRef: JsonSchema): fc.Arbitrary<Json> {
  const schema = resolve(root, schemaOrRef);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') return validDateTimeArb;
      const max = (schema.maxLength as number | undefined) ?? 40;
      // Short strings mostly, and now and then one exactly at the limit (counted in code points).
      return fc.oneof(
        { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: Math.min(max, 40) }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: max, maxLength: max }) },
      );
    }
    case 'integer':
      return fc.oneof(fc.integer(), fc.constantFrom(0, -0, 2 ** 53, 2 ** 60, -(2 ** 60)));
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validArbitrary(root, schema.items as JsonSchema), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: 3,
      });
    case 'object': {
      const properties = schema.properties as Record<string, JsonSchema>;
      const required = (schema.required as string[] | undefined) ?? [];
      const members = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, validArbitrary(root, value)]),
      );
      const record = fc.record(members, { requiredKeys: required }) as fc.Arbitrary<Record<string, Json>>;
      if (schema.additionalProperties === false) return record;
      // Open objects (CustomData) carry extra vendor members.
      return fc
        .tuple(
          record,
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, {
            maxKeys: 3,
          }),
        )
        .map(([known, extra]) => ({ ...extra, ...known }));
    }
    default:
      throw new Error(`schema type not handled: ${String(schema.type)}`);
  }
}

const interestingValues: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  dateTimeArb,
  fc.constantFrom<Json>(
    null,
    [],
    {},
    '',
    1.5,
    2 ** 60,
    -1,
    'Started ',
    'charging',
    'Occupied',
    emoji36,
    emoji37,
    'a'.repeat(36),
    'a'.repeat(37),
    'v'.repeat(255),
    'v'.repeat(256),
    { vendorId: 'x' },
    { vendorId: 'x', extra: true },
    [{ value: 1 }],
  ),
);

type Mutation = 'delete' | 'replace' | 'add';

/** Every path into a JSON value (the root is []). */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => paths(item, [...prefix, i])));
  if (value !== null && typeof value === 'object') {
    return here.concat(...Object.entries(value).map(([key, item]) => paths(item, [...prefix, key])));
  }
  return here;
}

function mutate(value: Json, pick: number, mutation: Mutation, replacement: Json, newKey: string): Json {
  const copy = structuredClone(value);
  const all = paths(copy);
  const path = all[pick % all.length] as Array<string | number>;
  if (path.length === 0) return mutation === 'replace' ? replacement : copy;
  const parent = path
    .slice(0, -1)
    .reduce<Json>((node, key) => (node as Record<string, Json>)[key] as Json, copy);
  const last = path[path.length - 1] as string | number;
  const target = (parent as Record<string | number, Json>)[last] as Json;
  if (mutation === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last as string];
  } else if (mutation === 'add' && target !== null && typeof target === 'object' && !Array.isArray(target)) {
    target[newKey] = replacement;
  } else {
    (parent as Record<string | number, Json>)[last] = replacement;
  }
  return copy;
}

function agreementProperty(
  root: JsonSchema,
  validate: ValidateFunction,
  schema: z.core.$ZodType,
  seed: number,
) {
  const valid = validArbitrary(root, root);
  const tally = { validAccepted: 0, mutatedAccepted: 0, mutatedRejected: 0 };
  const rejectedBy = new Set<string>();
  fc.assert(
    fc.property(valid, (message) => {
      const verdicts = judge(validate, schema, message);
      expect(verdicts).toEqual({ ajv: true, zod: true });
      tally.validAccepted++;
    }),
    { seed, numRuns: 300 },
  );
  fc.assert(
    fc.property(
      valid,
      fc.nat(),
      fc.constantFrom<Mutation>('delete', 'replace', 'add'),
      interestingValues,
      fc.constantFrom('extra', 'vendorId', 'seqNo', '__proto__', 'value', 'constructor'),
      (message, pick, mutation, replacement, newKey) => {
        const mutated = mutate(message, pick, mutation, replacement, newKey);
        const verdicts = judge(validate, schema, mutated);
        expect(verdicts.zod).toBe(verdicts.ajv);
        if (!verdicts.zod) rejectedBy.add(JSON.stringify(validate.errors?.[0]?.keyword));
        if (verdicts.ajv) tally.mutatedAccepted++;
        else tally.mutatedRejected++;
      },
    ),
    { seed: seed + 1, numRuns: 1000 },
  );
  return { ...tally, rejectedBy: [...rejectedBy].sort() };
}

describe('OCPP 2.0.1 schemas agree with the upstream JSON Schemas (generated corpus)', () => {
  it('TransactionEventRequest: generated valid messages and their mutations', () => {
    const tally = agreementProperty(
      transactionEventSchema,
      ajvTransactionEvent,
      TransactionEventRequest,
      20250301,
    );
    // The mutated corpus must exercise both verdicts, or agreement would prove little.
    expect(tally.mutatedAccepted).toBeGreaterThan(100);
    expect(tally.mutatedRejected).toBeGreaterThan(200);
    expect(tally.rejectedBy).toEqual(
      ['additionalProperties', 'enum', 'format', 'maxLength', 'minItems', 'required', 'type'].map(
        (k) => `"${k}"`,
      ),
    );
  });
  it('StatusNotificationRequest: generated valid messages and their mutations', () => {
    const tally = agreementProperty(
      statusNotificationSchema,
      ajvStatusNotification,
      StatusNotificationRequest,
      20250302,
    );
    expect(tally.mutatedAccepted).toBeGreaterThan(50);
    expect(tally.mutatedRejected).toBeGreaterThan(200);
  });
  it('date-time: isOcppDateTime agrees with ajv-formats on fuzzed strings', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(dateTimeArb, fc.string({ maxLength: 30 })), (value) => {
        expect(isOcppDateTime(value)).toBe(ajvDateTime(value) === true);
        if (isOcppDateTime(value)) accepted++;
      }),
      { seed: 7, numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
  it('date-time: parsing gives the instant Date.parse gives for the forms it understands', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (date, offsetMinutes) => {
          const shifted = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const text = `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(isOcppDateTime(text)).toBe(true);
          expect(ocppDateTimeToEpochMs(text)).toBe(Date.parse(text));
          expect(ocppDateTimeToEpochMs(text)).toBe(date.getTime());
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });
  it('date-time: the lax forms upstream accepts parse to the right instant', () => {
    expect(normalizeOcppDateTime('2025-03-01t10:00:00z')).toBe('2025-03-01T10:00:00.000Z');
    expect(normalizeOcppDateTime('2025-03-01 11:00:00+0100')).toBe('2025-03-01T10:00:00.000Z');
    expect(normalizeOcppDateTime('2025-03-01T05:00:00.123456-05')).toBe('2025-03-01T10:00:00.123Z');
    expect(normalizeOcppDateTime('2016-12-31T23:59:60Z')).toBe('2016-12-31T23:59:59.999Z');
    expect(() => ocppDateTimeToEpochMs('2025-03-01T10:00:00')).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------
// Meter samples

const at = '2025-03-01T10:05:00Z';
const mv = (...sampledValue: OcppMeterValue['sampledValue']): OcppMeterValue => ({
  timestamp: at,
  sampledValue,
});

describe('meterSamples', () => {
  it('reads a bare value as the energy register in Wh (the OCPP defaults)', () => {
    expect(meterSamples({ meterValue: [mv({ value: 1500.4 })] })).toEqual([
      {
        at: '2025-03-01T10:05:00.000Z',
        energyWh: 1500,
        energyContext: 'Sample.Periodic',
        powerW: null,
        socPercent: null,
      },
    ]);
  });
  it('converts kWh and applies the power-of-ten multiplier without float drift', () => {
    const [a, b, c, d] = meterSamples({
      meterValue: [
        mv({ value: 12.345, unitOfMeasure: { unit: 'kWh' } }),
        mv({ value: 12345, unitOfMeasure: { multiplier: 3 } }),
        mv({ value: 123456, unitOfMeasure: { unit: 'Wh', multiplier: -1 } }),
        mv({ value: 0.1 + 0.2, unitOfMeasure: { unit: 'kWh', multiplier: 1 } }),
      ],
    });
    expect(a?.energyWh).toBe(12345);
    expect(b?.energyWh).toBe(12_345_000);
    expect(c?.energyWh).toBe(12346); // 12345.6 Wh rounds half-up to whole Wh
    expect(d?.energyWh).toBe(3000);
  });
  it('skips energy in units that are not active energy', () => {
    expect(
      meterSamples({ meterValue: [mv({ value: 5, unitOfMeasure: { unit: 'varh' } })] })[0]?.energyWh,
    ).toBeNull();
  });
  it('prefers the overall value over per-phase values', () => {
    const [sample] = meterSamples({
      meterValue: [mv({ value: 100, phase: 'L1' }, { value: 900 }, { value: 100, phase: 'L2' })],
    });
    expect(sample?.energyWh).toBe(900);
  });
  it('sums L1..L3 when there is no overall value, never N or line-to-line values', () => {
    const [energy, power] = meterSamples({
      meterValue: [
        mv(
          { value: 100, phase: 'L1' },
          { value: 200, phase: 'L2' },
          { value: 300, phase: 'L3' },
          { value: 50, phase: 'N' },
        ),
        mv(
          { value: 3.7, phase: 'L1-N', measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
          { value: 3.6, phase: 'L2-N', measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
          { value: 999, phase: 'L1-L2', measurand: 'Power.Active.Import' },
        ),
      ],
    });
    expect(energy?.energyWh).toBe(600);
    expect(power?.powerW).toBe(7300);
    expect(power?.energyWh).toBeNull();
  });
  it('prefers the Outlet reading and falls back to Inlet; EV-side energy is ignored', () => {
    const [both, inletOnly, evOnly] = meterSamples({
      meterValue: [
        mv({ value: 1000, location: 'Inlet' }, { value: 950, location: 'Outlet' }),
        mv({ value: 1000, location: 'Inlet' }),
        mv({ value: 1000, location: 'EV' }),
      ],
    });
    expect(both?.energyWh).toBe(950);
    expect(inletOnly?.energyWh).toBe(1000);
    expect(evOnly?.energyWh).toBeNull();
  });
  it('reads power in W and kW and SoC in percent, and keeps the energy reading context', () => {
    const [sample] = meterSamples({
      meterValue: [
        mv(
          { value: 1234, context: 'Transaction.Begin' },
          { value: 11, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
          { value: 42.5, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
          { value: 230, measurand: 'Voltage' },
        ),
      ],
    });
    expect(sample).toMatchObject({
      energyWh: 1234,
      energyContext: 'Transaction.Begin',
      powerW: 11000,
      socPercent: 42.5,
    });
  });
  it('rejects impossible SoC values', () => {
    expect(meterSamples({ meterValue: [mv({ value: 140, measurand: 'SoC' })] })[0]?.socPercent).toBeNull();
  });
  it('gives one sample per MeterValue with its normalised timestamp, and none without meter values', () => {
    const samples = meterSamples({
      meterValue: [
        { timestamp: '2025-03-01T11:00:00+01:00', sampledValue: [{ value: 1 }] },
        mv({ value: 2 }),
      ],
    });
    expect(samples.map((s) => s.at)).toEqual(['2025-03-01T10:00:00.000Z', '2025-03-01T10:05:00.000Z']);
    expect(meterSamples({})).toEqual([]);
  });
});
