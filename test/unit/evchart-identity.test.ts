// Where an EV-ChART row's station and port identity comes from: the operator's chargers linked to the
// session's CP entity. A measured session takes its charger's station and its connector's port as
// registered now, else the registration it kept from when it started (charger deleted, moved or
// unregistered since); a calculated one the entity's only registered port; anything else is refused with
// the reason, never guessed. Pure: charger registrations in, rows (or 422s) out.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../shared/errors.js';
import { toEvchartRow } from '../../shared/exports/evchart.js';
import { type ChargerRegistrationView, registeredPortOf } from '../../shared/public-charging/charger.js';
import { evchartHttpContext, evchartRegistry } from '../../shared/sessions/export-context.js';
import { describeErrors, validateEvchartRow } from '../schemas/validators.js';
import { thrownApiError } from '../support/errors.js';
import { CP_ID, cpCalculatedSession, cpMeasuredSession, evSession } from './export-fixtures.js';

const OTHER_CP = '0190a1b2-0000-7000-8000-0000000c0002';
const STATION = { stationId: 'NEVI-0001', networkProvider: 'acme_network' };

function chargerOf(
  publicCode: string,
  ports: (string | null)[],
  evchart: ChargerRegistrationView['evchart'] = { ...STATION, chargerId: `CHG-${publicCode}` },
  entityId = CP_ID,
): ChargerRegistrationView {
  return {
    publicCode,
    entityId,
    evchart,
    connectors: ports.map((portId, index) => ({
      connectorId: index + 1,
      type: 'CCS2',
      maxPowerKw: 150,
      evseId: index + 1,
      evseConnectorId: 1,
      portId,
    })),
  };
}

/** The 422 a session gets: the field it names and the reason. */
function refusal(run: () => unknown): { field: string; message: string } {
  const problem = thrownApiError(run);
  expect(problem).toBeInstanceOf(UnprocessableError);
  expect(problem.code).toBe('export_unrepresentable');
  return {
    field: problem.extensions.exportField as string,
    message: (problem.errors?.[0]?.message ?? '') as string,
  };
}

