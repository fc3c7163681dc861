// Charger configuration, what the charger tells us about its connectors, the public charger resource,
// and the completed session as a measured charge session.

import { describe, expect, it } from 'vitest';
import {
  applyStatusNotificationToCharger,
  applyTransactionEventToCharger,
  type ConnectorState,
  findConnectorByEvse,
  newChargerRecord,
  publicConnectorStatus,
  reconfigureCharger,
  toPublicChargerResource,
} from '../../shared/public-charging/charger.js';
import { type SessionInput, transition } from '../../shared/public-charging/lifecycle.js';
import { toMeasuredChargeSession } from '../../shared/public-charging/measured.js';
import { ChargerConfig, PublicCharger } from '../../shared/public-charging/schemas.js';
import { toChargeSessionResource } from '../../shared/sessions/model.js';
import {
  charger,
  chargerConfigInput,
  ENTITY_ID,
  later,
  MINUTE,
  SESSION_ID,
  sessionIn,
  statusNotification,
  T0,
  TRANSACTION_BEGIN,
  txEvent,
} from '../fixtures/ocpp/builders.js';

describe('charger configuration', () => {
  it('accepts a full configuration, uppercases the code and fills the OCPP defaults', () => {
    const config = ChargerConfig.parse(chargerConfigInput());
    expect(config.publicCode).toBe('AMS-042');
    expect(config.online).toBe(true);
    expect(config.connectors[0]).toEqual({
      connectorId: 1,
      type: 'CCS2',
      maxPowerKw: 150,
      evseConnectorId: 1,
    });
    const record = newChargerRecord('tenant-a', config, T0);
    expect(record.connectors.map((c) => [c.connectorId, c.evseId, c.evseConnectorId])).toEqual([
      [1, 1, 1],
      [2, 2, 1],
    ]);
  });
  it.each([
    ['a code over 10 characters', { publicCode: 'ABCDEFGHIJK' }],
    ['a code with a space', { publicCode: 'AMS 42' }],
    ['a code with a leading hyphen', { publicCode: '-AMS' }],
    ['a code with other letters', { publicCode: 'AMSÉ' }],
    ['an entity id that is not a UUID', { entityId: 'cp-1' }],
    ['no connectors', { connectors: [] }],
    ['connector id 0', { connectors: [{ connectorId: 0, type: 'CCS2', maxPowerKw: 50 }] }],
    ['connector id 101', { connectors: [{ connectorId: 101, type: 'CCS2', maxPowerKw: 50 }] }],
    ['an unknown connector type', { connectors: [{ connectorId: 1, type: 'Tesla', maxPowerKw: 50 }] }],
    ['zero power', { connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 0 }] }],
    [
      'repeated connector ids',
      {
        connectors: [
          { connectorId: 1, type: 'CCS2', maxPowerKw: 50 },
          { connectorId: 1, type: 'Type2', maxPowerKw: 22 },
        ],
      },
    ],
    [
      'two connectors on one OCPP connector',
      {
        connectors: [
          { connectorId: 1, type: 'CCS2', maxPowerKw: 50, evseId: 1 },
          { connectorId: 2, type: 'Type2', maxPowerKw: 22, evseId: 1 },
        ],
      },
    ],
    ['a lowercase currency', { pricing: { currency: 'eur', pricePerKwh: 45, startFee: 0, taxRate: 0.21 } }],
    ['an unknown currency', { pricing: { currency: 'XYZ', pricePerKwh: 45, startFee: 0, taxRate: 0.21 } }],
    ['a fractional price', { pricing: { currency: 'EUR', pricePerKwh: 45.5, startFee: 0, taxRate: 0.21 } }],
    ['a negative start fee', { pricing: { currency: 'EUR', pricePerKwh: 45, startFee: -1, taxRate: 0.21 } }],
    ['a tax rate above 1', { pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 0, taxRate: 21 } }],
    [
      'a tax rate finer than millionths',
      { pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 0, taxRate: 0.1234567 } },
    ],
    ['a hold below start fee + one kWh', { holdAmount: 144 }],
    ['unknown members', { colour: 'green' }],
  ])('refuses %s', (_, override) => {
    expect(ChargerConfig.safeParse(chargerConfigInput(override)).success).toBe(false);
  });
  it('accepts a hold of exactly start fee + one kWh, and JPY (no minor units)', () => {
    expect(ChargerConfig.safeParse(chargerConfigInput({ holdAmount: 145 })).success).toBe(true);
    expect(
      ChargerConfig.safeParse(
        chargerConfigInput({
          pricing: { currency: 'JPY', pricePerKwh: 60, startFee: 0, taxRate: 0.1 },
          holdAmount: 5_000,
        }),
      ).success,
    ).toBe(true);
  });
  it('keeps connector states across a reconfiguration for connectors that remain', () => {
    const occupied = applyStatusNotificationToCharger(charger(), statusNotification('Occupied'), T0);
    const reconfigured = reconfigureCharger(
      occupied,
      ChargerConfig.parse(
        chargerConfigInput({ connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 50 }] }),
      ),
      later(MINUTE),
    );
    expect(reconfigured.connectorStates).toEqual({ '1': occupied.connectorStates['1'] });
    expect(reconfigured.version).toBe(occupied.version + 1);
  });
});

