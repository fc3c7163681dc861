// Starting a public session and its driver-facing resource in Plugchoice's exact shape.

import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  ApiError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../shared/errors.js';
import { applyStatusNotificationToCharger, releaseConnector } from '../../shared/public-charging/charger.js';
import {
  PublicSession,
  PublicSessionCreated,
  StartPublicSessionBody,
} from '../../shared/public-charging/schemas.js';
import { startPublicSession, toPublicSessionResource } from '../../shared/public-charging/session.js';
import {
  charger,
  later,
  MINUTE,
  newSession,
  SESSION_ID,
  sessionIn,
  statusNotification,
  T0,
} from '../fixtures/ocpp/builders.js';

// The members of Plugchoice's GET /public-charging/sessions/{token} response (seed 002), in its order.
const PLUGCHOICE_DATA_KEYS = [
  'status',
  'failure_reason',
  'connector_id',
  'connector_status',
  'charger',
  'pricing',
  'amount_authorized',
  'energy_kwh',
  'cost_amount',
  'amount_captured',
  'tax_amount',
  'driver_email',
  'created_at',
  'authorized_at',
  'charging_started_at',
  'completed_at',
  'captured_at',
];

const startInput = {
  sessionId: SESSION_ID,
  tokenHash: 'b'.repeat(64),
  connectorId: 1,
  driverEmail: null,
  payment: {
    provider: 'stripe' as const,
    paymentId: 'pi_9',
    clientSecret: 'cs_9',
    publishableKey: 'pk_9',
    accountId: null,
  },
  remoteStartId: 7,
};

