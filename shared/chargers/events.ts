// What a charger tells us, OCPP 2.0.1 TransactionEvent and StatusNotification, and its answers to the
// commands we asked it to run: one set of use cases for both ways a charger reaches us, relayed by the
// operator's CSMS over HTTP (http.ts) or connected to our OCPP-J gateway (shared/ocpp/gateway.ts).
// Each message updates the charger's connector state (version-conditioned, idempotent) and then the
// public session it belongs to, if any, through the same engine as every other change — session first,
// so that a retry after a failed write finds the session the same way (see ingestTransactionEvent).
//
// Finding the session of a TransactionEvent, in order:
//   1. the connector already running this transactionId → the session holding that connector;
//   2. remoteStartId (chargers echo it in the first event of a remote start) → its pointer item, which
//      also finds sessions that no longer hold the connector (a late start after a timeout is stopped);
//   3. the event's EVSE → the connector → the session holding it (chargers that omit remoteStartId).
// A message that matches no session, or whose session says it belongs to another transaction, still
// updates the charger and is acknowledged with `session: null`: chargers must not retry it forever.

import { ApiError, NotFoundError, ValidationError } from '../errors.js';
import { parseOrThrow } from '../http/validation.js';
import {
  applyStatusNotificationToCharger,
  applyTransactionEventToCharger,
  findConnectorByEvse,
} from '../public-charging/charger.js';
import type { SessionInput } from '../public-charging/lifecycle.js';
import { StatusNotificationRequest, TransactionEventRequest } from '../public-charging/ocpp.js';
import { applyToSession } from '../public-sessions/engine.js';
import * as chargers from '../storage/chargers.js';
import { getSession } from '../storage/public-sessions.js';
import { requireOwnCharger, updateCharger } from './service.js';

export interface EventOutcome {
  chargerCode: string;
  connectorId: number | null;
  session: { id: string; status: string } | null;
}

async function applyMatched(sessionId: string | null, input: SessionInput, now: Date) {
  if (!sessionId) return null;
  try {
    const record = await applyToSession(sessionId, input, now);
    return { id: record.id, status: record.status };
  } catch (error) {
    // Another transaction or connector than the session's: the message is simply not this session's.
    if (
      error instanceof ApiError &&
      (error.code === 'transaction_mismatch' || error.code === 'session_not_found')
    ) {
      return null;
    }
    throw error;
  }
}

export async function ingestTransactionEvent(
  tenantId: string,
  code: string,
  event: TransactionEventRequest,
  now: Date,
): Promise<EventOutcome> {
  const before = await requireOwnCharger(tenantId, code);
  const transactionId = event.transactionInfo.transactionId;
  const running = before.connectors.find(
    (c) => before.connectorStates[String(c.connectorId)]?.transactionId === transactionId,
  );
  const onEvse = event.evse ? findConnectorByEvse(before, event.evse.id, event.evse.connectorId) : undefined;
  const connector = running ?? onEvse;
  let sessionId = running
    ? (before.connectorStates[String(running.connectorId)]?.activeSessionId ?? null)
    : null;
  const remoteStartId = event.transactionInfo.remoteStartId;
  if (!sessionId && remoteStartId !== undefined) {
    sessionId = (await chargers.findSessionIdByRemoteStart(before.publicCode, remoteStartId)) ?? null;
  }
  if (!sessionId && onEvse) {
    sessionId = before.connectorStates[String(onEvse.connectorId)]?.activeSessionId ?? null;
  }

  // The session first, the charger second: the lookup above reads the charger's connector state, which an
  // Ended event clears. Were the charger written first and the session write then to fail, the CSMS's retry
  // would no longer find the session and the event would be lost; this way a retry finds what the first
  // attempt found, and re-applying to the session is a no-op (its seqNo is recorded).
  const session = await applyMatched(sessionId, { type: 'transaction_event', event }, now);
  await updateCharger(tenantId, code, (charger) => applyTransactionEventToCharger(charger, event, now));
  return { chargerCode: before.publicCode, connectorId: connector?.connectorId ?? null, session };
}

