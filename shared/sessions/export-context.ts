// What the exports served over HTTP know beyond the stored session, stated once. Every value below comes
// from a stored fact; nothing is made up, and a value that cannot be known makes the export refuse.
//
// EV-ChART Module 2 (charge points only) takes the station and port identity from the operator's charger
// registration (`evchart` on POST/PUT /v1/chargers, `portId` on each connector), read once per response
// (shared/storage/chargers.ts listChargerRegistrations) and matched to the chargers linked to the
// session's CP entity:
// - station_id, network_provider, charger_id, port_id of a measured session (`measured.chargerCode`,
//   `measured.connectorId`), in this order:
//     1. its charger's registration as it is now, when the charger is still linked to the session's entity
//        and registers the session's connector with a port: `evchart.stationId`, `.networkProvider`,
//        `.chargerId` (empty when not registered; EV-ChART allows that) and the connector's `portId`;
//     2. else the registration kept with the session when it started (`measured.evchart`, taken by
//        shared/public-charging/session.ts from the charger the start reads): the charger was deleted,
//        replaced by another code, linked to another entity, unregistered, or lost the connector;
//     3. else 422 export_unrepresentable naming the charger and why (a session started before the charger
//        was registered, or recorded before registrations were kept with sessions).
//   Why the registration as it is now wins over the one kept: NEVI station and port ids are permanent
//   identifiers (23 CFR 680.116(c)(8)(iii)), so an edit of a charger that still measures for the entity
//   is a correction (a mistyped port id), and a report resubmitted for a past quarter must carry the
//   corrected ids. The kept registration is what the station was registered as when the charge happened,
//   so a charger that no longer speaks for the session's port (gone, moved, unregistered) cannot take a
//   past quarter's report away. The price: an edit of a charger still linked to the entity rewrites every
//   past row of it, so a charger moved to another station is linked to that station's entity (or
//   registered anew under another code), not re-registered in place.
// - station_id, network_provider, charger_id of a calculated session (from telemetry): the entity's one
//   registered port's charger (below).
// - port_id of a calculated session, which names no connector: the port when every charger of the entity
//   is registered and together they register exactly one port (one port, one station); otherwise 422
//   export_unrepresentable saying which ports were possible. A port is never guessed.
// - connector_id, session_*, energy_kwh, power_kw, payment_* ← the session (shared/exports/evchart.ts).
// There is no request parameter for any of these: the registration is the one source, so an export can
// never disagree with what the station was registered under.
// Atlas: port_id is null — the JSON pages read no registration (a registry read per page is not paid for
// a field Atlas allows null). DER-Connect CSV: entity_name ← the entity's name.

import type { ChargePointRegistration, ExportContext } from '../exports/index.js';
import { type ChargerRegistrationView, registeredPortOf } from '../public-charging/charger.js';
import type { ChargeSessionRecord, MeasuredDetails } from './model.js';

/** How many possible ports a 422 lists before it says "…". */
const PORTS_NAMED_MAX = 5;

const NONE_KEPT = 'the session keeps none from when it started';

const NO_CONNECTOR = "it was calculated from the charge point's telemetry, which names no connector";

/** A registered port, with the station and charger identity it is reported under. */
type RegisteredPort = Required<Omit<ChargePointRegistration, 'unresolved' | 'unresolvedField'>>;

function registeredPorts(charger: ChargerRegistrationView): RegisteredPort[] {
  const { evchart } = charger;
  if (!evchart) return [];
  return charger.connectors.flatMap((connector) =>
    connector.portId === null
      ? []
      : [
          {
            stationId: evchart.stationId,
            networkProvider: evchart.networkProvider,
            chargerId: evchart.chargerId,
            portId: connector.portId,
          },
        ],
  );
}

/** Why a measured session has no identity: its charger, as it is now, does not name its port, nor does the session. */
function unresolvedMeasured(
  measured: MeasuredDetails,
  charger: ChargerRegistrationView | undefined,
): ChargePointRegistration {
  const code = measured.chargerCode;
  if (!charger) {
    return {
      unresolved: `charger ${code}, which measured it, is no longer one of this charge point's chargers (deleted, or linked to another entity), and ${NONE_KEPT}, so its EV-ChART registration is unknown.`,
      unresolvedField: 'station_id',
    };
  }
  if (!charger.evchart) {
    return {
      unresolved: `charger ${code} has no EV-ChART registration, and ${NONE_KEPT}; add \`evchart\` and each connector's \`portId\` with PUT /v1/chargers/${code}.`,
      unresolvedField: 'station_id',
    };
  }
  // The station is known, the port is not.
  const station = {
    stationId: charger.evchart.stationId,
    networkProvider: charger.evchart.networkProvider,
    chargerId: charger.evchart.chargerId,
  };
  if (!charger.connectors.some((c) => c.connectorId === measured.connectorId)) {
    return {
      ...station,
      unresolved: `connector ${measured.connectorId} of charger ${code}, which measured it, is no longer configured on the charger, and ${NONE_KEPT}, so its registered port is unknown.`,
      unresolvedField: 'port_id',
    };
  }
  return {
    ...station,
    unresolved: `connector ${measured.connectorId} of charger ${code} has no registered port, and ${NONE_KEPT}; add its \`portId\` with PUT /v1/chargers/${code}.`,
    unresolvedField: 'port_id',
  };
}

