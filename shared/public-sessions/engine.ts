// How a public session changes in storage: read, transition (pure), write on the version read, then
// carry out the effects. A writer that loses the race re-reads and re-applies, so two concurrent inputs
// can never both apply to one version, and an input that became illegal meanwhile answers its 409.
//
// Effects go to the session's outbox (pendingEffects) in the same write as the change, are carried out
// right after it, and are removed once done. A crash or a provider outage in between leaves them in the
// outbox, where the sweeper finds them through the due index and carries them out again; every effect
// is idempotent (conditional writes, provider idempotency keys), so doing one twice is harmless.

import { toChargerSessionResource } from '../chargers/service.js';
import { isCaptureEnabled } from '../entities/domain.js';
import { ApiError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import { logger } from '../logger.js';
import { announceCommand } from '../ocpp/command-signal.js';
import { paymentProviderFor } from '../payments/index.js';
import { recordMeasuredSession } from '../pipeline/measured-sessions.js';
import { releaseConnector } from '../public-charging/charger.js';
import {
  nextTimeout,
  type SessionEffect,
  type SessionInput,
  START_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  transition,
} from '../public-charging/lifecycle.js';
import { toMeasuredChargeSession } from '../public-charging/measured.js';
import type { PublicSessionRecord } from '../public-charging/session.js';
import * as chargers from '../storage/chargers.js';
import { getEntity } from '../storage/entities.js';
import * as store from '../storage/public-sessions.js';
import type { DomainEvent } from '../webhooks/events.js';
import { recordEvents, webhookEventSink } from '../webhooks/outbox.js';

/** Attempts at a version-conditioned write before answering 503; each loss means another write landed. */
export const MAX_WRITE_ATTEMPTS = 12;
/** Rounds of follow-up inputs (a capture's result) after carrying out effects; one is enough today. */
const MAX_FOLLOW_UP_ROUNDS = 4;

const log = logger.child({ area: 'public-charging' });

export function sessionNotFound(): NotFoundError {
  return new NotFoundError(
    'session_not_found',
    'No public charging session has this token, or it has expired.',
  );
}

function contention(): ServiceUnavailableError {
  return new ServiceUnavailableError('The session is changing concurrently; retry shortly.');
}

const effectKey = (effect: SessionEffect) => JSON.stringify(effect);

function without(effects: SessionEffect[], done: SessionEffect[]): SessionEffect[] {
  const doneKeys = new Set(done.map(effectKey));
  return effects.filter((effect) => !doneKeys.has(effectKey(effect)));
}

function merge(pending: SessionEffect[], added: SessionEffect[]): SessionEffect[] {
  const keys = new Set(pending.map(effectKey));
  return [...pending, ...added.filter((effect) => !keys.has(effectKey(effect)))];
}

interface Applied {
  stored: store.StoredSession;
  /** Effects of an input that changed nothing (a late start to stop): carried out, not stored. */
  immediate: SessionEffect[];
}

/**
 * One input, written: transition on a fresh read, retried on a lost race. `done` are effects already
 * carried out, removed from the outbox in the same write.
 */
async function applyAndWrite(
  sessionId: string,
  input: SessionInput,
  now: Date,
  options: { current?: store.StoredSession | undefined; done?: SessionEffect[] } = {},
): Promise<Applied> {
  const done = options.done ?? [];
  let current = options.current;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = current ?? (await store.getSession(sessionId));
    current = undefined;
    if (!stored) throw sessionNotFound();
    const result = transition(stored.record, input, now);
    if (result instanceof ApiError) throw result;
    const remaining = without(stored.pendingEffects, done);
    if (!result.changed) {
      if (remaining.length !== stored.pendingEffects.length) {
        await store.clearPendingEffects(stored.record, remaining, now);
      }
      return { stored: { record: stored.record, pendingEffects: remaining }, immediate: result.effects };
    }
    // A status change's webhook event goes into the outbox in the same write as the change: it is
    // recorded once the write landed (never for a change that lost its race), and a crash before
    // that leaves it for the sweeper, so no change goes unreported.
    const statusChanged =
      result.record.status !== stored.record.status
        ? [statusChangedEffect(stored.record, result.record, now)]
        : [];
    const pending = merge(remaining, [...result.effects, ...statusChanged]);
    if (await store.writeSession(result.record, stored.record.version, pending, now)) {
      return { stored: { record: result.record, pendingEffects: pending }, immediate: [] };
    }
  }
  throw contention();
}

/**
 * Applies one input to the session and carries out what it set in motion; answers the session as it
 * stands afterwards. Throws the transition's ApiError (409) for an illegal input.
 */
export async function applyToSession(
  sessionId: string,
  input: SessionInput,
  now: Date,
  current?: store.StoredSession,
): Promise<PublicSessionRecord> {
  const applied = await applyAndWrite(sessionId, input, now, { current });
  await carryOutImmediately(applied.stored.record, applied.immediate, now);
  return carryOut(applied.stored, now);
}

/** Applies the session's status timeout if it is due (the same rule the sweeper applies). */
export async function applyDueTimeout(stored: store.StoredSession, now: Date): Promise<PublicSessionRecord> {
  const timeout = nextTimeout(stored.record);
  if (!timeout || now.getTime() < Date.parse(timeout.dueAt)) return stored.record;
  return applyToSession(stored.record.id, { type: timeout.trigger }, now, stored);
}