export async function ingestStatusNotification(
  tenantId: string,
  code: string,
  notification: StatusNotificationRequest,
  now: Date,
): Promise<EventOutcome> {
  const charger = await updateCharger(tenantId, code, (c) =>
    applyStatusNotificationToCharger(c, notification, now),
  );
  const connector = findConnectorByEvse(charger, notification.evseId, notification.connectorId);
  const sessionId = connector
    ? (charger.connectorStates[String(connector.connectorId)]?.activeSessionId ?? null)
    : null;
  const session = await applyMatched(sessionId, { type: 'status_notification', notification }, now);
  return { chargerCode: charger.publicCode, connectorId: connector?.connectorId ?? null, session };
}

/**
 * The charger's answer to a command: a RequestStartTransaction accepted moves the session to
 * `starting`, rejected fails it; either way the command is done and no longer listed.
 */
export async function recordCommandResult(
  tenantId: string,
  code: string,
  commandId: string,
  status: 'Accepted' | 'Rejected',
  now: Date,
): Promise<EventOutcome> {
  const charger = await requireOwnCharger(tenantId, code);
  const command = await chargers.getCommand(charger.publicCode, commandId);
  if (!command) {
    throw new NotFoundError('command_not_found', `Charger ${code} has no command '${commandId}' waiting.`);
  }
  let session: EventOutcome['session'] = null;
  if (command.action === 'RequestStartTransaction') {
    session = await applyMatched(
      command.sessionId,
      { type: status === 'Accepted' ? 'remote_start_accepted' : 'remote_start_rejected' },
      now,
    );
  }
  await chargers.deleteCommand(charger.publicCode, commandId);
  const evseId = command.request.evseId;
  const connector = typeof evseId === 'number' ? findConnectorByEvse(charger, evseId, undefined) : undefined;
  return { chargerCode: charger.publicCode, connectorId: connector?.connectorId ?? null, session };
}

/**
 * The commands still worth sending. A start is only worth it while its session waits for it
 * (`authorized`): one cancelled, expired or failed meanwhile is withdrawn here rather than sent and then
 * stopped. Stops always stand: they also end late starts of sessions that were given up.
 */
export async function listPendingCommands(tenantId: string, code: string, now: Date) {
  const charger = await requireOwnCharger(tenantId, code);
  const commands = await chargers.listCommands(charger.publicCode, Math.floor(now.getTime() / 1000));
  const pending: typeof commands = [];
  for (const command of commands) {
    if (command.action === 'RequestStartTransaction') {
      const session = await getSession(command.sessionId);
      if (session?.record.status !== 'authorized') {
        await chargers.deleteCommand(charger.publicCode, command.commandId);
        continue;
      }
    }
    pending.push(command);
  }
  return pending;
}

/**
 * An OCPP-J CALL relayed as the charger framed it: the same validation and effect as the two message
 * routes (field errors are named within the frame, `[3].seqNo`), answered with the CALLRESULT frame
 * the charger expects (both responses' fields are all optional, so `{}` is complete).
 */
export async function ingestOcppCall(
  tenantId: string,
  code: string,
  frame: [2, string, 'TransactionEvent' | 'StatusNotification', Record<string, unknown>],
  now: Date,
): Promise<[3, string, Record<string, never>]> {
  const [, messageId, action, payload] = frame;
  try {
    if (action === 'TransactionEvent') {
      await ingestTransactionEvent(
        tenantId,
        code,
        parseOrThrow(TransactionEventRequest, payload, 'body'),
        now,
      );
    } else {
      await ingestStatusNotification(
        tenantId,
        code,
        parseOrThrow(StatusNotificationRequest, payload, 'body'),
        now,
      );
    }
  } catch (error) {
    if (error instanceof ValidationError && error.errors) {
      throw new ValidationError('validation_failed', `Invalid ${action} payload in the OCPP-J frame.`, {
        errors: error.errors.map((e) => ({ ...e, field: e.field ? `[3].${e.field}` : '[3]' })),
      });
    }
    throw error;
  }
  return [3, messageId, {}];
}