describe("a measured session's identity: the charger's registration now, else the one kept with the session", () => {
  /** What the charger was registered as when the session started: a typo in the port id since corrected. */
  const KEPT = {
    stationId: 'NEVI-0001',
    networkProvider: 'acme_network',
    chargerId: 'CHG-OLD',
    portId: 'PORT-B-TYPO',
  };
  const session = cpMeasuredSession({ chargerCode: 'PC7K2Q', connectorId: 2, evchart: KEPT });
  const identity = (chargers: ChargerRegistrationView[]) => {
    const row = toEvchartRow(session, evchartHttpContext(chargers));
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    return {
      station_id: row.station_id,
      network_provider: row.network_provider,
      charger_id: row.charger_id,
      port_id: row.port_id,
    };
  };
  const keptRow = {
    station_id: 'NEVI-0001',
    network_provider: 'acme_network',
    charger_id: 'CHG-OLD',
    port_id: 'PORT-B-TYPO',
  };

  it('takes the registration as it is now while the charger still registers the port: a correction applies', () => {
    expect(identity([chargerOf('PC7K2Q', ['PORT-A', 'PORT-B'])])).toEqual({
      station_id: 'NEVI-0001',
      network_provider: 'acme_network',
      charger_id: 'CHG-PC7K2Q',
      port_id: 'PORT-B',
    });
  });

  it('takes the kept registration, whole, when the charger is deleted, moved, unregistered or lost the connector', () => {
    expect(identity([])).toEqual(keptRow);
    // Re-linked to another entity: another charge point's charger now, whatever it registers.
    expect(identity([chargerOf('PC7K2Q', ['X-1', 'X-2'], undefined, OTHER_CP)])).toEqual(keptRow);
    // Replaced by a charger with another code on the same entity: that one did not measure the session.
    expect(identity([chargerOf('PC7K2R', ['PORT-A', 'PORT-B'])])).toEqual(keptRow);
    expect(identity([chargerOf('PC7K2Q', [null, null], null)])).toEqual(keptRow);
    // The station is still registered but the port is not: no mix of the two registrations.
    expect(identity([chargerOf('PC7K2Q', ['PORT-A'])])).toEqual(keptRow);
    expect(identity([chargerOf('PC7K2Q', ['PORT-A', null])])).toEqual(keptRow);
  });

  it('takes the registration as it is now for a session that kept none (registered after it, or recorded before)', () => {
    const unkept = cpMeasuredSession({ chargerCode: 'PC7K2Q', connectorId: 2, evchart: null });
    expect(
      toEvchartRow(unkept, evchartHttpContext([chargerOf('PC7K2Q', ['PORT-A', 'PORT-B'])])),
    ).toMatchObject({
      station_id: 'NEVI-0001',
      port_id: 'PORT-B',
    });
    // Neither: refused, saying the session kept none either.
    expect(refusal(() => toEvchartRow(unkept, evchartHttpContext([]))).message).toContain(
      'and the session keeps none from when it started',
    );
  });

  it('is never refused with a registration kept, and is always the charger now or the one kept', () => {
    const id = fc.stringMatching(/^[A-Z0-9-]{1,36}$/);
    const port = fc.option(id, { nil: null });
    const registration = fc.record({
      stationId: id,
      networkProvider: id,
      chargerId: fc.option(id, { nil: null }),
    });
    const chargerArbitrary = fc.record({
      publicCode: fc.constantFrom('PC7K2Q', 'PC7K2R'),
      entityId: fc.constantFrom(CP_ID, OTHER_CP),
      evchart: fc.option(registration, { nil: null }),
      ports: fc.array(port, { minLength: 0, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(chargerArbitrary, { selector: (c) => c.publicCode, maxLength: 2 }),
        fc.record({
          stationId: id,
          networkProvider: id,
          chargerId: fc.option(id, { nil: null }),
          portId: id,
        }),
        fc.integer({ min: 1, max: 3 }),
        (drawn, kept, connectorId) => {
          const chargers = drawn.map((c) => chargerOf(c.publicCode, c.ports, c.evchart, c.entityId));
          const measured = cpMeasuredSession({ chargerCode: 'PC7K2Q', connectorId, evchart: kept });
          const resolved = evchartRegistry(chargers)(measured);
          const own = chargers.find((c) => c.publicCode === 'PC7K2Q' && c.entityId === CP_ID);
          const current = own ? registeredPortOf(own, connectorId) : null;
          expect(resolved).toEqual(current ?? kept);
          expect(() => toEvchartRow(measured, evchartHttpContext(chargers))).not.toThrow();
        },
      ),
      { seed: 20250601, numRuns: 300 },
    );
  });
});

describe('EV-ChART identity from the registered chargers', () => {
  it("writes a measured session with its charger's station and its connector's port, every row valid", () => {
    const context = evchartHttpContext([
      chargerOf('PC7K2Q', ['PORT-A', 'PORT-B']),
      // Another charger of the same station, and one of another entity with the same connector numbers.
      chargerOf('PC7K2R', ['PORT-C', 'PORT-D']),
      chargerOf(
        'ELSEWH',
        ['X-1', 'X-2'],
        { stationId: 'OTHER', networkProvider: 'x', chargerId: null },
        OTHER_CP,
      ),
    ]);
    const row = toEvchartRow(cpMeasuredSession({ chargerCode: 'PC7K2Q', connectorId: 2 }), context);
    expect(row).toMatchObject({
      station_id: 'NEVI-0001',
      network_provider: 'acme_network',
      charger_id: 'CHG-PC7K2Q',
      port_id: 'PORT-B',
      connector_id: '2',
    });
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    expect(toEvchartRow(cpMeasuredSession({ chargerCode: 'PC7K2R', connectorId: 1 }), context)).toMatchObject(
      {
        charger_id: 'CHG-PC7K2R',
        port_id: 'PORT-C',
      },
    );
  });

  it('leaves charger_id empty when the charger registered none, rather than writing its public code', () => {
    const context = evchartHttpContext([
      chargerOf('PC7K2Q', ['PORT-A', 'PORT-B'], { ...STATION, chargerId: null }),
    ]);
    const row = toEvchartRow(cpMeasuredSession({ chargerCode: 'PC7K2Q' }), context);
    expect(row.charger_id).toBe('');
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
  });

  it('refuses a measured session whose charger is unregistered, gone or moved, or whose connector is gone', () => {
    const unregistered = evchartHttpContext([chargerOf('PC7K2Q', [null, null], null)]);
    expect(refusal(() => toEvchartRow(cpMeasuredSession(), unregistered))).toEqual({
      field: 'station_id',
      message: expect.stringContaining('charger PC7K2Q has no EV-ChART registration'),
    });
    const gone = evchartHttpContext([]);
    expect(refusal(() => toEvchartRow(cpMeasuredSession(), gone)).message).toContain(
      "charger PC7K2Q, which measured it, is no longer one of this charge point's chargers",
    );
    // The same code on another entity of the tenant is not this session's charger.
    const moved = evchartHttpContext([chargerOf('PC7K2Q', ['P1', 'P2'], undefined, OTHER_CP)]);
    expect(refusal(() => toEvchartRow(cpMeasuredSession(), moved)).field).toBe('station_id');
    // The station is known, the port is not: the refusal names port_id.
    const oneConnector = evchartHttpContext([chargerOf('PC7K2Q', ['PORT-A'])]);
    expect(refusal(() => toEvchartRow(cpMeasuredSession({ connectorId: 2 }), oneConnector))).toEqual({
      field: 'port_id',
      message: expect.stringContaining(
        'connector 2 of charger PC7K2Q, which measured it, is no longer configured',
      ),
    });
    // A registered charger whose connector holds no port id (the API refuses this; a stored item may not).
    const portless = evchartHttpContext([chargerOf('PC7K2Q', ['PORT-A', null])]);
    expect(refusal(() => toEvchartRow(cpMeasuredSession({ connectorId: 2 }), portless))).toEqual({
      field: 'port_id',
      message: expect.stringContaining('connector 2 of charger PC7K2Q has no registered port'),
    });
    expect(toEvchartRow(cpMeasuredSession({ connectorId: 1 }), portless).port_id).toBe('PORT-A');
  });

  it('refuses a registered id longer than EV-ChART allows rather than cutting it', () => {
    const long = (field: string, value: string) => ({
      stationId: 'NEVI-0001',
      networkProvider: 'acme_network',
      chargerId: 'CHG-1',
      [field]: value,
    });
    const cases: [ChargerRegistrationView, string, string][] = [
      [chargerOf('PC7K2Q', ['P1', 'P2'], long('stationId', 'S'.repeat(37))), 'station_id', 'S'.repeat(37)],
      [chargerOf('PC7K2Q', ['P1', 'P2'], long('chargerId', 'C'.repeat(37))), 'charger_id', 'C'.repeat(37)],
      [chargerOf('PC7K2Q', ['P1', 'P'.repeat(37)]), 'port_id', 'P'.repeat(37)],
      [
        chargerOf('PC7K2Q', ['P1', 'P2'], long('networkProvider', 'n'.repeat(256))),
        'network_provider',
        'n'.repeat(256),
      ],
    ];
    for (const [charger, field, value] of cases) {
      const { field: named, message } = refusal(() =>
        toEvchartRow(cpMeasuredSession({ connectorId: 2 }), evchartHttpContext([charger])),
      );
      expect(named).toBe(field);
      expect(message).toContain(`'${value}' is longer than the`);
    }
    // At the limits, every value is written whole.
    const row = toEvchartRow(
      cpMeasuredSession({ connectorId: 2 }),
      evchartHttpContext([
        chargerOf('PC7K2Q', ['P1', 'P'.repeat(36)], {
          stationId: 'S'.repeat(36),
          networkProvider: 'n'.repeat(255),
          chargerId: 'C'.repeat(36),
        }),
      ]),
    );
    expect(row).toMatchObject({
      station_id: 'S'.repeat(36),
      port_id: 'P'.repeat(36),
      network_provider: 'n'.repeat(255),
      charger_id: 'C'.repeat(36),
    });
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
  });

  it("gives a calculated session the entity's only registered port", () => {
    const context = evchartHttpContext([chargerOf('SOLO01', ['PORT-ONLY'])]);
    const row = toEvchartRow(cpCalculatedSession(), context);
    expect(row).toMatchObject({
      station_id: 'NEVI-0001',
      network_provider: 'acme_network',
      charger_id: 'CHG-SOLO01',
      port_id: 'PORT-ONLY',
      connector_id: '',
    });
    expect(validateEvchartRow(row), describeErrors(validateEvchartRow)).toBe(true);
    // Two connectors of one EVSE are one port: still a single port.
    const dual = chargerOf('DUAL01', ['PORT-1', 'PORT-1']);
    const shared = { ...dual, connectors: dual.connectors.map((c) => ({ ...c, evseId: 1 })) };
    expect(toEvchartRow(cpCalculatedSession(), evchartHttpContext([shared])).port_id).toBe('PORT-1');
  });

  it('refuses a calculated session when the port is not one: several, none, or an unregistered charger', () => {
    const several = refusal(() =>
      toEvchartRow(cpCalculatedSession(), evchartHttpContext([chargerOf('PC7K2Q', ['PORT-A', 'PORT-B'])])),
    );
    // The station is known (every port shares it); the port is not.
    expect(several.field).toBe('port_id');
    expect(several.message).toContain(
      "register 2 ports ('PORT-A', 'PORT-B'), so which one it used is unknown",
    );
    expect(several.message).toContain('names no connector');
    const acrossChargers = refusal(() =>
      toEvchartRow(
        cpCalculatedSession(),
        evchartHttpContext([chargerOf('ONE001', ['PORT-A']), chargerOf('TWO002', ['PORT-B'])]),
      ),
    );
    // The chargers' ids differ, so charger_id is unknown too; the first missing field is the port.
    expect(acrossChargers.field).toBe('port_id');
    // Ports of two stations: the station is unknown too, but it is the port that cannot be told.
    const acrossStations = refusal(() =>
      toEvchartRow(
        cpCalculatedSession(),
        evchartHttpContext([
          chargerOf('ONE001', ['PORT-A']),
          chargerOf('TWO002', ['PORT-B'], {
            stationId: 'NEVI-0002',
            networkProvider: 'acme_network',
            chargerId: null,
          }),
        ]),
      ),
    );
    expect(acrossStations.field).toBe('port_id');
    // No charger at all: the reason is the missing port, and the 422 names port_id, not station_id.
    const none = refusal(() => toEvchartRow(cpCalculatedSession(), evchartHttpContext([])));
    expect(none).toEqual({ field: 'port_id', message: expect.stringContaining('no charger is linked') });
    const mixed = refusal(() =>
      toEvchartRow(
        cpCalculatedSession(),
        evchartHttpContext([chargerOf('SOLO01', ['PORT-ONLY']), chargerOf('PLAIN1', [null], null)]),
      ),
    );
    expect(mixed).toEqual({
      field: 'port_id',
      message: expect.stringContaining('charger PLAIN1 of this charge point has no EV-ChART registration'),
    });
  });

  it('names at most five possible ports', () => {
    const ports = Array.from({ length: 7 }, (_, i) => `P${i}`);
    const { message } = refusal(() =>
      toEvchartRow(cpCalculatedSession(), evchartHttpContext([chargerOf('MANY01', ports)])),
    );
    expect(message).toContain("7 ports ('P0', 'P1', 'P2', 'P3', 'P4', …)");
  });

  it('knows nothing of EV sessions and resolves each entity once', () => {
    const registry = evchartRegistry([chargerOf('SOLO01', ['PORT-ONLY'])]);
    expect(registry(cpCalculatedSession())).toBe(registry(cpCalculatedSession({ id: 'another' })));
    expect(registry(evSession())).toMatchObject({
      unresolved: expect.stringContaining('no charger is linked'),
    });
  });
});
