// Sessions for the export tests: named examples of each kind (EV and charge point, calculated and
// measured, with and without state of charge, location and cost), an arbitrary of every valid stored
// session for property tests, and async-iterable helpers.

import fc from 'fast-check';
import type { ExportContext } from '../../shared/exports/context.js';
import { STOPPED_REASONS } from '../../shared/public-charging/ocpp.js';
import type { ChargeSessionRecord, MeasuredDetails } from '../../shared/sessions/model.js';

export const EV_ID = '0190a1b2-0000-7000-8000-00000000e001';
export const CP_ID = '0190a1b2-0000-7000-8000-0000000c0001';
export const UNREGISTERED_CP_ID = '0190a1b2-0000-7000-8000-0000000c0099';

export function evSession(overrides: Partial<ChargeSessionRecord> = {}): ChargeSessionRecord {
  return {
    tenantId: 'acme',
    entityId: EV_ID,
    entityType: 'EV',
    id: '0190a1b2-0001-7000-8000-000000000001',
    start: '2024-05-01T22:10:00.000Z',
    end: '2024-05-02T01:40:00.000Z',
    energyKwh: 31.23456,
    averagePowerKw: 9.1,
    peakPowerKw: 11.04,
    chargingSeconds: 12_345.4,
    socStartPercent: 22.5,
    socEndPercent: 80,
    rangeStartKm: 101.2,
    rangeEndKm: 355.75,
    locationMatches: [
      { accuracy: 0.92, location: { id: 'loc-home', label: 'Home, "Garage" — Zürich' } },
      { accuracy: 0.4, location: { id: 'loc-work', label: 'Work' } },
    ],
    position: null,
    method: 'energy_meter',
    source: 'calculated',
    created: '2024-05-02T03:00:00.000Z',
    measured: null,
    ...overrides,
  };
}

export function cpCalculatedSession(overrides: Partial<ChargeSessionRecord> = {}): ChargeSessionRecord {
  return evSession({
    entityId: CP_ID,
    entityType: 'CP',
    id: '0190a1b2-0001-7000-8000-000000000002',
    socStartPercent: null,
    socEndPercent: null,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    method: 'power_flow',
    ...overrides,
  });
}

export function measuredDetails(overrides: Partial<MeasuredDetails> = {}): MeasuredDetails {
  return {
    chargerCode: 'PC7K2Q',
    connectorId: 2,
    connectorType: 'cCCS2',
    stoppedReason: 'EVDisconnected',
    plugStart: '2024-05-01T22:05:12.345Z',
    plugEnd: '2024-05-02T01:47:00.000Z',
    currency: 'USD',
    costAmount: 1_287,
    taxAmount: 97,
    pricePerKwh: 39,
    startFee: 50,
    paymentType: 'application',
    finalStatus: 'captured',
    failureReason: null,
    evchart: null,
    ...overrides,
  };
}

export function cpMeasuredSession(
  measured: Partial<MeasuredDetails> = {},
  overrides: Partial<ChargeSessionRecord> = {},
): ChargeSessionRecord {
  return cpCalculatedSession({
    id: '0190a1b2-0001-7000-8000-000000000003',
    source: 'measured',
    method: 'energy_meter',
    measured: measuredDetails(measured),
    ...overrides,
  });
}

