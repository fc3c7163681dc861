import { describe, expect, it } from 'vitest';
import { toAtlasSession } from '../../shared/exports/atlas.js';
import { atlasSchema, describeErrors, validateAtlas } from '../schemas/validators.js';
import {
  CP_ID,
  cpCalculatedSession,
  cpMeasuredSession,
  EXAMPLE_SESSIONS,
  evSession,
  REGISTERED_CONTEXT,
} from './export-fixtures.js';

describe('Atlas session export', () => {
  it.each(Object.entries(EXAMPLE_SESSIONS))('%s is a valid Atlas session', (_name, session) => {
    for (const context of [{}, REGISTERED_CONTEXT]) {
      const atlas = toAtlasSession(session, context);
      expect(validateAtlas(atlas), describeErrors(validateAtlas)).toBe(true);
      // Every field of the specification is present, even when null.
      expect(Object.keys(atlas).sort()).toEqual([...(atlasSchema.required as string[])].sort());
    }
  });

  it('converts a measured USD session: fees from minor units, plug times, durations, outcome', () => {
    const atlas = toAtlasSession(cpMeasuredSession(), REGISTERED_CONTEXT);
    expect(atlas).toEqual({
      session_id: '0190a1b2-0001-7000-8000-000000000003',
      port_id: 'PORT-0001-2', // connector 2
      plug_start_datetime: '2024-05-01T22:05:12.345Z',
      plug_end_datetime: '2024-05-02T01:47:00.000Z',
      charge_start_datetime: '2024-05-01T22:10:00.000Z',
      charge_end_datetime: '2024-05-02T01:40:00.000Z',
      session_duration: 'PT3H41M48S', // 22:05:12.345 → 01:47:00 is 13 307.655 s
      charging_duration: 'PT3H25M45S', // 12 345.4 s
      energy_kwh: 31.2346,
      peak_kw: 11.04,
      total_fee_charged: 12.87,
      energy_fee: 0.39,
      session_fee: 0.5,
      time_fee: null,
      user_id: null,
      successful_completion: true,
      ended_by: 'EVDisconnected',
      start_soc: null,
      end_soc: null,
      error_code: null,
      payment_type: 'application',
    });
  });

  it('fills the fees of a tariff-priced USD session from its cost, and none for a session without one', () => {
    const cost = {
      currency: 'USD',
      total: 1_185, // 1.00 FLAT + 20 kWh (0.35 then 0.45) + 0.5 h TIME at 1.20 = 11.85 excl. tax
      tax: 95,
      tariffId: '0190a1b2-0000-7000-8000-00000000ca01',
      tariffVersion: 3,
      breakdown: [
        {
          from: 'a',
          to: 'b',
          type: 'FLAT' as const,
          quantity: 1,
          unit: 'session' as const,
          price: 1,
          amount: 100,
        },
        {
          from: 'a',
          to: 'b',
          type: 'ENERGY' as const,
          quantity: 10,
          unit: 'kWh' as const,
          price: 0.35,
          amount: 350,
        },
        {
          from: 'b',
          to: 'c',
          type: 'ENERGY' as const,
          quantity: 10,
          unit: 'kWh' as const,
          price: 0.45,
          amount: 450,
        },
        {
          from: 'a',
          to: 'c',
          type: 'TIME' as const,
          quantity: 0.5,
          unit: 'h' as const,
          price: 1.2,
          amount: 60,
        },
      ],
    };
    const atlas = toAtlasSession(evSession({ cost }));
    expect(validateAtlas(atlas), describeErrors(validateAtlas)).toBe(true);
    // Total with tax; the energy fee is the session's average per kWh (8.00 / 20); time per minute (0.60 / 30).
    expect([atlas.total_fee_charged, atlas.energy_fee, atlas.session_fee, atlas.time_fee]).toEqual([
      12.8, 0.4, 1, 0.02,
    ]);
    // A public charger's session priced by its tariff: the fees are the tariff's, the total what the
    // driver was charged (here capped at a 10.00 hold, below the 12.80 price).
    const capped = toAtlasSession(cpMeasuredSession({ costAmount: 1_000 }, { cost }));
    expect([capped.total_fee_charged, capped.energy_fee, capped.session_fee, capped.time_fee]).toEqual([
      10, 0.4, 1, 0.02,
    ]);
    const euro = toAtlasSession(evSession({ cost: { ...cost, currency: 'EUR' } }));
    expect([euro.total_fee_charged, euro.energy_fee, euro.session_fee, euro.time_fee]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    const none = toAtlasSession(evSession({ cost: null }));
    expect([none.total_fee_charged, none.energy_fee, none.session_fee, none.time_fee]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('leaves fees null outside USD rather than inventing an exchange rate', () => {
    const atlas = toAtlasSession(cpMeasuredSession({ currency: 'EUR' }));
    expect([atlas.total_fee_charged, atlas.energy_fee, atlas.session_fee]).toEqual([null, null, null]);
    // A zero cost in USD is a free session on a paid charger: zero, not null.
    expect(toAtlasSession(cpMeasuredSession({ costAmount: 0 })).total_fee_charged).toBe(0);
  });

  it('knows no plug times, outcome or payment for calculated sessions, and no port for EVs', () => {
    const atlas = toAtlasSession(evSession(), REGISTERED_CONTEXT);
    expect(atlas).toMatchObject({
      port_id: null,
      plug_start_datetime: null,
      plug_end_datetime: null,
      session_duration: null,
      successful_completion: null,
      ended_by: null,
      error_code: null,
      payment_type: null,
      total_fee_charged: null,
      start_soc: 0.225,
      end_soc: 0.8,
    });
  });

  it("uses a calculated charge point's registered port, and no port when it is not registered", () => {
    expect(toAtlasSession(cpCalculatedSession(), REGISTERED_CONTEXT).port_id).toBe('PORT-0001-1');
    expect(toAtlasSession(cpCalculatedSession()).port_id).toBeNull();
    expect(
      toAtlasSession(cpCalculatedSession({ entityId: 'someone-else' }), REGISTERED_CONTEXT).port_id,
    ).toBeNull();
    expect(CP_ID).not.toBe('someone-else');
  });

  it('reports a fault: unsuccessful, error codes comma-separated, ended_by the OCPP reason', () => {
    const atlas = toAtlasSession(
      cpMeasuredSession({
        stoppedReason: 'PowerLoss',
        failureReason: 'meter_timeout',
        finalStatus: 'captured',
      }),
    );
    expect(atlas).toMatchObject({
      successful_completion: false,
      ended_by: 'PowerLoss',
      error_code: 'PowerLoss,meter_timeout',
    });
    expect(
      toAtlasSession(cpMeasuredSession({ stoppedReason: 'Other', finalStatus: null })).successful_completion,
    ).toBeNull();
    expect(toAtlasSession(cpMeasuredSession({ finalStatus: 'no_charge' })).successful_completion).toBe(false);
  });

  it('maps payment words to the validPaymentType list, and anything else to other', () => {
    const paymentOf = (paymentType: string) =>
      toAtlasSession(cpMeasuredSession({ paymentType })).payment_type;
    expect(paymentOf('RFID')).toBe('membership');
    expect(paymentOf('Plug & Charge')).toBe('other');
    expect(paymentOf('plug-and-charge')).toBe('plug-charge');
    expect(paymentOf('Credit card terminal')).toBe('credit_card_terminal');
    expect(paymentOf('ideal')).toBe('other');
  });

  it('has a schema that rejects what the specification forbids', () => {
    const good = toAtlasSession(cpMeasuredSession());
    const broken: Record<string, unknown>[] = [
      { ...good, start_soc: 55 }, // a percentage, not a 0–1 fraction
      { ...good, energy_kwh: -1 },
      { ...good, charging_duration: '3h25m' },
      { ...good, charge_start_datetime: '2024-05-01 22:10' },
      { ...good, payment_type: 'card' },
      { ...good, session_id: null }, // required and not nullable
      { ...good, extra: 1 },
    ];
    for (const object of broken) expect(validateAtlas(object)).toBe(false);
    const { peak_kw: _omitted, ...missing } = good;
    expect(validateAtlas(missing)).toBe(false);
  });
});
