// A tenant's settings: switches an operator sets for a whole tenant (not its apps). Today one: whether
// exact coordinates are returned. Pure types and defaults; storage is shared/storage/tenant-settings.ts.

export interface TenantSettings {
  /**
   * Exact coordinates (a session's position, a reading's location) are returned only when this is on.
   * Off by default (privacy by default): sessions say "Home, 0.97", not where home is.
   */
  exactLocations: boolean;
  /** When an operator last changed a setting; null if never. */
  updated: string | null;
}

export const DEFAULT_TENANT_SETTINGS: TenantSettings = { exactLocations: false, updated: null };
