// The storage mapping of public charging, pure parts: items round-trip to the same records (the public
// session and the measured charge session it becomes, items stored before a field existed included), the
// due index holds exactly what the sweeper must look at (the status timeout, or a retry of pending
// effects), and TTL is set only once the token's retention has started.

import { describe, expect, it } from 'vitest';
import {
  nextTimeout,
  SESSION_TOKEN_RETENTION_MS,
  type SessionEffect,
} from '../../shared/public-charging/lifecycle.js';
import { chargerFromItem, chargerToItem } from '../../shared/storage/chargers.js';
import {
  DUE_SHARDS,
  dueAt,
  EFFECT_RETRY_DELAY_MS,
  sessionFromItem,
  sessionToItem,
} from '../../shared/storage/public-sessions.js';
import { sessionFromItem as chargeSessionFromItem, storable } from '../../shared/storage/sessions.js';
import { charger, later, MINUTE, sessionIn, T0 } from '../fixtures/ocpp/builders.js';
import { cpCalculatedSession, cpMeasuredSession } from './export-fixtures.js';

const release: SessionEffect = {
  type: 'release_connector',
  chargerCode: 'AMS-042',
  connectorId: 1,
  sessionId: 's',
};

describe('the due index', () => {
  it('is the status timeout while one is pending', () => {
    for (const status of ['created', 'authorized', 'starting', 'charging', 'stopping'] as const) {
      const record = sessionIn(status);
      expect(dueAt(record, [], later(MINUTE))).toBe(nextTimeout(record)!.dueAt);
    }
  });

  it('is a retry of pending effects a minute after the write when sooner, and nothing once all is done', () => {
    const now = later(MINUTE);
    const retry = new Date(now.getTime() + EFFECT_RETRY_DELAY_MS).toISOString();
    expect(dueAt(sessionIn('created'), [release], now)).toBe(retry); // sooner than the 10-minute timeout
    expect(dueAt(sessionIn('charging'), [release], now)).toBe(retry); // far sooner than 24 h
    for (const status of ['settling', 'captured', 'expired', 'abandoned', 'failed', 'no_charge'] as const) {
      expect(dueAt(sessionIn(status), [], now)).toBeNull();
      expect(dueAt(sessionIn(status), [release], now)).toBe(retry);
    }
  });

  it('puts due sessions in one of the shards, sorted by due time, and leaves the index when nothing is due', () => {
    const created = sessionToItem(sessionIn('created'), [], T0);
    expect(created.gsi1pk).toMatch(new RegExp(`^PSDUE#[0-${DUE_SHARDS - 1}]$`));
    expect(created.gsi1sk).toBe(`${later(10 * MINUTE).toISOString()}#${created.id}`);
    const captured = sessionToItem(sessionIn('captured'), [], T0);
    expect(captured.gsi1pk).toBeUndefined();
    expect(captured.gsi1sk).toBeUndefined();
    expect(captured.pendingEffects).toBeUndefined();
  });
});

describe('session items', () => {
  it('round-trip every status to the same record and outbox', () => {
    for (const status of ['created', 'charging', 'captured', 'refunded', 'requires_review'] as const) {
      const record = sessionIn(status);
      const effects = status === 'charging' ? [release] : [];
      const item = JSON.parse(JSON.stringify(sessionToItem(record, effects, T0)));
      expect(sessionFromItem(item)).toEqual({ record, pendingEffects: effects });
    }
  });

  it('round-trip the EV-ChART registration kept at the start; an item from before it was kept reads null', () => {
    const registered = charger({
      evchart: { stationId: 'NEVI-AMS-042', networkProvider: 'acme_network', chargerId: 'CHG-42' },
      connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'PORT-42-1' }],
    });
    const record = sessionIn('captured', registered);
    expect(record.evchart).toMatchObject({ portId: 'PORT-42-1' });
    const item = JSON.parse(JSON.stringify(sessionToItem(record, [], T0)));
    expect(sessionFromItem(item).record).toEqual(record);
    const { evchart: _kept, ...older } = item;
    expect(sessionFromItem(older).record).toEqual({ ...record, evchart: null });
  });

  it('are listed per charger and tenant by creation, and expire only after the token retention', () => {
    const record = sessionIn('created');
    const item = sessionToItem(record, [], T0);
    expect(item).toMatchObject({
      pk: `PSESSION#${record.id}`,
      sk: 'PSESSION',
      gsi2pk: `T#${record.tenantId}#CHARGER#${record.chargerCode}#PSESSIONS`,
      gsi2sk: `${record.createdAt}#${record.id}`,
    });
    expect(item.ttl).toBeUndefined(); // not final: no TTL at all
    const done = sessionIn('captured');
    const ttl = sessionToItem(done, [], T0).ttl as number;
    expect(ttl * 1000).toBeGreaterThanOrEqual(Date.parse(done.finalizedAt!) + SESSION_TOKEN_RETENTION_MS);
    // The token is never stored, only its hash.
    expect(JSON.stringify(item)).not.toMatch(/pcs_/);
  });
});

describe('measured charge session items', () => {
  const kept = { stationId: 'NEVI-0001', networkProvider: 'acme_network', chargerId: null, portId: 'PORT-2' };

  it('round-trip the EV-ChART registration kept with the session, and read none from an older item', () => {
    const session = cpMeasuredSession({ evchart: kept });
    const item = JSON.parse(JSON.stringify(storable(session)));
    expect(chargeSessionFromItem(item).measured).toEqual(session.measured);
    const { evchart: _kept, ...olderMeasured } = item.measured;
    const older = chargeSessionFromItem({ ...item, measured: olderMeasured });
    expect(older.measured).toEqual({ ...session.measured, evchart: null });
    // A calculated session has no measured details at all.
    expect(
      chargeSessionFromItem(JSON.parse(JSON.stringify(storable(cpCalculatedSession())))).measured,
    ).toBeNull();
  });
});

describe('charger items', () => {
  it('round-trip, keyed by code alone and listed per tenant', () => {
    const record = charger();
    const item = JSON.parse(JSON.stringify(chargerToItem(record)));
    expect(item).toMatchObject({
      pk: 'CHARGER#AMS-042',
      sk: 'CHARGER',
      gsi1pk: 'T#tenant-a#CHARGERS',
      gsi1sk: 'CHARGER#AMS-042',
    });
    expect(chargerFromItem(item)).toEqual(record);
  });
});
