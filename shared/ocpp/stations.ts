// The OCPP-J gateway's own use cases, around the charger use cases both adapters share
// (shared/chargers/events.ts): who may connect as a station, the charger's online state while it is
// connected, and whether an idToken a charger asks about is a public session of that charger.
// A station's identity is its charger's public code (`/ocpp/AMS-042`), in any case.

import { updateCharger } from '../chargers/service.js';
import { setChargerOnline } from '../public-charging/charger.js';
import { CONNECTOR_HOLDING_STATUSES } from '../public-charging/lifecycle.js';
import { PUBLIC_CODE_PATTERN } from '../public-charging/schemas.js';
import { getCharger } from '../storage/chargers.js';
import * as stations from '../storage/ocpp-stations.js';
import { getSession } from '../storage/public-sessions.js';
import { verifyOcppPassword } from './passwords.js';

export interface StationIdentity {
  tenantId: string;
  chargerCode: string;
}

/** A handshake refused: the HTTP status the upgrade is answered with, and why. */
export interface StationRefusal {
  status: 401 | 404;
  message: string;
}

/**
 * Whether `identity` may connect with this Basic-auth password: 404 when no charger has the code, 401
 * when the password is missing, wrong, or was never set (a charger without one cannot connect).
 */
export async function authenticateStation(
  identity: string,
  password: Buffer | undefined,
): Promise<StationIdentity | StationRefusal> {
  const code = identity.toUpperCase();
  const charger = PUBLIC_CODE_PATTERN.test(code) ? await getCharger(code) : undefined;
  if (!charger) return { status: 404, message: `No charging station '${identity}'.` };
  const unauthorized: StationRefusal = { status: 401, message: 'Unauthorized' };
  if (!password) return unauthorized;
  const station = await stations.getOcppStation(code);
  if (!station?.passwordHash) return unauthorized;
  if (!(await verifyOcppPassword(password, station.passwordHash))) return unauthorized;
  return { tenantId: charger.tenantId, chargerCode: code };
}

/** The station is connected over `connectionId`: it holds the station and the charger is online. */
export async function stationConnected(station: StationIdentity, connectionId: string, now: Date) {
  await stations.claimOcppConnection(station.chargerCode, connectionId, now);
  await updateCharger(station.tenantId, station.chargerCode, (c) => setChargerOnline(c, true, now));
}

/**
 * The connection closed. The charger goes offline unless a newer connection (a reconnect that reached
 * us, perhaps on another gateway task, before this close was noticed) holds the station by now.
 */
export async function stationDisconnected(station: StationIdentity, connectionId: string, now: Date) {
  if (!(await stations.releaseOcppConnection(station.chargerCode, connectionId))) return;
  await updateCharger(station.tenantId, station.chargerCode, (c) => setChargerOnline(c, false, now));
  // A reconnect may have claimed the station between the release and the write above: it stays online.
  const holder = await stations.getOcppStation(station.chargerCode);
  if (holder?.connectionId) {
    await updateCharger(station.tenantId, station.chargerCode, (c) => setChargerOnline(c, true, now));
  }
}

/**
 * OCPP AuthorizationStatus of an idToken at this charger. Public sessions start remotely with their
 * session id as a `Central` idToken; that token is Accepted while its session holds a connector of this
 * charger, and Invalid otherwise (a late start of a session given up is then ended by the charger
 * itself). No RFID cards or contracts are known here, so any other token is Unknown.
 */
export async function authorizeIdToken(
  station: StationIdentity,
  idToken: { idToken: string; type: string },
): Promise<'Accepted' | 'Invalid' | 'Unknown'> {
  if (idToken.type !== 'Central') return 'Unknown';
  const stored = await getSession(idToken.idToken);
  if (!stored || stored.record.chargerCode !== station.chargerCode) return 'Unknown';
  return CONNECTOR_HOLDING_STATUSES.has(stored.record.status) ? 'Accepted' : 'Invalid';
}
