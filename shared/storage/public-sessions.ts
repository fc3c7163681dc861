// Item module: public charging sessions. A session is keyed by its id (`PSESSION#<id>`): chargers name
// it by id (the connector claim, the remote start), and so do the sweeper and the effects. Drivers name
// it by token: a pointer item `PSTOKEN#<sha256 of token>` → id, written before the session and never
// changed (so it may be cached). The token itself is never stored.
//
// Every write is conditioned on the version read (or on absence for a new session), so two concurrent
// changes can never both apply. The item also carries the session's outbox: `pendingEffects`, written
// in the same put as the change that caused them and removed once carried out, so an effect is never
// lost to a crash between the write and the call that carries it out.
//
// Two sparse/overloaded index entries:
// - GSI1 `PSDUE#<shard>` / `<dueAt>#<id>` while something is due: the status timeout (nextTimeout), or
//   pending effects not yet carried out (retried EFFECT_RETRY_DELAY_MS after the write). The sweeper
//   reads the shards for everything due up to now. Final sessions without pending effects leave it.
// - GSI2 `T#<tenant>#CHARGER#<code>#PSESSIONS` / `<createdAt>#<id>`: the operator's list per charger.

import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nextTimeout, type SessionEffect, sessionTokenExpiresAt } from '../public-charging/lifecycle.js';
import type { PublicSessionRecord } from '../public-charging/session.js';
import { documentClient, tableName } from './client.js';
import { conditionalWrite } from './conditions.js';
import { mapPage, type Page, type Position, queryAll, queryPage } from './page.js';
import { shardOf } from './shards.js';

/** Due entries are spread over this many GSI1 partitions; the sweeper queries them all every minute. */
export const DUE_SHARDS = 8;
/**
 * Pending effects are carried out by the request that wrote them; the sweeper retries them only after
 * this delay, so it does not race a request still working on them (every effect is idempotent anyway).
 */
export const EFFECT_RETRY_DELAY_MS = 60_000;
/**
 * How long a token pointer and a remote-start pointer are kept: longer than any session can live
 * (charging at most 24 h, then token retention of 30 days), so they never vanish before the session.
 */
export const POINTER_RETENTION_MS = 40 * 86_400_000;

export const publicSessionKeys = {
  primary: (sessionId: string) => ({ pk: `PSESSION#${sessionId}`, sk: 'PSESSION' }),
  token: (tokenHash: string) => ({ pk: `PSTOKEN#${tokenHash}`, sk: 'PSTOKEN' }),
  duePartition: (shard: number) => `PSDUE#${shard}`,
  due: (sessionId: string, dueAt: string) => ({
    gsi1pk: publicSessionKeys.duePartition(shardOf(sessionId, DUE_SHARDS)),
    gsi1sk: `${dueAt}#${sessionId}`,
  }),
  chargerPartition: (tenantId: string, code: string) => `T#${tenantId}#CHARGER#${code}#PSESSIONS`,
  charger: (record: Pick<PublicSessionRecord, 'tenantId' | 'chargerCode' | 'createdAt' | 'id'>) => ({
    gsi2pk: publicSessionKeys.chargerPartition(record.tenantId, record.chargerCode),
    gsi2sk: `${record.createdAt}#${record.id}`,
  }),
};

export interface StoredSession {
  record: PublicSessionRecord;
  /** Effects written with a change and not yet confirmed as carried out. */
  pendingEffects: SessionEffect[];
}

/** When the sweeper must look at the session next: its timeout, or a retry of its pending effects. */
export function dueAt(
  record: PublicSessionRecord,
  pendingEffects: SessionEffect[],
  now: Date,
): string | null {
  const candidates: string[] = [];
  const timeout = nextTimeout(record);
  if (timeout) candidates.push(timeout.dueAt);
  if (pendingEffects.length > 0) {
    candidates.push(new Date(now.getTime() + EFFECT_RETRY_DELAY_MS).toISOString());
  }
  return candidates.length === 0 ? null : candidates.sort()[0]!;
}

const NOT_RECORD_FIELDS = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'itemType',
  'ttl',
  'pendingEffects',
]);

export function sessionToItem(
  record: PublicSessionRecord,
  pendingEffects: SessionEffect[],
  now: Date,
): Record<string, unknown> {
  const due = dueAt(record, pendingEffects, now);
  const expiresAt = sessionTokenExpiresAt(record);
  return {
    ...publicSessionKeys.primary(record.id),
    ...(due ? publicSessionKeys.due(record.id, due) : {}),
    ...publicSessionKeys.charger(record),
    itemType: 'PublicChargingSession',
    ...record,
    ...(pendingEffects.length > 0 ? { pendingEffects } : {}),
    // TTL only cleans up; isSessionTokenLive enforces the expiry on every read.
    ...(expiresAt ? { ttl: Math.ceil(Date.parse(expiresAt) / 1000) } : {}),
  };
}

