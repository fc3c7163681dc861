// A charger's EV-ChART identity: validated field by field, kept on the record and in storage (chargers
// stored before it existed read as unregistered), shown to the operator and never to drivers.

import { describe, expect, it } from 'vitest';
import { Charger } from '../../shared/chargers/schemas.js';
import { toChargerResource } from '../../shared/chargers/service.js';
import { parseOrThrow } from '../../shared/http/validation.js';
import { reconfigureCharger, toPublicChargerResource } from '../../shared/public-charging/charger.js';
import { ChargerConfig } from '../../shared/public-charging/schemas.js';
import { chargerFromItem, chargerToItem } from '../../shared/storage/chargers.js';
import { charger, chargerConfigInput, later, MINUTE } from '../fixtures/ocpp/builders.js';

const EVCHART = { stationId: 'NEVI-AMS-042', networkProvider: 'acme_network', chargerId: 'CHG-01' };

function registered(overrides: Record<string, unknown> = {}) {
  return {
    evchart: EVCHART,
    connectors: [
      { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-1' },
      { connectorId: 2, type: 'Type2', maxPowerKw: 22, portId: 'PORT-2' },
    ],
    ...overrides,
  };
}

/** The field errors a configuration gets over HTTP: `[field, code]` pairs. */
function fieldErrors(overrides: Record<string, unknown>): [string, string][] {
  try {
    parseOrThrow(ChargerConfig, chargerConfigInput(overrides), 'body');
  } catch (error) {
    return (error as { errors: { field: string; code: string }[] }).errors.map((e) => [e.field, e.code]);
  }
  return [];
}

describe('the EV-ChART registration of a charger', () => {
  it('is optional, and kept with trimmed values when given', () => {
    expect(charger().evchart).toBeNull();
    expect(charger().connectors.map((c) => c.portId)).toEqual([null, null]);
    const record = charger(
      registered({ evchart: { ...EVCHART, stationId: '  NEVI-AMS-042 ', networkProvider: ' acme_network' } }),
    );
    expect(record.evchart).toEqual(EVCHART);
    expect(record.connectors.map((c) => c.portId)).toEqual(['PORT-1', 'PORT-2']);
    expect(charger(registered({ evchart: { stationId: 'S1', networkProvider: 'n' } })).evchart).toEqual({
      stationId: 'S1',
      networkProvider: 'n',
      chargerId: null,
    });
  });

  it('takes ids of up to 36 characters and a provider of up to 255', () => {
    const longest = {
      stationId: 's'.repeat(36),
      networkProvider: 'p'.repeat(255),
      chargerId: 'c'.repeat(36),
    };
    const connectors = [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'q'.repeat(36) }];
    expect(fieldErrors(registered({ evchart: longest, connectors }))).toEqual([]);
  });

  it.each([
    [
      'a station id over 36 characters',
      { evchart: { ...EVCHART, stationId: 's'.repeat(37) } },
      'evchart.stationId',
      'too_big',
    ],
    ['an empty station id', { evchart: { ...EVCHART, stationId: '   ' } }, 'evchart.stationId', 'too_small'],
    ['no station id', { evchart: { networkProvider: 'n' } }, 'evchart.stationId', 'required'],
    [
      'a provider over 255 characters',
      { evchart: { ...EVCHART, networkProvider: 'p'.repeat(256) } },
      'evchart.networkProvider',
      'too_big',
    ],
    ['no provider', { evchart: { stationId: 'S1' } }, 'evchart.networkProvider', 'required'],
    [
      'a charger id over 36 characters',
      { evchart: { ...EVCHART, chargerId: 'c'.repeat(37) } },
      'evchart.chargerId',
      'too_big',
    ],
    [
      'a line break in an id',
      { evchart: { ...EVCHART, chargerId: 'CHG\n01' } },
      'evchart.chargerId',
      'invalid_characters',
    ],
    ['an unknown member', { evchart: { ...EVCHART, portId: 'P' } }, 'evchart.portId', 'unrecognized_field'],
  ])('refuses %s, naming the field', (_name, overrides, field, code) => {
    expect(fieldErrors(registered(overrides))).toEqual([[field, code]]);
  });

  it('needs a port id on every connector of a registered charger, and none without a registration', () => {
    expect(
      fieldErrors(
        registered({
          connectors: [
            { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-1' },
            { connectorId: 2, type: 'Type2', maxPowerKw: 22 },
          ],
        }),
      ),
    ).toEqual([['connectors[1].portId', 'required']]);
    expect(
      fieldErrors({ connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-1' }] }),
    ).toEqual([['evchart', 'required']]);
    expect(
      fieldErrors(
        registered({
          connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'p'.repeat(37) }],
        }),
      ),
    ).toEqual([['connectors[0].portId', 'too_big']]);
  });

  it('makes a port one EVSE: its connectors share the port id, other EVSEs have their own', () => {
    // Two connectors of EVSE 1 (a CCS2 and a CHAdeMO cable; one car at a time) are one port.
    const shared = [
      { connectorId: 1, type: 'CCS2', maxPowerKw: 150, evseId: 1, evseConnectorId: 1, portId: 'PORT-1' },
      { connectorId: 2, type: 'CHAdeMO', maxPowerKw: 50, evseId: 1, evseConnectorId: 2, portId: 'PORT-1' },
      { connectorId: 3, type: 'Type2', maxPowerKw: 22, evseId: 2, portId: 'PORT-2' },
    ];
    expect(fieldErrors(registered({ connectors: shared }))).toEqual([]);
    const splitEvse = shared.map((c) => (c.connectorId === 2 ? { ...c, portId: 'PORT-9' } : c));
    expect(fieldErrors(registered({ connectors: splitEvse }))).toEqual([
      ['connectors[1].portId', 'port_mismatch'],
    ]);
    const twoEvsesOnePort = shared.map((c) => (c.connectorId === 3 ? { ...c, portId: 'PORT-1' } : c));
    expect(fieldErrors(registered({ connectors: twoEvsesOnePort }))).toEqual([
      ['connectors[2].portId', 'duplicate_port'],
    ]);
  });

  it('is replaced by a reconfiguration, and removed by one without it', () => {
    const record = charger(registered());
    const moved = reconfigureCharger(
      record,
      ChargerConfig.parse(
        chargerConfigInput(registered({ evchart: { stationId: 'NEVI-AMS-043', networkProvider: 'acme' } })),
      ),
      later(MINUTE),
    );
    expect(moved.evchart).toEqual({ stationId: 'NEVI-AMS-043', networkProvider: 'acme', chargerId: null });
    const removed = reconfigureCharger(moved, ChargerConfig.parse(chargerConfigInput()), later(2 * MINUTE));
    expect(removed.evchart).toBeNull();
    expect(removed.connectors.map((c) => c.portId)).toEqual([null, null]);
  });

  it('is stored and read back; a charger stored before registrations existed reads as unregistered', () => {
    const record = charger(registered());
    expect(chargerFromItem(JSON.parse(JSON.stringify(chargerToItem(record))))).toEqual(record);
    const legacy = JSON.parse(JSON.stringify(chargerToItem(charger())));
    delete legacy.evchart;
    for (const connector of legacy.connectors) delete connector.portId;
    expect(chargerFromItem(legacy)).toEqual(charger());
  });

  it("is on the operator's charger, and nowhere on the public one", () => {
    const record = charger(registered());
    const operator = toChargerResource(record);
    expect(Charger.parse(operator)).toEqual(operator);
    expect(operator.evchart).toEqual(EVCHART);
    expect(operator.connectors.map((c) => c.portId)).toEqual(['PORT-1', 'PORT-2']);
    const unregistered = toChargerResource(charger());
    expect(unregistered.evchart).toBeNull();
    expect(unregistered.connectors.map((c) => c.portId)).toEqual([null, null]);
    const publicText = JSON.stringify(toPublicChargerResource(record));
    for (const value of ['NEVI-AMS-042', 'acme_network', 'CHG-01', 'PORT-1', 'PORT-2', 'evchart', 'port']) {
      expect(publicText).not.toContain(value);
    }
  });
});
