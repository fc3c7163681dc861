// The driver's use cases: look at a public charger, start a session, follow it by its token, and
// confirm, stop or cancel it. Each takes its validated input and the request time.
//
// Starting without transactions (dynalite and DynamoDB Local's lowest common denominator; single-item
// conditional writes in a safe order instead):
//   1. read the charger and check the start (404/400/422/409) before anything is created;
//   2. create the payment hold (idempotent on the session id);
//   3. write the remote-start and token pointers (harmless if left dangling: they lead to nothing);
//   4. write the session in `created`, on attribute_not_exists — its due-index entry is its timeout;
//   5. claim the connector: a version-conditioned write of the charger; a lost race re-reads and
//      re-checks, and if the connector is now taken, the session is deleted, the hold released, 409.
// A crash after 4 leaves a `created` session nobody has the token of: the sweeper expires it at its
// timeout, which releases its claim (if 5 happened) and its hold. Nothing stays claimed, nothing the
// driver was told about is lost (the answer is sent only after 5).

import { randomBytes, randomInt } from 'node:crypto';
import { ApiError, ServiceUnavailableError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { logger } from '../logger.js';
import { defaultPaymentProvider, paymentProviderFor } from '../payments/index.js';
import {
  type ChargerRecord,
  checkCanStartSession,
  claimConnector,
  toPublicChargerResource,
} from '../public-charging/charger.js';
import { isSessionTokenLive } from '../public-charging/lifecycle.js';
import type { ChargerTariff } from '../public-charging/pricing.js';
import {
  PUBLIC_RATE_LIMITS,
  rateCounterKey,
  rateDecision,
  rateWindow,
} from '../public-charging/rate-limits.js';
import type {
  PublicChargerResource,
  PublicSessionResource,
  StartPublicSessionInput,
} from '../public-charging/schemas.js';
import { startPublicSession, toPublicSessionResource } from '../public-charging/session.js';
import {
  hashSessionToken,
  isWellFormedSessionToken,
  newSessionToken,
  SESSION_TOKEN_BYTES,
} from '../public-charging/tokens.js';
import * as chargers from '../storage/chargers.js';
import { getEntity } from '../storage/entities.js';
import * as store from '../storage/public-sessions.js';
import { addToCounter, readCounter } from '../storage/rate-counters.js';
import { getTariff } from '../storage/tariffs.js';
import { applyDueTimeout, applyToSession, MAX_WRITE_ATTEMPTS, sessionNotFound } from './engine.js';

const log = logger.child({ area: 'public-charging' });

/** Random remoteStartIds collide with one still stored on the same charger about never; retry a few times. */
const REMOTE_START_ID_ATTEMPTS = 4;

export function publicChargerNotFound(): ApiError {
  return checkCanStartSession(undefined, 1) as ApiError;
}

/**
 * The current version of the tariff a charger names and its charge point's time zone (where the tariff's
 * local times are read); nulls for a charger that prices with its own `pricing`. A tariff gone missing
 * (references keep it, so never expected) falls back to the headline the charger stored.
 */
async function chargerTariff(
  charger: ChargerRecord,
): Promise<{ tariff: ChargerTariff | null; timeZone: string | null }> {
  if (!charger.tariffId) return { tariff: null, timeZone: null };
  const [tariff, entity] = await Promise.all([
    getTariff(charger.tenantId, charger.tariffId),
    getEntity(charger.tenantId, charger.entityId),
  ]);
  return {
    tariff: tariff
      ? { id: tariff.id, version: tariff.version, currency: tariff.currency, elements: tariff.elements }
      : null,
    timeZone: entity?.timeZone ?? null,
  };
}

/** The charger as drivers see it, or 404 when unknown or not public. */
export async function getPublicCharger(code: string): Promise<PublicChargerResource> {
  const charger = await chargers.getCharger(code);
  if (!charger?.public) throw publicChargerNotFound();
  return toPublicChargerResource(charger, (await chargerTariff(charger)).tariff);
}

/** The charger a session ran on, if it is still that tenant's (codes can be re-let after a delete). */
async function chargerOf(record: {
  chargerCode: string;
  tenantId: string;
}): Promise<ChargerRecord | undefined> {
  const charger = await chargers.getCharger(record.chargerCode);
  return charger?.tenantId === record.tenantId ? charger : undefined;
}

export type StartedSession = { token: string } & PublicSessionResource;

/**
 * Writes the connector claim. A write that fails with an error may still have been applied (a timeout
 * after DynamoDB accepted it), so on error the charger is read back: a claim that is ours is a success,
 * anything else is the error. Without this, a retried start would find its own lost claim and get 409.
 */
async function claimLanded(
  claimed: ChargerRecord,
  expectedVersion: number,
  connectorId: number,
  sessionId: string,
): Promise<boolean> {
  try {
    return await chargers.replaceCharger(claimed, expectedVersion);
  } catch (error) {
    const current = await chargers.getCharger(claimed.publicCode).catch(() => undefined);
    if (current?.connectorStates[String(connectorId)]?.activeSessionId === sessionId) return true;
    throw error;
  }
}

export async function startSession(input: StartPublicSessionInput, now: Date): Promise<StartedSession> {
  const charger = await chargers.getCharger(input.code);
  const refusal = checkCanStartSession(charger, input.connector_id);
  if (refusal) throw refusal;
  const found = charger as ChargerRecord;

  // The per-charger cap counts successful starts, so it is checked here and counted at the end.
  const cap = PUBLIC_RATE_LIMITS.chargerStarts;
  const capWindow = rateWindow(now, cap.windowSeconds);
  const capKey = rateCounterKey('chargerStarts', found.publicCode, capWindow);
  const started = await readCounter(capKey);
  if (started >= cap.limit) {
    const decision = rateDecision(started + 1, cap.limit, capWindow);
    if (!decision.allowed) throw decision.error;
  }

  // The session keeps the tariff version current now: the driver pays what the charger shows.
  const { tariff, timeZone } = await chargerTariff(found);
  const sessionId = uuidv7(now.getTime());
  const token = newSessionToken(randomBytes(SESSION_TOKEN_BYTES));
  const tokenHash = hashSessionToken(token);
  const provider = await defaultPaymentProvider();
  const payment = await provider.createHold({
    sessionId,
    amount: found.holdAmount,
    currency: tariff?.currency ?? found.pricing.currency,
    description: `Public charging at ${found.publicCode}, connector ${input.connector_id}`,
  });
  const releaseHold = () =>
    provider.cancel(payment).catch((error: unknown) => {
      log.warn('could not release the hold of a session that did not start', { sessionId, error });
    });

  const pointerExpiry = Math.ceil((now.getTime() + store.POINTER_RETENTION_MS) / 1000);
  let remoteStartId = 0;
  for (let attempt = 0; attempt < REMOTE_START_ID_ATTEMPTS && remoteStartId === 0; attempt++) {
    const candidate = randomInt(1, 2 ** 31 - 1);
    if (await chargers.putRemoteStartPointer(found.publicCode, candidate, sessionId, pointerExpiry)) {
      remoteStartId = candidate;
    }
  }
  if (remoteStartId === 0) throw new Error('no free remoteStartId on this charger');

  const created = startPublicSession(
    found,
    {
      sessionId,
      tokenHash,
      connectorId: input.connector_id,
      driverEmail: input.email ?? null,
      payment,
      remoteStartId,
      tariff,
      timeZone,
    },
    now,
  );
  if (created instanceof ApiError) {
    await releaseHold();
    throw created;
  }
  await store.putTokenPointer(tokenHash, sessionId, now);
  if (!(await store.writeSession(created.session, null, [], now))) throw new Error('session id collision');

  let claimed = created.charger;
  let base = found;
  for (let attempt = 0; ; attempt++) {
    if (await claimLanded(claimed, base.version, input.connector_id, sessionId)) break;
    const fresh = await chargers.getCharger(found.publicCode);
    const retry =
      attempt + 1 < MAX_WRITE_ATTEMPTS ? claimConnector(fresh, input.connector_id, sessionId, now) : null;
    if (retry === null || retry instanceof ApiError) {
      // Lost the connector (or the charger changed under us too often): the session never existed.
      await store.deleteUnclaimedSession(sessionId, created.session.version);
      await releaseHold();
      throw retry ?? new ServiceUnavailableError('The charger is changing concurrently; retry shortly.');
    }
    claimed = retry;
    base = fresh as ChargerRecord;
  }
  // The claim is the commit point: from here the session exists and the driver must get its token. The
  // cap is an abuse limit, so a count that cannot be recorded is logged, not turned into a failed start
  // that would leave the connector held by a session nobody can reach.
  await addToCounter(capKey, capWindow.resetAt).catch((error: unknown) => {
    log.warn('could not count a start against the per-charger cap', { sessionId, error });
  });
  return {
    token,
    ...toPublicSessionResource(created.session, { includePayment: true, charger: claimed }),
  };
}

/** The session a token names, live, with any due timeout applied; 404 otherwise. */
async function resolveToken(token: string, now: Date): Promise<store.StoredSession> {
  if (!isWellFormedSessionToken(token)) throw sessionNotFound();
  const sessionId = await sessionIdOfToken(hashSessionToken(token));
  const stored = sessionId ? await store.getSession(sessionId) : undefined;
  if (!stored || !isSessionTokenLive(stored.record, now)) throw sessionNotFound();
  const record = await applyDueTimeout(stored, now);
  return record === stored.record ? stored : { record, pendingEffects: [] };
}

/** Token hash → session id never changes once written, so each container remembers a bounded few. */
const TOKEN_CACHE_SIZE = 10_000;
const tokenCache = new Map<string, string>();

async function sessionIdOfToken(tokenHash: string): Promise<string | undefined> {
  const cached = tokenCache.get(tokenHash);
  if (cached) return cached;
  const sessionId = await store.findSessionIdByTokenHash(tokenHash);
  if (sessionId) {
    if (tokenCache.size >= TOKEN_CACHE_SIZE) tokenCache.delete(tokenCache.keys().next().value as string);
    tokenCache.set(tokenHash, sessionId);
  }
  return sessionId;
}

export async function getSessionByToken(token: string, now: Date): Promise<PublicSessionResource> {
  const { record } = await resolveToken(token, now);
  if (!isSessionTokenLive(record, now)) throw sessionNotFound();
  return toPublicSessionResource(record, { includePayment: true, charger: await chargerOf(record) });
}

export type DriverCommand = 'confirm' | 'stop' | 'cancel';

export async function commandSession(
  token: string,
  command: DriverCommand,
  now: Date,
): Promise<PublicSessionResource> {
  const stored = await resolveToken(token, now);
  let record: typeof stored.record;
  if (command === 'confirm') {
    // Only a `created` session needs the provider's word; elsewhere confirm is ignored or refused.
    const paymentAuthorized =
      stored.record.status === 'created'
        ? await (await paymentProviderFor(stored.record.payment)).isAuthorized(stored.record.payment)
        : true;
    record = await applyToSession(stored.record.id, { type: 'confirm', paymentAuthorized }, now);
  } else {
    record = await applyToSession(stored.record.id, { type: command }, now);
  }
  return toPublicSessionResource(record, { includePayment: true, charger: await chargerOf(record) });
}