/** One of each kind the brief names: EV and CP, calculated and measured, with and without SoC/location/cost. */
export const EXAMPLE_SESSIONS: Record<string, ChargeSessionRecord> = {
  'EV, calculated, with SoC, range and location': evSession(),
  'EV, calculated, without SoC, range or location': evSession({
    socStartPercent: null,
    socEndPercent: null,
    rangeStartKm: null,
    rangeEndKm: null,
    locationMatches: [],
    method: 'power_flow',
  }),
  'EV, measured by state of charge only': evSession({
    method: 'state_of_charge',
    position: { lat: 47.4, lon: 8.5 },
  }),
  'CP, calculated, no SoC, no cost': cpCalculatedSession(),
  'CP, measured, USD cost, plug times': cpMeasuredSession(),
  'CP, measured, EUR cost, no plug times': cpMeasuredSession({
    currency: 'EUR',
    plugStart: null,
    plugEnd: null,
  }),
  'CP, measured, no cost known': cpMeasuredSession({
    currency: null,
    costAmount: null,
    taxAmount: null,
    pricePerKwh: null,
    startFee: null,
    paymentType: null,
    connectorType: null,
  }),
  'CP, measured, ground fault': cpMeasuredSession({
    stoppedReason: 'GroundFault',
    failureReason: 'Charger tripped, "RCD" open',
    finalStatus: 'failed',
  }),
  'CP, measured, with SoC from the car': cpMeasuredSession({}, { socStartPercent: 10, socEndPercent: 100 }),
};

const CP_PORTS: Readonly<Record<number, string>> = { 1: 'PORT-0001-1', 2: 'PORT-0001-2' };

/**
 * A context that registers CP_ID (a port per connector; calculated sessions on port 1, as if it had one)
 * and names both example entities.
 */
export const REGISTERED_CONTEXT: ExportContext = {
  entity: (entityId) => {
    if (entityId === CP_ID) return { name: 'Depot, bay 3' };
    if (entityId === EV_ID) return { name: '=HYPERLINK("http://evil.example","Car")' };
    return undefined;
  },
  chargePoint: (session) => {
    if (session.entityId !== CP_ID) return undefined;
    return {
      stationId: 'STN-0001',
      networkProvider: 'acme_network',
      chargerId: 'CHG-0001',
      portId: CP_PORTS[session.measured?.connectorId ?? 1] ?? null,
    };
  },
};

// ----- async iterables ---------------------------------------------------------------------------------

export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

// ----- arbitraries -------------------------------------------------------------------------------------

const OCPP_STOP_REASONS = STOPPED_REASONS;
const FINAL_STATUSES = [
  'captured',
  'no_charge',
  'failed',
  'capture_failed',
  'requires_review',
  'refunded',
  'written_off',
];
const MIN_MS = Date.parse('2020-01-01T00:00:00Z');
const MAX_MS = Date.parse('2030-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Text that breaks naive CSV writers: separators, quotes, line ends, formula triggers, non-ASCII. */
export const nastyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    'a,b',
    'say "hi"',
    'line1\nline2',
    'cr\r\nlf',
    '=1+1',
    '+41 44',
    '-5 °C',
    '@home',
    '\tTab',
    'Ürümqi 東京 🚗',
    '',
  ),
);

const nonNegative = (max: number) => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true });
const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

/** An id EV-ChART accepts (1–36 characters). */
const evchartId = fc.string({ minLength: 1, maxLength: 36 });

const measuredArbitrary = (startMs: number, endMs: number): fc.Arbitrary<MeasuredDetails> =>
  fc.record({
    chargerCode: fc.stringMatching(/^[A-Z0-9]{1,10}$/),
    connectorId: fc.integer({ min: 1, max: 100 }),
    connectorType: nullable(
      fc.oneof(fc.constantFrom('cCCS2', 'sType2', 'CHADEMO', 'GBT_DC', 'cCCS1', 'NACS'), fc.string()),
    ),
    stoppedReason: nullable(fc.constantFrom(...OCPP_STOP_REASONS)),
    plugStart: nullable(fc.integer({ min: MIN_MS, max: startMs }).map(iso)),
    plugEnd: nullable(fc.integer({ min: endMs, max: MAX_MS }).map(iso)),
    currency: nullable(fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'XAU', 'usd')),
    costAmount: nullable(fc.nat({ max: 100_000 })),
    taxAmount: nullable(fc.nat({ max: 20_000 })),
    pricePerKwh: nullable(fc.oneof(fc.nat({ max: 500 }), nonNegative(500))),
    startFee: nullable(fc.nat({ max: 1_000 })),
    paymentType: nullable(
      fc.oneof(fc.constantFrom('application', 'rfid', 'cash', 'Plug & Charge', 'card'), nastyText),
    ),
    finalStatus: nullable(fc.constantFrom(...FINAL_STATUSES)),
    failureReason: nullable(nastyText),
    evchart: nullable(
      fc.record({
        stationId: evchartId,
        networkProvider: fc.string({ minLength: 1, maxLength: 255 }),
        chargerId: nullable(evchartId),
        portId: evchartId,
      }),
    ),
  });