async function carryOutImmediately(record: PublicSessionRecord, effects: SessionEffect[], now: Date) {
  for (const effect of effects) {
    try {
      await runEffect(effect, record, now);
    } catch (error) {
      // Not stored: the charger's next event of that transaction asks again.
      log.warn('effect failed', { sessionId: record.id, effect: effect.type, error });
    }
  }
}

/**
 * Carries out the session's outbox, applies what the effects answered (a capture's result), and
 * removes what was done. Effects that fail stay in the outbox for the sweeper.
 */
export async function carryOut(stored: store.StoredSession, now: Date): Promise<PublicSessionRecord> {
  let current = stored;
  for (let round = 0; round < MAX_FOLLOW_UP_ROUNDS && current.pendingEffects.length > 0; round++) {
    const done: SessionEffect[] = [];
    const followUps: SessionInput[] = [];
    for (const effect of current.pendingEffects) {
      try {
        const followUp = await runEffect(effect, current.record, now);
        done.push(effect);
        if (followUp) followUps.push(followUp);
      } catch (error) {
        log.warn('effect failed; the sweeper retries it', {
          sessionId: current.record.id,
          effect: effect.type,
          error,
        });
      }
    }
    if (done.length === 0) break;
    if (followUps.length === 0) {
      const remaining = without(current.pendingEffects, done);
      await store.clearPendingEffects(current.record, remaining, now);
      // If that lost a race, the newer writer has these effects in its outbox and carries them out.
      return current.record;
    }
    let carried = done;
    for (const followUp of followUps) {
      const applied = await applyAndWrite(current.record.id, followUp, now, { done: carried });
      carried = [];
      await carryOutImmediately(applied.stored.record, applied.immediate, now);
      current = applied.stored;
    }
  }
  return current.record;
}

// ---------------------------------------------------------------------------------------------------
// The effects

/**
 * `public_charging_session.status_changed`: the session as the operator lists it (no token, no e-mail)
 * at the change, with its charger and previous status. The id names the session version, so recording
 * it again (a retried effect) records nothing new.
 */
function statusChangedEffect(
  before: PublicSessionRecord,
  after: PublicSessionRecord,
  now: Date,
): SessionEffect {
  const event: DomainEvent = {
    id: `public_charging_session:${after.id}:v${after.version}`,
    type: 'public_charging_session.status_changed',
    tenantId: after.tenantId,
    occurredAt: now.toISOString(),
    data: {
      ...toChargerSessionResource(after),
      chargerCode: after.chargerCode,
      previousStatus: before.status,
    },
  };
  return { type: 'record_webhook_event', event };
}

async function runEffect(
  effect: SessionEffect,
  record: PublicSessionRecord,
  now: Date,
): Promise<SessionInput | null> {
  switch (effect.type) {
    case 'request_start_transaction':
      await chargers.putCommand({
        commandId: `start-${record.id}`,
        chargerCode: record.chargerCode,
        action: 'RequestStartTransaction',
        request: {
          evseId: effect.evseId,
          remoteStartId: effect.remoteStartId,
          idToken: { idToken: effect.sessionId, type: 'Central' },
        },
        sessionId: record.id,
        created: now.toISOString(),
        expiresAt: Math.ceil((now.getTime() + START_TIMEOUT_MS) / 1000),
      });
      announceCommand(record.chargerCode);
      return null;
    case 'request_stop_transaction':
      await chargers.putCommand({
        commandId: `stop-${effect.transactionId}`,
        chargerCode: record.chargerCode,
        action: 'RequestStopTransaction',
        request: { transactionId: effect.transactionId },
        sessionId: record.id,
        created: now.toISOString(),
        expiresAt: Math.ceil((now.getTime() + STOP_TIMEOUT_MS) / 1000),
      });
      announceCommand(record.chargerCode);
      return null;
    case 'cancel_payment':
      await (await paymentProviderFor(record.payment)).cancel(record.payment);
      return null;
    case 'capture_payment': {
      const result = await (await paymentProviderFor(record.payment)).capture(record.payment, effect.amount);
      return result.ok
        ? { type: 'capture_succeeded', amountCaptured: result.amountCaptured }
        : { type: 'capture_failed' };
    }
    case 'refund_payment':
      await (await paymentProviderFor(record.payment)).refund(record.payment, effect.amount);
      return null;
    case 'release_connector':
      await releaseClaim(effect.chargerCode, effect.connectorId, effect.sessionId, now);
      return null;
    case 'record_measured_session':
      await recordMeasured(record, now);
      return null;
    case 'record_webhook_event':
      await recordEvents([effect.event], now);
      return null;
  }
}

/** Frees the connector if this session still holds it; a charger deleted or re-let meanwhile is left alone. */
export async function releaseClaim(code: string, connectorId: number, sessionId: string, now: Date) {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const charger = await chargers.getCharger(code);
    if (!charger) return;
    const next = releaseConnector(charger, connectorId, sessionId, now);
    if (next === charger) return;
    if (await chargers.replaceCharger(next, charger.version)) return;
  }
  throw contention();
}

/**
 * The session as its CP's measured charge session, replacing calculated sessions of the same charge even
 * if the daily job stored them before the charger's last event arrived (shared/pipeline/measured-sessions.ts).
 */
async function recordMeasured(record: PublicSessionRecord, now: Date) {
  const measured = toMeasuredChargeSession(record, now);
  if (!measured) return;
  const entity = await getEntity(record.tenantId, record.entityId);
  if (!entity || !isCaptureEnabled(entity)) return;
  await recordMeasuredSession(
    measured,
    webhookEventSink(() => now),
  );
}
