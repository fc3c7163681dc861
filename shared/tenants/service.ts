// Use cases of a tenant's settings that other areas apply to what they serve.

import { getTenantSettings } from '../storage/tenant-settings.js';

/** Whether the tenant's sessions and readings may show exact coordinates (off unless an operator set it). */
export async function exactLocationsFor(tenantId: string): Promise<boolean> {
  return (await getTenantSettings(tenantId)).exactLocations;
}
