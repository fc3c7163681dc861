import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { becknConnectorType, toBecknSession } from '../../shared/exports/beckn.js';
import {
  becknV1Schema,
  becknV2Schema,
  describeErrors,
  UPSTREAM,
  validateBecknV2,
} from '../schemas/validators.js';
import { cpCalculatedSession, cpMeasuredSession, EXAMPLE_SESSIONS, evSession } from './export-fixtures.js';

describe('Beckn EvChargingSession v2.0 export', () => {
  it('builds its v2.0 schema from the published v1 YAML', () => {
    const v1 = becknV1Schema.properties ?? {};
    const v2 = becknV2Schema.properties ?? {};
    // Carried over from v1 unchanged, enums included (seed 000 lists the same values for v2.0).
    expect(v2['sessionStatus']).toEqual(v1['sessionStatus']);
    expect(v2['sessionStatus']?.['enum']).toEqual(['PENDING', 'ACTIVE', 'STOP', 'COMPLETED', 'INTERRUPTED']);
    expect(v2['connectorType']?.['enum']).toEqual(['CCS2', 'Type2', 'CHAdeMO', 'GB_T']);
    expect(v2['maxPowerKW']).toEqual({
      type: 'number',
      minimum: 1,
      description: 'Peak power observed/allowed for this session (kW).',
    });
    // Exactly seed 000's eleven v2.0 properties, plus the JSON-LD keys.
    expect(Object.keys(v2).sort()).toEqual(
      [
        '@context',
        '@type',
        'sessionStatus',
        'connectorStatus',
        'buyerFinderFee',
        'connectorType',
        'maxPowerKW',
        'meteredEnergyKWh',
        'meteredDurationMinutes',
        'totalCost',
        'authorizationMode',
        'telemetry',
        'trackingUrl',
      ].sort(),
    );
  });

  it.each(Object.entries(EXAMPLE_SESSIONS))('%s is valid v2.0 attributes', (_name, session) => {
    const beckn = toBecknSession(session, { trackingUrl: (s) => `https://cpo.example.org/sessions/${s.id}` });
    expect(validateBecknV2(beckn), describeErrors(validateBecknV2)).toBe(true);
  });

  it('writes what a measured session knows', () => {
    expect(toBecknSession(cpMeasuredSession())).toEqual({
      '@context': 'https://schema.beckn.io/EvChargingSession/v2.0/context.jsonld',
      '@type': 'EvChargingSession',
      sessionStatus: 'COMPLETED',
      connectorType: 'CCS2',
      maxPowerKW: 11.04,
      meteredEnergyKWh: 31.2346,
      meteredDurationMinutes: 210,
      totalCost: {
        '@type': 'schema:PriceSpecification',
        'schema:price': 12.87,
        'schema:priceCurrency': 'USD',
        'schema:valueAddedTaxIncluded': true,
      },
      authorizationMode: 'APP',
    });
  });

  it('omits what a calculated session cannot know', () => {
    const beckn = toBecknSession(evSession());
    expect(Object.keys(beckn).sort()).toEqual(
      [
        '@context',
        '@type',
        'sessionStatus',
        'maxPowerKW',
        'meteredEnergyKWh',
        'meteredDurationMinutes',
      ].sort(),
    );
    expect(toBecknSession(cpCalculatedSession({ peakPowerKw: 0.6 }))).not.toHaveProperty('maxPowerKW');
  });

  it('marks faulted sessions INTERRUPTED and converts other currencies by their own exponent', () => {
    expect(toBecknSession(cpMeasuredSession({ stoppedReason: 'EmergencyStop' })).sessionStatus).toBe(
      'INTERRUPTED',
    );
    expect(
      toBecknSession(cpMeasuredSession({ currency: 'JPY', costAmount: 1287 })).totalCost?.['schema:price'],
    ).toBe(1287);
    expect(
      toBecknSession(cpMeasuredSession({ currency: 'KWD', costAmount: 1287 })).totalCost?.['schema:price'],
    ).toBe(1.287);
    // No minor unit (gold) and an override for a code the table lacks.
    expect(toBecknSession(cpMeasuredSession({ currency: 'XAU' }))).not.toHaveProperty('totalCost');
    expect(
      toBecknSession(cpMeasuredSession({ currency: 'XAU' }), { currencyExponents: { XAU: 0 } }).totalCost?.[
        'schema:price'
      ],
    ).toBe(1287);
  });

  it("maps connector names from OCPP, OCPI and plain words, and leaves out ones Beckn can't name", () => {
    expect(['cCCS2', 'IEC_62196_T2_COMBO', 'CCS 2'].map(becknConnectorType)).toEqual([
      'CCS2',
      'CCS2',
      'CCS2',
    ]);
    expect(['sType2', 'IEC_62196_T2', 'Type 2'].map(becknConnectorType)).toEqual(['Type2', 'Type2', 'Type2']);
    expect(['cG105', 'CHADEMO', 'GBT_DC', 'GB/T'].map(becknConnectorType)).toEqual([
      'CHAdeMO',
      'CHAdeMO',
      'GB_T',
      'GB_T',
    ]);
    expect(['cCCS1', 'NACS', 'cType1', null].map(becknConnectorType)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('drops a tracking URL that is not a URI', () => {
    expect(toBecknSession(evSession(), { trackingUrl: () => 'not a url' })).not.toHaveProperty('trackingUrl');
  });

  it('has a schema that rejects what v1 and seed 000 forbid', () => {
    const good = toBecknSession(cpMeasuredSession());
    const broken: Record<string, unknown>[] = [
      { ...good, sessionStatus: 'DONE' },
      { ...good, connectorType: 'CCS1' },
      { ...good, maxPowerKW: 0.5 },
      { ...good, meteredEnergyKWh: -1 },
      { ...good, totalCost: { exclVat: 1, inclVat: 2 } }, // the v1 shape is not a PriceSpecification
      { ...good, trackingUrl: 'not a url' },
      { ...good, lastUpdated: '2024-05-01T00:00:00Z' }, // v1-only property
      { ...good, '@type': 'ChargingSession' },
    ];
    for (const object of broken) expect(validateBecknV2(object)).toBe(false);
  });

  it('notes that Beckn’s own v1 examples carry properties outside the v1 YAML (so they cannot be our schema)', () => {
    const example = JSON.parse(
      readFileSync(join(UPSTREAM, 'beckn-EvChargingService-v1-session-completed-example.json'), 'utf8'),
    ) as Record<string, unknown>;
    const v1Keys = Object.keys(becknV1Schema.properties ?? {});
    expect(Object.keys(example).filter((key) => !v1Keys.includes(key))).toEqual(
      expect.arrayContaining(['authorizationMode', 'chargingPeriods', 'trackingUrl']),
    );
  });
});