describe('starting a public session', () => {
  it('creates the session in created with the charger prices and hold, and claims the connector', () => {
    const result = startPublicSession(charger(), startInput, T0);
    if (result instanceof ApiError) throw result;
    expect(result.session).toMatchObject({
      id: SESSION_ID,
      tokenHash: 'b'.repeat(64),
      version: 1,
      status: 'created',
      chargerCode: 'AMS-042',
      connectorId: 1,
      connectorType: 'CCS2',
      evseId: 1,
      evseConnectorId: 1,
      amountAuthorized: 5_000,
      pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 100, taxRate: 0.21 },
      energyWh: null,
      costAmount: null,
      createdAt: T0.toISOString(),
    });
    expect(result.charger.connectorStates['1']?.activeSessionId).toBe(SESSION_ID);
    expect(result.charger.version).toBe(2);
  });
  it("keeps the connector's EV-ChART registration as it is at the start, and null when unregistered", () => {
    const registered = charger({
      evchart: { stationId: 'NEVI-AMS-042', networkProvider: 'acme_network', chargerId: 'CHG-42' },
      connectors: [
        { connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-42-1' },
        { connectorId: 2, type: 'Type2', maxPowerKw: 22, portId: 'PORT-42-2' },
      ],
    });
    const onPort2 = startPublicSession(registered, { ...startInput, connectorId: 2 }, T0);
    if (onPort2 instanceof ApiError) throw onPort2;
    expect(onPort2.session.evchart).toEqual({
      stationId: 'NEVI-AMS-042',
      networkProvider: 'acme_network',
      chargerId: 'CHG-42',
      portId: 'PORT-42-2',
    });
    // The charger's own record is not changed by the start beyond the claim.
    expect(onPort2.charger.evchart).toEqual(registered.evchart);
    const plain = startPublicSession(charger(), startInput, T0);
    if (plain instanceof ApiError) throw plain;
    expect(plain.session.evchart).toBeNull();
  });
  it('answers as Plugchoice does: 404 unknown or not public, 400 offline, 422 unknown connector, 409 unavailable', () => {
    expect(startPublicSession(undefined, startInput, T0)).toBeInstanceOf(NotFoundError);
    expect((startPublicSession(charger({ public: false }), startInput, T0) as ApiError).code).toBe(
      'charger_not_found',
    );
    const offline = startPublicSession(charger({ online: false }), startInput, T0) as ApiError;
    expect(offline).toBeInstanceOf(ValidationError);
    expect([offline.status, offline.code]).toEqual([400, 'charger_offline']);
    const unknown = startPublicSession(charger(), { ...startInput, connectorId: 3 }, T0) as ApiError;
    expect(unknown).toBeInstanceOf(UnprocessableError);
    expect([unknown.status, unknown.code]).toEqual([422, 'connector_not_found']);
    const claimed = startPublicSession(charger(), startInput, T0);
    if (claimed instanceof ApiError) throw claimed;
    const second = startPublicSession(claimed.charger, { ...startInput, sessionId: 'other' }, T0) as ApiError;
    expect(second).toBeInstanceOf(ConflictError);
    expect([second.status, second.code]).toEqual([409, 'connector_unavailable']);
    for (const status of ['Faulted', 'Unavailable', 'Reserved'] as const) {
      const down = applyStatusNotificationToCharger(charger(), statusNotification(status), T0);
      expect((startPublicSession(down, startInput, T0) as ApiError).code).toBe('connector_unavailable');
    }
    // Plugged in first, then started: an occupied connector without a session is fine.
    const occupied = applyStatusNotificationToCharger(charger(), statusNotification('Occupied'), T0);
    expect(startPublicSession(occupied, startInput, T0)).not.toBeInstanceOf(ApiError);
  });
  it('frees the connector again once the session lets go of it', () => {
    const claimed = startPublicSession(charger(), startInput, T0);
    if (claimed instanceof ApiError) throw claimed;
    expect(releaseConnector(claimed.charger, 1, 'someone-else', T0)).toBe(claimed.charger);
    const released = releaseConnector(claimed.charger, 1, SESSION_ID, later(MINUTE));
    expect(released.connectorStates['1']?.activeSessionId).toBeNull();
    expect(
      startPublicSession(released, { ...startInput, sessionId: 'next' }, later(MINUTE)),
    ).not.toBeInstanceOf(ApiError);
  });
  it('refuses a remoteStartId an OCPP charger cannot hold', () => {
    expect(() => startPublicSession(charger(), { ...startInput, remoteStartId: 2 ** 31 }, T0)).toThrow(
      RangeError,
    );
    expect(() => startPublicSession(charger(), { ...startInput, remoteStartId: 0 }, T0)).toThrow(RangeError);
  });
});

describe('the start request body', () => {
  it('takes Plugchoice fields, uppercases the code and bounds the connector', () => {
    expect(StartPublicSessionBody.parse({ code: ' ams-042 ', connector_id: 1, email: 'a@b.nl' })).toEqual({
      code: 'AMS-042',
      connector_id: 1,
      email: 'a@b.nl',
    });
    for (const bad of [
      { code: 'ABCDEFGHIJK', connector_id: 1 },
      { code: 'A', connector_id: 0 },
      { code: 'A', connector_id: 101 },
      { code: 'A', connector_id: 1.5 },
      { code: 'A', connector_id: 1, email: 'not-an-email' },
      { code: 'A', connector_id: 1, extra: true },
      { connector_id: 1 },
    ]) {
      expect(StartPublicSessionBody.safeParse(bad).success).toBe(false);
    }
  });
});

