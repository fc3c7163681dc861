// Use cases of the session listings: which stored listing answers a selection (with the tenant's location
// policy applied), and what the exports need to know about the entities and chargers on a page. Storage
// and tenant settings are reached only from here.

import { assertEntityId } from '../entities/service.js';
import type { ChargerRegistrationView } from '../public-charging/charger.js';
import { listChargerRegistrations } from '../storage/chargers.js';
import { BATCH_GET_MAX_KEYS, getEntityNames } from '../storage/entities.js';
import type { Page, Position } from '../storage/page.js';
import {
  listEntitySessions,
  listFleetSessions,
  type SessionListing,
  type SessionRange,
  type SessionStatusFilter,
  sessionPosition,
} from '../storage/sessions.js';
import { exactLocationsFor } from '../tenants/service.js';
import type { ChargeSessionRecord } from './model.js';

export interface SessionSelection {
  tenantId: string;
  range: SessionRange;
  /** One entity's sessions: read from its own partition, never from the fleet index. */
  entityId?: string | undefined;
  entityType?: 'EV' | 'CP' | undefined;
  /** Default `completed`. */
  status?: SessionStatusFilter | undefined;
}

export interface SessionSource {
  listing: SessionListing;
  /** One Query: up to `pageSize` sessions after `startKey`, positions withheld as the tenant's policy says. */
  fetch(startKey: Position | undefined, pageSize: number): Promise<Page<ChargeSessionRecord>>;
  /** The position right after a session in this listing (to resume part-way through a page). */
  position(session: ChargeSessionRecord): Position;
}

/**
 * Exact positions are served only while the tenant's exact-locations setting is on: a position stored
 * while it was on is withheld once it is switched off (privacy by default, whatever was stored).
 */
export function withLocationPolicy(
  sessions: ChargeSessionRecord[],
  exactLocations: boolean,
): ChargeSessionRecord[] {
  return exactLocations ? sessions : sessions.map((s) => (s.position ? { ...s, position: null } : s));
}

/**
 * The listing that answers a selection with one Query per page: the entity's partition when one entity
 * is asked for (exact, and no index lag), else the tenant's fleet partition on GSI2 (type as a filter).
 * The tenant's location setting is read once per source (one response), alongside its first Query, and
 * applied to every page.
 */
export function sessionSource(selection: SessionSelection): SessionSource {
  const { tenantId, range, entityId, entityType, status } = selection;
  if (entityId !== undefined) assertEntityId(entityId);
  let exactLocations: Promise<boolean> | undefined;
  const policed =
    (query: (startKey: Position | undefined, pageSize: number) => Promise<Page<ChargeSessionRecord>>) =>
    async (startKey: Position | undefined, pageSize: number) => {
      exactLocations ??= exactLocationsFor(tenantId);
      const [page, exact] = await Promise.all([query(startKey, pageSize), exactLocations]);
      return { ...page, items: withLocationPolicy(page.items, exact) };
    };
  if (entityId !== undefined) {
    return {
      listing: 'entity',
      fetch: policed((startKey, pageSize) =>
        listEntitySessions(tenantId, entityId, range, { pageSize, startKey, entityType, status }),
      ),
      position: (session) => sessionPosition(session, 'entity'),
    };
  }
  return {
    listing: 'fleet',
    fetch: policed((startKey, pageSize) =>
      listFleetSessions(tenantId, range, { pageSize, startKey, entityType, status }),
    ),
    position: (session) => sessionPosition(session, 'fleet'),
  };
}

/**
 * The charger registrations an EV-ChART export takes its station and port ids from: the chargers of the
 * one entity exported, or of the whole tenant for a fleet export. Read once per response.
 */
export function evchartRegistrations(
  tenantId: string,
  entityId: string | undefined,
): Promise<ChargerRegistrationView[]> {
  return listChargerRegistrations(tenantId, entityId);
}

/**
 * Remembers entity names across the pages of one response and fetches those not yet known: one
 * BatchGetItem per 100 new entities (at most one per Query page of a fleet listing, in practice none
 * after the first pages). Entities deleted since leave their sessions without a name.
 */
export class EntityNameCache {
  private readonly names = new Map<string, string>();
  private readonly asked = new Set<string>();

  constructor(private readonly tenantId: string) {}

  remember(entityId: string, name: string): void {
    this.names.set(entityId, name);
    this.asked.add(entityId);
  }

  async load(sessions: readonly ChargeSessionRecord[]): Promise<void> {
    const unknown = [...new Set(sessions.map((session) => session.entityId))].filter(
      (id) => !this.asked.has(id),
    );
    for (let i = 0; i < unknown.length; i += BATCH_GET_MAX_KEYS) {
      const batch = unknown.slice(i, i + BATCH_GET_MAX_KEYS);
      const found = await getEntityNames(this.tenantId, batch);
      for (const id of batch) this.asked.add(id);
      for (const [id, name] of found) this.names.set(id, name);
    }
  }

  name(entityId: string): string | undefined {
    return this.names.get(entityId);
  }
}