describe('what the charger reports about its connectors', () => {
  it('applies a StatusNotification only when newer than the last one', () => {
    const first = applyStatusNotificationToCharger(
      charger(),
      statusNotification('Occupied', later(2 * MINUTE)),
      T0,
    );
    expect(first.connectorStates['1']).toMatchObject({
      status: 'Occupied',
      statusAt: later(2 * MINUTE).toISOString(),
    });
    expect(applyStatusNotificationToCharger(first, statusNotification('Available', later(MINUTE)), T0)).toBe(
      first,
    );
    expect(
      applyStatusNotificationToCharger(first, statusNotification('Occupied', later(2 * MINUTE)), T0),
    ).toBe(first);
    expect(
      applyStatusNotificationToCharger(first, statusNotification('Faulted', later(9 * MINUTE), 7, 1), T0),
    ).toBe(first);
  });
  it('finds connectors by OCPP address', () => {
    const record = charger();
    expect(findConnectorByEvse(record, 2, 1)?.connectorId).toBe(2);
    expect(findConnectorByEvse(record, 2, undefined)?.connectorId).toBe(2);
    expect(findConnectorByEvse(record, 2, 2)).toBeUndefined();
  });
  it('tracks the running transaction and its charging state; a late event of an ended one changes nothing', () => {
    let record = applyStatusNotificationToCharger(
      charger(),
      statusNotification('Occupied', later(MINUTE)),
      T0,
    );
    record = applyTransactionEventToCharger(
      record,
      txEvent('Started', 0, { chargingState: 'EVConnected' }),
      T0,
    );
    expect(toPublicChargerResource(record).data.connectors[0]?.status).toBe('Preparing');
    record = applyTransactionEventToCharger(record, txEvent('Updated', 2, { chargingState: 'Charging' }), T0);
    expect(toPublicChargerResource(record).data.connectors[0]?.status).toBe('Charging');
    const stale = applyTransactionEventToCharger(
      record,
      txEvent('Updated', 1, { chargingState: 'SuspendedEV' }),
      T0,
    );
    expect(stale).toBe(record);
    record = applyTransactionEventToCharger(
      record,
      txEvent('Ended', 3, { chargingState: 'EVConnected' }),
      T0,
    );
    expect(record.connectorStates['1']).toMatchObject({ transactionId: null, endedTransactionId: 'tx-1' });
    expect(toPublicChargerResource(record).data.connectors[0]?.status).toBe('Finishing');
    expect(
      applyTransactionEventToCharger(record, txEvent('Updated', 2, { chargingState: 'Charging' }), T0),
    ).toBe(record);
    record = applyStatusNotificationToCharger(
      record,
      statusNotification('Available', later(40 * MINUTE)),
      T0,
    );
    expect(toPublicChargerResource(record).data.connectors[0]?.status).toBe('Available');
    record = applyStatusNotificationToCharger(record, statusNotification('Occupied', later(50 * MINUTE)), T0);
    expect(toPublicChargerResource(record).data.connectors[0]?.status).toBe('Preparing');
  });
  it('derives Plugchoice connector statuses from OCPP 2.0.1 ones', () => {
    const state = (over: Partial<ConnectorState>): ConnectorState => ({
      status: 'Occupied',
      statusAt: '2025-03-01T10:00:00.000Z',
      transactionId: null,
      chargingState: null,
      chargingStateSeqNo: null,
      endedTransactionId: null,
      transactionEndedAt: null,
      activeSessionId: null,
      ...over,
    });
    expect(publicConnectorStatus(undefined)).toBeNull();
    expect(publicConnectorStatus(state({ status: null }))).toBeNull();
    for (const s of ['Available', 'Reserved', 'Unavailable', 'Faulted'] as const) {
      expect(publicConnectorStatus(state({ status: s }))).toBe(s);
    }
    expect(publicConnectorStatus(state({}))).toBe('Preparing');
    for (const s of ['Charging', 'SuspendedEV', 'SuspendedEVSE'] as const) {
      expect(publicConnectorStatus(state({ transactionId: 't', chargingState: s }))).toBe(s);
    }
    expect(publicConnectorStatus(state({ transactionId: 't', chargingState: 'EVConnected' }))).toBe(
      'Preparing',
    );
    expect(publicConnectorStatus(state({ transactionEndedAt: '2025-03-01T10:30:00.000Z' }))).toBe(
      'Finishing',
    );
  });
});