describe('the public session resource', () => {
  const live = charger();
  it('has exactly Plugchoice members and validates against its schema, in every status', () => {
    for (const status of [
      'created',
      'charging',
      'settling',
      'captured',
      'no_charge',
      'expired',
      'refunded',
    ] as const) {
      const resource = toPublicSessionResource(sessionIn(status), { includePayment: true, charger: live });
      expect(Object.keys(resource)).toEqual(['data', 'payment']);
      expect(Object.keys(resource.data)).toEqual(PLUGCHOICE_DATA_KEYS);
      expect(Object.keys(resource.data.charger)).toEqual(['public_code', 'name', 'online']);
      expect(Object.keys(resource.data.pricing)).toEqual(['currency', 'price_per_kwh', 'start_fee']);
      expect(PublicSession.parse(resource)).toEqual(resource);
    }
  });
  it('shows payment only while created, and only when asked', () => {
    const created = newSession();
    expect(toPublicSessionResource(created, { includePayment: true, charger: live }).payment).toEqual({
      client_secret: 'pi_123_secret_456',
      publishable_key: 'pk_test_789',
      stripe_account_id: 'acct_1',
    });
    expect(toPublicSessionResource(created, { includePayment: false, charger: live }).payment).toBeNull();
    expect(
      toPublicSessionResource(sessionIn('authorized'), { includePayment: true, charger: live }).payment,
    ).toBeNull();
  });
  it('gives a captured session its amounts, energy as a decimal string and its timestamps', () => {
    const resource = toPublicSessionResource(sessionIn('captured'), { includePayment: true, charger: live });
    expect(resource.data).toMatchObject({
      status: 'captured',
      failure_reason: null,
      connector_id: 1,
      charger: { public_code: 'AMS-042', name: 'Keizersgracht 42', online: true },
      pricing: { currency: 'EUR', price_per_kwh: 45, start_fee: 100 },
      amount_authorized: 5_000,
      energy_kwh: '10.000',
      cost_amount: 550,
      amount_captured: 550,
      tax_amount: 95,
      driver_email: 'driver@example.com',
      created_at: T0.toISOString(),
      authorized_at: later(MINUTE).toISOString(),
      charging_started_at: later(2 * MINUTE).toISOString(),
      completed_at: later(31 * MINUTE).toISOString(),
      captured_at: later(32 * MINUTE).toISOString(),
    });
  });
  it('before charging, energy and cost are null; while charging they are the running estimate', () => {
    expect(
      toPublicSessionResource(newSession(), { includePayment: false, charger: live }).data,
    ).toMatchObject({
      energy_kwh: null,
      cost_amount: null,
      amount_captured: null,
      charging_started_at: null,
    });
    expect(
      toPublicSessionResource(sessionIn('charging'), { includePayment: false, charger: live }).data,
    ).toMatchObject({
      energy_kwh: '5.000',
      cost_amount: 325,
    });
  });
  it('reports failures with their reason', () => {
    expect(
      toPublicSessionResource(sessionIn('expired'), { includePayment: true, charger: live }).data
        .failure_reason,
    ).toBe('payment_timeout');
  });
  it("takes the charger's live name, online flag and connector status; a deleted charger shows offline", () => {
    const renamed = charger({ name: 'Renamed', online: false });
    const occupied = applyStatusNotificationToCharger(renamed, statusNotification('Occupied'), T0);
    const resource = toPublicSessionResource(newSession(), { includePayment: false, charger: occupied });
    expect(resource.data.charger).toEqual({ public_code: 'AMS-042', name: 'Renamed', online: false });
    expect(resource.data.connector_status).toBe('Preparing');
    const gone = toPublicSessionResource(newSession(), { includePayment: false, charger: undefined });
    expect(gone.data.charger).toEqual({ public_code: 'AMS-042', name: 'Keizersgracht 42', online: false });
    expect(gone.data.connector_status).toBeNull();
  });
  it('has named OpenAPI components', () => {
    const schema = z.toJSONSchema(PublicSession, {
      target: 'draft-2020-12',
      io: 'output',
      unrepresentable: 'any',
    });
    const defs = (schema.$defs ?? {}) as Record<string, unknown>;
    expect(Object.keys(defs)).toEqual(
      expect.arrayContaining(['PublicChargingSession', 'PublicChargingSessionData', 'PublicSessionPayment']),
    );
    const created = z.toJSONSchema(PublicSessionCreated, {
      target: 'draft-2020-12',
      io: 'output',
      unrepresentable: 'any',
    });
    expect(JSON.stringify(created)).toContain('"token"');
  });
});
