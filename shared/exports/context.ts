// What an export needs to know beyond the stored session: the entity's display name, a charge point's
// registry identifiers (which only the operator knows: for NEVI they are the permanent ids published
// under 23 CFR 680.116(c)), and currency exponents for currencies outside the built-in ISO 4217 table.
// The caller (the HTTP layer) resolves these before exporting; the exports never look anything up.

import { UnprocessableError } from '../errors.js';
import type { ChargeSessionRecord } from '../sessions/model.js';

/**
 * A charge-point session's identifiers in the reporting registry (EV-ChART's station registration), as the
 * caller resolved them for that session: a station can have several chargers and ports, so they are
 * looked up per session (its charger and connector), not per entity.
 */
export interface ChargePointRegistration {
  /** EV-ChART `station_id`: the charging station identifier of 23 CFR 680.112(a)(1). */
  stationId?: string | null;
  /** EV-ChART `network_provider`, the value the station was registered with. */
  networkProvider?: string | null;
  /** EV-ChART `charger_id` (optional there): the registered id of the charger, never a stand-in for it. */
  chargerId?: string | null;
  /** The registered port the session used (23 CFR 680.112(a)(2): the port id published to third parties). */
  portId?: string | null;
  /** Why a value is missing, in words for the 422 (which charger is unregistered, which ports are possible). */
  unresolved?: string | null;
  /**
   * The field `unresolved` is about, named by the 422: `port_id` when it is the port that cannot be told
   * (whatever else is unknown with it), `station_id` when the charger's whole registration is unknown.
   */
  unresolvedField?: 'station_id' | 'port_id';
}

export interface EntityExportInfo {
  /** Display name, written in the CSV export. */
  name?: string | null;
}

export interface ExportContext {
  /** Looks up what the caller knows of an entity; `undefined` when it knows nothing beyond the session. */
  entity?: (entityId: string) => EntityExportInfo | undefined;
  /** A charge-point session's registered identifiers; `undefined` when the caller knows no registration. */
  chargePoint?: (session: ChargeSessionRecord) => ChargePointRegistration | undefined;
  /** ISO 4217 minor-unit exponents that override or extend the built-in table (e.g. `{ XYZ: 2 }`). */
  currencyExponents?: Readonly<Record<string, number>>;
  /** Beckn `trackingUrl` for a session, when the caller serves one. */
  trackingUrl?: (session: ChargeSessionRecord) => string | undefined;
  /** Told about every session a format leaves out (EV-ChART leaves out EV sessions), so the caller can count them. */
  onSkipped?: (session: ChargeSessionRecord, reason: string) => void;
}

export function entityInfo(context: ExportContext, entityId: string): EntityExportInfo {
  return context.entity?.(entityId) ?? {};
}

/** The registration of a charge-point session; empty for EV sessions and when the caller knows none. */
export function chargePointRegistration(
  session: ChargeSessionRecord,
  context: ExportContext,
): ChargePointRegistration {
  if (session.entityType !== 'CP') return {};
  return context.chargePoint?.(session) ?? {};
}

/** The registered port of a charge-point session, or null: a port id is a registry value and is never derived. */
export function registeredPortId(session: ChargeSessionRecord, context: ExportContext): string | null {
  return chargePointRegistration(session, context).portId ?? null;
}

/** The error every format throws when a session cannot be written without inventing or losing a key value. */
export function unrepresentable(
  format: string,
  session: ChargeSessionRecord,
  field: string,
  message: string,
): UnprocessableError {
  return new UnprocessableError(
    'export_unrepresentable',
    `Session ${session.id} of entity ${session.entityId} cannot be exported as ${format}: ${message}`,
    {
      errors: [
        { in: 'query', field: 'format', code: 'export_unrepresentable', message: `${field}: ${message}` },
      ],
      extensions: { sessionId: session.id, entityId: session.entityId, exportField: field },
    },
  );
}