describe('the public charger resource', () => {
  it('gives a driver app what it needs to start, and validates against its schema', () => {
    const faulted = applyStatusNotificationToCharger(
      charger(),
      statusNotification('Faulted', later(MINUTE), 2, 1),
      T0,
    );
    const resource = toPublicChargerResource(faulted);
    expect(PublicCharger.parse(resource)).toEqual(resource);
    expect(resource).toEqual({
      data: {
        public_code: 'AMS-042',
        name: 'Keizersgracht 42',
        online: true,
        connectors: [
          { connector_id: 1, type: 'CCS2', max_power_kw: 150, status: null, available: true },
          { connector_id: 2, type: 'Type2', max_power_kw: 22, status: 'Faulted', available: false },
        ],
        pricing: { currency: 'EUR', price_per_kwh: 45, start_fee: 100, tax_rate: 0.21 },
        tariff: null, // its own pricing, no stored tariff
        hold_amount: 5_000,
      },
    });
    expect(
      toPublicChargerResource(charger({ online: false })).data.connectors.every((c) => !c.available),
    ).toBe(true);
  });
});

describe('a completed session as a measured charge session', () => {
  it('maps a captured session to the CP entity with the charger metering', () => {
    const measured = toMeasuredChargeSession(sessionIn('captured'), later(40 * MINUTE));
    expect(measured).toEqual({
      tenantId: 'tenant-a',
      entityId: ENTITY_ID,
      entityType: 'CP',
      id: SESSION_ID,
      start: TRANSACTION_BEGIN.toISOString(),
      end: later(31 * MINUTE).toISOString(),
      energyKwh: 10,
      averagePowerKw: 10 / (1_680 / 3600),
      peakPowerKw: 21.428571428571427,
      chargingSeconds: 1_680,
      socStartPercent: 40,
      socEndPercent: 70,
      rangeStartKm: null,
      rangeEndKm: null,
      locationMatches: [],
      position: null,
      method: 'energy_meter',
      source: 'measured',
      created: later(40 * MINUTE).toISOString(),
      category: 'public',
      // The charger's pricing (45 per kWh and a 100 start fee, 21 % VAT included) as the tariff it stands
      // for: 0.371901 and 0.826446 excluding VAT. 10 kWh: 371.901 + 82.6446 = 454.5456 → 455 once,
      // half-even, apportioned 372 + 83; VAT 95.4546 → 95. With VAT, 550: what the driver paid.
      cost: {
        currency: 'EUR',
        total: 455,
        tax: 95,
        tariffId: null,
        tariffVersion: null,
        breakdown: [
          {
            from: TRANSACTION_BEGIN.toISOString(),
            to: later(31 * MINUTE).toISOString(),
            type: 'FLAT',
            quantity: 1,
            unit: 'session',
            price: 0.826446,
            amount: 83,
          },
          {
            from: TRANSACTION_BEGIN.toISOString(),
            to: later(31 * MINUTE).toISOString(),
            type: 'ENERGY',
            quantity: 10,
            unit: 'kWh',
            price: 0.371901,
            amount: 372,
          },
        ],
      },
      measured: {
        chargerCode: 'AMS-042',
        connectorId: 1,
        connectorType: 'CCS2',
        stoppedReason: 'Remote',
        plugStart: null,
        plugEnd: null,
        currency: 'EUR',
        costAmount: 550,
        taxAmount: 95,
        pricePerKwh: 45,
        startFee: 100,
        paymentType: 'card',
        finalStatus: 'captured',
        failureReason: null,
        evchart: null,
      },
    });
    // It renders in DER-Connect's shape like any calculated session.
    expect(toChargeSessionResource(measured as NonNullable<typeof measured>).data.charge.total).toEqual({
      total: 10,
      unit: 'kWh',
    });
  });
  it('keeps the EV-ChART registration its charger had when the session started, whatever it has now', () => {
    const registered = charger({
      evchart: { stationId: 'NEVI-AMS-042', networkProvider: 'acme_network' },
      connectors: [
        { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-42-1' },
        { connectorId: 2, type: 'Type2', maxPowerKw: 22, portId: 'PORT-42-2' },
      ],
    });
    const measured = toMeasuredChargeSession(sessionIn('captured', registered), later(40 * MINUTE));
    expect(measured?.measured?.evchart).toEqual({
      stationId: 'NEVI-AMS-042',
      networkProvider: 'acme_network',
      chargerId: null,
      portId: 'PORT-42-1',
    });
  });
  it('keeps a peak power sample when it is above the average', () => {
    const charging = sessionIn('charging'); // 11 kW sample
    const ended = transition(
      charging,
      {
        type: 'transaction_event',
        event: txEvent('Ended', 5, { beginWh: 1_000, endWh: 2_000, at: later(62 * MINUTE) }),
      } as SessionInput,
      later(62 * MINUTE),
    );
    if (!('record' in ended)) throw ended;
    const measured = toMeasuredChargeSession(ended.record, later(63 * MINUTE));
    expect(measured?.peakPowerKw).toBe(11);
    expect(measured?.chargingSeconds).toBe((60 * MINUTE) / 1000);
    expect(measured?.measured?.finalStatus).toBe('settling');
  });
  it('is null while charging, for sessions without energy, and for those that never charged', () => {
    for (const status of ['charging', 'stopping', 'no_charge', 'expired', 'failed', 'abandoned'] as const) {
      expect(toMeasuredChargeSession(sessionIn(status), T0)).toBeNull();
    }
  });
});