export function sessionFromItem(item: Record<string, unknown>): StoredSession {
  const record = Object.fromEntries(
    Object.entries(item).filter(([key]) => !NOT_RECORD_FIELDS.has(key)),
  ) as unknown as PublicSessionRecord;
  // Sessions started before the EV-ChART registration was kept have none.
  record.evchart ??= null;
  return { record, pendingEffects: (item.pendingEffects as SessionEffect[] | undefined) ?? [] };
}

export async function getSession(sessionId: string): Promise<StoredSession | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: publicSessionKeys.primary(sessionId),
      ConsistentRead: true,
    }),
  );
  return Item ? sessionFromItem(Item) : undefined;
}

/**
 * Writes the session: new (`expectedVersion` null, on the condition that none exists) or replacing the
 * stored one on the condition that it still has `expectedVersion`. False when the condition failed.
 */
export async function writeSession(
  record: PublicSessionRecord,
  expectedVersion: number | null,
  pendingEffects: SessionEffect[],
  now: Date,
): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: sessionToItem(record, pendingEffects, now),
        ...(expectedVersion === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
      }),
    ),
  );
}

/**
 * Removes carried-out effects from the outbox, if the session is still at `version` (a later change
 * merged them into its own outbox and its writer carries them out). The due entry is recomputed.
 */
export async function clearPendingEffects(
  record: PublicSessionRecord,
  remaining: SessionEffect[],
  now: Date,
): Promise<boolean> {
  const due = dueAt(record, remaining, now);
  const sets: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':version': record.version };
  if (remaining.length > 0) {
    sets.push('pendingEffects = :pending');
    values[':pending'] = remaining;
  } else {
    removes.push('pendingEffects');
  }
  if (due) {
    const keys = publicSessionKeys.due(record.id, due);
    sets.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
    values[':gsi1pk'] = keys.gsi1pk;
    values[':gsi1sk'] = keys.gsi1sk;
  } else {
    removes.push('gsi1pk', 'gsi1sk');
  }
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: publicSessionKeys.primary(record.id),
        UpdateExpression: [
          sets.length ? `SET ${sets.join(', ')}` : '',
          removes.length ? `REMOVE ${removes.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' '),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/** Removes a session that was never handed out (its connector claim lost), if still at `version`. */
export async function deleteUnclaimedSession(sessionId: string, version: number): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: publicSessionKeys.primary(sessionId),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': version },
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Token pointer

export async function putTokenPointer(tokenHash: string, sessionId: string, now: Date): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...publicSessionKeys.token(tokenHash),
        itemType: 'PublicSessionToken',
        sessionId,
        ttl: Math.ceil((now.getTime() + POINTER_RETENTION_MS) / 1000),
      },
      // 192 random bits never collide; the condition makes sure a pointer is never redirected.
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function findSessionIdByTokenHash(tokenHash: string): Promise<string | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: publicSessionKeys.token(tokenHash), ConsistentRead: true }),
  );
  return Item?.sessionId as string | undefined;
}

// ---------------------------------------------------------------------------------------------------
// Sweeper and operator reads

/** Ids of sessions due at or before `now` in one shard, oldest due first (GSI1, eventually consistent). */
export async function listDueSessionIds(shard: number, now: Date, limit: number): Promise<string[]> {
  const items = await queryAll(
    {
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :until',
      ExpressionAttributeValues: {
        ':pk': publicSessionKeys.duePartition(shard),
        // `<dueAt>#<id>`: every entry due at or before now sorts below `<now>#~`.
        ':until': `${now.toISOString()}#~`,
      },
      ProjectionExpression: 'pk',
    },
    { maxItems: limit, pageLimit: 100 },
  );
  return items.map((item) => String(item.pk).slice('PSESSION#'.length));
}

/** One page of a charger's public sessions of this tenant, newest first: one Query on GSI2. */
export async function listChargerSessions(
  tenantId: string,
  code: string,
  page: { pageSize: number; startKey: Position | undefined },
): Promise<Page<PublicSessionRecord>> {
  const result = await queryPage({
    input: {
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': publicSessionKeys.chargerPartition(tenantId, code) },
      ScanIndexForward: false,
    },
    pageSize: page.pageSize,
    startKey: page.startKey,
  });
  return mapPage(result, (item) => sessionFromItem(item).record);
}