/**
 * A measured session's identity: its charger's registration as it is now when that still names the
 * session's port (a correction reaches every past session), else the one kept with the session when it
 * started (the charger is gone, moved or unregistered), else the reason neither exists.
 */
function measuredRegistration(
  measured: MeasuredDetails,
  chargers: readonly ChargerRegistrationView[],
): ChargePointRegistration {
  const charger = chargers.find((c) => c.publicCode === measured.chargerCode);
  const current = charger ? registeredPortOf(charger, measured.connectorId) : null;
  return current ?? measured.evchart ?? unresolvedMeasured(measured, charger);
}

function calculatedRegistration(chargers: readonly ChargerRegistrationView[]): ChargePointRegistration {
  if (chargers.length === 0) {
    return {
      unresolved: `${NO_CONNECTOR}, and no charger is linked to this charge point, so it has no registered port.`,
      unresolvedField: 'port_id',
    };
  }
  const unregistered = chargers.filter((c) => !c.evchart).map((c) => c.publicCode);
  if (unregistered.length > 0) {
    return {
      unresolved: `${NO_CONNECTOR}, and ${unregistered.length === 1 ? 'charger' : 'chargers'} ${unregistered.join(', ')} of this charge point ${unregistered.length === 1 ? 'has' : 'have'} no EV-ChART registration, so the port it used is unknown.`,
      unresolvedField: 'port_id',
    };
  }
  const ports = new Map<string, RegisteredPort>();
  for (const port of chargers.flatMap(registeredPorts)) {
    ports.set(JSON.stringify([port.stationId, port.networkProvider, port.chargerId, port.portId]), port);
  }
  const candidates = [...ports.values()];
  const [only] = candidates;
  if (candidates.length === 1 && only) return only;
  // Several ports: the station is still known when they all share it; the port is not.
  const shared = <K extends keyof RegisteredPort>(key: K): RegisteredPort[K] | null =>
    candidates.every((p) => p[key] === only?.[key]) ? (only?.[key] ?? null) : null;
  const named = candidates.slice(0, PORTS_NAMED_MAX).map((p) => `'${p.portId}'`);
  if (candidates.length > PORTS_NAMED_MAX) named.push('…');
  return {
    stationId: shared('stationId'),
    networkProvider: shared('networkProvider'),
    chargerId: shared('chargerId'),
    portId: null,
    unresolved: `${NO_CONNECTOR}, and this charge point's chargers register ${candidates.length} ports (${named.join(', ')}), so which one it used is unknown.`,
    unresolvedField: 'port_id',
  };
}

/**
 * The EV-ChART identity of each charge-point session, from the tenant's chargers (read once per export
 * response). Pure: a lookup over the chargers given, grouped by the CP entity they are linked to.
 */
export function evchartRegistry(
  chargers: readonly ChargerRegistrationView[],
): (session: ChargeSessionRecord) => ChargePointRegistration {
  const byEntity = new Map<string, ChargerRegistrationView[]>();
  for (const charger of chargers) {
    const linked = byEntity.get(charger.entityId);
    if (linked) linked.push(charger);
    else byEntity.set(charger.entityId, [charger]);
  }
  const calculated = new Map<string, ChargePointRegistration>();
  return (session) => {
    const linked = byEntity.get(session.entityId) ?? [];
    if (session.measured) return measuredRegistration(session.measured, linked);
    let registration = calculated.get(session.entityId);
    if (!registration) {
      registration = calculatedRegistration(linked);
      calculated.set(session.entityId, registration);
    }
    return registration;
  };
}

/** The EV-ChART export's context: station and port identity from the operator's chargers. */
export function evchartHttpContext(chargers: readonly ChargerRegistrationView[]): ExportContext {
  return { chargePoint: evchartRegistry(chargers) };
}

/** The DER-Connect CSV's context: entity names. */
export function csvHttpContext(nameOf: (entityId: string) => string | undefined): ExportContext {
  return { entity: (entityId) => ({ name: nameOf(entityId) ?? null }) };
}

/** Atlas and Beckn: nothing beyond the session (no registry, no tracking page, built-in currency table). */
export const JSON_EXPORT_CONTEXT: ExportContext = {};
