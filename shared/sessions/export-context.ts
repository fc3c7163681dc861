// What the exports served over HTTP know beyond the stored session, stated once. No API stores
// charge-point registration data yet (EV-ChART station ids, port ids, network providers), so each value
// below comes from a stored fact or from the caller, and nothing is made up:
//
// EV-ChART Module 2 (charge points only):
// - station_id       ← the charge point's entity id (a UUID, 36 characters: EV-ChART's id limit). The station
//                      must be registered in EV-ChART under this id, or the column mapped before upload.
// - network_provider ← the request's `networkProvider` parameter (required with format=evchart).
// - port_id          ← the connector id the charger reported for a measured session (ports numbered as the
//                      charger numbers them, scoped by station_id). A calculated session (from a charge
//                      point's telemetry) names no connector, so it cannot be written: 422 export_unrepresentable.
// - charger_id       ← the charger's public code for measured sessions, empty otherwise.
// - connector_id, session_*, energy_kwh, power_kw, payment_* ← the session (shared/exports/evchart.ts).
// Atlas: port_id is null — a bare connector number is no port id outside its station, and Atlas has no
// station column to scope it. DER-Connect CSV: entity_name ← the entity's name.

import type { ExportContext } from '../exports/index.js';
import type { ChargeSessionRecord } from './model.js';

export interface EvchartHttpContext {
  context: ExportContext;
  /** Registers the connectors of a page's measured sessions as ports, before the page is written. */
  addPage(sessions: readonly ChargeSessionRecord[]): void;
}

export function evchartHttpContext(networkProvider: string): EvchartHttpContext {
  const portIdsByConnector: Record<number, string> = {};
  return {
    context: {
      entity: (entityId) => ({
        chargePoint: { stationId: entityId, networkProvider, portIdsByConnector, defaultPortId: null },
      }),
    },
    addPage(sessions) {
      for (const session of sessions) {
        const connectorId = session.measured?.connectorId;
        if (connectorId !== undefined) portIdsByConnector[connectorId] = String(connectorId);
      }
    },
  };
}

/** The DER-Connect CSV's context: entity names. */
export function csvHttpContext(nameOf: (entityId: string) => string | undefined): ExportContext {
  return { entity: (entityId) => ({ name: nameOf(entityId) ?? null }) };
}

/** Atlas and Beckn: nothing beyond the session (no registry, no tracking page, built-in currency table). */
export const JSON_EXPORT_CONTEXT: ExportContext = {};