/** Every session the store can hold: the invariants of ChargeSessionRecord, nothing narrower. */
export const sessionArbitrary: fc.Arbitrary<ChargeSessionRecord> = fc
  .record({
    entityType: fc.constantFrom<'EV' | 'CP'>('EV', 'CP'),
    measuredWanted: fc.boolean(),
    entityId: fc.oneof(fc.uuid(), fc.constantFrom(CP_ID, EV_ID)),
    id: fc.uuid(),
    startMs: fc.integer({ min: MIN_MS, max: MAX_MS - 4 * 86_400_000 }),
    durationMs: fc.integer({ min: 1_000, max: 3 * 86_400_000 }),
    chargingShare: fc.double({ min: 0, max: 1, noNaN: true }),
    energyKwh: nonNegative(300),
    peakPowerKw: nonNegative(400),
    averageShare: fc.double({ min: 0, max: 1, noNaN: true }),
    socStartPercent: nullable(nonNegative(100)),
    socEndPercent: nullable(nonNegative(100)),
    rangeStartKm: nullable(nonNegative(1_000)),
    rangeEndKm: nullable(nonNegative(1_000)),
    locationMatches: fc.array(
      fc.record({
        accuracy: fc.double({ min: 0, max: 1, noNaN: true }),
        location: fc.record({ id: fc.uuid(), label: nastyText }),
      }),
      { maxLength: 3 },
    ),
    position: nullable(
      fc.record({
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lon: fc.double({ min: -180, max: 180, noNaN: true }),
      }),
    ),
    method: fc.constantFrom<ChargeSessionRecord['method']>('energy_meter', 'power_flow', 'state_of_charge'),
  })
  .chain((base) => {
    const endMs = base.startMs + base.durationMs;
    const measured =
      base.entityType === 'CP' && base.measuredWanted
        ? measuredArbitrary(base.startMs, endMs)
        : fc.constant(null);
    return measured.map(
      (details): ChargeSessionRecord => ({
        tenantId: 'acme',
        entityId: base.entityId,
        entityType: base.entityType,
        id: base.id,
        start: iso(base.startMs),
        end: iso(endMs),
        energyKwh: base.energyKwh,
        averagePowerKw: base.peakPowerKw * base.averageShare,
        peakPowerKw: base.peakPowerKw,
        chargingSeconds: (base.durationMs / 1000) * base.chargingShare,
        socStartPercent: base.socStartPercent,
        socEndPercent: base.socEndPercent,
        rangeStartKm: base.rangeStartKm,
        rangeEndKm: base.rangeEndKm,
        locationMatches: base.locationMatches,
        position: base.position,
        method: base.method,
        source: details ? 'measured' : 'calculated',
        created: iso(endMs + 3_600_000),
        measured: details,
      }),
    );
  });

/** Registers every charge point it is asked about, so EV-ChART can write any CP session. */
export const REGISTER_EVERY_CP: ExportContext = {
  entity: (entityId) => ({ name: `Entity ${entityId.slice(0, 4)}, "quoted"` }),
  chargePoint: ({ entityId }) => ({
    stationId: `STN-${entityId.slice(0, 8)}`,
    networkProvider: 'acme, inc.',
    portId: `PORT-${entityId.slice(0, 8)}`,
  }),
};
